"""Limits on what one diner orders at once: each refusal is a clear message, checked on the
server whichever way the request comes in, and nothing in the basket is lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings

from ordering.models import BasketLine, Batch
from tests.phones import Phone


@pytest.mark.parametrize("quantity", [21, -3, 10**9, "1e3", "20.5"])
def test_a_tampered_product_form_quantity_is_refused(phone, quantity):
    response = phone.add("Garlic Bread", quantity=quantity)
    assert response.status_code == 200
    page = response.content.decode()
    assert "At most 20 at a time" in page or "Quantity must" in page
    assert not BasketLine.objects.exists()


def test_twenty_of_one_line_is_taken(phone):
    response = phone.add("Garlic Bread", quantity=20)
    assert response.status_code == 302
    assert BasketLine.objects.get().quantity == 20


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize("quantity", [21, -3, 10**9])
def test_a_tampered_quantity_change_is_refused_and_the_line_kept(phone, quantity, htmx):
    phone.add("Garlic Bread", quantity=20)
    line = BasketLine.objects.get()
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = phone.post(f"basket/{line.pk}/quantity", {"quantity": quantity}, **extra)
    if htmx:
        page = response.content.decode()
    else:
        assert response.status_code == 302
        page = phone.basket_text()
    assert "At most 20 at a time" in page or "Quantity must be at least 1" in page
    line.refresh_from_db()
    assert line.quantity == 20


@override_settings(BASKET_MAX_QUANTITY=5)
def test_the_most_of_one_line_is_a_setting(phone):
    page = phone.add("Garlic Bread", quantity=6).content.decode()
    assert "At most 5 at a time" in page
    assert phone.add("Garlic Bread", quantity=5).status_code == 302


def test_a_basket_holds_at_most_forty_lines_and_keeps_them(phone):
    for _ in range(40):
        assert phone.add("Garlic Bread").status_code == 302
    response = phone.add("Corona", variant="PINT")
    assert response.status_code == 200
    assert "Your basket is full: at most 40 items" in response.content.decode()
    assert BasketLine.objects.filter(diner=phone.diner).count() == 40


@override_settings(BASKET_MAX_LINES=3)
def test_more_lines_than_allowed_are_not_sent_and_stay_in_the_basket(phone):
    for _ in range(3):
        phone.add("Garlic Bread")
    # Lines can come back into the basket (a refused batch, a carried-over visit): make four.
    BasketLine.objects.create(
        diner=phone.diner, product=BasketLine.objects.first().product, quantity=1
    )
    phone.send()
    assert "At most 3 items in one order" in phone.basket_text()
    assert not Batch.objects.exists()
    assert BasketLine.objects.filter(diner=phone.diner, batch=None).count() == 4


def test_at_most_six_sends_a_minute_and_the_seventh_basket_is_kept(phone):
    for _ in range(6):
        phone.add("Garlic Bread")
        phone.send()
    assert Batch.objects.filter(diner=phone.diner).count() == 6
    phone.add("Garlic Bread", quantity=2)
    response = phone.post("basket/send", HTTP_HX_REQUEST="true")
    assert "a lot of orders in a minute" in response.content.decode()
    assert Batch.objects.filter(diner=phone.diner).count() == 6
    assert BasketLine.objects.filter(diner=phone.diner, batch=None).get().quantity == 2


def test_another_diner_at_the_table_is_not_slowed_by_the_first(phone, table_10):
    for _ in range(6):
        phone.add("Garlic Bread")
        phone.send()
    other = Phone()
    other.scan(table_10)
    other.add("Garlic Bread")
    other.send()
    assert Batch.objects.filter(diner=other.diner).count() == 1


def test_a_locations_cap_on_a_batchs_value_refuses_and_keeps_the_basket(phone, dining_room):
    dining_room.max_batch_value = Decimal("20.00")
    dining_room.save()
    phone.add("Creamy Pasta", quantity=2)  # 2 × £13.99
    phone.send()
    page = phone.basket_text()
    assert "This order comes to £27.98, more than the £20.00" in page
    assert not Batch.objects.exists()
    line = BasketLine.objects.get(diner=phone.diner)
    assert line.batch_id is None and line.quantity == 2

    phone.post(f"basket/{line.pk}/quantity", {"quantity": 1})
    phone.send()
    assert Batch.objects.filter(diner=phone.diner).count() == 1


def test_no_cap_by_default(phone):
    phone.add("Creamy Pasta", quantity=20)
    phone.send()
    assert Batch.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(BASKET_MAX_LINES=3)
def test_adds_at_once_from_one_phone_never_pass_the_basket_limit(phone):
    """Six taps at once on a basket with room for three: three lines, three refusals."""
    taps = 6
    at_once = threading.Barrier(taps)

    def tap(_: int) -> int:
        same_phone = Phone()
        same_phone.client.cookies = phone.client.cookies
        same_phone.session = phone.session
        at_once.wait()
        try:
            return same_phone.add("Garlic Bread").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(taps) as pool:
        answers = sorted(pool.map(tap, range(taps)))

    assert answers == [200, 200, 200, 302, 302, 302]  # 200: the form again, saying why
    assert BasketLine.objects.filter(diner=phone.diner, batch__isnull=True).count() == 3
