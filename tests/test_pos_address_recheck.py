"""An address written past the admin (a shell, a fixture, a setting changed since) is
checked again by the bridge before it connects: a plain ws:// address on another machine
gets neither a connection nor the token, and managers see why on the connection."""

from __future__ import annotations

import socket

import pytest
from django.test import override_settings

from pos_bridge.models import PosConnection
from tables.models import Table
from tests.bridge_runner import running_bridge, wait_until
from tests.phones import Phone
from tests.restaurant import make_restaurant
from tests.scripted_pos import scripted_pos

TOKEN = "s3cret-till-token"


def this_machines_network_address() -> str | None:
    """The address this machine is reached at from others (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.fixture
def remote_pos():
    address = this_machines_network_address()
    if address is None:
        pytest.skip("this machine has no non-loopback network address to listen on")
    with scripted_pos(host=address) as pos:
        yield pos


@pytest.fixture
def location(transactional_db, remote_pos):
    location = make_restaurant(remote_pos.url)
    # Saved without the admin's validation, as a shell or a fixture would.
    PosConnection.objects.filter(location=location).update(token=TOKEN)
    return location


def scan(location) -> None:
    Phone().scan(Table.objects.get(location=location, pos_table_id="10"))


@override_settings(DEBUG=False, POS_ALLOW_PLAIN_WS=False)
def test_plain_ws_to_another_machine_is_not_dialled_and_the_manager_is_told(location, remote_pos):
    with running_bridge() as bridge:
        scan(location)
        connection = wait_until(
            lambda: PosConnection.objects.filter(location=location, state="bad address").first(),
            what="the connection marked as a bad address",
        )
        assert not bridge.clients
    assert "wss://" in connection.last_error
    assert remote_pos.handshake_headers == []  # nothing reached it, the token least of all


@override_settings(DEBUG=False, POS_ALLOW_PLAIN_WS=True)
def test_the_same_address_is_used_when_plain_ws_is_allowed(location, remote_pos):
    with running_bridge():
        scan(location)
        wait_until(lambda: remote_pos.received(30), what="the snapshot request")
    assert remote_pos.handshake_headers[0]["Authorization"] == f"Bearer {TOKEN}"
    connection = PosConnection.objects.get(location=location)
    assert connection.state != "bad address"
