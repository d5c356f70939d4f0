"""Why the POS turned a batch or a product down, in the words a diner reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

from ordering.money import format_money


class Reason(models.TextChoices):
    OUT_OF_STOCK = "OUT_OF_STOCK", "Out of stock"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK", "Insufficient stock"
    DELISTED_ITEM = "DELISTED_ITEM", "Delisted item"
    ORDER_CLOSED = "ORDER_CLOSED", "Order closed"
    PRICE_CHANGED = "PRICE_CHANGED", "Price changed"
    TABLE_NOT_FOUND = "TABLE_NOT_FOUND", "Table not found"
    INVALID_REQUEST = "INVALID_REQUEST", "Invalid request"
    POS_ERROR = "POS_ERROR", "POS error"
    UNSUPPORTED = "UNSUPPORTED", "POS does not support this message"
    UNAUTHORIZED = "UNAUTHORIZED", "POS refused OpenApp's credentials"
    UNREACHABLE = "UNREACHABLE", "POS unreachable"
    UNCONFIRMED = "UNCONFIRMED", "Sent, never answered"


def describe_line_problem(
    reason: str, *, available: int | None, current_price: Decimal | None, currency: str
) -> str:
    """What a diner reads next to a product the POS turned down (in the active language)."""
    if reason == Reason.OUT_OF_STOCK or (reason == Reason.INSUFFICIENT_STOCK and available == 0):
        return gettext("Sold out")
    if reason == Reason.INSUFFICIENT_STOCK:
        if available is None:
            return gettext("Not enough left")
        return ngettext("Only %(count)s left", "Only %(count)s left", available) % {
            "count": available
        }
    if reason == Reason.DELISTED_ITEM:
        return gettext("No longer available")
    if reason == Reason.PRICE_CHANGED:
        if current_price is not None:
            return gettext("Price changed to %(price)s") % {
                "price": format_money(current_price, currency)
            }
        return gettext("The price has changed")
    return describe_batch_problem(reason)


_BATCH_PROBLEMS = {
    Reason.ORDER_CLOSED: gettext_lazy("Your table's bill is already closed, so nothing was sent"),
    Reason.TABLE_NOT_FOUND: gettext_lazy(
        "The till doesn't recognise this table — please ask a member of staff"
    ),
    Reason.UNREACHABLE: gettext_lazy(
        "The kitchen could not be reached in time, so this order was not sent — "
        "you can send it again"
    ),
    Reason.UNCONFIRMED: gettext_lazy(
        "The kitchen never confirmed this order — please ask a member of staff "
        "whether it arrived before you order it again"
    ),
    Reason.OUT_OF_STOCK: gettext_lazy("Some items are sold out — change your order and send again"),
    Reason.INSUFFICIENT_STOCK: gettext_lazy(
        "Some items are running out — change your order and send again"
    ),
    Reason.DELISTED_ITEM: gettext_lazy(
        "Some items are no longer available — change your order and send again"
    ),
    Reason.PRICE_CHANGED: gettext_lazy(
        "Some prices have changed — check your order and send again"
    ),
}
_OTHER_PROBLEM = gettext_lazy(
    "The kitchen's system could not take this order — please ask a member of staff"
)


# What a line sent back from a batch that never reached the POS says (stored in English).
NOT_SENT = gettext_noop("Not sent: the kitchen could not be reached in time")


def line_problem_in_language(stored: str, refused: Any | None, currency: str) -> str:
    """A basket line's problem as stored (worded in English when the POS answered; the
    bridge serves every phone), in the active language. `refused` is the BatchLine the POS
    turned down for it, if any. Words it cannot match are shown as stored."""
    if not stored:
        return stored
    if stored == NOT_SENT:
        return gettext(NOT_SENT)
    if refused is None or not refused.rejection_reason:
        return stored

    def words() -> str:
        return describe_line_problem(
            refused.rejection_reason,
            available=refused.available,
            current_price=refused.current_price,
            currency=currency,
        )

    with translation.override("en"):
        english = words()
    if not stored.endswith(english):
        return stored
    # A refused modifier is named before the problem ("Pepper Sauce: Sold out").
    return stored[: len(stored) - len(english)] + words()


def describe_batch_problem(reason: str) -> str:
    """What a diner reads when the whole batch was turned down or could not be sent (in the
    active language)."""
    return str(_BATCH_PROBLEMS.get(reason, _OTHER_PROBLEM))


def pos_answer(batch: Any) -> str:
    """For managers: the POS's ResultCode, what OpenApp made of it, and the POS's own words."""
    if batch.result_code is None:
        return "No answer yet" if not batch.is_final else Reason(batch.rejection_reason).label
    if batch.result_code == 0:
        return "ResultCode 0: accepted"
    meaning = (
        Reason(batch.rejection_reason).label
        if batch.rejection_reason in Reason.values
        else "unknown"
    )
    said = f" — the POS said: {batch.error_message}" if batch.error_message else ""
    return f"ResultCode {batch.result_code}: {meaning.lower()}{said}"
