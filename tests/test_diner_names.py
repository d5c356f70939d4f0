"""A diner may give a name ("What should we call you?"), skip it, or change it from the
bill; it is cleaned and limited like other diner input, and every phone at the table sees
it beside that diner's lines, live."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from pos_bridge.simulator import running_simulator
from tables.models import Diner, Table
from tests.live_table import LivePhone, bridge_on_this_loop
from tests.phones import Phone
from tests.restaurant import make_restaurant

PROMPT = "What should we call you?"


def test_a_first_visit_asks_for_a_name_until_it_is_given(phone):
    assert PROMPT in phone.get().content.decode()
    answer = phone.post("name", {"name": "  Sam\t ", "where": "prompt"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and PROMPT not in answer.content.decode()
    assert phone.diner.name == "Sam"
    assert PROMPT not in phone.get().content.decode()
    assert "You're Sam at this table" in phone.get("bill/").content.decode()


def test_skipping_stops_the_question_and_leaves_no_name(phone):
    response = phone.post("name", {"skip": "1", "where": "prompt"})
    assert response.status_code == 302
    assert (phone.diner.name, phone.diner.name_asked) == ("", True)
    assert PROMPT not in phone.get().content.decode()
    assert "Tell the table your name" in phone.get("bill/").content.decode()


def test_a_name_is_cleaned_and_a_long_one_refused_keeping_the_old(phone):
    phone.post("name", {"name": "Sam\u200b  Lee\n\x07"})
    assert phone.diner.name == "Sam Lee"
    phone.post("name", {"name": "Sam\x00"})  # refused, as in every diner form
    assert phone.diner.name == "Sam Lee"
    refused = phone.post(
        "name", {"name": "x" * 41, "where": "bill"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "A name can be at most 40 characters." in refused
    assert phone.diner.name == "Sam Lee"


def test_a_name_can_be_cleared_from_the_bill(phone):
    phone.post("name", {"name": "Sam"})
    phone.post("name", {"name": "", "where": "bill"})
    assert phone.diner.name == ""


def test_naming_needs_the_pages_csrf_token(table_10):
    phone = Phone(enforce_csrf=True)
    phone.scan(table_10)
    assert phone.post("name", {"name": "Sam"}).status_code == 403
    assert Diner.objects.get(pk=phone.diner.pk).name == ""


def test_a_stranger_cannot_name_anyone(phone):
    stranger = Phone()
    stranger.session = phone.session
    assert stranger.post("name", {"name": "Mallory"}).status_code == 403
    assert not Diner.objects.filter(name="Mallory").exists()


@pytest.mark.django_db(transaction=True)
async def test_a_name_change_reaches_the_other_phones_live_escaped():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        table = await Table.objects.aget(location=restaurant, pos_table_id="10")
        async with bridge_on_this_loop():
            anna, ben = LivePhone(), LivePhone()
            await anna.scan(table)
            await ben.scan(table)
            assert await anna.connect() and await ben.connect()
            await anna.call("add", "Corona", variant="PINT", quantity=2)
            await anna.call("send")
            await ben.push_containing("Ordered by another diner")

            await anna.call("post", "name", {"name": "<i>Anna</i>", "where": "bill"})
            html = await ben.push_containing("Ordered by &lt;i&gt;Anna&lt;/i&gt;")
            assert "<i>" not in html
            mine = await anna.push_containing("Ordered by you")
            assert "Anna" not in mine.split('id="live-check"')[1]
            await asyncio.gather(anna.hang_up(), ben.hang_up())
