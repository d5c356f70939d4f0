"""The staff console's WebSocket: JSON commands in, answers and live state out.

A console socket (path /console) is not a POS protocol connection: it never receives
protocol pushes, and protocol connections never receive console state. Every command
goes through PosSimulator's staff actions, so each change is pushed to subscribed
bridges exactly as if a waiter had rung it up on the till.

Command: {"action": "cancel_lines", "table": "10", "line_ids": ["L2"], "id": 7}
Answer:  {"type": "answer", "ok": true, "action": "cancel_lines", "id": 7, "version": 4}
         {"type": "answer", "ok": false, "action": ..., "id": 7, "error": "plain words"}
State:   {"type": "state", "currency": "GBP", "tables": {...}, "menu": [...], "stock": {...}},
         sent on connect
         and after every change; a command's state is always sent before its answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request

from .auth import console_refusal
from .catalog import Catalog, Item
from .checks import Table
from .wire import LARGEST_NUMBER, NotJson, dumps, loads, money, to_builtins

log = logging.getLogger(__name__)

CONSOLE_PATH = "/console"
UNAUTHORIZED = (4401, "unauthorized")
FOREIGN_ORIGIN = (4403, "the console only takes commands from its own page")
FOREIGN_HOST = (4403, "the console answers only on this machine (or with --console-token)")


class PosSimulator(Protocol):
    """What the console needs of the simulator (server.PosSimulator is one)."""

    tables: dict[str, Table]
    catalog: Catalog
    currency: str

    def version(self, table: str) -> int: ...
    def subscriber_count(self, table: str) -> int: ...
    async def add_items(self, table: str, items: Sequence[Mapping[str, Any]]) -> list[str]: ...
    async def close_order(self, table: str) -> int: ...
    async def apply_discount(
        self,
        table: str,
        name: str,
        percent: Decimal | str | int | None = None,
        amount: Decimal | str | int | None = None,
    ) -> int: ...
    async def set_stock(self, identifier: str, quantity: int | None) -> None: ...
    async def set_price(self, identifier: str, price: Decimal | str) -> None: ...


Command = Mapping[str, Any]
Action = Callable[["PosSimulator", Command], Awaitable[dict[str, Any]]]


class CommandError(ValueError):
    """A console command that cannot be carried out; its message is shown to staff."""


def is_console(path: str) -> bool:
    return urlsplit(path).path == CONSOLE_PATH


def refusal(
    request: Request, token: str | None, console_token: str | None = None
) -> tuple[int, str] | None:
    """Why a console socket is refused (a close code and reason), or None to serve it.

    A browser sends Origin with every WebSocket handshake, and WebSockets are not bound by
    the same-origin policy: checking it keeps other web pages out of the console; checking
    Host keeps out a page whose name was rebound to this machine.
    """
    why = console_refusal(request.headers, request.path, token, console_token)
    return {"host": FOREIGN_HOST, "origin": FOREIGN_ORIGIN, "token": UNAUTHORIZED}.get(why)


# Fields


def _text(command: Command, name: str) -> str:
    value = command.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise CommandError(f"{name!r} is required, as text")
    return value.strip()


def _table(simulator: PosSimulator, command: Command) -> str:
    table = _text(command, "table")
    if table not in simulator.tables:
        raise CommandError(f"there is no table {table} on this POS")
    return table


def _line_ids(command: Command) -> list[str]:
    value = command.get("line_ids")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise CommandError("'line_ids' is required: a list of LineIDs such as ['L2']")
    if not all(isinstance(line_id, str) and line_id for line_id in value):
        raise CommandError("every LineID must be text, such as 'L2'")
    return value


def _number(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise CommandError(f"{name!r} must be a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise CommandError(f"{name!r} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise CommandError(f"{name!r} must be a number, not {value!r}")
    if abs(number) >= LARGEST_NUMBER:
        raise CommandError(f"{name!r} must be below {LARGEST_NUMBER:,}, not {value!r}")
    return number


def _identifier(simulator: PosSimulator, command: Command) -> str:
    identifier = _text(command, "identifier")
    if simulator.catalog.get(identifier) is None:
        raise CommandError(f"there is no item {identifier!r} on the POS menu")
    return identifier


def _item(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise CommandError("each item must be an object with a 'plu' and a 'quantity'")
    plu = _text(value, "plu")
    quantity = value.get("quantity", 1)
    if isinstance(quantity, str) and quantity.strip().isdigit():
        quantity = int(quantity)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise CommandError(f"the quantity of {plu} must be a whole number of at least 1")
    variant = value.get("variant") or None
    if variant is not None and not isinstance(variant, str):
        raise CommandError(f"the variant of {plu} must be text")
    modifiers = value.get("modifiers") or []
    if not isinstance(modifiers, list) or not all(isinstance(m, str) and m for m in modifiers):
        raise CommandError(f"the modifiers of {plu} must be a list of PLUs")
    return {"plu": plu, "variant": variant, "modifiers": modifiers, "quantity": quantity}


# Actions


async def _add_items(simulator: PosSimulator, command: Command) -> dict[str, Any]:
    table = _table(simulator, command)
    items = command.get("items")
    if not isinstance(items, list) or not items:
        raise CommandError("'items' is required: a list of objects with a 'plu' and a 'quantity'")
    wanted = [_item(item) for item in items]
    line_ids = await simulator.add_items(table, wanted)
    return {"table": table, "line_ids": line_ids, "version": simulator.version(table)}


def _line_action(name: str) -> Action:
    async def act(simulator: PosSimulator, command: Command) -> dict[str, Any]:
        table = _table(simulator, command)
        line_ids = _line_ids(command)
        version = await getattr(simulator, name)(table, line_ids)
        return {"table": table, "line_ids": line_ids, "version": version}

    return act


async def _apply_discount(simulator: PosSimulator, command: Command) -> dict[str, Any]:
    table = _table(simulator, command)
    name = _text(command, "name")
    percent, amount = command.get("percent"), command.get("amount")
    if (percent is None) == (amount is None):
        raise CommandError("give one of 'percent' or 'amount'")
    version = await simulator.apply_discount(
        table,
        name,
        percent=None if percent is None else _number(percent, "percent"),
        amount=None if amount is None else _number(amount, "amount"),
    )
    return {"table": table, "version": version}


async def _close_order(simulator: PosSimulator, command: Command) -> dict[str, Any]:
    table = _table(simulator, command)
    return {"table": table, "version": await simulator.close_order(table)}


async def _set_stock(simulator: PosSimulator, command: Command) -> dict[str, Any]:
    identifier = _identifier(simulator, command)
    if "quantity" not in command:
        raise CommandError("'quantity' is required: a whole number, or null for unlimited")
    quantity = command["quantity"]
    if isinstance(quantity, str):
        quantity = int(quantity) if quantity.strip().isdigit() else quantity
    if quantity is not None and (
        isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0
    ):
        raise CommandError("stock must be a whole number of at least 0, or null for unlimited")
    await simulator.set_stock(identifier, quantity)
    return {"item": _item_state(simulator.catalog.require(identifier))}


async def _set_price(simulator: PosSimulator, command: Command) -> dict[str, Any]:
    identifier = _identifier(simulator, command)
    price = _number(command.get("price"), "price")
    if price < 0 or price != money(price):
        raise CommandError("a price is an amount of at least 0 with at most two decimals")
    await simulator.set_price(identifier, money(price))
    return {"item": _item_state(simulator.catalog.require(identifier))}


def _listing_action(name: str) -> Action:
    async def act(simulator: PosSimulator, command: Command) -> dict[str, Any]:
        identifier = _identifier(simulator, command)
        await getattr(simulator, name)(identifier)
        return {"item": _item_state(simulator.catalog.require(identifier))}

    return act


async def _refresh(simulator: PosSimulator, command: Command) -> dict[str, Any]:
    return {}


ACTIONS: dict[str, Action] = {
    "add_items": _add_items,
    "cancel_lines": _line_action("cancel_lines"),
    "deliver_lines": _line_action("deliver_lines"),
    "remove_lines": _line_action("remove_lines"),
    "apply_discount": _apply_discount,
    "close_order": _close_order,
    "set_stock": _set_stock,
    "set_price": _set_price,
    "delist": _listing_action("delist"),
    "relist": _listing_action("relist"),
    "refresh": _refresh,
}


async def run_command(simulator: PosSimulator, frame: str | bytes) -> dict[str, Any]:
    """The answer to one console frame; never raises."""
    try:
        command = loads(frame)
    except NotJson as error:
        return {"type": "answer", "ok": False, "error": f"unreadable command: {error}"}
    if not isinstance(command, dict):
        return {"type": "answer", "ok": False, "error": "a command must be a JSON object"}
    answer: dict[str, Any] = {"type": "answer", "action": command.get("action")}
    if "id" in command:
        answer["id"] = command["id"]
    action = ACTIONS.get(command.get("action")) if isinstance(command.get("action"), str) else None
    if action is None:
        known = ", ".join(ACTIONS)
        return {**answer, "ok": False, "error": f"unknown action; use one of: {known}"}
    try:
        result = await action(simulator, command)
    except (LookupError, ValueError) as error:
        message = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
        return {**answer, "ok": False, "error": message}
    except Exception:
        log.exception("the staff console's %s command failed", command.get("action"))
        return {**answer, "ok": False, "error": "the simulator failed on this command; see its log"}
    return {**answer, "ok": True, **result}


# State


def _item_state(item: Item) -> dict[str, Any]:
    return {
        "identifier": item.key,
        "name": item.name,
        "kind": item.kind,
        "price": money(item.price),
        "stock": item.stock,
        "delisted": item.delisted,
    }


def state(simulator: PosSimulator) -> dict[str, Any]:
    catalog = simulator.catalog
    tables = {}
    for entity in sorted(simulator.tables, key=_natural):
        table = simulator.tables[entity]
        tables[entity] = {
            "Version": table.version,
            "Closed": table.closed,
            "Subscribers": simulator.subscriber_count(entity),
            "Order": to_builtins(table.check.order()) if table.check else None,
        }
    menu = []
    for entry in catalog.entries:
        product = catalog.get(entry.key)
        if product is None:
            continue
        if any(catalog.get(key) is None for key in entry.variants):
            continue
        menu.append(
            {
                **_item_state(product),
                "category": entry.category,
                "variants": [_item_state(catalog.require(v)) for v in entry.variants],
                "modifier_groups": [
                    {
                        "name": group.name,
                        "min": group.min,
                        "max": group.max,
                        "modifiers": [
                            _item_state(item)
                            for item in map(catalog.get, group.modifiers)
                            if item is not None
                        ],
                    }
                    for group in entry.modifier_groups
                ],
            }
        )
    stock = {item.key: item.stock for item in catalog}
    return {
        "type": "state",
        "currency": simulator.currency,
        "tables": tables,
        "menu": menu,
        "stock": stock,
    }


def _natural(entity: str) -> tuple[int, int, str]:
    return (0, int(entity), "") if entity.isdigit() else (1, 0, entity)


# Sockets


@dataclass(eq=False)
class _Console:
    connection: ServerConnection
    answers: deque[str] = field(default_factory=deque)
    state_due: bool = True  # a new console gets the state first
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class ConsoleHub:
    """The open console sockets; state is pushed to all of them after every change.

    Changes made in one step are coalesced into one state push, and a console that reads
    slowly skips to the newest state instead of queueing every one.
    """

    def __init__(self, simulator: PosSimulator) -> None:
        self._simulator = simulator
        self._consoles: set[_Console] = set()
        self._state_text: str | None = None
        self._dirty = False
        self._flush_scheduled = False

    def __len__(self) -> int:
        return len(self._consoles)

    def changed(self) -> None:
        """Something the console shows has changed; push it once this step is done."""
        self._state_text = None
        self._dirty = True
        if not self._consoles or self._flush_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        if not self._dirty:
            return
        self._dirty = False
        for console in self._consoles:
            console.state_due = True
            console.wake.set()

    def _current_state(self) -> str:
        if self._state_text is None:
            self._state_text = dumps(state(self._simulator))
        return self._state_text

    async def serve(self, connection: ServerConnection) -> None:
        console = _Console(connection)
        console.wake.set()
        self._consoles.add(console)
        writer = asyncio.create_task(self._write(console))
        try:
            async for frame in connection:
                answer = await run_command(self._simulator, frame)
                self.flush()  # so that a command's state goes out before its answer
                if answer.get("action") == "refresh":
                    console.state_due = True
                console.answers.append(dumps(answer))
                console.wake.set()
        except ConnectionClosed:
            pass
        finally:
            self._consoles.discard(console)
            writer.cancel()

    async def _write(self, console: _Console) -> None:
        while True:
            await console.wake.wait()
            console.wake.clear()
            try:
                if console.state_due:
                    console.state_due = False
                    await console.connection.send(self._current_state())
                while console.answers:
                    await console.connection.send(console.answers.popleft())
            except ConnectionClosed:
                return
            except Exception:
                log.exception("the staff console's state could not be sent; closing it")
                await console.connection.close(1011, "the simulator failed; see its log")
                return
