"""The POS simulator's staff console: its page over plain HTTP on the simulator's port, and
its WebSocket at /console, whose commands act as a waiter would and are pushed to bridges."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from pos_bridge.simulator import PosSimulator, running_simulator
from pos_bridge.simulator.wire import to_builtins
from tests.test_simulator import (
    CORONA,
    GARLIC_BREAD,
    PINT,
    SERVICE_MODE_ID,
    SIDE_SALAD,
    T_BONE,
    Bridge,
    create_order,
    dumps,
    envelope,
    lines,
    loads,
    product,
    seed_text,
)

if TYPE_CHECKING:  # imported at run time by pytest_plugins, so pytest rewrites its asserts
    from playwright.sync_api import Browser

pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 5
MEDIUM = "ca68658f-7d6a-443e-9944-1c1e66c95b2f"


class Console:
    """One staff console socket, as the console page holds it."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.state: dict[str, Any] | None = None
        self._ids = 0

    async def receive(self) -> dict[str, Any]:
        message = loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
        if message.get("type") == "state":
            self.state = message
        return message

    async def next_state(self) -> dict[str, Any]:
        while (message := await self.receive()).get("type") != "state":
            pass
        return message

    async def send_raw(self, frame: str | bytes) -> dict[str, Any]:
        """The answer to a frame that may carry no id: the next answer."""
        await self.ws.send(frame)
        while (message := await self.receive()).get("type") != "answer":
            pass
        return message

    async def command(self, action: str, **fields: Any) -> dict[str, Any]:
        self._ids += 1
        await self.ws.send(dumps({"action": action, "id": self._ids, **fields}))
        while True:
            message = await self.receive()
            if message.get("type") == "answer" and message.get("id") == self._ids:
                return message

    def table(self, table: str) -> dict[str, Any]:
        assert self.state is not None
        return self.state["tables"][table]


StartPos = Callable[..., Awaitable[PosSimulator]]


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
async def sockets() -> AsyncIterator[list[ClientConnection]]:
    opened: list[ClientConnection] = []
    yield opened
    for ws in opened:
        await ws.close()


async def open_console(
    pos: PosSimulator, sockets: list[ClientConnection], query: str = ""
) -> Console:
    ws = await connect(f"{pos.url}/console{query}")
    sockets.append(ws)
    console = Console(ws)
    await console.next_state()  # a new console gets the state straight away
    return console


async def open_bridge(pos: PosSimulator, sockets: list[ClientConnection], **kwargs: Any) -> Bridge:
    ws = await connect(pos.url, **kwargs)
    sockets.append(ws)
    return Bridge(ws)


async def http_get(
    pos: PosSimulator, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    """A plain HTTP/1.1 GET on the simulator's port, over a raw connection."""
    address = urlsplit(pos.url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    lines_out = [f"GET {path} HTTP/1.1", f"Host: {address.netloc}"]
    lines_out += [f"{name}: {value}" for name, value in (headers or {}).items()]
    writer.write(("\r\n".join(lines_out) + "\r\n\r\n").encode())
    raw = await asyncio.wait_for(reader.read(), TIMEOUT)  # the server closes after answering
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in fields.items()}, body.decode()


async def ordered_and_watched(pos: PosSimulator, sockets: list[ClientConnection]) -> Bridge:
    """Table 10 with the seed's order (L1 Corona PINT, L2 T-Bone) and a bridge watching it."""
    bridge = await open_bridge(pos, sockets)
    assert (await bridge.call(seed_text("create_order_request")))["ResultCode"] == 0
    assert (await bridge.snapshot("10"))["Payload"]["Version"] == 1
    return bridge


# The page


@pytest.mark.parametrize("path", ["/", "/console", "/?foo=bar"])
async def test_a_plain_http_get_is_answered_with_the_console_page(
    pos: PosSimulator, path: str
) -> None:
    status, headers, body = await http_get(pos, path)

    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>POS simulator · staff console</title>" in body
    assert "new WebSocket(" in body and '"/console"' in body
    for label in ("Add items", "Discount", "Close order", "Cancel", "Delivered", "Remove"):
        assert label in body
    # One self-contained page: nothing is fetched from anywhere else.
    assert "<script src" not in body and '<link rel="stylesheet"' not in body
    assert "http://" not in body and "https://" not in body


async def test_other_paths_are_not_found_and_the_console_url_names_the_page(
    pos: PosSimulator,
) -> None:
    status, _, body = await http_get(pos, "/favicon.ico")

    assert status == 404
    assert "staff console" in body
    address = urlsplit(pos.url)
    assert pos.console_url == f"http://{address.netloc}/"


# Commands, and what a bridge sees of them


ACTIONS = [
    ("add_items", {"items": [{"plu": GARLIC_BREAD, "quantity": 2}]}, "ITEMS_ADDED", ["L3"]),
    ("cancel_lines", {"line_ids": ["L2"]}, "ITEMS_CANCELLED", ["L2"]),
    ("deliver_lines", {"line_ids": ["L1", "L2"]}, "ITEMS_DELIVERED", ["L1", "L2"]),
    ("apply_discount", {"name": "Manager", "amount": "2.00"}, "DISCOUNT_APPLIED", []),
    ("remove_lines", {"line_ids": ["L2"]}, "LINES_REMOVED", ["L2"]),
    ("close_order", {}, "ORDER_CLOSED", []),
]


@pytest.mark.parametrize(
    ("action", "fields", "change", "line_ids"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
async def test_each_console_command_changes_the_check_and_is_pushed_to_the_bridge(
    pos: PosSimulator,
    sockets: list[ClientConnection],
    action: str,
    fields: dict[str, Any],
    change: str,
    line_ids: list[str],
) -> None:
    bridge = await ordered_and_watched(pos, sockets)
    console = await open_console(pos, sockets)

    answer = await console.command(action, table="10", **fields)

    assert (answer["ok"], answer["action"], answer["table"], answer["version"]) == (
        True,
        action,
        "10",
        2,
    )
    push = (await bridge.next_push())["Payload"]
    assert (push["ServiceModeEntityID"], push["Version"]) == ("10", 2)
    assert (push["ChangeType"], push["LineIDs"]) == (change, line_ids)
    # The state sent before the answer already shows the change.
    shown = console.table("10")
    assert shown["Version"] == 2
    if action == "close_order":
        assert push["Order"]["IsClosed"] is True
        assert (shown["Order"], shown["Closed"]) == (None, True)
    else:
        assert shown["Order"] == push["Order"]
        assert to_builtins(pos.order("10")) == push["Order"]


async def test_the_checks_after_console_commands_are_what_a_waiter_would_see(
    pos: PosSimulator, sockets: list[ClientConnection]
) -> None:
    await ordered_and_watched(pos, sockets)
    console = await open_console(pos, sockets)

    added = await console.command(
        "add_items",
        table="10",
        items=[
            {"plu": CORONA, "variant": PINT, "quantity": 2},
            {"plu": T_BONE, "modifiers": [MEDIUM, SIDE_SALAD]},
        ],
    )
    await console.command("deliver_lines", table="10", line_ids=["L1"])
    await console.command("cancel_lines", table="10", line_ids="L2")
    await console.command("apply_discount", table="10", name="Regulars", percent=10)
    await console.command("remove_lines", table="10", line_ids=["L4"])

    assert added["line_ids"] == ["L3", "L4"]
    order = console.table("10")["Order"]
    assert lines(order) == [
        ("L1", "DELIVERED", "OPENAPP"),
        ("L2", "CANCELLED", "OPENAPP"),
        ("L3", "ORDERED", "POS"),
    ]
    pint = order["Products"][2]
    assert (pint["SalesModifierIdentifier"], pint["Quantity"]) == (PINT, 2)
    assert order["Adjustments"][-1]["Name"] == "Regulars"
    assert console.table("10")["Version"] == 6
    assert console.table("10")["Subscribers"] == 1

    await console.command("add_items", table="11", items=[{"plu": T_BONE, "modifiers": [MEDIUM]}])
    steak = console.table("11")["Order"]["Products"][0]
    assert [c["Name"] for c in steak["ChildProducts"]] == ["Medium"]
    assert steak["Source"] == "POS"


async def test_stock_set_on_the_console_refuses_the_next_order_with_result_code_6(
    pos: PosSimulator, sockets: list[ClientConnection]
) -> None:
    console = await open_console(pos, sockets)
    bridge = await open_bridge(pos, sockets)

    answer = await console.command("set_stock", identifier=GARLIC_BREAD, quantity=1)
    response = await bridge.call(create_order([product(GARLIC_BREAD, 2)]))

    assert answer["ok"] is True
    assert (answer["item"]["identifier"], answer["item"]["stock"]) == (GARLIC_BREAD, 1)
    assert console.state is not None and console.state["stock"][GARLIC_BREAD] == 1
    assert response["ResultCode"] == 6
    assert response["Payload"]["RejectedProducts"][0]["Available"] == 1
    await console.command("set_stock", identifier=GARLIC_BREAD, quantity=None)
    assert (await bridge.call(create_order([product(GARLIC_BREAD, 2)])))["ResultCode"] == 0


async def test_prices_and_listing_set_on_the_console_are_what_the_pos_charges_and_sells(
    pos: PosSimulator, sockets: list[ClientConnection]
) -> None:
    console = await open_console(pos, sockets)
    bridge = await open_bridge(pos, sockets)

    priced = await console.command("set_price", identifier=GARLIC_BREAD, price="5.50")
    accepted = await bridge.call(create_order([product(GARLIC_BREAD, 2)]))
    delisted = await console.command("delist", identifier=GARLIC_BREAD)
    refused = await bridge.call(create_order([product(GARLIC_BREAD)]))
    relisted = await console.command("relist", identifier=GARLIC_BREAD)

    assert priced["item"]["price"] == Decimal("5.50")
    assert accepted["Payload"]["Order"]["Products"][0]["TotalAmount"] == Decimal("11.00")
    assert delisted["item"]["delisted"] is True
    assert refused["ResultCode"] == 7
    assert relisted["item"]["delisted"] is False
    garlic = next(p for p in console.state["menu"] if p["identifier"] == GARLIC_BREAD)
    assert (garlic["price"], garlic["delisted"], garlic["category"]) == (
        Decimal("5.50"),
        False,
        "Starters",
    )
    assert (await bridge.call(create_order([product(GARLIC_BREAD)])))["ResultCode"] == 0


async def test_the_state_lists_every_table_and_the_menu_with_variants_and_modifiers(
    pos: PosSimulator, sockets: list[ClientConnection]
) -> None:
    console = await open_console(pos, sockets)

    state = console.state
    assert state is not None
    assert list(state["tables"]) == [str(n) for n in range(1, 21)]
    assert state["tables"]["10"] == {"Version": 0, "Closed": False, "Subscribers": 0, "Order": None}
    corona = next(p for p in state["menu"] if p["name"] == "Corona")
    assert [(v["identifier"], v["name"]) for v in corona["variants"]] == [(PINT, "PINT")]
    steak = next(p for p in state["menu"] if p["identifier"] == T_BONE)
    cooking = steak["modifier_groups"][0]
    assert (cooking["name"], cooking["min"], cooking["max"]) == ("Cooking", 1, 1)
    assert MEDIUM in [m["identifier"] for m in cooking["modifiers"]]
    assert state["stock"][GARLIC_BREAD] is None
    assert state["currency"] == "GBP"


async def test_state_is_pushed_to_every_console_after_a_bridge_create_order(
    start_pos: StartPos, sockets: list[ClientConnection]
) -> None:
    pos = await start_pos(stock={GARLIC_BREAD: 5})
    first, second = await open_console(pos, sockets), await open_console(pos, sockets)
    bridge = await open_bridge(pos, sockets)

    response = await bridge.call(create_order([product(GARLIC_BREAD, 2)]))

    for console in (first, second):
        state = await console.next_state()
        assert state["tables"]["10"]["Version"] == response["Payload"]["Version"] == 1
        assert state["tables"]["10"]["Order"] == response["Payload"]["Order"]
        assert state["stock"][GARLIC_BREAD] == 3


async def test_console_sockets_get_no_protocol_pushes_and_bridges_get_no_console_state(
    pos: PosSimulator, sockets: list[ClientConnection]
) -> None:
    bridge = await ordered_and_watched(pos, sockets)
    console = await open_console(pos, sockets)

    await console.command("deliver_lines", table="10", line_ids=["L1"])
    await pos.add_items("10", [{"plu": GARLIC_BREAD}])
    state = await console.next_state()
    answer = await console.command("refresh")

    assert answer["ok"] is True
    assert state["tables"]["10"]["Version"] == 3
    assert [(await bridge.next_push())["Payload"]["Version"] for _ in range(2)] == [2, 3]
    await bridge.assert_no_push()
    # Everything the console got is a state or an answer: never a protocol frame.
    await console.ws.send(dumps({"action": "refresh"}))
    kinds = {(await console.receive()).get("type") for _ in range(2)}
    assert kinds == {"state", "answer"}


MALFORMED: list[tuple[str, str]] = [
    ("not json", "unreadable"),
    ("[1, 2]", "object"),
    ('{"table": "10"}', "unknown action"),
    ('{"action": "fly", "table": "10"}', "unknown action"),
    ('{"action": 3}', "unknown action"),
    ('{"action": "cancel_lines", "line_ids": ["L1"]}', "'table' is required"),
    ('{"action": "cancel_lines", "table": "99", "line_ids": ["L1"]}', "no table 99"),
    ('{"action": "cancel_lines", "table": "10"}', "line_ids"),
    ('{"action": "cancel_lines", "table": "10", "line_ids": [1]}', "LineID"),
    ('{"action": "cancel_lines", "table": "10", "line_ids": ["L9"]}', "no line 'L9'"),
    ('{"action": "deliver_lines", "table": "11", "line_ids": ["L1"]}', "no open check"),
    ('{"action": "add_items", "table": "10"}', "items"),
    ('{"action": "add_items", "table": "10", "items": ["401"]}', "plu"),
    (
        '{"action": "add_items", "table": "10", "items": [{"plu": "401", "quantity": 0}]}',
        "at least 1",
    ),
    ('{"action": "add_items", "table": "10", "items": [{"plu": "nope"}]}', "No longer"),
    ('{"action": "add_items", "table": "10", "items": [{"plu": "401", "modifiers": "x"}]}', "PLU"),
    ('{"action": "apply_discount", "table": "10", "name": "X"}', "percent"),
    ('{"action": "apply_discount", "table": "10", "name": "X", "percent": "lots"}', "number"),
    ('{"action": "apply_discount", "table": "10", "name": "X", "percent": 150}', "100"),
    ('{"action": "apply_discount", "table": "10", "name": "X", "amount": "1E+30"}', "below"),
    ('{"action": "set_price", "identifier": "401", "price": "1E+30"}', "below"),
    ('{"action": "apply_discount", "table": "10", "percent": 5}', "'name'"),
    ('{"action": "close_order", "table": "11"}', "no open check"),
    ('{"action": "set_stock", "identifier": "401", "quantity": -1}', "whole number"),
    ('{"action": "set_stock", "identifier": "401", "quantity": 1.5}', "whole number"),
    ('{"action": "set_stock", "identifier": "401"}', "quantity"),
    ('{"action": "set_stock", "identifier": "nope", "quantity": 1}', "no item"),
    ('{"action": "set_price", "identifier": "401", "price": "-1"}', "price"),
    ('{"action": "set_price", "identifier": "401", "price": "1.234"}', "two decimals"),
    ('{"action": "set_price", "identifier": "401", "price": "NaN"}', "number"),
    ('{"action": "delist"}', "identifier"),
]


@pytest.mark.parametrize(("frame", "complaint"), MALFORMED, ids=[m[0][:60] for m in MALFORMED])
async def test_a_bad_console_command_gets_a_clear_error_and_changes_nothing(
    pos: PosSimulator, sockets: list[ClientConnection], frame: str, complaint: str
) -> None:
    await pos.add_items("10", [{"plu": GARLIC_BREAD}])
    console = await open_console(pos, sockets)

    answer = await console.send_raw(frame)

    assert answer["ok"] is False
    assert isinstance(answer["error"], str) and complaint in answer["error"]
    assert (pos.version("10"), pos.version("11")) == (1, 0)
    item = pos.catalog.require(CORONA)
    assert (item.stock, item.price, item.delisted) == (None, Decimal("7.00"), False)
    assert (await console.command("refresh"))["ok"] is True


async def test_an_answer_carries_the_command_id_back(
    pos: PosSimulator, sockets: list[ClientConnection]
) -> None:
    console = await open_console(pos, sockets)

    answer = await console.send_raw('{"action": "close_order", "table": "10", "id": "abc"}')

    assert (answer["id"], answer["action"], answer["ok"]) == ("abc", "close_order", False)


# The token


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/", {}, 401),
        ("/?token=wrong", {}, 401),
        ("/console?token=", {}, 401),
        ("/?token=s3cret", {}, 200),
        ("/console?token=s3cret", {}, 200),
        ("/", {"Authorization": "Bearer s3cret"}, 200),
    ],
)
async def test_with_a_token_the_page_needs_it(
    start_pos: StartPos, path: str, headers: dict[str, str], status: int
) -> None:
    pos = await start_pos(token="s3cret")

    got, fields, body = await http_get(pos, path, headers)

    assert got == status
    assert fields["content-type"].startswith("text/html")
    if status == 401:
        assert "?token=" in body and "s3cret" not in body


@pytest.mark.parametrize("query", ["", "?token=wrong", "?token="])
async def test_with_a_token_a_console_socket_without_it_is_closed_with_4401(
    start_pos: StartPos, query: str
) -> None:
    pos = await start_pos(token="s3cret")

    async with connect(f"{pos.url}/console{query}") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), TIMEOUT)

    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "unauthorized")


async def test_with_a_token_the_console_and_the_bridge_each_get_in_their_own_way(
    start_pos: StartPos, sockets: list[ClientConnection]
) -> None:
    pos = await start_pos(token="s3cret")
    bridge = await open_bridge(pos, sockets, additional_headers={"Authorization": "Bearer s3cret"})
    await bridge.snapshot("10")
    console = await open_console(pos, sockets, "?token=s3cret")

    answer = await console.command("add_items", table="10", items=[{"plu": GARLIC_BREAD}])

    assert answer["ok"] is True
    assert (await bridge.next_push())["Payload"]["ChangeType"] == "ITEMS_ADDED"
    # The bridge's bearer header does not open the protocol socket with a query token.
    async with connect(f"{pos.url}/?token=s3cret") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_a_console_socket_opened_by_another_web_page_is_closed_with_4403(
    pos: PosSimulator, sockets: list[ClientConnection]
) -> None:
    address = urlsplit(pos.url)

    async with connect(f"{pos.url}/console", origin=Origin("http://evil.example")) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
    own_page = await connect(f"{pos.url}/console", origin=Origin(f"http://{address.netloc}"))
    sockets.append(own_page)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    assert loads(await asyncio.wait_for(own_page.recv(), TIMEOUT))["type"] == "state"


# The command


def test_the_command_prints_the_staff_console_url_and_serves_the_page() -> None:
    command = [sys.executable, "manage.py", "run_pos_simulator", "--port", "0", "--token", "t0k"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("POS simulator listening on ws://127.0.0.1:")
        line = process.stdout.readline().strip()
        assert line.startswith("Staff console: http://127.0.0.1:")
        assert line.endswith("/ (add ?token=YOUR_TOKEN)")
        url = line.split()[2]
        from urllib.request import urlopen

        with urlopen(f"{url}?token=t0k", timeout=TIMEOUT) as page:
            assert page.status == 200
            assert "staff console" in page.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=10)


# In a browser


@pytest.fixture
def pos_thread() -> Iterator[Any]:
    with running_simulator() as simulator:
        yield simulator


@pytest.mark.browser
def test_close_order_clicked_in_the_console_page_reaches_the_bridge(
    browser: Browser, pos_thread: Any
) -> None:
    from playwright.sync_api import expect
    from websockets.sync.client import connect as connect_sync

    with connect_sync(pos_thread.url) as bridge:
        bridge.send(seed_text("create_order_request"))
        assert json.loads(bridge.recv(timeout=TIMEOUT))["ResultCode"] == 0
        snapshot = {"ServiceModeID": SERVICE_MODE_ID, "ServiceModeEntityID": "10"}
        bridge.send(dumps(envelope(30, snapshot)))
        assert json.loads(bridge.recv(timeout=TIMEOUT))["Payload"]["Version"] == 1
        context = browser.new_context(viewport={"width": 1366, "height": 800})
        try:
            page = context.new_page()
            page.goto(pos_thread.console_url)
            table = page.get_by_role("region", name="Table 10", exact=True)
            expect(table.locator('tr[data-line="L2"]')).to_contain_text("T-Bone Steak")

            table.get_by_role("button", name="Close order").click()

            push = json.loads(bridge.recv(timeout=TIMEOUT))["Payload"]
            assert (push["ChangeType"], push["Version"]) == ("ORDER_CLOSED", 2)
            expect(table).to_contain_text("Order closed")
            expect(page.get_by_role("status")).to_contain_text("done (Version 2)")
        finally:
            context.close()
