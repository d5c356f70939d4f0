"""The live check: the POS's snapshot and every change reach every phone at the table."""

from __future__ import annotations

import asyncio
import re

import pytest
from asgiref.sync import sync_to_async

from ordering.models import Batch, TableCheck
from pos_bridge.simulator import running_simulator
from tables.models import Table, TableSession
from tests.live_table import LivePhone, bridge_on_this_loop, eventually, seated
from tests.restaurant import make_restaurant

pytestmark = pytest.mark.django_db(transaction=True)

GARLIC_BREAD = "5e132381-8723-4f38-9483-6265bced2f96"
CORONA = "401"
PINT = "07c8fd3e-6331-4646-99b2-b4ef3486fb19"


async def table(restaurant, number: str) -> Table:
    return await Table.objects.aget(location=restaurant, pos_table_id=number)


def line_ids(pos, number: str) -> dict[str, str]:
    return {p.name: p.line_id for p in pos.order(number).products}


async def test_waiter_lines_added_before_anyone_scanned_are_on_the_first_check():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD, "quantity": 2}])
        async with bridge_on_this_loop():
            phone = await seated(restaurant)
            html = await phone.push_containing("Garlic Bread")
            assert "2 × Garlic Bread" in html and "Added by staff" in html
            assert "£10.00" in html
        await phone.hang_up()


async def test_a_batch_from_one_phone_appears_on_the_other_with_whose_it_is():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            anna, ben = await seated(restaurant), await seated(restaurant)
            await ben.push_containing("Nothing on your table")
            await anna.call("add", "Corona", variant="PINT", quantity=2)
            await anna.call("send")
            ben_sees = await ben.push_containing("Someone at your table ordered 2 × Corona")
            assert "Ordered by another diner" in ben_sees
            anna_sees = await anna.push_containing("Your order is in: 2 × Corona")
            assert "Ordered by you" in anna_sees
        await anna.hang_up()
        await ben.hang_up()


async def test_every_kind_of_pos_change_reaches_both_phones_with_a_note():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            anna, ben = await seated(restaurant), await seated(restaurant)
            await anna.call("add", "T-Bone Steak", choices=["Medium"])
            await anna.call("add", "Corona", variant="PINT", quantity=2)
            await anna.call("send")
            await ben.push_containing("Someone at your table ordered")
            await anna.push_containing("Your order is in")

            await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD, "quantity": 1}])
            for phone in (anna, ben):
                await phone.push_containing("A waiter added Garlic Bread")

            ids = line_ids(pos, "10")
            await asyncio.to_thread(pos.cancel_lines, "10", [ids["T-Bone Steak"]])
            await anna.push_containing("Staff cancelled your T-Bone Steak")
            await ben.push_containing("Staff cancelled T-Bone Steak")

            await asyncio.to_thread(pos.deliver_lines, "10", [ids["Corona"]])
            for phone in (anna, ben):
                html = await phone.push_containing("2 × Corona delivered")
                assert "Delivered" in html

            await asyncio.to_thread(pos.apply_discount, "10", "Birthday 10%", percent=10)
            for phone in (anna, ben):
                await phone.push_containing("Birthday 10% applied")

            await asyncio.to_thread(pos.remove_lines, "10", [ids["Garlic Bread"]])
            for phone in (anna, ben):
                html = await phone.push_containing("Garlic Bread taken off the bill")
                # Still shown, struck through, rather than silently gone.
                removed = re.search(r'class="check-line status-removed">(.*?)</li>', html, re.S)
                assert removed and "Garlic Bread" in removed.group(1)
                assert "Removed from the bill" in removed.group(1)

            await asyncio.to_thread(pos.close_order, "10")
            for phone in (anna, ben):
                html = await phone.push_containing("Your table&#x27;s bill is closed")
                assert "nothing more can be sent" in html

            old = await TableSession.objects.aget(pk=anna.phone.session.pk)
            assert not old.is_open
            refused = await anna.call("send")
            assert refused.status_code == 410
            again = LivePhone()
            await again.scan(await table(restaurant, "10"))
            assert again.phone.session.pk != old.pk
            assert await again.connect()
            await again.push_containing("Nothing on your table")
            await again.hang_up()
        await anna.hang_up()
        await ben.hang_up()


async def test_a_phone_that_was_away_gets_the_current_check_not_a_replay():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            phone = await seated(restaurant)
            await phone.push_containing("Nothing on your table")
            await phone.hang_up()  # the screen locks
            await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD, "quantity": 1}])
            await asyncio.to_thread(
                pos.add_items, "10", [{"plu": CORONA, "variant": PINT, "quantity": 1}]
            )
            session = phone.phone.session
            await eventually(
                lambda: TableCheck.objects.get(session=session).version >= 2,
                what="the bridge to apply both pushes",
            )
            assert await phone.connect()
            first = await phone.next_push()
            assert "Garlic Bread" in first and "Corona" in first
            assert "notice-toast" not in first  # the present, not a replay of what was missed
            assert await phone.nothing_more()
        await phone.hang_up()


async def test_a_table_the_pos_does_not_know_gets_a_clear_message():
    with running_simulator(tables={"1", "2"}) as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            phone = await seated(restaurant, "10")
            html = await phone.push_containing("couldn't get your table's bill")
            assert "ask a member of staff" in html
        await phone.hang_up()


async def test_without_snapshot_support_the_check_is_built_from_the_tables_batches():
    with running_simulator(snapshots_supported=False) as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            phone = await seated(restaurant)
            await phone.push_containing("Changes made by staff are not shown")
            await phone.call("add", "Garlic Bread", quantity=2)
            await phone.call("send")
            await eventually(
                lambda: Batch.objects.filter(state="accepted").exists(), what="acceptance"
            )
            page = await phone.call("get", "bill/")
            html = page.content.decode()
            assert "2 × Garlic Bread" in html and "£10.00" in html
            assert "Changes made by staff are not shown" in html
        await phone.hang_up()


async def test_a_diner_at_table_9_cannot_listen_to_table_10():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        at_10 = LivePhone()
        await at_10.scan(await table(restaurant, "10"))
        at_9 = LivePhone()
        await at_9.scan(await table(restaurant, "9"))
        assert not await at_9.connect(path=f"/ws/s/{at_10.phone.session.public_id}/")
        assert at_9.closed_with == 4403  # a code htmx's ws extension does not retry
        stranger = LivePhone()
        stranger.phone.session = at_10.phone.session
        assert not await stranger.connect()  # no phone cookie at all
        assert stranger.closed_with == 4403


async def test_a_socket_from_another_site_is_refused():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        phone = LivePhone()
        await phone.scan(await table(restaurant, "10"))
        from channels.testing import WebsocketCommunicator

        from openapp_site.asgi import application
        from tables.diners import PHONE_COOKIE

        cookie = phone.phone.client.cookies[PHONE_COOKIE].value
        socket = WebsocketCommunicator(
            application,
            f"/ws/s/{phone.phone.session.public_id}/",
            headers=[
                (b"origin", b"https://evil.example"),
                (b"cookie", f"{PHONE_COOKIE}={cookie}".encode()),
            ],
        )
        connected, _ = await socket.connect(timeout=5)
        assert not connected


def test_the_bill_page_asks_the_pos_for_a_fresh_snapshot(transactional_db):
    restaurant = make_restaurant("ws://127.0.0.1:9")
    from tests.phones import Phone

    phone = Phone()
    phone.scan(Table.objects.get(location=restaurant, pos_table_id="10"))
    TableCheck.objects.update(refresh_wanted_at=None)
    page = phone.get("bill/")
    assert page.status_code == 200
    assert re.search(r"Your table.*s bill", page.content.decode())
    assert TableCheck.objects.get(session=phone.session).refresh_wanted_at is not None


async def test_pages_other_than_the_bill_get_the_total_and_notes_but_not_the_whole_check():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            phone = LivePhone()
            await phone.scan(await table(restaurant, "10"))
            assert await phone.connect(bill_page=False)
            session = phone.phone.session
            await eventually(
                lambda: TableCheck.objects.filter(
                    session=session, refreshed_at__isnull=False
                ).exists(),
                what="the first snapshot",
            )
            await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD, "quantity": 1}])
            html = await phone.push_containing("A waiter added Garlic Bread")
            assert 'id="bill-link"' in html and "£" in html
            assert 'id="live-check"' not in html
        await phone.hang_up()


async def test_a_product_switched_off_shows_as_unavailable_on_an_open_menu_at_once():
    from ordering.models import Product

    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        phone = LivePhone()
        await phone.scan(await table(restaurant, "10"))
        assert await phone.connect(path=f"/ws/s/{phone.phone.session.public_id}/?page=menu")
        await phone.next_push()  # the state on connect

        def switch_off() -> int:
            bread = Product.objects.get(location=restaurant, name="Garlic Bread")
            bread.is_available = False
            bread.save()
            return bread.pk

        product_id = await sync_to_async(switch_off)()
        html = await phone.push_containing(f'id="product-{product_id}"')
        assert "is-unavailable" in html and "Not available" in html
        assert "Sorry, Garlic Bread is no longer available" in html
        refused = await phone.call("add", "Garlic Bread")
        assert "not available right now" in refused.content.decode()
        await phone.hang_up()


async def test_a_product_the_pos_says_is_sold_out_is_no_longer_offered():
    from ordering.models import Product

    with running_simulator(stock={GARLIC_BREAD: 0}) as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            phone = LivePhone()
            await phone.scan(await table(restaurant, "10"))
            assert await phone.connect(path=f"/ws/s/{phone.phone.session.public_id}/?page=menu")
            await phone.call("add", "Garlic Bread")
            await phone.call("send")
            await phone.push_containing("Sorry, Garlic Bread is no longer available")
            bread = await Product.objects.aget(location=restaurant, name="Garlic Bread")
            assert not bread.is_available
            assert "Sold out" in (await phone.call("basket_text"))
        await phone.hang_up()


async def test_a_closed_sessions_socket_is_refused():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        phone = LivePhone()
        await phone.scan(await table(restaurant, "10"))
        await sync_to_async(phone.phone.session.close)()
        assert not await phone.connect()
        assert phone.closed_with == 4403
