"""A product with its choices is read once per menu version and kept, so a product page or
an add to the basket reads no menu rows; yet a change to the product, its choices or its
translations reaches the very next page and add."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ordering.models import BasketLine, Modifier, Product, ProductTranslation
from tests.phones import Phone

MENU_TABLES = ("ordering_product", "ordering_variant", "ordering_modifier", "ordering_producttr")


def seated(table, language: str = "en") -> Phone:
    phone = Phone()
    phone.client = Client(HTTP_ACCEPT_LANGUAGE=language)
    phone.scan(table)
    return phone


def menu_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if any(t in q["sql"] for t in MENU_TABLES)]


def burger(table) -> Product:
    return Product.objects.get(location=table.location, name="Classic Beef Burger")


def test_a_second_product_page_and_an_add_read_no_menu_rows(table_10):
    phone = seated(table_10)
    bread = Product.objects.get(location=table_10.location, name="Garlic Bread")
    assert phone.get(f"products/{bread.pk}/").status_code == 200
    phone.add("Garlic Bread")  # the first add reads the product as an order form wants it
    with CaptureQueriesContext(connection) as queries:
        page = phone.get(f"products/{bread.pk}/").content.decode()
        added = phone.post(f"products/{bread.pk}/", {"quantity": 2, "instruction": ""})
    assert "Garlic Bread" in page and "£5.00" in page
    assert added.status_code == 302
    assert menu_reads(queries) == []
    assert sum(line.quantity for line in BasketLine.objects.filter(diner=phone.diner)) == 3


def test_a_price_change_reaches_the_next_product_page_and_basket(table_10):
    phone = seated(table_10)
    bread = Product.objects.get(location=table_10.location, name="Garlic Bread")
    assert "£5.00" in phone.get(f"products/{bread.pk}/").content.decode()
    phone.add("Garlic Bread")
    bread.price = Decimal("5.75")
    bread.save()
    assert "£5.75" in phone.get(f"products/{bread.pk}/").content.decode()
    phone.add("Garlic Bread")
    assert [line.unit_price() for line in BasketLine.objects.filter(diner=phone.diner)] == [
        Decimal("5.75"),
        Decimal("5.75"),
    ]


def test_a_choice_switched_off_is_refused_at_the_next_add(table_10):
    phone = seated(table_10)
    page = phone.get(f"products/{burger(table_10).pk}/").content.decode()
    assert "Brioche Bun" in page and "Brioche Bun (not available)" not in page
    assert phone.add("Classic Beef Burger", choices=["Medium", "Brioche Bun"]).status_code == 302
    brioche = Modifier.objects.get(group__product=burger(table_10), name="Brioche Bun")
    brioche.is_available = False
    brioche.save()

    page = phone.get(f"products/{burger(table_10).pk}/").content.decode()
    assert "Brioche Bun (not available)" in page
    refused = phone.add("Classic Beef Burger", choices=["Medium", "Brioche Bun"])
    assert refused.status_code == 200
    assert "that choice isn" in refused.content.decode()
    assert BasketLine.objects.filter(diner=phone.diner).count() == 1


def test_a_translation_saved_reaches_the_next_product_page_and_basket(table_10):
    phone = seated(table_10, "de")
    bread = Product.objects.get(location=table_10.location, name="Garlic Bread")
    phone.add("Garlic Bread")
    assert "Garlic Bread" in phone.basket_text()
    assert "Knoblauchbrot" not in phone.get(f"products/{bread.pk}/").content.decode()

    ProductTranslation.objects.create(product=bread, language="de", name="Knoblauchbrot")

    assert "Knoblauchbrot" in phone.get(f"products/{bread.pk}/").content.decode()
    assert "Knoblauchbrot" in phone.basket_text()
    english = seated(table_10)
    english.add("Garlic Bread")
    assert "Knoblauchbrot" not in english.basket_text()
