"""The plain menu page is rendered once and kept (ordering.menu_page), yet every diner gets
their own table, bill, basket count, links and form token, exactly as a full render would
give them, and a search, a filter or a message still gets its own page."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ordering import menu_page
from ordering.checks import CheckState
from ordering.models import TableCheck
from tables.models import Table
from tests.phones import Phone


def seated(table: Table, **options) -> Phone:
    phone = Phone(**options)
    phone.scan(table)
    phone.post("name", {"skip": "1"})  # past the name prompt, as most diners are
    return phone


def page_of(phone: Phone, **params) -> str:
    response = phone.get(**params)
    assert response.status_code == 200
    return response.content.decode()


def owing(table: Table, amount: str) -> None:
    session = table.sessions.get(closed_at__isnull=True)
    state = CheckState(currency="GBP", amount=Decimal(amount), amount_owing=Decimal(amount))
    TableCheck.objects.update_or_create(session=session, defaults={"state": state.to_json()})


def header(page: str) -> str:
    found = re.search(r'<header class="topbar">.*?</header>', page, re.S)
    assert found, "the page has no header"
    return found.group(0)


def without_tokens(page: str) -> str:
    """The page with its form tokens blanked: each is masked afresh for every page."""
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]+', r"\1-", page)


def test_two_tables_share_one_render_and_each_sees_its_own_table_bill_and_basket(dining_room):
    table_3 = dining_room.tables.get(pos_table_id="3")
    table_4 = dining_room.tables.get(pos_table_id="4")
    at_3, at_4 = seated(table_3), seated(table_4)
    owing(table_3, "23.40")
    at_4.add("Garlic Bread", quantity=2)
    page_3 = page_of(at_3)
    with CaptureQueriesContext(connection) as queries:
        page_4 = page_of(at_4)
    assert len(queries) == 1, [q["sql"] for q in queries]  # the diner, with the header's reads
    assert "Table 3" in header(page_3) and "Table 4" not in page_3
    assert "Table 4" in header(page_4) and "Table 3" not in page_4
    assert "<title>Menu · Table 4</title>" in page_4
    assert "Bill £23.40" in header(page_3)
    assert re.search(r">\s*Bill\s*</a>", header(page_4))  # nothing owing told yet
    assert 'id="basket-count">0<' in header(page_3)
    assert 'id="basket-count">2<' in header(page_4)
    sessions = set(re.findall(r"/s/([0-9a-f-]{36})/", page_4))
    assert sessions == {str(at_4.session.public_id)}
    assert f'ws-connect="/ws/s/{at_4.session.public_id}/?page=menu"' in page_4


def test_the_kept_page_is_the_page_a_full_render_gives(dining_room, monkeypatch):
    table = dining_room.tables.get(pos_table_id="5")
    phone = seated(table)
    owing(table, "8.10")
    phone.add("Garlic Bread")
    page_of(phone)  # rendered and kept
    kept = page_of(phone)
    monkeypatch.setattr(menu_page, "is_plain", lambda request: False)
    assert without_tokens(kept) == without_tokens(page_of(phone))


def test_the_name_prompt_shows_until_the_diner_answers_it(table_10):
    phone = Phone()
    phone.scan(table_10)
    assert "What should we call you?" in page_of(phone)
    phone.post("name", {"skip": "1"})
    assert "What should we call you?" not in page_of(phone)
    another = Phone()
    another.scan(table_10)
    assert "What should we call you?" in page_of(another)


def test_a_new_phone_gets_a_form_token_that_its_forms_can_post_with(table_10):
    phone = Phone(enforce_csrf=True)
    phone.scan(table_10)
    page = page_of(phone)
    token = re.search(r'"X-CSRFToken": "([A-Za-z0-9]+)"', page).group(1)
    refused = phone.post("name", {"skip": "1"})
    assert refused.status_code == 403  # no token: refused, so the check is on
    answered = phone.post("name", {"skip": "1"}, HTTP_X_CSRFTOKEN=token)
    assert answered.status_code == 302
    assert "What should we call you?" not in page_of(phone)


def test_a_renamed_table_shows_on_the_next_page(table_10):
    phone = seated(table_10)
    assert "Table 10" in header(page_of(phone))
    table_10.name = "Window & Garden"
    table_10.save()
    page = page_of(phone)
    assert "Window &amp; Garden" in header(page)
    assert "Table 10" not in page


def test_a_message_a_search_and_a_filter_each_get_their_own_page(table_10):
    phone = seated(table_10)
    page_of(phone)
    added = phone.add("Garlic Bread")
    assert added.status_code == 302
    assert "Added 1 × Garlic Bread to your basket." in page_of(phone)
    assert "Added 1 × Garlic Bread" not in page_of(phone)  # shown once
    searched = page_of(phone, q="garlic")
    assert 'value="garlic"' in searched
    assert "Garlic Bread" in searched and "Classic Beef Burger" not in searched
    assert 'value="garlic"' not in page_of(phone)  # the plain page again
    vegan = page_of(phone, diet="vegan")
    assert re.search(r'value="vegan"\s+checked', vegan)
    assert not re.search(r'value="vegan"\s+checked', page_of(phone))
