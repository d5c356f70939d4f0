"""The POS restarts mid-meal: a new process that numbers versions from the start again and
gives the open check a new SalesTransactionID. Within seconds every phone shows the POS's
state again, and what is ordered afterwards appears (docs/pos-protocol.md §6)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings

from ordering.models import Batch, BatchState, TableCheck
from pos_bridge.models import PosConnection, PosMessage
from tables.models import Table
from tests.bridge_runner import running_bridge, wait_until
from tests.phones import Phone
from tests.pos_console import PosConsole
from tests.restaurant import make_restaurant

pytestmark = pytest.mark.django_db(transaction=True)

BACK_WITHIN_SECONDS = 20.0  # websockets' reconnect backoff, then one snapshot


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def pos_process(port: int) -> Iterator[str]:
    """`manage.py run_pos_simulator` as a newcomer runs it; yields its staff console socket."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_pos_simulator", "--port", str(port)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = any("Staff console" in line for line in process.stdout)
        assert started, "the simulator did not start"
        # Keep reading what it logs, or a full pipe would stop it.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield f"ws://127.0.0.1:{port}/console"
    finally:
        process.terminate()
        process.wait(10)


def bill_of(phone: Phone) -> str:
    return phone.get("bill/").content.decode()


def on_the_tills_bill(phone: Phone, name: str) -> bool:
    """The line is on the POS's check (not only sent, waiting for the till's answer)."""
    lines = bill_of(phone).split('<li class="check-line')[1:]
    return any(name in line and not line.startswith(' status-sent"') for line in lines)


def order_id_held(phone: Phone) -> str:
    state = TableCheck.objects.get(session=phone.session).state or {}
    return state.get("order_id", "")


def test_after_a_pos_restart_every_phone_shows_the_new_pos_state_and_new_orders(
    transactional_db,
):
    port = free_port()
    restaurant = make_restaurant(f"ws://127.0.0.1:{port}/")
    table = Table.objects.get(location=restaurant, pos_table_id="10")
    first, second = Phone(), Phone()
    with running_bridge(request_timeout=2.0):
        with pos_process(port) as console_url:
            first.scan(table)
            second.scan(table)
            first.add("Garlic Bread", quantity=1)
            first.send()
            wait_until(lambda: on_the_tills_bill(second, "Garlic Bread"), what="the first batch")
            with PosConsole(console_url) as waiter:
                for _ in range(6):  # the check's Version climbs well above a new POS's
                    waiter.add_items("10", {"Scotch Egg": 1})
            wait_until(lambda: bill_of(second).count("Scotch Egg") == 6, what="waiter lines")
            old_order = order_id_held(first)
            assert old_order

        with pos_process(port) as console_url:
            with PosConsole(console_url) as waiter:
                waiter.add_items("10", {"Coca-Cola": 2})
            wait_until(
                lambda: "Coca-Cola" in bill_of(first) and "Scotch Egg" not in bill_of(first),
                timeout=BACK_WITHIN_SECONDS,
                what="the restarted POS's check on the phones",
            )
            assert order_id_held(first) not in ("", old_order)
            assert "Garlic Bread" not in bill_of(second)

            second.add("Creamy Pasta", quantity=1)
            second.send()
            wait_until(
                lambda: on_the_tills_bill(first, "Creamy Pasta"), what="a batch after the restart"
            )
            wait_until(
                lambda: Batch.objects.filter(state=BatchState.ACCEPTED).count() == 2,
                what="the batch after the restart accepted",
            )

            with PosConsole(console_url) as waiter:
                waiter.add_items("10", {"Halloumi Fries": 1})
            wait_until(lambda: "Halloumi Fries" in bill_of(second), what="a waiter push")


TILL_DOWN = "The till can&#x27;t be reached right now; what you send goes as soon as it is back."


def test_while_the_till_is_down_every_bill_says_so_and_the_error_clears_once_back(
    transactional_db,
):
    port = free_port()
    restaurant = make_restaurant(f"ws://127.0.0.1:{port}/")
    table = Table.objects.get(location=restaurant, pos_table_id="4")
    phone = Phone()
    connection = PosConnection.objects.get(location=restaurant)
    with running_bridge(request_timeout=2.0):
        with pos_process(port):
            phone.scan(table)
            wait_until(lambda: TILL_DOWN not in bill_of(phone), what="the till reachable")
        wait_until(lambda: TILL_DOWN in bill_of(phone), what="the bill to say the till is down")
        # Phones hear of the flip at once; the connection's row is saved with the bridge's
        # next flush (every FLUSH_SECONDS), so the manager's error shows a moment later.
        wait_until(
            lambda: PosConnection.objects.get(pk=connection.pk).last_error,
            what="the connection's error shown to managers",
        )

        phone.add("Garlic Bread")
        phone.send()  # queued while the till is away, sent once it is back
        with pos_process(port):
            wait_until(lambda: TILL_DOWN not in bill_of(phone), what="the till back")
            wait_until(lambda: on_the_tills_bill(phone, "Garlic Bread"), what="the queued batch")
            wait_until(
                lambda: PosConnection.objects.get(pk=connection.pk).state == "connected",
                what="the connection state saved",
            )
            assert PosConnection.objects.get(pk=connection.pk).last_error == ""
    # The message log keeps what went wrong.
    assert PosMessage.objects.filter(connection=connection, kind="connection").exists()
