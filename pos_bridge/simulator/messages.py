"""The POS protocol's messages as the simulated POS reads and writes them: msgspec Structs.

Written from docs/pos-protocol.md and the seeds alone (never from the bridge's code), so
that the simulator checks what the bridge sends instead of sharing its reading of the page.
Wire names are PascalCase (rename="pascal"), spelled out with name= where the seed's
spelling is not what "pascal" would make of the field (RequestID, PLUIdentifier,
OwnedBy_UserID). Constraints are msgspec.Meta (wire.Int, wire.Count, min_length) or, for
money, wire.Money's own hook.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, UnsetType, field

from .wire import Count, Int, Money, NonNegativeMoney, NotJson, ValidationError, decode

SEED_SERVICE_MODE_ID = "0adc10d8-d2eb-40b9-9801-0664531f7400"


class MessageType(enum.IntEnum):
    CREATE_ORDER = 11  # seed
    TABLE_SNAPSHOT = 30  # project
    TABLE_SNAPSHOT_CHANGED = 31  # project (push)


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
    INSTRUCTION = 1  # free text in Name, Quantity 0 (seed: "sauce on side")


class ChangeType(enum.StrEnum):
    ITEMS_ADDED = "ITEMS_ADDED"
    ITEMS_CANCELLED = "ITEMS_CANCELLED"
    ITEMS_DELIVERED = "ITEMS_DELIVERED"
    DISCOUNT_APPLIED = "DISCOUNT_APPLIED"
    LINES_REMOVED = "LINES_REMOVED"
    ORDER_CLOSED = "ORDER_CLOSED"


class LineStatus(enum.StrEnum):
    ORDERED = "ORDERED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class LineSource(enum.StrEnum):
    OPENAPP = "OPENAPP"
    POS = "POS"


Text = Annotated[str, msgspec.Meta(min_length=1)]  # text that cannot be empty


class Wire(msgspec.Struct, kw_only=True, rename="pascal"):
    """A protocol struct, with PascalCase wire names.

    kw_only is not inherited: every subclass says it again, so that its fields are written
    after its base's, in the order they are declared.
    """


# Shared by requests and checks


class Adjustment(Wire, kw_only=True):
    provider_adjustment_id: str | None = field(default=None, name="ProviderAdjustmentID")
    # null: the POS's fallback (seed)
    adjustment_id: str | None = field(default=None, name="AdjustmentID")
    amount: Money | None = None
    name: str | None = None


class Payment(Wire, kw_only=True):
    provider_payment_id: str | None = field(default=None, name="ProviderPaymentID")
    amount_sale: Money | None = None
    amount_tip: Money | None = None
    amount_surcharge: Money | None = None
    name: str | None = None
    explicit_service_charge_amount: Money | None = None
    merchant_id: str | None = field(default=None, name="MerchantID")
    terminal_id: str | None = field(default=None, name="TerminalID")


class Note(Wire, kw_only=True):
    provider_note_id: str | None = field(default=None, name="ProviderNoteID")
    message: str | None = None


# Requests (OpenApp -> POS)


class Product(Wire, kw_only=True):
    """A product of a CreateOrder request (seed: OrderNPayCreateOrderRequest.Products)."""

    provider_product_id: str | None = field(default=None, name="ProviderProductID")
    product_type: ProductType = ProductType.PRODUCT
    plu_identifier: str | None = field(default=None, name="PLUIdentifier")
    sales_modifier_identifier: str | None = None
    name: str | None = None
    sales_modifier_name: str | None = None
    quantity: Count
    price: NonNegativeMoney = NonNegativeMoney(0)
    total_amount: Money = Money(0)
    child_products: list[Product] = []
    adjustment: Adjustment | None = None


class CreateOrderRequest(Wire, kw_only=True):
    provider_order_id: Text = field(name="ProviderOrderID")
    is_training: bool = False
    service_mode_id: Text = field(name="ServiceModeID")
    service_mode_entity_id: Text = field(name="ServiceModeEntityID")
    service_charge_amount: NonNegativeMoney | None = None
    use_provider_prices: bool = False
    products: Annotated[list[Product], msgspec.Meta(min_length=1)]
    payments: list[Payment] = []
    adjustments: list[Adjustment] = []
    notes: list[Note] = []


class SnapshotRequest(Wire, kw_only=True):
    service_mode_id: Text = field(name="ServiceModeID")
    service_mode_entity_id: Text = field(name="ServiceModeEntityID")


class _Request(Wire, kw_only=True):
    """The request envelope (seed: OrderNPayWebsocketRequest)."""

    request_id: Text = field(name="RequestID")
    provider_id: Int = field(name="ProviderID")
    provider_name: str
    device_id: str = field(name="DeviceID")
    user_identifier: str
    message_type: Int


class CreateOrderFrame(_Request, kw_only=True):
    payload: CreateOrderRequest


class SnapshotFrame(_Request, kw_only=True):
    payload: SnapshotRequest


# Responses and pushes (POS -> OpenApp)


class ChildProduct(Wire, kw_only=True):
    provider_product_id: str | None = field(default=None, name="ProviderProductID")
    product_type: int = ProductType.PRODUCT
    plu_identifier: str | None = field(default=None, name="PLUIdentifier")
    sales_modifier_identifier: str | None = None
    name: str | None = None
    sales_modifier_name: str | None = None
    quantity: int = 0
    price: Money = Money(0)
    total_amount: Money = Money(0)


class LineProduct(ChildProduct, kw_only=True):
    """A line of a check: the seed's product, with the project's line fields (§7)."""

    child_products: list[ChildProduct] = []
    adjustment: Adjustment | None = None
    line_id: str = field(name="LineID")
    status: str = LineStatus.ORDERED
    source: str = LineSource.OPENAPP
    provider_order_id: str | None = field(default=None, name="ProviderOrderID")


class Tax(Wire, kw_only=True):
    name: str
    amount: Money
    tax_rate: Decimal
    is_add_on_tax: bool = False


class Order(Wire, kw_only=True):
    sales_transaction_id: str = field(name="SalesTransactionID")
    service_mode_prefix: str
    service_mode_entity_id: str = field(name="ServiceModeEntityID")
    order_number_opened: str
    owned_by_user_id: str | None = field(default=None, name="OwnedBy_UserID")
    owned_by_user_name: str | None = field(default=None, name="OwnedBy_UserName")
    currency_code: str
    amount: Money
    amount_owing: Money
    is_closed: bool = False
    remaining_service_charge_amount: Money
    products: list[LineProduct] = []
    payments: list[Payment] = []
    adjustments: list[Adjustment] = []
    notes: list[Note] = []
    taxes: list[Tax] = []


class StockProblem(Wire, kw_only=True):
    plu_identifier: str | None = field(default=None, name="PLUIdentifier")
    sales_modifier_identifier: str | None = None
    name: str | None = None


class RejectedProduct(Wire, kw_only=True):
    provider_product_id: str | None = field(default=None, name="ProviderProductID")
    plu_identifier: str | None = field(default=None, name="PLUIdentifier")
    sales_modifier_identifier: str | None = None
    name: str | None = None
    reason: str
    available: int | None = None
    current_price: Money | None = None


class CreateOrderResponse(Wire, kw_only=True):
    order: Order | None = None
    out_of_stock_products: list[StockProblem] | None = None
    version: int | UnsetType = UNSET  # on success; UNSET is not written
    rejected_products: list[RejectedProduct] | UnsetType = UNSET  # on rejection


class SnapshotResult(Wire, kw_only=True):
    service_mode_entity_id: str = field(name="ServiceModeEntityID")
    version: int
    order: Order | None = None


class SnapshotChanged(Wire, kw_only=True):
    service_mode_entity_id: str = field(name="ServiceModeEntityID")
    version: int
    change_type: str
    line_ids: list[str] = field(default_factory=list, name="LineIDs")
    order: Order | None = None


class Response(Wire, kw_only=True):
    request_id: str = field(name="RequestID")
    result_code: int
    error_message: str | None = None
    message_type: int
    payload: Any = None


class Push(Wire, kw_only=True):
    event_id: str = field(name="EventID")
    message_type: int
    payload: Any = None


# Reading a frame


class Dropped(ValueError):
    """A frame that is not a request envelope: logged and dropped (protocol §2)."""


class _Envelope(msgspec.Struct):
    """What tells a request from a response or a push: which of these keys a frame has."""

    request_id: Any = field(default=UNSET, name="RequestID")
    result_code: Any = field(default=UNSET, name="ResultCode")
    event_id: Any = field(default=UNSET, name="EventID")


class _Kind(msgspec.Struct):
    message_type: Int = field(name="MessageType")


@dataclass(frozen=True)
class Incoming:
    """A request envelope, its RequestID and MessageType read, its body not yet checked."""

    request_id: str
    message_type: int  # 0 when it cannot be read
    frame: str | bytes
    problem: str | None = None  # why MessageType cannot be read


class Invalid(ValueError):
    """A request that breaks the protocol page; answered with ResultCode 2 and the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def incoming(frame: str | bytes) -> Incoming:
    """What a frame asks for, or Dropped when it is not JSON or not a request envelope.

    A request is an object with a RequestID and neither ResultCode (a response) nor
    EventID (a push). One whose MessageType cannot be read is answered as invalid, with
    MessageType 0, since its RequestID can be echoed.
    """
    try:
        envelope = decode(_Envelope, frame)
    except NotJson as error:
        raise Dropped(str(error)) from None
    except ValidationError:
        raise Dropped("a frame must be a JSON object") from None
    if envelope.result_code is not UNSET or envelope.event_id is not UNSET:
        raise Dropped("the POS only answers requests, and this is a response or a push")
    if not isinstance(envelope.request_id, str):
        raise Dropped("a request needs a RequestID, as text")
    try:
        kind = decode(_Kind, frame)
    except ValidationError as error:
        return Incoming(envelope.request_id, 0, frame, str(error))
    return Incoming(envelope.request_id, kind.message_type, frame)


def read_create_order(request: Incoming) -> CreateOrderFrame:
    frame = _read(CreateOrderFrame, request)
    for i, product in enumerate(frame.payload.products):
        where = f"$.Payload.Products[{i}]"
        if product.product_type != ProductType.PRODUCT:
            _invalid(f"Only ProductType 0 can be ordered; an instruction is a child{at(where)}")
        _check_product(product, where)
        for j, child in enumerate(product.child_products):
            _check_child(child, f"{where}.ChildProducts[{j}]")
    return frame


def read_snapshot(request: Incoming) -> SnapshotFrame:
    return _read(SnapshotFrame, request)


def _read(cls: type[Any], request: Incoming) -> Any:
    try:
        return decode(cls, request.frame)
    except ValidationError as error:
        _invalid(str(error))


def _check_product(product: Product, where: str) -> None:
    if not product.plu_identifier:
        _invalid(f"A product needs its PLUIdentifier{at(where + '.PLUIdentifier')}")
    if product.quantity < 1:
        _invalid(f"Expected `int` >= 1{at(where + '.Quantity')}")


def _check_child(child: Product, where: str) -> None:
    if child.child_products:
        _invalid(f"Nested ChildProducts are not supported{at(where + '.ChildProducts')}")
    if child.product_type == ProductType.INSTRUCTION:
        if not child.name or not child.name.strip():
            _invalid(f"An instruction needs its text in Name{at(where + '.Name')}")
        return
    _check_product(child, where)


def at(path: str) -> str:
    return f" - at `{path}`"


def _invalid(message: str) -> Any:
    raise Invalid(f"Invalid request: {message}")
