"""The POS simulator, seen from a POS integrator's side of the WebSocket (docs/pos-protocol.md)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from pos_bridge.simulator import PosSimulator

SEEDS = Path(__file__).parent / "seed_examples"
TIMEOUT = 5

CORONA = "401"
CORONA_UUID = "cc0c93fd-7268-4252-b792-171a37e32696"
PINT = "07c8fd3e-6331-4646-99b2-b4ef3486fb19"
GARLIC_BREAD = "5e132381-8723-4f38-9483-6265bced2f96"
PASTA = "02f3b881-f675-4913-a0d0-1571dbf24aff"
T_BONE = "a9cc9a46-9a4d-445a-a248-838e188970c4"
SIDE_SALAD = "711336b0-262c-4701-bea8-c554fc5ebd72"
SERVICE_MODE_ID = "0adc10d8-d2eb-40b9-9801-0664531f7400"  # the seed's, the simulator's default


def loads(text: str | bytes) -> Any:
    """Frames are read as plain JSON with money as Decimal, never with the bridge's decoder."""
    return json.loads(text, parse_float=Decimal)


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, default=_number)


def _number(value: Any) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{value!r} is not JSON")


def seed_text(name: str) -> str:
    return (SEEDS / f"{name}.json").read_text(encoding="utf-8")


def seed(name: str) -> Any:
    return loads(seed_text(name))


class Bridge:
    """One connection to the POS, as the bridge would hold it."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.pushes: list[dict[str, Any]] = []

    async def send(self, frame: str | bytes | dict[str, Any]) -> None:
        await self.ws.send(dumps(frame) if isinstance(frame, dict) else frame)

    async def receive(self) -> dict[str, Any]:
        return loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))

    async def call(self, frame: str | dict[str, Any]) -> dict[str, Any]:
        request_id = (loads(frame) if isinstance(frame, str) else frame)["RequestID"]
        await self.send(frame)
        while True:
            message = await self.receive()
            if "EventID" in message:
                self.pushes.append(message)
            elif message.get("RequestID") == request_id:
                return message

    async def request(self, message_type: int, payload: Any) -> dict[str, Any]:
        return await self.call(envelope(message_type, payload))

    async def snapshot(self, table: str = "10") -> dict[str, Any]:
        return await self.request(
            30, {"ServiceModeID": SERVICE_MODE_ID, "ServiceModeEntityID": table}
        )

    async def next_push(self) -> dict[str, Any]:
        if self.pushes:
            return self.pushes.pop(0)
        message = await self.receive()
        assert "EventID" in message, f"expected a push, got {message}"
        return message

    async def assert_no_push(self) -> None:
        """Anything pushed before now is queued ahead of the probe's answer."""
        probe = await self.snapshot("no-such-table")
        assert probe["ResultCode"] == 3
        assert self.pushes == []


def envelope(message_type: int, payload: Any, request_id: str | None = None) -> dict[str, Any]:
    return {
        "RequestID": request_id or str(uuid.uuid4()),
        "ProviderID": 90210,
        "ProviderName": "OpenApp",
        "DeviceID": "openapp-loc-1",
        "UserIdentifier": "f9248a0f-ba0c-4c80-b9f2-fe020b456ce4",
        "MessageType": message_type,
        "Payload": payload,
    }


def product(
    plu: str,
    quantity: int = 1,
    price: str = "0",
    variant: str | None = None,
    children: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "ProviderProductID": str(uuid.uuid4()),
        "ProductType": 0,
        "PLUIdentifier": plu,
        "SalesModifierIdentifier": variant,
        "Name": None,
        "SalesModifierName": None,
        "Quantity": quantity,
        "Price": Decimal(price),
        "TotalAmount": Decimal(price) * quantity,
        "ChildProducts": children or [],
        "Adjustment": None,
    }


def create_order(
    products: list[dict[str, Any]],
    table: str = "10",
    provider_prices: bool = False,
    request_id: str | None = None,
) -> dict[str, Any]:
    return envelope(
        11,
        {
            "ProviderOrderID": str(uuid.uuid4()),
            "IsTraining": False,
            "ServiceModeID": SERVICE_MODE_ID,
            "ServiceModeEntityID": table,
            "ServiceChargeAmount": None,
            "UseProviderPrices": provider_prices,
            "Products": products,
            "Payments": [],
            "Adjustments": [],
            "Notes": [],
        },
        request_id,
    )


def assert_has_seed_fields(expected: Any, actual: Any, path: str = "$") -> None:
    """Every field of the seed is there with the seed's value; extra fields are allowed."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} is missing"
            if key not in ("SalesTransactionID", "OrderNumberOpened"):
                assert_has_seed_fields(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), (
            f"{path}: {len(actual)} items, seed has {len(expected)}"
        )
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_has_seed_fields(want, got, f"{path}[{i}]")
    elif isinstance(expected, int | Decimal) and not isinstance(expected, bool):
        assert isinstance(actual, int | Decimal) and not isinstance(actual, bool), path
        assert Decimal(actual) == Decimal(expected), f"{path}: {actual} != seed {expected}"
    else:
        assert actual == expected, f"{path}: {actual!r} != seed {expected!r}"


def lines(order: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(p["LineID"], p["Status"], p["Source"]) for p in order["Products"]]


StartPos = Callable[..., Awaitable[PosSimulator]]
Connect = Callable[..., Awaitable[Bridge]]


@pytest.fixture
async def start_pos() -> AsyncIterator[StartPos]:
    started: list[PosSimulator] = []

    async def start(**kwargs: Any) -> PosSimulator:
        simulator = PosSimulator(**kwargs)
        await simulator.start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        await simulator.stop()


@pytest.fixture
async def pos(start_pos: StartPos) -> PosSimulator:
    return await start_pos()


@pytest.fixture
async def bridge_to(pos: PosSimulator) -> AsyncIterator[Connect]:
    opened: list[ClientConnection] = []

    async def open_connection(simulator: PosSimulator | None = None, **kwargs: Any) -> Bridge:
        ws = await connect((simulator or pos).url, **kwargs)
        opened.append(ws)
        return Bridge(ws)

    yield open_connection
    for ws in opened:
        await ws.close()


@pytest.fixture
async def bridge(bridge_to: Connect) -> Bridge:
    return await bridge_to()


# §8: the seed's test vector


async def test_the_seed_create_order_gets_the_seed_response_field_for_field(bridge: Bridge) -> None:
    response = await bridge.call(seed_text("create_order_request"))

    expected = seed("create_order_response")
    assert_has_seed_fields(expected, response)
    order = response["Payload"]["Order"]
    assert (order["Amount"], order["AmountOwing"]) == (Decimal("40.45"), Decimal("47.19"))
    assert order["RemainingServiceChargeAmount"] == Decimal("6.74")
    assert order["Adjustments"] == expected["Payload"]["Order"]["Adjustments"]
    assert order["Taxes"][0]["Amount"] == Decimal("3.68")
    assert [p["PLUIdentifier"] for p in order["Products"]] == [CORONA_UUID, T_BONE]
    assert all(p["ProviderProductID"] is None for p in order["Products"])
    assert lines(order) == [("L1", "ORDERED", "OPENAPP"), ("L2", "ORDERED", "OPENAPP")]
    assert {p["ProviderOrderID"] for p in order["Products"]} == {
        "c8e87068-b926-4220-958e-439ac3733e87"
    }
    assert response["Payload"]["Version"] == 1


async def test_the_seed_create_order_with_one_corona_in_stock_gets_the_seed_stock_answer(
    start_pos: StartPos, bridge_to: Connect
) -> None:
    bridge = await bridge_to(await start_pos(stock={CORONA: 1}))

    response = await bridge.call(seed_text("create_order_request"))

    rejected = response["Payload"].pop("RejectedProducts")
    assert response == seed("insufficient_stock_response")
    assert rejected == [
        {
            "ProviderProductID": "c3a0eadc-0711-4012-9c03-45b3c0bf668f",
            "PLUIdentifier": "401",
            "SalesModifierIdentifier": PINT,
            "Name": "Corona",
            "Reason": "INSUFFICIENT_STOCK",
            "Available": 1,
            "CurrentPrice": None,
        }
    ]


async def test_the_seed_paid_order_is_accepted_at_the_prices_sent_and_owes_nothing(
    bridge: Bridge,
) -> None:
    sent = seed("paid_order_request")

    response = await bridge.call(seed_text("paid_order_request"))

    assert response["ResultCode"] == 0
    order = response["Payload"]["Order"]
    got = [
        (p["PLUIdentifier"], p["Quantity"], p["Price"], p["TotalAmount"]) for p in order["Products"]
    ]
    want = [
        (p["PLUIdentifier"], p["Quantity"], p["Price"], p["TotalAmount"])
        for p in sent["Payload"]["Products"]
    ]
    assert got == want
    assert order["Adjustments"] == []  # no automatic discount on provider-priced lines
    assert order["Amount"] == Decimal("23.99")
    assert order["RemainingServiceChargeAmount"] == Decimal("0.00")  # paid explicitly
    assert order["AmountOwing"] == Decimal("0.00")
    assert order["Payments"] == sent["Payload"]["Payments"]


async def test_the_seed_pint_with_a_note_is_accepted_at_the_provider_price_with_its_note(
    bridge: Bridge,
) -> None:
    response = await bridge.call(seed_text("pint_with_note_request"))

    assert response["ResultCode"] == 0
    order = response["Payload"]["Order"]
    (pint,) = order["Products"]
    assert (pint["PLUIdentifier"], pint["SalesModifierIdentifier"]) == (CORONA_UUID, PINT)
    assert (pint["Quantity"], pint["Price"], pint["TotalAmount"]) == (1, Decimal("6.0"), Decimal(6))
    assert order["Notes"] == [
        {"ProviderNoteID": "456b1dd7-38b3-4db2-9d5b-0aa4a1adc3c9", "Message": "My Order Note"}
    ]
    assert order["Amount"] == Decimal("6.00")
    assert order["RemainingServiceChargeAmount"] == Decimal("0.90")


# Rejections


async def test_an_item_with_no_stock_left_is_rejected_as_out_of_stock(
    start_pos: StartPos, bridge_to: Connect
) -> None:
    pos = await start_pos(stock={GARLIC_BREAD: 0})
    bridge = await bridge_to(pos)

    response = await bridge.call(create_order([product(GARLIC_BREAD)]))

    assert (response["ResultCode"], response["Payload"]["Order"]) == (6, None)
    (rejected,) = response["Payload"]["RejectedProducts"]
    assert (rejected["Reason"], rejected["Available"]) == ("OUT_OF_STOCK", 0)
    assert response["Payload"]["OutOfStockProducts"][0]["Name"] == "Garlic Bread"
    assert pos.order("10") is None


async def test_ordering_more_than_the_stock_across_lines_is_rejected_with_what_is_available(
    start_pos: StartPos, bridge_to: Connect
) -> None:
    pos = await start_pos(stock={GARLIC_BREAD: 3})
    bridge = await bridge_to(pos)

    response = await bridge.call(create_order([product(GARLIC_BREAD, 2), product(GARLIC_BREAD, 2)]))

    assert response["ResultCode"] == 6
    assert response["ErrorMessage"] == "There is insufficent stock to complete the order."
    reasons = [(r["Reason"], r["Available"]) for r in response["Payload"]["RejectedProducts"]]
    assert reasons == [("INSUFFICIENT_STOCK", 3)] * 2
    accepted = await bridge.call(create_order([product(GARLIC_BREAD, 3)]))
    assert accepted["ResultCode"] == 0
    sold_out = await bridge.call(create_order([product(GARLIC_BREAD, 1)]))
    assert sold_out["Payload"]["RejectedProducts"][0]["Reason"] == "OUT_OF_STOCK"


async def test_a_rejected_batch_adds_nothing_and_takes_no_stock(
    start_pos: StartPos, bridge_to: Connect
) -> None:
    pos = await start_pos(stock={GARLIC_BREAD: 5, PASTA: 0})
    bridge = await bridge_to(pos)

    response = await bridge.call(create_order([product(GARLIC_BREAD, 2), product(PASTA)]))

    assert response["ResultCode"] == 6
    rejected = response["Payload"]["RejectedProducts"]
    assert [r["PLUIdentifier"] for r in rejected] == [PASTA]
    assert pos.order("10") is None
    assert pos.version("10") == 0
    assert pos.catalog.require(GARLIC_BREAD).stock == 5


async def test_a_delisted_item_is_rejected_until_it_is_relisted(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await pos.delist(GARLIC_BREAD)

    response = await bridge.call(seed_text("paid_order_request"))

    assert response["ResultCode"] == 7
    assert response["Payload"]["Order"] is None
    (rejected,) = response["Payload"]["RejectedProducts"]
    assert (rejected["PLUIdentifier"], rejected["Reason"]) == (GARLIC_BREAD, "DELISTED_ITEM")
    await pos.relist(GARLIC_BREAD)
    assert (await bridge.call(create_order([product(GARLIC_BREAD)])))["ResultCode"] == 0


async def test_an_unknown_plu_or_variant_is_rejected_as_delisted(bridge: Bridge) -> None:
    unknown = product("no-such-plu")
    wrong_variant = product(GARLIC_BREAD, variant=PINT)
    unknown_modifier = product(T_BONE, children=[product("no-such-modifier")])

    response = await bridge.call(create_order([unknown, wrong_variant, unknown_modifier]))

    assert response["ResultCode"] == 7
    rejected = response["Payload"]["RejectedProducts"]
    assert [r["PLUIdentifier"] for r in rejected] == [
        "no-such-plu",
        GARLIC_BREAD,
        "no-such-modifier",
    ]
    assert {r["Reason"] for r in rejected} == {"DELISTED_ITEM"}


async def test_a_changed_price_refuses_the_old_price_and_names_the_current_one(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await pos.set_price(PINT, "7.50")

    response = await bridge.call(seed_text("pint_with_note_request"))

    assert response["ResultCode"] == 8
    (rejected,) = response["Payload"]["RejectedProducts"]
    assert (rejected["Reason"], rejected["CurrentPrice"]) == ("PRICE_CHANGED", Decimal("7.50"))
    assert rejected["ProviderProductID"] == "c3a0eadc-0711-4012-9c03-45b3c0bf668f"
    at_new_price = create_order([product(CORONA, price="7.50", variant=PINT)], provider_prices=True)
    assert (await bridge.call(at_new_price))["ResultCode"] == 0


async def test_a_pos_priced_order_takes_a_changed_price_without_complaint(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await pos.set_price(GARLIC_BREAD, "5.50")

    response = await bridge.call(create_order([product(GARLIC_BREAD, 2)]))

    assert response["ResultCode"] == 0
    assert response["Payload"]["Order"]["Products"][0]["TotalAmount"] == Decimal("11.00")


async def test_a_closed_check_refuses_orders_until_a_new_snapshot_reopens_the_table(
    pos: PosSimulator, bridge: Bridge
) -> None:
    first = await bridge.call(create_order([product(GARLIC_BREAD)]))
    await pos.close_order("10")

    closed = await bridge.call(create_order([product(GARLIC_BREAD)]))
    assert (closed["ResultCode"], closed["Payload"]["Order"]) == (4, None)
    reopened = await bridge.snapshot("10")
    assert reopened["Payload"]["Order"] is None
    again = await bridge.call(create_order([product(GARLIC_BREAD)]))

    assert again["ResultCode"] == 0
    old, new = first["Payload"]["Order"], again["Payload"]["Order"]
    assert (old["OrderNumberOpened"], new["OrderNumberOpened"]) == ("PSVR0001", "PSVR0002")
    assert new["SalesTransactionID"] != old["SalesTransactionID"]
    assert lines(new) == [("L1", "ORDERED", "OPENAPP")]
    assert (
        first["Payload"]["Version"] < reopened["Payload"]["Version"] < again["Payload"]["Version"]
    )


async def test_an_order_for_an_unknown_table_is_rejected_as_table_not_found(bridge: Bridge) -> None:
    response = await bridge.call(create_order([product(GARLIC_BREAD)], table="99"))

    assert response["ResultCode"] == 3
    assert "99" in response["ErrorMessage"]
    assert response["Payload"]["Order"] is None


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda p: p.pop("ProviderOrderID"), "ProviderOrderID"),
        (lambda p: p.update(Products=[]), "Products"),
        (lambda p: p["Products"][0].update(Quantity=0), "Quantity"),
        (lambda p: p["Products"][0].update(Quantity="two"), "Quantity"),
        (lambda p: p["Products"][0].update(PLUIdentifier=None), "PLUIdentifier"),
        (lambda p: p["Products"][0].update(Price=Decimal("-1")), "Price"),
    ],
)
async def test_an_invalid_create_order_is_answered_as_invalid_with_the_reason(
    bridge: Bridge, change: Callable[[dict[str, Any]], Any], complaint: str
) -> None:
    request = create_order([product(GARLIC_BREAD)])
    change(request["Payload"])

    response = await bridge.call(request)

    assert (response["ResultCode"], response["MessageType"]) == (2, 11)
    assert complaint in response["ErrorMessage"]
    assert (await bridge.call(create_order([product(GARLIC_BREAD)])))["ResultCode"] == 0


async def test_an_unsupported_message_type_is_answered_with_result_code_9(bridge: Bridge) -> None:
    response = await bridge.request(12, {"Anything": True})

    assert (response["ResultCode"], response["MessageType"], response["Payload"]) == (9, 12, None)
    assert response["ErrorMessage"]


async def test_a_pos_without_snapshots_answers_them_as_unsupported_but_takes_orders(
    start_pos: StartPos, bridge_to: Connect
) -> None:
    bridge = await bridge_to(await start_pos(snapshots_supported=False))

    assert (await bridge.snapshot("10"))["ResultCode"] == 9
    assert (await bridge.call(seed_text("create_order_request")))["ResultCode"] == 0


# Idempotency


async def test_a_resent_request_id_gets_the_original_answer_and_no_second_order(
    pos: PosSimulator, bridge: Bridge, bridge_to: Connect
) -> None:
    await bridge.snapshot("10")
    first = await bridge.call(seed_text("create_order_request"))
    await bridge.next_push()

    resent = await bridge.call(seed_text("create_order_request"))
    after_reconnect = await (await bridge_to()).call(seed_text("create_order_request"))

    assert resent == first
    assert after_reconnect == first
    assert len(pos.order("10").products) == 2
    assert pos.version("10") == 1
    await bridge.assert_no_push()


async def test_a_request_id_is_remembered_for_an_hour(pos: PosSimulator, bridge: Bridge) -> None:
    now = [1000.0]
    pos.clock = lambda: now[0]
    request = create_order([product(GARLIC_BREAD)])
    await bridge.call(request)

    now[0] += 3599
    await bridge.call(request)
    assert len(pos.order("10").products) == 1
    now[0] += 2 * 3600
    await bridge.call(request)
    assert len(pos.order("10").products) == 2


# The check across batches, and its money


async def test_a_second_batch_adds_to_the_open_check_and_the_answer_is_the_whole_check(
    bridge: Bridge,
) -> None:
    first = await bridge.call(create_order([product(GARLIC_BREAD)]))
    second_request = create_order([product(PASTA), product(CORONA, 2, variant=PINT)])

    second = await bridge.call(second_request)

    order = second["Payload"]["Order"]
    assert second["Payload"]["Version"] == 2
    assert lines(order) == [
        ("L1", "ORDERED", "OPENAPP"),
        ("L2", "ORDERED", "OPENAPP"),
        ("L3", "ORDERED", "OPENAPP"),
    ]
    batches = [p["ProviderOrderID"] for p in order["Products"]]
    assert batches == [
        first["Payload"]["Order"]["Products"][0]["ProviderOrderID"],
        second_request["Payload"]["ProviderOrderID"],
        second_request["Payload"]["ProviderOrderID"],
    ]
    assert order["OrderNumberOpened"] == first["Payload"]["Order"]["OrderNumberOpened"]
    # 5.00 + 13.99 + 14.00 = 32.99; less 3.30 automatic discount
    assert (order["Amount"], order["RemainingServiceChargeAmount"]) == (
        Decimal("29.69"),
        Decimal("4.95"),
    )


async def test_a_cancelled_line_stays_on_the_check_at_zero_and_leaves_the_totals(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await bridge.call(seed_text("create_order_request"))

    await pos.cancel_lines("10", ["L1"])

    order = pos.order("10")
    corona, steak = order.products
    assert (corona.status, corona.total_amount) == ("CANCELLED", Decimal("0.00"))
    assert steak.total_amount + steak.child_products[2].total_amount == Decimal("30.95")
    assert order.adjustments[0].amount == Decimal("-3.10")
    assert order.amount == Decimal("27.85")


async def test_staff_discounts_by_percent_and_by_amount_are_order_adjustments(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await bridge.call(seed_text("pint_with_note_request"))  # provider priced: 6.00

    await pos.apply_discount("10", "Regulars 50%", percent=50)
    await pos.apply_discount("10", "Sorry for the wait", amount="1.00")

    order = pos.order("10")
    assert [(a.name, a.amount) for a in order.adjustments] == [
        ("Regulars 50%", Decimal("-3.00")),
        ("Sorry for the wait", Decimal("-1.00")),
    ]
    assert order.amount == Decimal("2.00")
    assert order.taxes[0].amount == Decimal("0.18")


# Robustness and authentication


async def test_malformed_frames_are_dropped_and_the_connection_stays_open(bridge: Bridge) -> None:
    for frame in [
        "not json",
        "[1, 2]",
        '{"Foo": 1}',
        b"\xff\xfe",
        '{"RequestID": "r", "ResultCode": 0, "MessageType": 11}',
        '{"EventID": "e", "MessageType": 31}',
        '{"Amount": NaN, "RequestID": "x"}',
    ]:
        await bridge.send(frame)

    assert (await bridge.call(create_order([product(GARLIC_BREAD)])))["ResultCode"] == 0


async def test_a_broken_request_with_a_readable_request_id_is_answered_as_invalid(
    bridge: Bridge,
) -> None:
    frame = '{"RequestID": "broken-1", "MessageType": 11, "Payload": {"Products": "lots"}}'

    response = await bridge.call(frame)

    assert (response["ResultCode"], response["MessageType"], response["Payload"]) == (2, 11, None)
    assert "Products" in response["ErrorMessage"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}]
)
async def test_a_connection_without_the_right_bearer_token_is_closed_with_4401(
    start_pos: StartPos, headers: dict[str, str]
) -> None:
    pos = await start_pos(token="s3cret")

    async with connect(pos.url, additional_headers=headers) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), TIMEOUT)

    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "unauthorized")


async def test_a_connection_with_the_right_bearer_token_is_served(
    start_pos: StartPos, bridge_to: Connect
) -> None:
    pos = await start_pos(token="s3cret")

    bridge = await bridge_to(pos, additional_headers={"Authorization": "Bearer s3cret"})

    assert (await bridge.snapshot("10"))["ResultCode"] == 0


# Snapshots and the push stream


async def wait_until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_table_without_a_check_snapshots_as_no_order_at_version_0(bridge: Bridge) -> None:
    response = await bridge.snapshot("10")

    assert (response["ResultCode"], response["MessageType"]) == (0, 30)
    assert response["Payload"] == {"ServiceModeEntityID": "10", "Version": 0, "Order": None}


async def test_an_unknown_table_snapshot_is_rejected_with_a_null_payload(
    pos: PosSimulator, bridge: Bridge
) -> None:
    response = await bridge.snapshot("99")

    assert (response["ResultCode"], response["Payload"]) == (3, None)
    assert "99" in response["ErrorMessage"]
    assert pos.subscriber_count("10") == 0


async def test_the_first_snapshot_shows_lines_a_waiter_added_before_anyone_scanned(
    pos: PosSimulator, bridge: Bridge
) -> None:
    added = await pos.add_items(
        "10",
        [
            {"plu": CORONA, "quantity": 2, "variant": PINT},
            {"plu": T_BONE, "modifiers": [SIDE_SALAD]},
        ],
    )

    response = await bridge.snapshot("10")

    assert added == ["L1", "L2"]
    assert response["Payload"]["Version"] == 1
    order = response["Payload"]["Order"]
    assert lines(order) == [("L1", "ORDERED", "POS"), ("L2", "ORDERED", "POS")]
    assert [p["ProviderOrderID"] for p in order["Products"]] == [None, None]
    corona, steak = order["Products"]
    assert (corona["PLUIdentifier"], corona["SalesModifierName"]) == (CORONA_UUID, "PINT")
    assert (corona["Price"], corona["TotalAmount"]) == (Decimal("7.00"), Decimal("14.00"))
    assert [(c["Name"], c["TotalAmount"]) for c in steak["ChildProducts"]] == [
        ("Side Salad", Decimal("1.00"))
    ]
    assert order["Adjustments"][0]["Amount"] == Decimal("-4.50")
    assert order["Amount"] == Decimal("40.45")


async def test_every_staff_action_is_pushed_in_version_order_with_the_whole_check(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await bridge.call(seed_text("create_order_request"))
    assert (await bridge.snapshot("10"))["Payload"]["Version"] == 1

    await pos.add_items("10", [{"plu": GARLIC_BREAD}])
    await pos.deliver_lines("10", ["L1"])
    await pos.cancel_lines("10", ["L2"])
    await pos.apply_discount("10", "Manager", amount="2.00")
    await pos.remove_lines("10", ["L3"])
    await pos.close_order("10")
    pushes = [await bridge.next_push() for _ in range(6)]

    assert [
        (
            p["MessageType"],
            p["Payload"]["Version"],
            p["Payload"]["ChangeType"],
            p["Payload"]["LineIDs"],
        )
        for p in pushes
    ] == [
        (31, 2, "ITEMS_ADDED", ["L3"]),
        (31, 3, "ITEMS_DELIVERED", ["L1"]),
        (31, 4, "ITEMS_CANCELLED", ["L2"]),
        (31, 5, "DISCOUNT_APPLIED", []),
        (31, 6, "LINES_REMOVED", ["L3"]),
        (31, 7, "ORDER_CLOSED", []),
    ]
    assert len({p["EventID"] for p in pushes}) == 6
    assert all("RequestID" not in p for p in pushes)
    orders = [p["Payload"]["Order"] for p in pushes]
    assert lines(orders[2]) == [
        ("L1", "DELIVERED", "OPENAPP"),
        ("L2", "CANCELLED", "OPENAPP"),
        ("L3", "ORDERED", "POS"),
    ]
    assert orders[3]["Adjustments"][-1]["Name"] == "Manager"
    assert [p["LineID"] for p in orders[4]["Products"]] == ["L1", "L2"]
    # Left: two Coronas, 14.00, less the automatic 1.40 and the manager's 2.00.
    assert (orders[5]["IsClosed"], orders[5]["Amount"]) == (True, Decimal("10.60"))
    assert not any(order["IsClosed"] for order in orders[:5])


async def test_an_accepted_order_is_pushed_as_items_added_to_every_subscriber(
    bridge_to: Connect,
) -> None:
    watcher, ordering = await bridge_to(), await bridge_to()
    await watcher.snapshot("10")

    response = await ordering.call(seed_text("create_order_request"))

    push = (await watcher.next_push())["Payload"]
    assert (push["ChangeType"], push["LineIDs"]) == ("ITEMS_ADDED", ["L1", "L2"])
    assert push["Version"] == response["Payload"]["Version"]
    assert push["Order"] == response["Payload"]["Order"]
    await ordering.assert_no_push()


async def test_pushes_go_only_to_connections_subscribed_to_that_table(
    pos: PosSimulator, bridge_to: Connect
) -> None:
    at_ten, at_eleven, unsubscribed = await bridge_to(), await bridge_to(), await bridge_to()
    await at_ten.snapshot("10")
    await at_eleven.snapshot("11")

    await pos.add_items("10", [{"plu": GARLIC_BREAD}])

    assert (await at_ten.next_push())["Payload"]["ServiceModeEntityID"] == "10"
    await at_eleven.assert_no_push()
    await unsubscribed.assert_no_push()


async def test_a_second_snapshot_request_is_a_read_and_opens_no_second_stream(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await bridge.snapshot("10")
    await pos.add_items("10", [{"plu": GARLIC_BREAD}])

    again = await bridge.snapshot("10")
    await pos.add_items("10", [{"plu": PASTA}])

    assert again["Payload"]["Version"] == 1
    assert [(await bridge.next_push())["Payload"]["Version"] for _ in range(2)] == [1, 2]
    await bridge.assert_no_push()
    assert pos.subscriber_count("10") == 1


async def test_streams_are_forgotten_when_the_connection_drops(
    pos: PosSimulator, bridge_to: Connect
) -> None:
    first = await bridge_to()
    await first.snapshot("10")
    assert pos.subscriber_count("10") == 1

    await first.ws.close()

    await wait_until(lambda: pos.subscriber_count("10") == 0)
    await pos.add_items("10", [{"plu": GARLIC_BREAD}])
    reconnected = await bridge_to()
    await reconnected.assert_no_push()
    assert len((await reconnected.snapshot("10"))["Payload"]["Order"]["Products"]) == 1


async def test_nothing_is_pushed_after_order_closed_until_a_new_snapshot_request(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await bridge.snapshot("10")
    await pos.add_items("10", [{"plu": GARLIC_BREAD}])
    await pos.close_order("10")

    await pos.add_items("10", [{"plu": PASTA}])  # the next party, before anyone scans

    changes = [(await bridge.next_push())["Payload"]["ChangeType"] for _ in range(2)]
    assert changes == ["ITEMS_ADDED", "ORDER_CLOSED"]
    await bridge.assert_no_push()
    snapshot = (await bridge.snapshot("10"))["Payload"]
    assert snapshot["Version"] == 3
    assert snapshot["Order"]["OrderNumberOpened"] == "PSVR0002"
    assert lines(snapshot["Order"]) == [("L1", "ORDERED", "POS")]
    await pos.deliver_lines("10", ["L1"])
    assert (await bridge.next_push())["Payload"]["Version"] == 4


# Staff actions


async def test_staff_actions_on_tables_or_lines_that_are_not_there_raise_and_change_nothing(
    pos: PosSimulator,
) -> None:
    await pos.add_items("10", [{"plu": GARLIC_BREAD}])
    await pos.cancel_lines("10", ["L1"])

    with pytest.raises(KeyError):
        await pos.cancel_lines("10", ["L1", "L9"])
    with pytest.raises(ValueError, match="already cancelled"):
        await pos.cancel_lines("10", ["L1"])
    with pytest.raises(ValueError):
        await pos.deliver_lines("10", ["L1"])
    with pytest.raises(LookupError):
        await pos.close_order("11")
    with pytest.raises(KeyError):
        await pos.add_items("99", [{"plu": GARLIC_BREAD}])
    with pytest.raises(ValueError):
        await pos.add_items("10", [{"plu": "no-such-plu"}])
    with pytest.raises(ValueError):
        await pos.apply_discount("10", "Both", percent=10, amount=1)

    assert pos.version("10") == 2
    assert pos.version("11") == 0


async def test_a_waiter_sells_from_the_same_stock_as_the_diners(
    start_pos: StartPos, bridge_to: Connect
) -> None:
    pos = await start_pos(stock={GARLIC_BREAD: 1})
    bridge = await bridge_to(pos)

    await pos.add_items("10", [{"plu": GARLIC_BREAD}])
    response = await bridge.call(create_order([product(GARLIC_BREAD)]))

    assert response["Payload"]["RejectedProducts"][0]["Reason"] == "OUT_OF_STOCK"
    with pytest.raises(ValueError, match="insufficent stock"):
        await pos.add_items("10", [{"plu": GARLIC_BREAD}])
    await pos.set_stock(GARLIC_BREAD, None)
    assert (await bridge.call(create_order([product(GARLIC_BREAD, 50)])))["ResultCode"] == 0


# The protocol page, enforced: the simulator checks what it is sent


@pytest.mark.parametrize("service_mode_id", ["GBP", "", 7, None])
async def test_a_create_order_for_another_service_mode_is_refused_naming_service_mode_id(
    pos: PosSimulator, bridge: Bridge, service_mode_id: Any
) -> None:
    request = create_order([product(GARLIC_BREAD)])
    request["Payload"]["ServiceModeID"] = service_mode_id

    response = await bridge.call(request)

    assert (response["ResultCode"], response["MessageType"], response["Payload"]) == (2, 11, None)
    assert "ServiceModeID" in response["ErrorMessage"]
    assert pos.order("10") is None
    assert pos.version("10") == 0


async def test_a_snapshot_request_for_another_service_mode_is_refused_and_opens_no_stream(
    pos: PosSimulator, bridge: Bridge
) -> None:
    response = await bridge.request(
        30, {"ServiceModeID": "1c0ffee0-0000-4000-8000-000000000000", "ServiceModeEntityID": "10"}
    )

    assert (response["ResultCode"], response["MessageType"], response["Payload"]) == (2, 30, None)
    assert "ServiceModeID" in response["ErrorMessage"]
    assert SERVICE_MODE_ID in response["ErrorMessage"]  # what it expected, for the integrator
    assert pos.subscriber_count("10") == 0


async def test_a_simulator_configured_with_another_service_mode_takes_only_that_one(
    start_pos: StartPos, bridge_to: Connect
) -> None:
    other = "5e1f0000-0000-4000-8000-000000000001"
    bridge = await bridge_to(await start_pos(service_mode_id=other))

    seed_order = await bridge.call(seed_text("create_order_request"))
    snapshot = await bridge.request(30, {"ServiceModeID": other, "ServiceModeEntityID": "10"})

    assert seed_order["ResultCode"] == 2
    assert (snapshot["ResultCode"], snapshot["Payload"]["Version"]) == (0, 0)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda p: p["Products"][0].update(Quantity="two"), "$.Payload.Products[0].Quantity"),
        (lambda p: p.pop("Products"), "Products"),
        (lambda p: p["Products"][0].update(Quantity=-1), "$.Payload.Products[0].Quantity"),
        (lambda p: p.update(ServiceModeEntityID=""), "$.Payload.ServiceModeEntityID"),
        (lambda p: p.update(UseProviderPrices="no"), "$.Payload.UseProviderPrices"),
        (lambda p: p["Products"][0].update(Price="5.00"), "$.Payload.Products[0].Price"),
        (lambda p: p["Products"][0].update(ProductType=7), "$.Payload.Products[0].ProductType"),
        (lambda p: p.update(Notes=[{"Message": 5}]), "$.Payload.Notes[0].Message"),
        (
            lambda p: p["Products"][0]["ChildProducts"].append({"ProductType": 0}),
            "$.Payload.Products[0].ChildProducts[0]",
        ),
    ],
)
async def test_a_malformed_create_order_is_refused_naming_the_field_path(
    pos: PosSimulator, bridge: Bridge, change: Callable[[dict[str, Any]], Any], path: str
) -> None:
    request = create_order([product(GARLIC_BREAD)])
    change(request["Payload"])

    response = await bridge.call(request)

    assert (response["ResultCode"], response["MessageType"]) == (2, 11)
    assert path in response["ErrorMessage"], response["ErrorMessage"]
    assert pos.order("10") is None


async def test_a_missing_field_is_named_with_where_it_was_missing(bridge: Bridge) -> None:
    request = create_order([product(GARLIC_BREAD)])
    del request["Payload"]["Products"]

    response = await bridge.call(request)

    assert response["ErrorMessage"] == (
        "Invalid request: Object missing required field `Products` - at `$.Payload`"
    )


async def test_a_wrong_type_is_named_in_msgspec_words(bridge: Bridge) -> None:
    request = create_order([product(GARLIC_BREAD)])
    request["Payload"]["Products"][0]["Quantity"] = "two"

    response = await bridge.call(request)

    assert response["ErrorMessage"] == (
        "Invalid request: Expected `int`, got `str` - at `$.Payload.Products[0].Quantity`"
    )


async def test_a_snapshot_request_without_its_table_is_refused_naming_it(bridge: Bridge) -> None:
    empty = await bridge.request(30, {"ServiceModeID": SERVICE_MODE_ID, "ServiceModeEntityID": ""})
    missing = await bridge.request(30, {"ServiceModeID": SERVICE_MODE_ID})
    number = await bridge.request(30, {"ServiceModeID": SERVICE_MODE_ID, "ServiceModeEntityID": 10})

    for response in (empty, missing, number):
        assert (response["ResultCode"], response["Payload"]) == (2, None)
        assert "ServiceModeEntityID" in response["ErrorMessage"]


async def test_an_envelope_without_its_provider_fields_is_refused_naming_them(
    bridge: Bridge,
) -> None:
    request = create_order([product(GARLIC_BREAD)])
    del request["ProviderID"]

    response = await bridge.call(request)

    assert response["ResultCode"] == 2
    assert "`ProviderID`" in response["ErrorMessage"]


async def test_unknown_fields_are_tolerated(bridge: Bridge) -> None:
    request = create_order([product(GARLIC_BREAD)])
    request["Shiny"] = True
    request["Payload"]["Products"][0]["FutureField"] = {"Anything": [1, 2]}

    assert (await bridge.call(request))["ResultCode"] == 0


async def test_a_garbage_frame_is_dropped_and_the_connection_keeps_working(
    pos: PosSimulator, bridge: Bridge
) -> None:
    await bridge.snapshot("10")
    for frame in ["{garbage", "null", '"text"', '{"MessageType": 11}', b"\x80\x81"]:
        await bridge.send(frame)

    await pos.add_items("10", [{"plu": GARLIC_BREAD}])

    assert (await bridge.next_push())["Payload"]["ChangeType"] == "ITEMS_ADDED"
    assert (await bridge.call(create_order([product(PASTA)])))["ResultCode"] == 0


async def test_money_goes_out_as_json_numbers_with_two_decimals(bridge: Bridge) -> None:
    await bridge.send(seed_text("pint_with_note_request"))

    text = await asyncio.wait_for(bridge.ws.recv(), TIMEOUT)

    assert '"Price":6.00,"TotalAmount":6.00' in text
    assert '"Amount":6.00' in text
    assert '"TaxRate":10.000' in text  # a rate, not money: written as the seed writes it
