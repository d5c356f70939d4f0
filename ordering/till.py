"""Whether the till (the location's POS) can be reached: told by the bridge, shown to diners.

The bridge says so through ordering.live.till_changed (which also tells every open table
when it flips, with the flip in the push itself), as its connection changes and with each
renewal of its lease; pages and pushes ask `reachable`.

What the bridge stored is kept in each process for at most READ_EVERY seconds: every push
and basket page asks, and a page that shows "the till can't be reached" a second late says
nothing wrong about an order (the pushes of a flip carry the bridge's own word at once).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordering.models import TillStatus

DOWN_MESSAGE = gettext_lazy(
    "The till can't be reached right now; what you send goes as soon as it is back."
)
READ_EVERY = 1.0  # seconds

_known: dict[int, tuple[float, datetime | None]] = {}  # location -> (read at, reachable until)
_known_lock = threading.Lock()


def reachable(location_id: int) -> bool:
    with _known_lock:
        read_at, until = _known.get(location_id, (-READ_EVERY, None))
    if time.monotonic() - read_at >= READ_EVERY:
        until = _stored_until(location_id)
    return until is not None and until > timezone.now()


def _stored_until(location_id: int) -> datetime | None:
    until = (
        TillStatus.objects.filter(location_id=location_id)
        .values_list("reachable_until", flat=True)
        .first()
    )
    with _known_lock:
        _known[location_id] = (time.monotonic(), until)
    return until


def set_reachable_until(location_id: int, until: datetime | None) -> bool:
    """Store what the bridge said (None: not connected); True if reachability flipped."""
    before = _stored_until(location_id)
    was = before is not None and before > timezone.now()
    TillStatus.objects.update_or_create(
        location_id=location_id, defaults={"reachable_until": until}
    )
    with _known_lock:
        _known[location_id] = (time.monotonic(), until)
    return was != (until is not None and until > timezone.now())


def forget() -> None:
    """Read the stored word afresh next time (tests start each from a new database)."""
    with _known_lock:
        _known.clear()
