"""Whether the till (the location's POS) can be reached: told by the bridge, shown to diners.

The bridge says so through ordering.live.till_changed (which also tells every open table
when it flips), as its connection changes and with each renewal of its lease; pages and
pushes ask `reachable`.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordering.models import TillStatus

DOWN_MESSAGE = gettext_lazy(
    "The till can't be reached right now; what you send goes as soon as it is back."
)


def reachable(location_id: int) -> bool:
    return TillStatus.objects.filter(
        location_id=location_id, reachable_until__gt=timezone.now()
    ).exists()


def set_reachable_until(location_id: int, until: datetime | None) -> bool:
    """Store what the bridge said (None: not connected); True if reachability flipped."""
    was = reachable(location_id)
    TillStatus.objects.update_or_create(
        location_id=location_id, defaults={"reachable_until": until}
    )
    return was != (until is not None and until > timezone.now())
