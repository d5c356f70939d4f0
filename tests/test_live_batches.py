"""A batch's outcome reaches the phone of the diner who sent it over the WebSocket, the
moment the bridge records it: no page asks the server again (no polling)."""

from __future__ import annotations

import asyncio
import re

import pytest
from asgiref.sync import sync_to_async

from ordering.models import Batch, BatchState
from pos_bridge.simulator import running_simulator
from tables.models import Table
from tests.live_table import LivePhone, bridge_on_this_loop, eventually
from tests.restaurant import make_restaurant

pytestmark = pytest.mark.django_db(transaction=True)

CORONA = "401"
SENDING = "Sending to the kitchen…"
ACCEPTED = "✓ Sent to the kitchen"
REJECTED = "The kitchen couldn't take this order"


async def on_the_basket_page(restaurant) -> LivePhone:
    phone = LivePhone()
    await phone.scan(await Table.objects.aget(location=restaurant, pos_table_id="10"))
    phone_path = f"/ws/s/{phone.phone.session.public_id}/?page=basket"
    assert await phone.connect(phone_path)
    await phone.next_push()  # the present, on connect
    return phone


def no_more_gets(phone: LivePhone) -> list[str]:
    """From now on the phone's GETs are recorded (there should be none)."""
    asked: list[str] = []

    def get(path: str = "", **params):
        asked.append(path)
        raise AssertionError(f"the phone asked the server for {path!r}")

    phone.phone.get = get
    return asked


async def basket_pushes(phone: LivePhone, until: str, timeout: float = 8) -> list[str]:
    """Every basket push until one says `until`."""
    pushes = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"no basket push said {until!r}: {pushes}"
        html = await phone.next_push(timeout=left)
        if 'id="basket"' in html or 'class="batch-head"' in html:
            pushes.append(html)
            if until in html:
                return pushes


async def test_an_accepted_batch_reaches_the_senders_basket_over_the_socket_without_a_get():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            anna = await on_the_basket_page(restaurant)
            ben = await on_the_basket_page(restaurant)
            await anna.call("add", "Corona", variant="PINT", quantity=2)
            asked = no_more_gets(anna)
            answer = (
                await anna.call("post", "basket/send", HTTP_HX_REQUEST="true")
            ).content.decode()
            assert "2 × Corona" in answer and SENDING in answer

            pushes = await basket_pushes(anna, ACCEPTED)
            assert asked == []
            # The Send's answer showed it sending; the yes is the batch's head alone (the
            # lines under it and the basket's count do not change).
            batch = await Batch.objects.aget()
            assert [" ".join(push.split()) for push in pushes] == [
                f'<div class="batch-head" id="batch-{batch.pk}-head" data-state="accepted" '
                f'hx-swap-oob="true"> <h2 class="batch-state"> {ACCEPTED} </h2> '
                f'<span id="batch-{batch.pk}-lines" hidden></span> </div>'
            ]
            # Ben sent nothing: his basket is not pushed, only the check's change.
            while not await ben.nothing_more(0.3):
                assert 'id="basket"' not in await ben.next_push()
        await anna.hang_up()
        await ben.hang_up()


async def test_an_acceptance_that_took_the_order_note_empties_the_note_field_on_the_basket():
    """The note went with the batch: once the POS took it, the basket (with a line added
    meanwhile) is pushed whole, its note field empty, so the note is not sent twice."""
    with running_simulator(answer_delay=1.0) as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            anna = await on_the_basket_page(restaurant)
            await anna.call("add", "Corona", variant="PINT", quantity=2)
            await anna.call("post", "basket/note", {"note": "Candles on the cake"})
            await anna.call("send")
            await anna.call("add", "Corona", variant="PINT", quantity=1)  # while on its way
            answered = await basket_pushes(anna, ACCEPTED)
            assert 'id="basket"' in answered[-1] and "2 × Corona" in answered[-1]
            note_field = re.search(
                r'<textarea id="order-note"[^>]*>([^<]*)</textarea>', answered[-1]
            )
            assert note_field is not None and note_field.group(1) == ""
            assert 'id="basket-count">1<' in answered[-1]
            batch = await Batch.objects.aget()
            assert batch.note == "Candles on the cake"
        await anna.hang_up()


async def test_a_rejection_arrives_with_its_reason_and_clears_once_fixed_and_resent():
    with running_simulator(stock={CORONA: 1}) as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            anna = await on_the_basket_page(restaurant)
            await anna.call("add", "Corona", variant="PINT", quantity=2)
            await anna.call("send")
            rejected = (await basket_pushes(anna, REJECTED))[-1]
            assert "Only 1 left" in rejected

            line = await eventually(
                lambda: anna.phone.diner.basket_lines.filter(batch__isnull=True).first(),
                what="the Corona back in the basket",
            )
            await anna.call("post", f"basket/{line.pk}/quantity", {"quantity": 1})
            asked = no_more_gets(anna)
            answer = (
                await anna.call("post", "basket/send", HTTP_HX_REQUEST="true")
            ).content.decode()
            # Sent again, the turn-down is history: only the new batch shows.
            assert REJECTED not in answer and "Only 1 left" not in answer
            assert answer.count('class="batch"') == 1 and SENDING in answer
            await basket_pushes(anna, ACCEPTED)
            assert asked == []
            states = await sync_to_async(
                lambda: sorted(Batch.objects.values_list("state", flat=True))
            )()
            assert states == [BatchState.ACCEPTED, BatchState.REJECTED]
        await anna.hang_up()


async def test_away_from_the_basket_a_rejection_brings_the_count_and_a_note():
    with running_simulator(stock={CORONA: 1}) as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        async with bridge_on_this_loop():
            anna = LivePhone()
            await anna.scan(await Table.objects.aget(location=restaurant, pos_table_id="10"))
            assert await anna.connect(bill_page=False)
            await anna.call("add", "Corona", variant="PINT", quantity=2)
            await anna.call("send")
            html = await anna.push_containing("see your basket")
            assert 'id="basket-count">2<' in html and 'id="basket"' not in html
        await anna.hang_up()
