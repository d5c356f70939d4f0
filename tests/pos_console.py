"""A test's hands on the POS: the simulator's staff console WebSocket (/console), driven
synchronously, so a browser test can act as the waiter and the kitchen between its steps.

    with PosConsole(demo.console_url) as pos:
        pos.add_items("10", {"Creamy Pasta": 1})
        pos.cancel_lines("10", pos.line_ids("10", "Garlic Bread"))
"""

from __future__ import annotations

import itertools
import json
import time
from contextlib import ExitStack
from decimal import Decimal
from types import TracebackType
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

ANSWER_SECONDS = 10.0


class PosConsole:
    """One staff console socket. Every command waits for its answer and fails the test
    if the simulator refuses it; `state` is the simulator's state sent with that answer."""

    def __init__(self, url: str, timeout: float = ANSWER_SECONDS) -> None:
        self.url = url
        self.timeout = timeout
        self.state: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._stack = ExitStack()
        self._ws: ClientConnection = self._stack.enter_context(
            connect(url, open_timeout=timeout, close_timeout=2)
        )
        self._receive_until(lambda message: message.get("type") == "state")

    def __enter__(self) -> PosConsole:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()

    # Commands

    def command(self, action: str, **fields: Any) -> dict[str, Any]:
        """Send one command and return its answer (the state before it is in `state`)."""
        command_id = next(self._ids)
        self._ws.send(json.dumps({"action": action, "id": command_id, **fields}, default=str))
        answer = self._receive_until(
            lambda message: message.get("type") == "answer" and message.get("id") == command_id
        )
        if not answer.get("ok"):
            pytest.fail(f"The POS console refused {action} {fields}: {answer.get('error')}")
        return answer

    def refresh(self) -> dict[str, Any]:
        self.command("refresh")
        return self.state

    def add_items(self, table: str, items: dict[str, int]) -> list[str]:
        """A waiter rings up items by name ({"Creamy Pasta": 1}); returns the new LineIDs."""
        wanted = [{"plu": self.identifier(name), "quantity": qty} for name, qty in items.items()]
        return self.command("add_items", table=table, items=wanted)["line_ids"]

    def cancel_lines(self, table: str, line_ids: list[str]) -> None:
        self.command("cancel_lines", table=table, line_ids=line_ids)

    def deliver_lines(self, table: str, line_ids: list[str]) -> None:
        self.command("deliver_lines", table=table, line_ids=line_ids)

    def remove_lines(self, table: str, line_ids: list[str]) -> None:
        self.command("remove_lines", table=table, line_ids=line_ids)

    def apply_discount(self, table: str, name: str, percent: int | Decimal) -> None:
        self.command("apply_discount", table=table, name=name, percent=str(percent))

    def close_order(self, table: str) -> None:
        self.command("close_order", table=table)

    # What the POS holds

    def identifier(self, name: str) -> str:
        """The POS identifier of a menu product, by its name."""
        for product in self.state.get("menu", []):
            if product["name"] == name:
                return product["identifier"]
        pytest.fail(f"There is no {name!r} on the POS menu")

    def lines(self, table: str) -> list[dict[str, Any]]:
        """The table's order lines on the POS now (wire Products: LineID, Name, Status…)."""
        order = self.refresh()["tables"][table]["Order"]
        return list(order["Products"]) if order else []

    def line_ids(self, table: str, name: str) -> list[str]:
        found = [line["LineID"] for line in self.lines(table) if line.get("Name") == name]
        if not found:
            pytest.fail(f"Table {table} has no {name!r} on the POS: {self.lines(table)}")
        return found

    # Socket

    def _receive_until(self, wanted: Any) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"The POS console did not answer within {self.timeout:.0f} s")
            try:
                message = json.loads(self._ws.recv(timeout=left))
            except TimeoutError:
                continue
            if message.get("type") == "state":
                self.state = message
            if wanted(message):
                return message
