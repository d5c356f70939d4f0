""" "Your share", end to end against the POS simulator: opening it asks the till afresh,
and each diner's share and the even split add up to the till's amount owing."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from pos_bridge.simulator import running_simulator
from tables.models import Table
from tests.live_table import LivePhone, bridge_on_this_loop
from tests.phones import Phone
from tests.restaurant import make_restaurant

GARLIC_BREAD = "5e132381-8723-4f38-9483-6265bced2f96"


def pounds(html: str, label: str) -> list[Decimal]:
    found = re.findall(rf"<dt>{label}</dt><dd>(−?)£([\d,]+\.\d\d)</dd>", html)
    return [Decimal(("-" if sign else "") + value.replace(",", "")) for sign, value in found]


async def seated(restaurant, page: str = "bill") -> LivePhone:
    phone = LivePhone()
    await phone.scan(await Table.objects.aget(location=restaurant, pos_table_id="10"))
    return phone


async def connect(phone: LivePhone, page: str) -> None:
    assert await phone.connect(f"/ws/s/{phone.phone.session.public_id}/?page={page}")


@pytest.mark.django_db(transaction=True)
async def test_each_share_and_the_even_split_add_up_to_what_the_till_says_is_owing():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            anna, ben = await seated(restaurant), await seated(restaurant)
            await connect(anna, "bill")
            await connect(ben, "bill")
            await anna.call("post", "name", {"name": "Anna"})
            await anna.call("add", "Corona", variant="PINT", quantity=2)
            await anna.call("send")
            await ben.push_containing("Ordered by Anna")
            await ben.call("add", "T-Bone Steak", choices=["Medium", "Side Salad"])
            await ben.call("send")
            await anna.push_containing("Someone at your table ordered")
            await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD, "quantity": 1}])
            await anna.push_containing("A waiter added Garlic Bread")
            await asyncio.to_thread(pos.apply_discount, "10", "Birthday 10%", percent=10)
            await anna.push_containing("Birthday 10% applied")
            await ben.hang_up()
            await connect(ben, "share")  # Ben watches his share page
            await ben.push_containing('id="share"')  # what it shows on connecting

            response = await asyncio.to_thread(anna.phone.get, "bill/share/")
            html = response.content.decode()
            owing = (await asyncio.to_thread(pos.order, "10")).amount_owing

            assert response.status_code == 200
            assert re.search(r"As the till gave it at \d\d:\d\d\.", html)
            assert f'<strong id="share-owing">£{owing:.2f}</strong>' in html
            assert "You (Anna)" in html and "Another diner" in html
            assert "The table's — added by staff, shared evenly" in html
            shares = pounds(html, "Would pay")
            assert len(shares) == 2 and sum(shares) == owing
            assert sum(pounds(html, "Part of the discounts and adjustments")) < 0
            assert sum(pounds(html, "Part of the table's items")) == Decimal("5.00")
            even = pounds(html, "You") + pounds(html, "Another diner")
            assert sum(even) == owing and max(even) - min(even) <= Decimal("0.01")

            # A change at the till reaches the share page at once, with the new figures.
            await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD, "quantity": 1}])
            now_owing = (await asyncio.to_thread(pos.order, "10")).amount_owing
            assert now_owing > owing
            pushed = await ben.push_containing(
                f'<strong id="share-owing">£{now_owing:.2f}</strong>'
            )
            assert re.search(r"As the till gave it at \d\d:\d\d\.", pushed), pushed
            assert sum(pounds(pushed, "Would pay")) == now_owing
            await anna.hang_up()
            await ben.hang_up()


@pytest.mark.django_db
def test_when_the_till_cannot_be_asked_the_share_page_says_so(table_10, settings):
    settings.SHARE_FRESH_WAIT_SECONDS = 0.2  # no bridge runs in this test
    phone = Phone()
    phone.scan(table_10)
    html = phone.get("bill/share/").content.decode()
    assert "The till could not be asked just now" in html
    assert "Nothing on your table's bill yet." in html


@pytest.mark.django_db
def test_the_share_page_is_only_for_the_tables_diners(table_10):
    phone, stranger = Phone(), Phone()
    phone.scan(table_10)
    stranger.session = phone.session
    assert stranger.get("bill/share/").status_code == 403
