"""The menu is rendered once per menu version and language and shown again, yet a change to
anything on it reaches the very next page, and no diner sees another table's links."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from ordering import menu_version
from ordering.availability import mark_unavailable
from ordering.batches import LineRejection, record_rejected
from ordering.menu_import import import_menu
from ordering.models import DietaryTag, Product, Variant
from ordering.reasons import Reason
from tables.models import Location, Table
from tests.phones import Phone
from tests.restaurant import DEMO_MENU

GARLIC_BREAD = "5e132381-8723-4f38-9483-6265bced2f96"


def seated(table: Table) -> Phone:
    phone = Phone()
    phone.scan(table)
    return phone


def menu_page(phone: Phone) -> str:
    response = phone.get()
    assert response.status_code == 200
    return response.content.decode()


def entry(page: str, name: str) -> str:
    """The menu entry (its <li>) of the product called `name`."""
    found = re.search(
        rf'<li class="product[^"]*"[^>]*>(?:(?!</li>).)*?{re.escape(name)}<.*?</li>', page, re.S
    )
    assert found, f"{name} is not on the menu"
    return found.group(0)


def test_a_second_menu_page_reads_no_product_rows(table_10):
    phone = seated(table_10)
    menu_page(phone)
    with CaptureQueriesContext(connection) as queries:
        page = menu_page(phone)
    assert "Garlic Bread" in page
    assert not [q for q in queries if "ordering_product" in q["sql"]], queries.captured_queries


def test_a_price_change_reaches_the_next_page(table_10):
    phone = seated(table_10)
    assert "£5.00" in entry(menu_page(phone), "Garlic Bread")
    bread = Product.objects.get(location=table_10.location, plu=GARLIC_BREAD)
    bread.price = Decimal("5.50")
    bread.save()
    assert "£5.50" in entry(menu_page(phone), "Garlic Bread")


def test_a_variant_price_change_reaches_the_next_page(table_10):
    phone = seated(table_10)
    assert "£7.00" in entry(menu_page(phone), "Corona")
    pint = Variant.objects.get(product__location=table_10.location, product__name="Corona")
    pint.price = Decimal("7.25")
    pint.save()
    assert "£7.25" in entry(menu_page(phone), "Corona")


def test_a_renamed_product_and_a_new_tag_reach_the_next_page(table_10):
    phone = seated(table_10)
    menu_page(phone)
    bread = Product.objects.get(location=table_10.location, plu=GARLIC_BREAD)
    bread.name = "Garlic Focaccia"
    bread.save()
    bread.dietary_tags.add(DietaryTag.objects.get(code="vegan"))
    garlic = entry(menu_page(phone), "Garlic Focaccia")
    assert "Vegan" in garlic


def test_a_tag_renamed_for_every_location_reaches_the_next_page(table_10):
    phone = seated(table_10)
    menu_page(phone)
    vegan = DietaryTag.objects.get(code="vegan")
    vegan.name = "Plant-based"
    vegan.save()
    assert "Plant-based" in menu_page(phone)


def test_a_product_switched_off_by_staff_or_sold_out_at_the_pos_shows_at_once(table_10):
    phone = seated(table_10)
    assert "Not available" not in entry(menu_page(phone), "Garlic Bread")
    mark_unavailable(table_10.location_id, GARLIC_BREAD, None)  # the POS said sold out
    assert "Not available" in entry(menu_page(phone), "Garlic Bread")
    bread = Product.objects.get(location=table_10.location, plu=GARLIC_BREAD)
    bread.is_available = True  # staff switch it back on
    bread.save()
    assert "Not available" not in entry(menu_page(phone), "Garlic Bread")


def test_a_menu_import_that_hides_products_reaches_the_next_page(table_10):
    phone = seated(table_10)
    assert "Not available" not in entry(menu_page(phone), "Garlic Bread")
    menu = json.loads(DEMO_MENU.read_text())
    for category in menu["categories"]:
        category["products"] = [p for p in category["products"] if p["plu"] != GARLIC_BREAD]
    import_menu(table_10.location, menu)  # products missing from a file are hidden in bulk
    assert "Not available" in entry(menu_page(phone), "Garlic Bread")


def test_a_currency_change_reaches_the_next_page(table_10):
    phone = seated(table_10)
    menu_page(phone)
    location = Location.objects.get(pk=table_10.location_id)
    location.currency = "EUR"
    location.save()
    assert "€5.00" in entry(menu_page(phone), "Garlic Bread")


def test_each_table_gets_its_own_links_from_the_shared_render(dining_room):
    table_3 = dining_room.tables.get(pos_table_id="3")
    table_4 = dining_room.tables.get(pos_table_id="4")
    at_3, at_4 = seated(table_3), seated(table_4)
    page_3 = menu_page(at_3)
    with CaptureQueriesContext(connection) as queries:
        page_4 = menu_page(at_4)
    assert not [q for q in queries if "ordering_product" in q["sql"]]  # the same render
    assert str(at_3.session.public_id) in page_3
    assert str(at_3.session.public_id) not in page_4
    assert str(at_4.session.public_id) in page_4
    links = re.findall(r'href="/s/([0-9a-f-]{36})/products/', page_4)
    assert links and set(links) == {str(at_4.session.public_id)}


def test_another_locations_menu_is_its_own(dining_room):
    other = Location.objects.create(
        name="Elsewhere", slug="elsewhere", currency="GBP", table_service_mode_id="x"
    )
    import_menu(other, json.loads(DEMO_MENU.read_text()))
    Product.objects.filter(location=other, plu=GARLIC_BREAD).update(name="Elsewhere Bread")
    menu_version.changed(other.pk)
    table = Table.objects.create(location=other, name="Table 1", pos_table_id="1")
    here = seated(dining_room.tables.get(pos_table_id="1"))
    there = seated(table)
    assert "Garlic Bread" in menu_page(here)
    assert "Elsewhere Bread" in menu_page(there)
    assert "Elsewhere Bread" not in menu_page(here)


def test_a_pos_sold_out_answer_reaches_the_next_page(table_10):
    phone = seated(table_10)
    phone.add("Garlic Bread")
    assert "Not available" not in entry(menu_page(phone), "Garlic Bread")
    phone.send()  # no bridge runs: the batch waits, as sent, for the answer given below
    batch = phone.diner.batches.get()
    batch.state = "sent"
    batch.save(update_fields=["state"])
    record_rejected(batch.pk, 6, Reason.OUT_OF_STOCK, "sold out", _rejections(batch))
    assert "Not available" in entry(menu_page(phone), "Garlic Bread")


def _rejections(batch) -> list[LineRejection]:
    return [LineRejection(line.pk, Reason.OUT_OF_STOCK) for line in batch.lines.all()]


# Models of the ordering app that refer to a product or a location but whose rows no menu
# shows: a diner's basket and the till's status are never cached with it.
NOT_ON_THE_MENU = {"BasketLine", "BasketLine_modifiers", "TillStatus"}


def _refers_to_the_menu(model: type[models.Model]) -> bool:
    menu = {Location, *menu_version.MENU_MODELS}
    return any(
        field.is_relation and field.related_model in menu
        for field in model._meta.get_fields()
        if field.concrete
    )


def test_every_model_the_menu_shows_renews_its_version():
    """A model added next to the menu (a translation of a product, say) must either renew
    the menu's version when it changes or be said not to be on the menu."""
    unlisted = [
        model.__name__
        for model in apps.get_app_config("ordering").get_models(include_auto_created=True)
        if _refers_to_the_menu(model)
        and model not in menu_version.MENU_MODELS
        and model.__name__ not in NOT_ON_THE_MENU
        and not model._meta.auto_created
    ]
    assert unlisted == []
