"""Whatever a phone sends, the server checks it: clear answers, nothing lost, no crash."""

from __future__ import annotations

import pytest

from ordering.models import BasketLine, Batch
from tests.phones import Phone


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Quantity must be at least 1"),
        (-3, "Quantity must be at least 1"),
        (10000, "At most 20 at a time"),
        ("abc", "Quantity must be a whole number"),
        ("", "Choose how many"),
    ],
)
def test_a_bad_quantity_gets_a_clear_message_and_adds_nothing(phone, quantity, message):
    response = phone.add("Garlic Bread", quantity=quantity)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BasketLine.objects.exists()


@pytest.mark.parametrize("quantity", [0, -3, 10000, "abc"])
def test_a_bad_quantity_in_the_basket_is_refused_and_the_line_kept(phone, quantity):
    phone.add("Garlic Bread", quantity=2)
    line = BasketLine.objects.get()
    response = phone.post(
        f"basket/{line.pk}/quantity", {"quantity": quantity}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Quantity must" in response.content.decode() or "At most 20" in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 2


def test_a_required_choice_must_be_made(phone):
    response = phone.add("T-Bone Steak", choices=["Pepper Sauce"])
    assert "Cooking: choose 1." in response.content.decode()
    assert not BasketLine.objects.exists()


def test_too_many_choices_in_a_group_are_refused(phone):
    response = phone.add("T-Bone Steak", choices=["Medium", "Rare"])
    assert response.status_code == 200
    assert "Cooking" in response.content.decode()
    assert not BasketLine.objects.exists()


def test_a_modifier_from_another_product_is_refused(phone):
    from ordering.models import Modifier

    foreign = Modifier.objects.exclude(group__product__name="T-Bone Steak").first()
    if foreign is None:
        pytest.fail("the demo menu should have modifiers on more than one product")
    medium = Modifier.objects.get(group__product__name="T-Bone Steak", name="Medium")
    response = phone.add("T-Bone Steak", extra={f"group_{medium.group_id}": [foreign.pk]})
    assert "that choice isn" in response.content.decode()
    assert not BasketLine.objects.exists()


def test_a_variant_from_another_product_is_refused(phone):
    from ordering.models import Variant

    foreign = Variant.objects.exclude(product__name="Corona").first()
    response = phone.add("Corona", extra={"variant": foreign.pk})
    assert "That size isn" in response.content.decode()
    assert not BasketLine.objects.exists()


def test_a_price_in_the_form_is_ignored(phone):
    phone.add("Garlic Bread", quantity=2, extra={"price": "0.01", "unit_price": "0.01"})
    assert "£10.00" in phone.basket_text()


def test_an_unavailable_product_cannot_be_added(phone):
    from ordering.models import Product

    Product.objects.filter(name="Garlic Bread").update(is_available=False)
    response = phone.add("Garlic Bread")
    assert "not available right now" in response.content.decode()
    assert not BasketLine.objects.exists()


def test_a_product_of_another_location_is_not_found(phone):
    from tests.restaurant import make_restaurant

    elsewhere = make_restaurant("ws://127.0.0.1:9", slug="elsewhere")
    foreign = elsewhere.products.get(name="Garlic Bread")
    assert phone.client.get(f"{phone.base}products/{foreign.pk}/").status_code == 404


def test_instructions_lose_control_characters_and_keep_their_words(phone):
    phone.add("Garlic Bread", instruction="extra\x07 crispy\n\tplease")
    assert BasketLine.objects.get().instruction == "extra crispy please"


def test_a_post_without_the_csrf_token_is_refused(table_10):
    phone = Phone(enforce_csrf=True)
    phone.scan(table_10)
    assert phone.post("basket/send").status_code == 403


def test_sending_an_empty_basket_writes_no_batch(phone):
    phone.send()
    assert not Batch.objects.exists()


def test_another_diners_basket_line_cannot_be_changed(table_10):
    owner, other = Phone(), Phone()
    owner.scan(table_10)
    other.scan(table_10)
    owner.add("Garlic Bread", quantity=2)
    line = BasketLine.objects.get()
    other.post(f"basket/{line.pk}/quantity", {"quantity": 5})
    other.post(f"basket/{line.pk}/remove")
    line.refresh_from_db()
    assert line.quantity == 2
