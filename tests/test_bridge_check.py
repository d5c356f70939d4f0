"""`manage.py run_pos_bridge --check`: each POS connection's state, lease and outbox, and a
non-zero exit when a diner's order would be stuck."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ordering.models import Batch
from pos_bridge.models import PosConnection
from tables.models import Location, Table
from tests.phones import Phone


def check(*args: str) -> str:
    out = StringIO()
    call_command("run_pos_bridge", "--check", *args, stdout=out)
    return out.getvalue()


def check_fails(*args: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError, match="problem") as failed:
        call_command("run_pos_bridge", "--check", *args, stdout=out)
    assert failed.value.returncode == 1
    return out.getvalue()


def held(connection: PosConnection, *, state: str = "connected", lease_left: float = 10) -> None:
    connection.state = state
    connection.held_by = "bridge-host:4242:ab12"
    connection.lease_until = timezone.now() + timedelta(seconds=lease_left)
    connection.save()


def waiting_batch(table: Table, age: float) -> Batch:
    """A diner sends an order nobody passes on; it was sent `age` seconds ago."""
    phone = Phone()
    phone.scan(table)
    phone.add("Corona", variant="PINT")
    phone.send()
    batch = Batch.objects.get(session=phone.session)
    Batch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(seconds=age))
    return batch


@pytest.mark.django_db
def test_a_connected_held_connection_with_an_empty_outbox_is_ok(dining_room: Location):
    held(dining_room.pos_connection)

    output = check()

    assert "demo: ws://127.0.0.1:9" in output
    assert "state: connected; held by bridge-host:4242:ab12, lease until " in output
    assert "outbox: 0 pending, 0 sent" in output
    assert "PROBLEM" not in output


@pytest.mark.django_db
def test_a_connection_that_is_not_connected_fails_the_check(dining_room: Location):
    held(dining_room.pos_connection, state="reconnecting")

    assert "PROBLEM: not connected (reconnecting)" in check_fails()


@pytest.mark.django_db
def test_a_connection_whose_lease_ran_out_fails_the_check(dining_room: Location):
    held(dining_room.pos_connection, lease_left=-5)

    assert "PROBLEM: no bridge worker holds a live lease on it" in check_fails()


@pytest.mark.django_db
def test_a_disabled_connection_is_reported_but_is_no_problem(dining_room: Location):
    PosConnection.objects.filter(pk=dining_room.pos_connection.pk).update(is_enabled=False)

    assert "demo: ws://127.0.0.1:9 (disabled)" in check()


@pytest.mark.django_db
def test_a_batch_waiting_longer_than_max_wait_fails_the_check(
    dining_room: Location, table_10: Table
):
    held(dining_room.pos_connection)
    waiting_batch(table_10, age=90)

    output = check_fails()

    assert "outbox: 1 pending, 0 sent, oldest waiting 90 s" in output
    assert "PROBLEM: a batch has waited 90 s (more than 60 s)" in output
    assert "PROBLEM" not in check("--max-wait", "120")


@pytest.mark.django_db
def test_a_young_waiting_batch_is_no_problem(dining_room: Location, table_10: Table):
    held(dining_room.pos_connection)
    waiting_batch(table_10, age=5)

    assert "outbox: 1 pending, 0 sent, oldest waiting 5 s" in check()


def test_a_running_bridge_connected_to_its_pos_passes_the_check(restaurant: Location, bridge):
    deadline = time.monotonic() + 15
    while True:
        connection = PosConnection.objects.get(location=restaurant)
        if connection.state == "connected" or time.monotonic() > deadline:
            break
        time.sleep(0.05)

    output = check()

    assert f"held by {bridge.worker}" in output
    assert "state: connected" in output
