"""Running a PosSimulator on its own thread and event loop, for tests and the embedded demo."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

from .messages import Order
from .server import PosSimulator

T = TypeVar("T")
CALL_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 30.0


class SimulatorThread:
    """A started PosSimulator whose staff actions can be called from any thread."""

    def __init__(self, simulator: PosSimulator) -> None:
        self.simulator = simulator
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="pos-simulator", daemon=True
        )

    @property
    def url(self) -> str:
        return self.simulator.url

    @property
    def console_url(self) -> str:
        return self.simulator.console_url

    def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._thread.start()
        try:
            self._run(self.simulator.start(host, port))
        except BaseException:
            self._shut_loop()
            raise

    def stop(self) -> None:
        try:
            self._run(self.simulator.stop(), STOP_TIMEOUT_SECONDS)
        finally:
            self._shut_loop()

    def _shut_loop(self) -> None:
        if self._thread.is_alive():
            try:
                self._run(_cancel_other_tasks())
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(CALL_TIMEOUT_SECONDS)
        if not self._thread.is_alive():
            self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT_SECONDS) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)

    def _read(self, read: Callable[[], T]) -> T:
        async def on_loop() -> T:
            return read()

        return self._run(on_loop())

    # Staff actions, as in PosSimulator.

    def add_items(self, table: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
        return self._run(self.simulator.add_items(table, items))

    def cancel_lines(self, table: str, line_ids: Sequence[str]) -> int:
        return self._run(self.simulator.cancel_lines(table, line_ids))

    def deliver_lines(self, table: str, line_ids: Sequence[str]) -> int:
        return self._run(self.simulator.deliver_lines(table, line_ids))

    def remove_lines(self, table: str, line_ids: Sequence[str]) -> int:
        return self._run(self.simulator.remove_lines(table, line_ids))

    def apply_discount(
        self,
        table: str,
        name: str,
        percent: Decimal | str | int | None = None,
        amount: Decimal | str | int | None = None,
    ) -> int:
        return self._run(self.simulator.apply_discount(table, name, percent, amount))

    def close_order(self, table: str) -> int:
        return self._run(self.simulator.close_order(table))

    def set_stock(self, identifier: str, quantity: int | None) -> None:
        self._run(self.simulator.set_stock(identifier, quantity))

    def set_price(self, identifier: str, price: Decimal | str) -> None:
        self._run(self.simulator.set_price(identifier, price))

    def delist(self, identifier: str) -> None:
        self._run(self.simulator.delist(identifier))

    def relist(self, identifier: str) -> None:
        self._run(self.simulator.relist(identifier))

    # Inspection

    def version(self, table: str) -> int:
        return self._read(lambda: self.simulator.version(table))

    def order(self, table: str) -> Order | None:
        return self._read(lambda: self.simulator.order(table))

    def subscriber_count(self, table: str) -> int:
        return self._read(lambda: self.simulator.subscriber_count(table))


async def _cancel_other_tasks() -> None:
    """So that closing the loop destroys no pending task."""
    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@contextmanager
def running_simulator(
    *, host: str = "127.0.0.1", port: int = 0, **kwargs: Any
) -> Iterator[SimulatorThread]:
    """A PosSimulator(**kwargs) serving on a free loopback port until the block ends."""
    runner = SimulatorThread(PosSimulator(**kwargs))
    runner.start(host, port)
    try:
        yield runner
    finally:
        runner.stop()
