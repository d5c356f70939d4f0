"""The POS protocol's messages as msgspec Structs (docs/pos-protocol.md).

Field names are snake_case here and PascalCase on the wire: `rename="pascal"` spells most of
them, and `wire("...")` names the ones the seed spells otherwise (`RequestID`, `PLUIdentifier`,
`OwnedBy_UserID`, `LineIDs`...). A field left at OMIT (msgspec's UNSET) is absent on the wire,
so a message that arrived without a key is sent on without it. Keys this module does not know
are tolerated; `pos_bridge.codec` keeps them in a message's `extra` and sends them on.

Money is `Money`: a JSON number, read digit for digit into a Decimal, finite and below
LARGEST_NUMBER. That rule is written once, in `Money.from_wire`.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Generic, TypeVar

import msgspec

from ordering.checks import ChangeType as ChangeType  # the check's own: defined once there

OMIT: Any = msgspec.UNSET

# No till rings up a trillion: a bigger number is a broken message, not a bill (and past
# 10^26 it could not even be kept to two places).
LARGEST_NUMBER = Decimal(10**12)


class Money(Decimal):
    """An amount of money on the wire."""

    __slots__ = ()

    @classmethod
    def from_wire(cls, value: object) -> Money:
        """The rule for every money field (msgspec adds the field's path to its errors)."""
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise TypeError(f"Expected `number`, got `{type(value).__name__}`")
        number = cls(value)
        if not number.is_finite() or not -LARGEST_NUMBER < number < LARGEST_NUMBER:
            raise ValueError(f"Expected a number below {LARGEST_NUMBER:,} in size, got {value}")
        return number


def wire(name: str, default: Any = OMIT) -> Any:
    """A field whose wire name is not simply its PascalCase spelling."""
    if isinstance(default, list):
        return msgspec.field(name=name, default_factory=list)
    return msgspec.field(name=name, default=default)


class Wire(msgspec.Struct, rename="pascal", dict=True):
    """Every protocol object. `extra` holds the keys it arrived with that it does not know."""

    extra: ClassVar[Any] = MappingProxyType({})


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


class Adjustment(Wire):
    provider_adjustment_id: str | None = wire("ProviderAdjustmentID")
    adjustment_id: str | None = wire("AdjustmentID")
    amount: Money | None = OMIT
    name: str | None = OMIT


class Product(Wire):
    provider_product_id: str | None = wire("ProviderProductID")
    product_type: int = ProductType.PRODUCT
    plu_identifier: str | None = wire("PLUIdentifier")
    sales_modifier_identifier: str | None = OMIT
    name: str | None = OMIT
    sales_modifier_name: str | None = OMIT
    quantity: int = 0
    price: Money = Decimal("0")
    total_amount: Money = Decimal("0")
    child_products: list[Product] = OMIT
    adjustment: Adjustment | None = OMIT
    # Project fields on check lines (protocol §7).
    line_id: str | None = wire("LineID")
    status: str | None = OMIT
    source: str | None = OMIT
    provider_order_id: str | None = wire("ProviderOrderID")


class Payment(Wire):
    provider_payment_id: str | None = wire("ProviderPaymentID")
    amount_sale: Money | None = OMIT
    amount_tip: Money | None = OMIT
    amount_surcharge: Money | None = OMIT
    name: str | None = OMIT
    explicit_service_charge_amount: Money | None = OMIT
    merchant_id: str | None = wire("MerchantID")
    terminal_id: str | None = wire("TerminalID")


class Note(Wire):
    provider_note_id: str | None = wire("ProviderNoteID")
    message: str | None = OMIT


class Tax(Wire):
    name: str | None = OMIT
    amount: Money | None = OMIT
    tax_rate: Money | None = OMIT
    is_add_on_tax: bool | None = OMIT


class Order(Wire):
    sales_transaction_id: str | None = wire("SalesTransactionID")
    service_mode_prefix: str | None = OMIT
    service_mode_entity_id: str | None = wire("ServiceModeEntityID")
    order_number_opened: str | None = OMIT
    owned_by_user_id: str | None = wire("OwnedBy_UserID")
    owned_by_user_name: str | None = wire("OwnedBy_UserName")
    currency_code: str | None = OMIT
    amount: Money = Decimal("0")
    amount_owing: Money = Decimal("0")
    is_closed: bool = False
    remaining_service_charge_amount: Money | None = OMIT
    products: list[Product] = []
    payments: list[Payment] = []
    adjustments: list[Adjustment] = []
    notes: list[Note] = []
    taxes: list[Tax] = []


class CreateOrderRequest(Wire):
    provider_order_id: str = wire("ProviderOrderID")
    service_mode_id: str = wire("ServiceModeID")
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    is_training: bool = False
    service_charge_amount: Money | None = None
    use_provider_prices: bool = False
    products: list[Product] = []
    payments: list[Payment] = []
    adjustments: list[Adjustment] = []
    notes: list[Note] = []


class StockProblem(Wire):
    plu_identifier: str | None = wire("PLUIdentifier")
    sales_modifier_identifier: str | None = OMIT
    name: str | None = OMIT


class RejectedProduct(Wire):
    provider_product_id: str | None = wire("ProviderProductID")
    plu_identifier: str | None = wire("PLUIdentifier")
    sales_modifier_identifier: str | None = OMIT
    name: str | None = OMIT
    reason: str | None = OMIT
    available: int | None = OMIT
    current_price: Money | None = OMIT


class CreateOrderResponse(Wire):
    order: Order | None = None
    out_of_stock_products: list[StockProblem] | None = None
    version: int | None = OMIT
    rejected_products: list[RejectedProduct] | None = OMIT


class SnapshotRequest(Wire):
    service_mode_id: str = wire("ServiceModeID")
    service_mode_entity_id: str = wire("ServiceModeEntityID")


class SnapshotResult(Wire):
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    version: int = 0
    order: Order | None = None


class SnapshotChanged(Wire):
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    version: int = 0
    change_type: str = OMIT
    line_ids: list[str] = wire("LineIDs", [])
    order: Order | None = None


Payload = (
    CreateOrderRequest | CreateOrderResponse | SnapshotRequest | SnapshotResult | SnapshotChanged
)
# An envelope's payload: one of the above by message type and direction (the codec picks it),
# or the raw JSON of a message type this module does not know.
P = TypeVar("P")


class Request(Wire, Generic[P], kw_only=True):
    """OpenApp -> POS (seed: OrderNPayWebsocketRequest)."""

    request_id: str = msgspec.field(name="RequestID")
    provider_id: int = wire("ProviderID")
    provider_name: str = OMIT
    device_id: str = wire("DeviceID")
    user_identifier: str = OMIT
    message_type: int
    payload: P | None = None


class Response(Wire, Generic[P], kw_only=True):
    """POS -> OpenApp, answering a Request (seed: OrderNPayWebsocketResponse)."""

    request_id: str = msgspec.field(name="RequestID")
    result_code: int = ResultCode.SUCCESS
    error_message: str | None = None
    message_type: int
    payload: P | None = None


class Push(Wire, Generic[P], kw_only=True):
    """POS -> OpenApp, unsolicited (protocol §2)."""

    event_id: str = msgspec.field(name="EventID")
    message_type: int
    payload: P | None = None


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
