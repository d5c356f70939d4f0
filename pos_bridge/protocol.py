"""The POS protocol's messages as typed Python objects (docs/pos-protocol.md).

Field names are snake_case here and PascalCase on the wire; `pos_bridge.codec` turns one
into the other. A field left at OMIT is absent on the wire, so a message that arrived
without a key is sent on without it; keys this module does not know are kept in `extra`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ordering.checks import ChangeType as ChangeType  # the check's own: defined once there


class _Omitted:
    _instance: _Omitted | None = None

    def __new__(cls) -> _Omitted:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMIT"

    def __bool__(self) -> bool:
        return False


OMIT: Any = _Omitted()


def wire(name: str, default: Any = OMIT) -> Any:
    if isinstance(default, list):
        return field(default_factory=list, metadata={"wire": name})
    return field(default=default, metadata={"wire": name})


def extra_field() -> Any:
    return field(default_factory=dict, metadata={"extra": True}, compare=False, repr=False)


class MessageType(enum.IntEnum):
    CREATE_ORDER = 11
    TABLE_SNAPSHOT = 30
    TABLE_SNAPSHOT_CHANGED = 31


class ResultCode(enum.IntEnum):
    SUCCESS = 0
    POS_ERROR = 1
    INVALID_REQUEST = 2
    TABLE_NOT_FOUND = 3
    ORDER_CLOSED = 4
    OUT_OF_STOCK = 5
    INSUFFICIENT_STOCK = 6
    DELISTED_ITEM = 7
    PRICE_CHANGED = 8
    UNSUPPORTED = 9
    UNAUTHORIZED = 10


class ProductType(enum.IntEnum):
    PRODUCT = 0
    INSTRUCTION = 1


class LineStatus(enum.StrEnum):
    ORDERED = "ORDERED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class LineSource(enum.StrEnum):
    OPENAPP = "OPENAPP"
    POS = "POS"


@dataclass
class Adjustment:
    provider_adjustment_id: str | None = wire("ProviderAdjustmentID")
    adjustment_id: str | None = wire("AdjustmentID")
    amount: Decimal | None = wire("Amount")
    name: str | None = wire("Name")
    extra: dict[str, Any] = extra_field()


@dataclass
class Product:
    provider_product_id: str | None = wire("ProviderProductID")
    product_type: int = wire("ProductType", ProductType.PRODUCT)
    plu_identifier: str | None = wire("PLUIdentifier")
    sales_modifier_identifier: str | None = wire("SalesModifierIdentifier")
    name: str | None = wire("Name")
    sales_modifier_name: str | None = wire("SalesModifierName")
    quantity: int = wire("Quantity", 0)
    price: Decimal = wire("Price", Decimal("0"))
    total_amount: Decimal = wire("TotalAmount", Decimal("0"))
    child_products: list[Product] = wire("ChildProducts")
    adjustment: Adjustment | None = wire("Adjustment")
    # Project fields on check lines (protocol §7).
    line_id: str | None = wire("LineID")
    status: str | None = wire("Status")
    source: str | None = wire("Source")
    provider_order_id: str | None = wire("ProviderOrderID")
    extra: dict[str, Any] = extra_field()


@dataclass
class Payment:
    provider_payment_id: str | None = wire("ProviderPaymentID")
    amount_sale: Decimal | None = wire("AmountSale")
    amount_tip: Decimal | None = wire("AmountTip")
    amount_surcharge: Decimal | None = wire("AmountSurcharge")
    name: str | None = wire("Name")
    explicit_service_charge_amount: Decimal | None = wire("ExplicitServiceChargeAmount")
    merchant_id: str | None = wire("MerchantID")
    terminal_id: str | None = wire("TerminalID")
    extra: dict[str, Any] = extra_field()


@dataclass
class Note:
    provider_note_id: str | None = wire("ProviderNoteID")
    message: str | None = wire("Message")
    extra: dict[str, Any] = extra_field()


@dataclass
class Tax:
    name: str | None = wire("Name")
    amount: Decimal | None = wire("Amount")
    tax_rate: Decimal | None = wire("TaxRate")
    is_add_on_tax: bool | None = wire("IsAddOnTax")
    extra: dict[str, Any] = extra_field()


@dataclass
class Order:
    sales_transaction_id: str | None = wire("SalesTransactionID")
    service_mode_prefix: str | None = wire("ServiceModePrefix")
    service_mode_entity_id: str | None = wire("ServiceModeEntityID")
    order_number_opened: str | None = wire("OrderNumberOpened")
    owned_by_user_id: str | None = wire("OwnedBy_UserID")
    owned_by_user_name: str | None = wire("OwnedBy_UserName")
    currency_code: str | None = wire("CurrencyCode")
    amount: Decimal = wire("Amount", Decimal("0"))
    amount_owing: Decimal = wire("AmountOwing", Decimal("0"))
    is_closed: bool = wire("IsClosed", False)
    remaining_service_charge_amount: Decimal | None = wire("RemainingServiceChargeAmount")
    products: list[Product] = wire("Products", [])
    payments: list[Payment] = wire("Payments", [])
    adjustments: list[Adjustment] = wire("Adjustments", [])
    notes: list[Note] = wire("Notes", [])
    taxes: list[Tax] = wire("Taxes", [])
    extra: dict[str, Any] = extra_field()


@dataclass
class CreateOrderRequest:
    provider_order_id: str = wire("ProviderOrderID")
    service_mode_id: str = wire("ServiceModeID")
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    is_training: bool = wire("IsTraining", False)
    service_charge_amount: Decimal | None = wire("ServiceChargeAmount", None)
    use_provider_prices: bool = wire("UseProviderPrices", False)
    products: list[Product] = wire("Products", [])
    payments: list[Payment] = wire("Payments", [])
    adjustments: list[Adjustment] = wire("Adjustments", [])
    notes: list[Note] = wire("Notes", [])
    extra: dict[str, Any] = extra_field()


@dataclass
class StockProblem:
    plu_identifier: str | None = wire("PLUIdentifier")
    sales_modifier_identifier: str | None = wire("SalesModifierIdentifier")
    name: str | None = wire("Name")
    extra: dict[str, Any] = extra_field()


@dataclass
class RejectedProduct:
    provider_product_id: str | None = wire("ProviderProductID")
    plu_identifier: str | None = wire("PLUIdentifier")
    sales_modifier_identifier: str | None = wire("SalesModifierIdentifier")
    name: str | None = wire("Name")
    reason: str | None = wire("Reason")
    available: int | None = wire("Available")
    current_price: Decimal | None = wire("CurrentPrice")
    extra: dict[str, Any] = extra_field()


@dataclass
class CreateOrderResponse:
    order: Order | None = wire("Order", None)
    out_of_stock_products: list[StockProblem] | None = wire("OutOfStockProducts", None)
    version: int | None = wire("Version")
    rejected_products: list[RejectedProduct] | None = wire("RejectedProducts")
    extra: dict[str, Any] = extra_field()


@dataclass
class SnapshotRequest:
    service_mode_id: str = wire("ServiceModeID")
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    extra: dict[str, Any] = extra_field()


@dataclass
class SnapshotResult:
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    version: int = wire("Version", 0)
    order: Order | None = wire("Order", None)
    extra: dict[str, Any] = extra_field()


@dataclass
class SnapshotChanged:
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    version: int = wire("Version", 0)
    change_type: str = wire("ChangeType")
    line_ids: list[str] = wire("LineIDs", [])
    order: Order | None = wire("Order", None)
    extra: dict[str, Any] = extra_field()


Payload = (
    CreateOrderRequest | CreateOrderResponse | SnapshotRequest | SnapshotResult | SnapshotChanged
)


@dataclass
class Request:
    """OpenApp -> POS (seed: OrderNPayWebsocketRequest)."""

    request_id: str = wire("RequestID")
    provider_id: int = wire("ProviderID")
    provider_name: str = wire("ProviderName")
    device_id: str = wire("DeviceID")
    user_identifier: str = wire("UserIdentifier")
    message_type: int = wire("MessageType")
    payload: Any = wire("Payload", None)
    extra: dict[str, Any] = extra_field()


@dataclass
class Response:
    """POS -> OpenApp, answering a Request (seed: OrderNPayWebsocketResponse)."""

    request_id: str = wire("RequestID")
    result_code: int = wire("ResultCode", ResultCode.SUCCESS)
    error_message: str | None = wire("ErrorMessage", None)
    message_type: int = wire("MessageType")
    payload: Any = wire("Payload", None)
    extra: dict[str, Any] = extra_field()


@dataclass
class Push:
    """POS -> OpenApp, unsolicited (protocol §2)."""

    event_id: str = wire("EventID")
    message_type: int = wire("MessageType")
    payload: Any = wire("Payload", None)
    extra: dict[str, Any] = extra_field()


Envelope = Request | Response | Push

# Which payload class each (envelope, message type) carries.
REQUEST_PAYLOADS: dict[int, type] = {
    MessageType.CREATE_ORDER: CreateOrderRequest,
    MessageType.TABLE_SNAPSHOT: SnapshotRequest,
}
RESPONSE_PAYLOADS: dict[int, type] = {
    MessageType.CREATE_ORDER: CreateOrderResponse,
    MessageType.TABLE_SNAPSHOT: SnapshotResult,
}
PUSH_PAYLOADS: dict[int, type] = {MessageType.TABLE_SNAPSHOT_CHANGED: SnapshotChanged}
