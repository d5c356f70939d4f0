"""The floor page: every table of a location as its staff see it, live over a WebSocket,
and a table's visit. Scoped like the rest of the admin."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from ordering import batches, checks, live
from ordering.checks import CheckLine, CheckState
from ordering.models import Batch, BatchLine, BatchState
from ordering.reasons import Reason
from tables.models import Location, Table
from tests.test_admin_people import logged_in, person, second_location


def floor_url(location: Location) -> str:
    return f"/admin/tables/location/{location.pk}/floor/"


def row_of(page: str, table: Table) -> str:
    return page.split(f'id="floor-table-{table.pk}"')[1].split("</tr>")[0]


def a_visit(table: Table, diners: int = 2) -> tuple:
    session = table.open_session()
    people = [session.join(f"phone-{table.pk}-{n}")[0] for n in range(diners)]
    return session, people


def a_batch(session, diner, state=BatchState.PENDING, **fields) -> Batch:
    batch = Batch.objects.create(
        session=session, diner=diner, use_pos_prices=True, state=state, **fields
    )
    BatchLine.objects.create(
        batch=batch, plu="401", name="Corona", variant_name="Pint", quantity=2, unit_price=5
    )
    return batch


def a_check(session, amount: str = "23.50") -> None:
    state = CheckState(
        currency="GBP",
        lines=[CheckLine(line_id="1", name="T-Bone Steak", quantity=1, total=Decimal(amount))],
        amount=Decimal(amount),
        amount_owing=Decimal(amount),
        order_number="77",
    )
    checks.apply_snapshot(session.pk, 3, state)


@pytest.mark.django_db
def test_staff_see_every_table_free_or_open_with_diners_bill_and_batches(dining_room, table_10):
    session, (anna, _ben) = a_visit(table_10)
    a_check(session)
    a_batch(session, anna, BatchState.ACCEPTED, result_code=0)
    a_batch(
        session,
        anna,
        BatchState.REJECTED,
        result_code=6,
        rejection_reason=Reason.INSUFFICIENT_STOCK,
        error_message="Only 1 Corona left",
    )
    client = logged_in(person("sam", "Staff", dining_room))
    page = client.get(floor_url(dining_room)).content.decode()
    row = row_of(page, table_10)
    assert "Visit open since" in row and "2 diners" in row and "£23.50" in row
    assert "Turned down" in row
    assert "ResultCode 6: insufficient stock — the POS said: Only 1 Corona left" in row
    assert "Free" in row_of(page, dining_room.tables.get(pos_table_id="3"))
    assert page.count('class="floor-row') == 20
    assert f'data-socket="/ws/floor/{dining_room.pk}/"' in page


@pytest.mark.django_db
def test_queued_failed_and_unconfirmed_batches_stand_out_with_the_reason(dining_room, table_10):
    session, (anna,) = a_visit(table_10, 1)
    a_batch(session, anna)
    a_batch(session, anna, BatchState.FAILED, rejection_reason=Reason.UNREACHABLE)
    a_batch(session, anna, BatchState.UNCONFIRMED, rejection_reason=Reason.UNCONFIRMED, attempts=3)
    page = logged_in(person("sam", "Staff", dining_room)).get(floor_url(dining_room))
    row = row_of(page.content.decode(), table_10)
    assert "floor-attention" in page.content.decode()
    assert "Queued: not sent to the POS yet" in row
    assert "Never reached the POS: pos unreachable" in row
    assert "Sent, never answered: ask the POS whether it holds this order" in row


@pytest.mark.django_db
def test_the_floor_of_another_location_is_a_404_and_without_the_right_a_403(dining_room):
    harbour = second_location()
    morgan = logged_in(person("morgan", "Managers", harbour))
    assert morgan.get(floor_url(dining_room)).status_code == 404
    assert morgan.get(floor_url(harbour)).status_code == 200
    table = dining_room.tables.first()
    assert morgan.get(f"{floor_url(dining_room)}{table.pk}/").status_code == 404
    # A table of another location through one's own location's floor: not there either.
    assert morgan.get(f"{floor_url(harbour)}{table.pk}/").status_code == 404
    nobody = logged_in(person("pat", None, dining_room))
    assert nobody.get(floor_url(dining_room)).status_code == 403
    assert Client().get(floor_url(dining_room)).status_code == 302  # to the login page


@pytest.mark.django_db
def test_clicking_a_table_shows_its_visit_diners_batches_answers_and_bill(dining_room, table_10):
    session, (anna, _ben) = a_visit(table_10)
    a_check(session, "31.00")
    accepted = a_batch(session, anna, BatchState.ACCEPTED, result_code=0)
    a_batch(
        session,
        anna,
        BatchState.REJECTED,
        result_code=6,
        rejection_reason=Reason.OUT_OF_STOCK,
        error_message="no more Corona",
    )
    client = logged_in(person("sam", "Staff", dining_room))
    floor = client.get(floor_url(dining_room)).content.decode()
    visit_url = f"{floor_url(dining_room)}{table_10.pk}/"
    assert f'href="{visit_url}"' in floor
    page = client.get(visit_url).content.decode()
    assert "Diner 1, joined" in page and "Diner 2, joined" in page
    assert "ResultCode 0: accepted" in page
    assert "ResultCode 6: out of stock — the POS said: no more Corona" in page
    assert str(accepted.request_id) in page and "2 × Corona (Pint)" in page
    assert "£31.00" in page and "T-Bone Steak" in page and "order 77" in page


@pytest.mark.django_db
def test_the_location_page_links_to_its_floor(dining_room):
    client = logged_in(person("sam", "Staff", dining_room))
    page = client.get(f"/admin/tables/location/{dining_room.pk}/change/").content.decode()
    assert f'href="{floor_url(dining_room)}"' in page


# The socket. Transactional tests empty the groups the migrations made: permissions direct.


def floor_person(username: str, location: Location):
    from django.contrib.auth.models import Permission

    user = person(username, None, location)
    user.user_permissions.add(
        Permission.objects.get(codename="view_batch"),
        Permission.objects.get(codename="view_tablesession"),
    )
    return user


async def floor_socket(user, location: Location) -> WebsocketCommunicator:
    from openapp_site.asgi import application

    client = await sync_to_async(logged_in)(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return WebsocketCommunicator(
        application,
        f"/ws/floor/{location.pk}/",
        headers=[
            (b"cookie", cookie.encode()),
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
        ],
    )


@pytest.mark.django_db(transaction=True)
async def test_the_floor_socket_sends_every_table_then_each_change_as_it_happens(dining_room):
    table = await Table.objects.aget(location=dining_room, pos_table_id="10")
    sam = await sync_to_async(floor_person)("sam", dining_room)
    socket = await floor_socket(sam, dining_room)
    connected, _ = await socket.connect()
    assert connected
    first = await socket.receive_from()
    assert first.count('<tr id="floor-table-') == 20

    session, (anna,) = await sync_to_async(a_visit)(table, 1)
    batch = await sync_to_async(a_batch)(session, anna)
    await sync_to_async(batches.record_failed)(batch.pk, Reason.UNREACHABLE)
    update = await socket.receive_from()
    assert update.startswith(f'<tr id="floor-table-{table.pk}"') and update.count("<tr") == 1
    assert "Not sent" in update and "Never reached the POS" in update

    # The POS's check changes as the bridge hands it over (ordering.live).
    state = CheckState(currency="GBP", amount=Decimal("12.00"), amount_owing=Decimal("12.00"))
    await sync_to_async(live.snapshot_arrived)(session.pk, 4, state)
    assert "£12.00" in await socket.receive_from()
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_floor_socket_refuses_other_locations_and_strangers(dining_room):
    harbour = await sync_to_async(second_location)()
    morgan = await sync_to_async(floor_person)("morgan", harbour)
    pat = await sync_to_async(person)("pat", None, dining_room)
    from openapp_site.asgi import application

    anonymous = WebsocketCommunicator(
        application,
        f"/ws/floor/{dining_room.pk}/",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    for socket in (
        await floor_socket(morgan, dining_room),
        await floor_socket(pat, dining_room),
        anonymous,
    ):
        # Accepted, then closed with 4403 and nothing sent, so the page says why and stops
        # (refused in the handshake, the browser would see 1006 and reconnect).
        connected, _ = await socket.connect()
        assert connected
        assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


def test_floor_updates_carry_data_not_html(dining_room, table_10, monkeypatch):
    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message))

    monkeypatch.setattr("ordering.floor.get_channel_layer", lambda: Layer())
    session, (anna,) = a_visit(table_10, 1)
    a_batch(session, anna)
    from ordering.floor import table_changed

    table_changed(session_id=session.pk)
    group, message = sent[-1]
    assert group == f"floor.{dining_room.pk}" and message["type"] == "floor.update"
    json.dumps(message)  # plain data, as a channel layer carries it
    assert "<" not in json.dumps(message)
    assert message["table_ids"] == [table_10.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("floor_fails", [False, True])
def test_a_push_tells_the_floor_in_the_same_trip_and_a_floor_failure_spares_the_table(
    dining_room, table_10, monkeypatch, floor_fails
):
    sent = []

    class Layer:
        async def group_send(self, group, message):
            if floor_fails and group.startswith("floor."):
                raise ConnectionError("the floor's send failed")
            sent.append((group, message["type"]))

    monkeypatch.setattr("ordering.live.get_channel_layer", lambda: Layer())
    session, _ = a_visit(table_10, 2)
    a_check(session)
    state = CheckState(currency="GBP", amount=Decimal("1.00"), amount_owing=Decimal("1.00"))

    assert live.change_arrived(
        dining_room.pk, table_10.pos_table_id, 99, "DISCOUNT_APPLIED", [], state
    )

    table = (live.group_for(session), "check.update")
    floor = (f"floor.{dining_room.pk}", "floor.update")
    assert sorted(sent) == ([table] if floor_fails else sorted([table, floor]))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_the_check", [True, False])
def test_an_accepted_batch_tells_the_floor_once(dining_room, table_10, monkeypatch, with_the_check):
    """With the check the POS answered with (the floor hears of both in the check's own
    trip), or without one (it still hears of the batch)."""
    from pos_bridge import outbox
    from tests.test_duplicate_pushes import push

    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message["type"]))

    monkeypatch.setattr("ordering.live.get_channel_layer", lambda: Layer())
    monkeypatch.setattr("ordering.floor.get_channel_layer", lambda: Layer())
    session, (anna,) = a_visit(table_10, 1)
    a_check(session)
    batch = a_batch(session, anna, state=BatchState.SENT)
    batch = Batch.objects.select_related("session__table__location").get(pk=batch.pk)
    order = push(7, ["Garlic Bread"]).payload.order if with_the_check else None

    assert outbox._accepted(batch, 7, order, 1) is with_the_check

    assert Batch.objects.get(pk=batch.pk).state == BatchState.ACCEPTED
    floor = [group for group, kind in sent if kind == "floor.update"]
    assert floor == [f"floor.{dining_room.pk}"]
    assert (live.group_for(session), "check.update") in sent or not with_the_check
    assert (live.group_for(session), "batch.update") in sent  # the basket hears of it
