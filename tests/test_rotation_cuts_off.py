"""Rotating a table's QR code ends the access of every phone that joined through the old
code, at once and on its open pages; nothing it sent is lost, and scanning the new code
joins the same open session again."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from ordering.models import BasketLine, Batch
from tables.models import Table
from tests.live_table import LivePhone
from tests.phones import Phone
from tests.restaurant import make_restaurant
from tests.test_admin_people import logged_in, person

SCAN_AGAIN = "Scan the code on your table again"


def rotate(table: Table) -> None:
    Table.objects.get(pk=table.pk).rotate_token()


def test_a_phone_that_joined_through_the_old_code_is_told_to_scan_again(phone, table_10):
    phone.add("Garlic Bread")
    phone.send()
    phone.add("Creamy Pasta", quantity=2)
    rotate(table_10)

    for page in ["", "basket/", "bill/", f"products/{BasketLine.objects.first().product_id}/"]:
        response = phone.get(page)
        assert response.status_code == 403, page
        assert SCAN_AGAIN in response.content.decode()
    line = BasketLine.objects.get(batch=None)
    assert phone.post(f"basket/{line.pk}/quantity", {"quantity": 5}).status_code == 403
    assert phone.send().status_code == 403
    partial = phone.post("basket/send", HTTP_HX_REQUEST="true")
    assert partial.status_code == 204 and partial["HX-Refresh"] == "true"
    # Nothing it had sent or picked is lost.
    assert Batch.objects.count() == 1
    assert BasketLine.objects.get(batch=None).quantity == 2


def test_scanning_the_new_code_joins_the_same_session_with_the_basket_kept(phone, table_10):
    phone.add("Creamy Pasta", quantity=2)
    session, diner = phone.session, phone.diner
    rotate(table_10)
    assert phone.scan(table_10).status_code == 404  # the old code is gone (the Table is stale)

    table_10.refresh_from_db()
    assert phone.scan(table_10).status_code == 302
    assert phone.session == session and phone.diner == diner
    assert phone.get("").status_code == 200
    assert "Creamy Pasta" in phone.basket_text()
    newcomer = Phone()
    newcomer.scan(table_10)
    assert newcomer.session == session


def test_rotating_another_table_leaves_this_one_alone(phone, dining_room):
    rotate(dining_room.tables.get(pos_table_id="11"))
    assert phone.get("").status_code == 200


def test_rotating_from_the_admin_cuts_off_too(phone, table_10, dining_room):
    manager = logged_in(person("morgan", "Managers", dining_room))
    done = manager.post(f"/admin/tables/table/{table_10.pk}/rotate-qr-code/")
    assert done.status_code == 302
    assert SCAN_AGAIN in phone.get("").content.decode()


@pytest.mark.django_db(transaction=True)
async def test_open_sockets_are_told_live_and_closed_and_new_phones_stay():
    restaurant = await sync_to_async(make_restaurant)("ws://127.0.0.1:9")
    table = await sync_to_async(Table.objects.get)(location=restaurant, pos_table_id="10")
    old = LivePhone()
    await old.scan(table)
    assert await old.connect(bill_page=False)
    await old.next_push()  # the state on connect

    await sync_to_async(rotate)(table)
    await sync_to_async(table.refresh_from_db)()
    pushed = await old.next_push()
    assert SCAN_AGAIN in pushed and 'hx-swap-oob="true"' in pushed
    closed = await old.socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4403}
    await old.hang_up()
    assert not await old.connect()  # and it cannot come back on the old code
    assert old.closed_with == 4403

    new = LivePhone()
    await new.scan(table)
    assert await new.connect(bill_page=False)
    await new.next_push()
    await sync_to_async(old.phone.scan)(table)  # the old phone scans the new code
    assert await old.connect(bill_page=False)
    await old.hang_up()
    await sync_to_async(rotate)(table)
    assert SCAN_AGAIN in await new.next_push()
    await new.hang_up()
