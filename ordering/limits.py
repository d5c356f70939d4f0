"""What one diner may order at once, in one place: the basket's size, a line's quantity,
how often a diner may send and what one batch may be worth.

Every way into the basket (the product form, the quantity change, send) checks here on
the server; a refusal says what to do in plain words and changes nothing, so nothing in
the basket is lost. The numbers are settings (BASKET_MAX_LINES, BASKET_MAX_QUANTITY,
SENDS_PER_MINUTE); the cap on a batch's value is the location's own (blank: none).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from ordering.models import BasketLine, Batch
from ordering.money import format_money, money
from tables.models import Diner, Location

RATE_WINDOW = timedelta(minutes=1)
# A diner's name is shown beside their lines on every phone at the table: short, one line.
NAME_MAX_LENGTH = 40


class LimitReached(Exception):
    """A limit would be passed; the message is for the diner."""


def max_lines() -> int:
    return settings.BASKET_MAX_LINES


def max_quantity() -> int:
    return settings.BASKET_MAX_QUANTITY


def sends_per_minute() -> int:
    return settings.SENDS_PER_MINUTE


def name_too_long_message() -> str:
    return gettext("A name can be at most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}


def too_many_message() -> str:
    return gettext("At most %(count)s at a time. For more, please ask a member of staff.") % {
        "count": max_quantity()
    }


def check_room_for_a_line(diner: Diner) -> None:
    """Before a new line goes into the basket (call with the diner's row locked)."""
    if BasketLine.objects.filter(diner=diner, batch__isnull=True).count() >= max_lines():
        raise LimitReached(
            gettext(
                "Your basket is full: at most %(count)s items in one order. "
                "Send it to the kitchen, then add more."
            )
            % {"count": max_lines()}
        )


def check_batch(diner: Diner, location: Location, lines: Sequence[BasketLine]) -> None:
    """Before the basket's lines become one batch (call with the diner's row locked)."""
    if len(lines) > max_lines():
        raise LimitReached(
            gettext(
                "At most %(count)s items in one order: remove %(extra)s to send, "
                "and send them next."
            )
            % {"count": max_lines(), "extra": len(lines) - max_lines()}
        )
    too_many = [line.product.name for line in lines if line.quantity > max_quantity()]
    if too_many:
        raise LimitReached(f"{too_many[0]}: {too_many_message()}")
    since = timezone.now() - RATE_WINDOW
    if Batch.objects.filter(diner=diner, created_at__gte=since).count() >= sends_per_minute():
        raise LimitReached(
            gettext(
                "That's a lot of orders in a minute. "
                "Wait a moment and send again: your basket is kept."
            )
        )
    cap = location.max_batch_value
    if cap is not None:
        total = money(sum((line.total() for line in lines), Decimal("0")))
        if total > cap:
            currency = location.currency
            raise LimitReached(
                gettext(
                    "This order comes to %(total)s, more than the %(cap)s one order from a "
                    "phone may be here. Remove something to send, or ask a member of staff."
                )
                % {"total": format_money(total, currency), "cap": format_money(cap, currency)}
            )
