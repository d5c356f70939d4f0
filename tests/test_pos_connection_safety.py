"""A POS connection's credentials stay with the POS that gave them: moving the address to
another host, scheme or port removes the token (and says so), the address must be a
WebSocket one (wss:// unless the POS is on this machine), and only the location's managers
may change it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from pos_bridge.models import PosConnection
from tables.models import Location
from tests.test_admin_pages import token_form
from tests.test_admin_people import logged_in, person, second_location

pytestmark = pytest.mark.django_db

SECRET = "pos-secret-7f3a9c1e"


@pytest.fixture
def manager(dining_room: Location) -> Client:
    return logged_in(person("morgan", "Managers", dining_room))


@pytest.fixture
def connection(dining_room: Location) -> PosConnection:
    connection = PosConnection.objects.get(location=dining_room)
    connection.url = "wss://till.example:9443/pos"
    connection.token = SECRET
    connection.save()
    return connection


def change_url(connection: PosConnection) -> str:
    return f"/admin/pos_bridge/posconnection/{connection.pk}/change/"


@pytest.mark.parametrize(
    "new_url",
    [
        "wss://evil.example:9443/pos",  # another host
        "ws://till.example:9443/pos",  # another scheme
        "wss://till.example:9444/pos",  # another port
        "wss://till.example/pos",  # another port (the default, 443)
    ],
)
@override_settings(POS_ALLOW_PLAIN_WS=True)
def test_moving_the_address_elsewhere_removes_the_token_and_says_so(manager, connection, new_url):
    response = manager.post(
        change_url(connection), token_form(connection, url=new_url), follow=True
    )
    assert response.status_code == 200
    assert "the saved access token was removed" in response.content.decode()
    connection.refresh_from_db()
    assert connection.url == new_url
    assert connection.token == ""


@pytest.mark.parametrize(
    "new_url", ["wss://TILL.example:9443/other-path", "wss://till.example:9443/pos?x=1"]
)
def test_the_same_pos_at_another_path_keeps_the_token(manager, connection, new_url):
    response = manager.post(
        change_url(connection), token_form(connection, url=new_url), follow=True
    )
    assert "token was removed" not in response.content.decode()
    connection.refresh_from_db()
    assert connection.url == new_url and connection.token == SECRET


def test_a_new_token_typed_with_the_new_address_is_kept(manager, connection):
    form = token_form(connection, url="wss://new-till.example/pos", new_token="new-secret")
    response = manager.post(change_url(connection), form, follow=True)
    assert "token was removed" not in response.content.decode()
    connection.refresh_from_db()
    assert connection.token == "new-secret"


@pytest.mark.parametrize(
    "bad_url", ["http://till.example", "till.example:9443", "wss://", "ws://:80", "wss://x:99999"]
)
def test_the_address_must_be_a_websocket_url(manager, connection, bad_url):
    response = manager.post(change_url(connection), token_form(connection, url=bad_url))
    assert response.status_code == 200
    assert "ws://… or wss://…" in response.content.decode()
    connection.refresh_from_db()
    assert connection.url == "wss://till.example:9443/pos" and connection.token == SECRET


def test_plain_ws_to_another_machine_is_refused_outside_debug(manager, connection):
    response = manager.post(change_url(connection), token_form(connection, url="ws://till.example"))
    assert "Use wss://" in response.content.decode()
    connection.refresh_from_db()
    assert connection.url == "wss://till.example:9443/pos"


@pytest.mark.parametrize(
    "loopback", ["ws://127.0.0.1:8765", "ws://localhost:8765", "ws://[::1]:8765", "ws://127.1.2.3"]
)
def test_plain_ws_to_this_machine_is_fine(manager, connection, loopback):
    assert (
        manager.post(change_url(connection), token_form(connection, url=loopback)).status_code
        == 302
    )


@override_settings(POS_ALLOW_PLAIN_WS=True)
def test_a_setting_allows_plain_ws(manager, connection):
    response = manager.post(change_url(connection), token_form(connection, url="ws://till.lan"))
    assert response.status_code == 302


@override_settings(DEBUG=True)
def test_debug_allows_plain_ws(manager, connection):
    response = manager.post(change_url(connection), token_form(connection, url="ws://till.lan"))
    assert response.status_code == 302


def test_only_the_locations_managers_may_change_it(dining_room, connection):
    other = second_location()
    elsewhere = logged_in(person("avery", "Managers", other))
    staff = logged_in(person("sam", "Staff", dining_room))
    form = token_form(connection, url="wss://evil.example/")
    assert elsewhere.post(change_url(connection), form).status_code == 404
    assert staff.post(change_url(connection), form).status_code == 403
    connection.refresh_from_db()
    assert connection.url == "wss://till.example:9443/pos" and connection.token == SECRET


def test_a_connection_cannot_be_moved_to_another_location(dining_room, connection):
    other = second_location()
    both = logged_in(person("blair", "Managers", dining_room, other))
    form = token_form(connection, location=str(other.pk))
    both.post(change_url(connection), form)
    connection.refresh_from_db()
    assert connection.location_id == dining_room.pk and connection.token == SECRET


def test_a_superuser_sees_the_same_rules(dining_room, connection):
    root = logged_in(User.objects.create_superuser("root", password="x"))
    page = root.post(change_url(connection), token_form(connection, url="ws://till.example"))
    assert "Use wss://" in page.content.decode()
