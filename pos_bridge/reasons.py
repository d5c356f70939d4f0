"""The one table from a POS ResultCode to OpenApp's rejection reason (protocol §4).

Another POS's codes are mapped here without touching the rest of the bridge.
"""

from __future__ import annotations

from ordering.reasons import Reason
from pos_bridge.protocol import ResultCode

REASON_BY_RESULT_CODE: dict[int, str] = {
    ResultCode.POS_ERROR: Reason.POS_ERROR,
    ResultCode.INVALID_REQUEST: Reason.INVALID_REQUEST,
    ResultCode.TABLE_NOT_FOUND: Reason.TABLE_NOT_FOUND,
    ResultCode.ORDER_CLOSED: Reason.ORDER_CLOSED,
    ResultCode.OUT_OF_STOCK: Reason.OUT_OF_STOCK,
    ResultCode.INSUFFICIENT_STOCK: Reason.INSUFFICIENT_STOCK,
    ResultCode.DELISTED_ITEM: Reason.DELISTED_ITEM,
    ResultCode.PRICE_CHANGED: Reason.PRICE_CHANGED,
    ResultCode.UNSUPPORTED: Reason.UNSUPPORTED,
    ResultCode.UNAUTHORIZED: Reason.UNAUTHORIZED,
}

KNOWN_PRODUCT_REASONS = {
    Reason.OUT_OF_STOCK,
    Reason.INSUFFICIENT_STOCK,
    Reason.DELISTED_ITEM,
    Reason.PRICE_CHANGED,
}


def reason_for(result_code: int) -> str:
    return REASON_BY_RESULT_CODE.get(result_code, Reason.POS_ERROR)


def product_reason(result_code: int, stated: str | None, available: int | None) -> str:
    """A rejected product's reason: the POS's own word if it gave one we know."""
    if stated in KNOWN_PRODUCT_REASONS:
        return stated
    reason = reason_for(result_code)
    if reason == Reason.INSUFFICIENT_STOCK and available == 0:
        return Reason.OUT_OF_STOCK
    return reason
