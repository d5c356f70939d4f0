"""The message log never holds a bill or a batch back: it is written on a thread and a
database connection of its own, so while its table cannot be written (locked by a long
report, a migration, a vacuum) the POS's changes still reach the phones and batches still
go to the kitchen, and the frames are written once the table is free again."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections, transaction

from pos_bridge.models import PosMessage
from pos_bridge.simulator import running_simulator
from tests.live_table import bridge_on_this_loop, eventually, seated
from tests.restaurant import make_restaurant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="locks the message log's table while the rest of the database stays "
        "writable: SQLite has one write lock for the whole file (the production pass of "
        "make test runs it)",
    ),
]

GARLIC_BREAD = "5e132381-8723-4f38-9483-6265bced2f96"
HOLD_SECONDS = 30.0  # at most; the test lets go as soon as it has seen what it waits for


class LogTableLocked:
    """Another connection holds the message log's table locked against writes (it can
    still be read) until `release()`. A lock on a whole table has no ORM call: this is
    the test's own SQL, not the product's."""

    def __init__(self) -> None:
        self.locked = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {PosMessage._meta.db_table} IN SHARE MODE")
                self.locked.set()
                self._release.wait(HOLD_SECONDS)
        finally:
            connections.close_all()

    async def __aenter__(self) -> LogTableLocked:
        self._thread.start()
        assert await asyncio.to_thread(self.locked.wait, 10), "the lock was never taken"
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.release()
        await asyncio.to_thread(self._thread.join, 10)

    def release(self) -> None:
        self._release.set()


def frames_logged() -> int:
    return PosMessage.objects.count()


async def test_changes_and_batches_go_through_while_the_log_cannot_be_written():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            phone = await seated(restaurant)
            await phone.push_containing("Nothing on your table")  # the first snapshot
            await eventually(frames_logged, what="the first frames were logged")
            before = await sync_to_async(frames_logged)()

            async with LogTableLocked() as lock:
                # A change whose frame the next flush tries to write, and waits on the lock.
                await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD}])
                await phone.push_containing("A waiter added Garlic Bread")
                await asyncio.sleep(1.0)  # two flushes' time: one is stuck on the lock now

                await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD}])
                html = await phone.push_containing("A waiter added Garlic Bread")
                assert "2 × Garlic Bread" in html or html.count("Garlic Bread") >= 2

                await phone.call("add", "Corona", variant="PINT", quantity=2)
                await phone.call("send")
                await phone.push_containing("Your order is in: 2 × Corona")
                assert await sync_to_async(frames_logged)() == before  # none written yet
                lock.release()

            # The two pushes, the batch's request and answer, and the push of its lines.
            await eventually(
                lambda: frames_logged() >= before + 5,
                what="the frames held back by the lock were written after it",
            )
        await phone.hang_up()
