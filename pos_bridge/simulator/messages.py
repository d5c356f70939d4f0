"""The POS protocol's messages as the simulated POS reads and writes them.

Written from docs/pos-protocol.md and the seeds alone (never from the bridge's code), so
that the simulator checks what the bridge sends instead of sharing its reading of the page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .wire import OMIT, NotJson, ValidationError, at, decode, loads, wire

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


PRODUCT_TYPES = tuple(int(t) for t in ProductType)

# Shared by requests and checks


@dataclass(kw_only=True)
class Adjustment:
    provider_adjustment_id: str | None = wire("ProviderAdjustmentID", None)
    adjustment_id: str | None = wire("AdjustmentID", None)  # null: the POS's fallback (seed)
    amount: Decimal | None = wire("Amount", None, money=True)
    name: str | None = wire("Name", None)


@dataclass(kw_only=True)
class Payment:
    provider_payment_id: str | None = wire("ProviderPaymentID", None)
    amount_sale: Decimal | None = wire("AmountSale", None, money=True)
    amount_tip: Decimal | None = wire("AmountTip", None, money=True)
    amount_surcharge: Decimal | None = wire("AmountSurcharge", None, money=True)
    name: str | None = wire("Name", None)
    explicit_service_charge_amount: Decimal | None = wire(
        "ExplicitServiceChargeAmount", None, money=True
    )
    merchant_id: str | None = wire("MerchantID", None)
    terminal_id: str | None = wire("TerminalID", None)


@dataclass(kw_only=True)
class Note:
    provider_note_id: str | None = wire("ProviderNoteID", None)
    message: str | None = wire("Message", None)


# Requests (OpenApp -> POS)


@dataclass(kw_only=True)
class Product:
    """A product of a CreateOrder request (seed: OrderNPayCreateOrderRequest.Products)."""

    provider_product_id: str | None = wire("ProviderProductID", None)
    product_type: int = wire("ProductType", 0, one_of=PRODUCT_TYPES)
    plu_identifier: str | None = wire("PLUIdentifier", None)
    sales_modifier_identifier: str | None = wire("SalesModifierIdentifier", None)
    name: str | None = wire("Name", None)
    sales_modifier_name: str | None = wire("SalesModifierName", None)
    quantity: int = wire("Quantity", ge=0)
    price: Decimal = wire("Price", Decimal(0), ge=0)
    total_amount: Decimal = wire("TotalAmount", Decimal(0))
    child_products: list[Product] = wire("ChildProducts", [])
    adjustment: Adjustment | None = wire("Adjustment", None)


@dataclass(kw_only=True)
class CreateOrderRequest:
    provider_order_id: str = wire("ProviderOrderID", min_length=1)
    is_training: bool = wire("IsTraining", False)
    service_mode_id: str = wire("ServiceModeID", min_length=1)
    service_mode_entity_id: str = wire("ServiceModeEntityID", min_length=1)
    service_charge_amount: Decimal | None = wire("ServiceChargeAmount", None, ge=0)
    use_provider_prices: bool = wire("UseProviderPrices", False)
    products: list[Product] = wire("Products", min_length=1)
    payments: list[Payment] = wire("Payments", [])
    adjustments: list[Adjustment] = wire("Adjustments", [])
    notes: list[Note] = wire("Notes", [])


@dataclass(kw_only=True)
class SnapshotRequest:
    service_mode_id: str = wire("ServiceModeID", min_length=1)
    service_mode_entity_id: str = wire("ServiceModeEntityID", min_length=1)


@dataclass(kw_only=True)
class _Request:
    """The request envelope (seed: OrderNPayWebsocketRequest)."""

    request_id: str = wire("RequestID", min_length=1)
    provider_id: int = wire("ProviderID")
    provider_name: str = wire("ProviderName")
    device_id: str = wire("DeviceID")
    user_identifier: str = wire("UserIdentifier")
    message_type: int = wire("MessageType")


@dataclass(kw_only=True)
class CreateOrderFrame(_Request):
    payload: CreateOrderRequest = wire("Payload")


@dataclass(kw_only=True)
class SnapshotFrame(_Request):
    payload: SnapshotRequest = wire("Payload")


# Responses and pushes (POS -> OpenApp)


@dataclass(kw_only=True)
class ChildProduct:
    provider_product_id: str | None = wire("ProviderProductID", None)
    product_type: int = wire("ProductType", ProductType.PRODUCT)
    plu_identifier: str | None = wire("PLUIdentifier", None)
    sales_modifier_identifier: str | None = wire("SalesModifierIdentifier", None)
    name: str | None = wire("Name", None)
    sales_modifier_name: str | None = wire("SalesModifierName", None)
    quantity: int = wire("Quantity", 0)
    price: Decimal = wire("Price", Decimal(0), money=True)
    total_amount: Decimal = wire("TotalAmount", Decimal(0), money=True)


@dataclass(kw_only=True)
class LineProduct(ChildProduct):
    """A line of a check: the seed's product, with the project's line fields (§7)."""

    child_products: list[ChildProduct] = wire("ChildProducts", [])
    adjustment: Adjustment | None = wire("Adjustment", None)
    line_id: str = wire("LineID")
    status: str = wire("Status", LineStatus.ORDERED)
    source: str = wire("Source", LineSource.OPENAPP)
    provider_order_id: str | None = wire("ProviderOrderID", None)


@dataclass(kw_only=True)
class Tax:
    name: str = wire("Name")
    amount: Decimal = wire("Amount", money=True)
    tax_rate: Decimal = wire("TaxRate")
    is_add_on_tax: bool = wire("IsAddOnTax", False)


@dataclass(kw_only=True)
class Order:
    sales_transaction_id: str = wire("SalesTransactionID")
    service_mode_prefix: str = wire("ServiceModePrefix")
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    order_number_opened: str = wire("OrderNumberOpened")
    owned_by_user_id: str | None = wire("OwnedBy_UserID", None)
    owned_by_user_name: str | None = wire("OwnedBy_UserName", None)
    currency_code: str = wire("CurrencyCode")
    amount: Decimal = wire("Amount", money=True)
    amount_owing: Decimal = wire("AmountOwing", money=True)
    is_closed: bool = wire("IsClosed", False)
    remaining_service_charge_amount: Decimal = wire("RemainingServiceChargeAmount", money=True)
    products: list[LineProduct] = wire("Products", [])
    payments: list[Payment] = wire("Payments", [])
    adjustments: list[Adjustment] = wire("Adjustments", [])
    notes: list[Note] = wire("Notes", [])
    taxes: list[Tax] = wire("Taxes", [])


@dataclass(kw_only=True)
class StockProblem:
    plu_identifier: str | None = wire("PLUIdentifier", None)
    sales_modifier_identifier: str | None = wire("SalesModifierIdentifier", None)
    name: str | None = wire("Name", None)


@dataclass(kw_only=True)
class RejectedProduct:
    provider_product_id: str | None = wire("ProviderProductID", None)
    plu_identifier: str | None = wire("PLUIdentifier", None)
    sales_modifier_identifier: str | None = wire("SalesModifierIdentifier", None)
    name: str | None = wire("Name", None)
    reason: str = wire("Reason")
    available: int | None = wire("Available", None)
    current_price: Decimal | None = wire("CurrentPrice", None, money=True)


@dataclass(kw_only=True)
class CreateOrderResponse:
    order: Order | None = wire("Order", None)
    out_of_stock_products: list[StockProblem] | None = wire("OutOfStockProducts", None)
    version: int = wire("Version", OMIT)  # on success
    rejected_products: list[RejectedProduct] = wire("RejectedProducts", OMIT)  # on rejection


@dataclass(kw_only=True)
class SnapshotResult:
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    version: int = wire("Version")
    order: Order | None = wire("Order", None)


@dataclass(kw_only=True)
class SnapshotChanged:
    service_mode_entity_id: str = wire("ServiceModeEntityID")
    version: int = wire("Version")
    change_type: str = wire("ChangeType")
    line_ids: list[str] = wire("LineIDs", [])
    order: Order | None = wire("Order", None)


@dataclass(kw_only=True)
class Response:
    request_id: str = wire("RequestID")
    result_code: int = wire("ResultCode")
    error_message: str | None = wire("ErrorMessage", None)
    message_type: int = wire("MessageType")
    payload: Any = wire("Payload", None)


@dataclass(kw_only=True)
class Push:
    event_id: str = wire("EventID")
    message_type: int = wire("MessageType")
    payload: Any = wire("Payload", None)


# Reading a frame


class Dropped(ValueError):
    """A frame that is not a request envelope: logged and dropped (protocol §2)."""


@dataclass(frozen=True)
class Incoming:
    """A request envelope, its RequestID and MessageType read, its body not yet checked."""

    request_id: str
    message_type: int  # 0 when it cannot be read
    data: dict[str, Any]
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
        data = loads(frame)
    except NotJson as error:
        raise Dropped(str(error)) from None
    if not isinstance(data, dict):
        raise Dropped("a frame must be a JSON object")
    if "ResultCode" in data or "EventID" in data:
        raise Dropped("the POS only answers requests, and this is a response or a push")
    request_id = data.get("RequestID")
    if not isinstance(request_id, str):
        raise Dropped("a request needs a RequestID, as text")
    if "MessageType" not in data:
        return Incoming(request_id, 0, data, "Object missing required field `MessageType`")
    message_type = data["MessageType"]
    if isinstance(message_type, bool) or not isinstance(message_type, int):
        try:
            decode(_Request, {"MessageType": message_type})
        except ValidationError as error:
            return Incoming(request_id, 0, data, str(error))
    return Incoming(request_id, message_type, data)


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
        return decode(cls, request.data)
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


def _invalid(message: str) -> Any:
    raise Invalid(f"Invalid request: {message}")
