"""Diners read the site in their phone's language (English, French, Spanish or German):
from Accept-Language, or the switch on the menu (remembered on the phone); pushes come in
each phone's own language; a product's translated name and description where the manager
gave one, else the location's own."""

from __future__ import annotations

import asyncio
import copy
import re

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from ordering.menu_import import MenuImportError, export_menu, import_menu
from ordering.models import Product, ProductTranslation, TableCheck
from pos_bridge.simulator import running_simulator
from tables.models import Location, Table
from tests.live_table import LivePhone, bridge_on_this_loop, eventually
from tests.phones import Phone
from tests.restaurant import make_restaurant

GARLIC_BREAD = "5e132381-8723-4f38-9483-6265bced2f96"
CORONA = "401"
HTML_LANG = re.compile(r'<html lang="([a-z-]+)">')


def phone_at(table: Table, accept_language: str = "", *, enforce_csrf: bool = False) -> Phone:
    phone = Phone(enforce_csrf=enforce_csrf)
    if accept_language:
        phone.client.defaults["HTTP_ACCEPT_LANGUAGE"] = accept_language
    phone.scan(table)
    return phone


def menu_page(phone: Phone) -> str:
    response = phone.get("")
    assert response.status_code == 200
    return response.content.decode()


def html_lang(page: str) -> str:
    found = HTML_LANG.search(page)
    assert found, page[:200]
    return found.group(1)


@pytest.mark.django_db
def test_a_phone_asking_for_french_gets_the_menu_in_french(table_10: Table) -> None:
    page = menu_page(phone_at(table_10, "fr-FR,fr;q=0.9,en;q=0.5"))

    assert html_lang(page) == "fr"
    assert "Panier" in page and "Addition" in page
    assert "Basket" not in page
    assert re.search(r'<option value="fr" lang="fr" selected>Français</option>', page)


@pytest.mark.django_db
def test_each_supported_language_and_english_by_default(table_10: Table) -> None:
    assert html_lang(menu_page(phone_at(table_10))) == "en"
    assert html_lang(menu_page(phone_at(table_10, "es"))) == "es"
    german = menu_page(phone_at(table_10, "de-AT"))
    assert html_lang(german) == "de" and "Warenkorb" in german


@pytest.mark.django_db
def test_the_switch_changes_the_language_and_the_phone_remembers_it(table_10: Table) -> None:
    phone = phone_at(table_10, "fr", enforce_csrf=True)
    page = menu_page(phone)
    token = re.search(
        r'<form class="language-switch" method="post" action="(/i18n/setlang/)">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
        r'<input type="hidden" name="next" value="([^"]+)">',
        page,
    )
    assert token, "the menu has a language switch that posts with its CSRF token"
    action, csrf, next_page = token.groups()
    assert next_page == phone.base

    response = phone.client.post(
        action, {"language": "de", "next": next_page, "csrfmiddlewaretoken": csrf}
    )

    assert response.status_code == 302 and response["Location"] == phone.base
    cookie = phone.client.cookies["openapp_language"]
    assert cookie.value == "de" and int(cookie["max-age"]) >= 364 * 24 * 3600
    again = menu_page(phone)  # the phone still asks for French; its choice wins
    assert html_lang(again) == "de" and "Warenkorb" in again
    assert html_lang(phone.get("basket/").content.decode()) == "de"


@pytest.mark.django_db
def test_the_switch_refuses_a_post_without_its_csrf_token(table_10: Table) -> None:
    phone = phone_at(table_10, enforce_csrf=True)
    response = phone.client.post("/i18n/setlang/", {"language": "de", "next": phone.base})
    assert response.status_code == 403
    assert "openapp_language" not in phone.client.cookies


@pytest.mark.django_db
def test_a_phone_asking_for_a_language_the_site_lacks_reads_the_menus_own(
    dining_room: Location, table_10: Table
) -> None:
    dining_room.language = "de"
    dining_room.save()

    assert html_lang(menu_page(phone_at(table_10, "ja-JP,ja;q=0.9"))) == "de"
    assert html_lang(menu_page(phone_at(table_10, "en-GB"))) == "en"


@pytest.mark.django_db
def test_pages_away_from_a_table_follow_accept_language_too() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get("/t/not-a-real-code").content.decode()
    assert html_lang(page) == "es"
    assert "Este código ya no funciona" in page


def translate(product: Product, language: str, name: str, description: str = "") -> None:
    ProductTranslation.objects.create(
        product=product, language=language, name=name, description=description
    )


@pytest.mark.django_db
def test_a_german_phone_reads_the_german_name_a_spanish_one_the_locations_own(
    dining_room: Location, table_10: Table
) -> None:
    steak = Product.objects.get(location=dining_room, name="T-Bone Steak")
    translate(steak, "de", "T-Bone-Steak vom Grill", "Saftig gegrillt, mit Beilage nach Wahl.")
    german, spanish = phone_at(table_10, "de"), phone_at(table_10, "es")

    german_menu, spanish_menu = menu_page(german), menu_page(spanish)

    assert "T-Bone-Steak vom Grill" in german_menu and "Saftig gegrillt" in german_menu
    assert "T-Bone-Steak vom Grill" not in spanish_menu and "T-Bone Steak" in spanish_menu
    german_product = german.get(f"products/{steak.pk}/").content.decode()
    assert "T-Bone-Steak vom Grill" in german_product
    assert "T-Bone-Steak vom Grill" not in spanish.get(f"products/{steak.pk}/").content.decode()
    # Searching finds it by the words the diner reads.
    assert "T-Bone-Steak vom Grill" in german.get("", q="Grill").content.decode()


@pytest.mark.django_db
def test_a_translation_saved_after_the_menu_was_shown_shows_at_once(
    dining_room: Location, table_10: Table
) -> None:
    german = phone_at(table_10, "de")
    assert "Knoblauchbrot" not in menu_page(german)

    bread = Product.objects.get(location=dining_room, name="Garlic Bread")
    translate(bread, "de", "Knoblauchbrot")

    assert "Knoblauchbrot" in menu_page(german)
    assert "Knoblauchbrot" not in menu_page(phone_at(table_10, "fr"))


@pytest.mark.django_db
def test_the_menu_file_carries_translations_and_round_trips(dining_room: Location) -> None:
    exported = export_menu(dining_room)
    bread = next(
        product
        for category in exported["categories"]
        for product in category["products"]
        if product["name"] == "Garlic Bread"
    )
    bread["translations"] = [
        {"language": "de", "name": "Knoblauchbrot", "description": "Mit Butter."},
        {"language": "fr", "name": "Pain à l'ail", "description": ""},
    ]

    result = import_menu(dining_room, copy.deepcopy(exported))

    assert result.created["translations"] == 2
    rows = ProductTranslation.objects.filter(product__name="Garlic Bread")
    assert sorted(rows.values_list("language", "name")) == [
        ("de", "Knoblauchbrot"),
        ("fr", "Pain à l'ail"),
    ]
    assert export_menu(dining_room) == exported  # sorted by language, as written

    bread["translations"] = [{"language": "de", "name": "Knoblauchbrot"}]
    result = import_menu(dining_room, copy.deepcopy(exported))
    assert result.deleted["translations"] == 1
    assert list(rows.values_list("language", flat=True)) == ["de"]


@pytest.mark.django_db
def test_a_menu_file_with_a_bad_translation_says_where(dining_room: Location) -> None:
    exported = export_menu(dining_room)
    product = exported["categories"][0]["products"][0]
    product["translations"] = [{"language": "it", "name": "Birra"}]
    with pytest.raises(MenuImportError) as refused:
        import_menu(dining_room, copy.deepcopy(exported))
    assert 'translation 1 “Birra”: language must be one of "en", "fr", "es", "de", not "it"' in str(
        refused.value.errors
    )

    product["translations"] = [{"language": "fr", "name": "A"}, {"language": "fr", "name": "B"}]
    with pytest.raises(MenuImportError) as refused:
        import_menu(dining_room, copy.deepcopy(exported))
    assert 'duplicate translation language "fr"' in str(refused.value.errors)


@pytest.mark.django_db
def test_dietary_tags_and_allergens_read_in_the_phones_language(
    dining_room: Location, table_10: Table
) -> None:
    french = menu_page(phone_at(table_10, "fr"))
    german = menu_page(phone_at(table_10, "de"))

    # The filters and the menu's dishes: Garlic Bread is vegetarian, with gluten and milk.
    assert "Végétarien" in french and "Vegetarian" not in french
    assert "Lait" in french and "Milk" not in french
    assert "Vegetarisch" in german and "Milch" in german
    bread = Product.objects.get(location=dining_room, name="Garlic Bread")
    product = phone_at(table_10, "es").get(f"products/{bread.pk}/").content.decode()
    assert re.search(r"Contiene:</strong>\s*Gluten, Leche", product), product


def test_a_dishs_tags_and_allergens_are_listed_in_the_order_the_diner_reads(
    dining_room: Location, table_10: Table
) -> None:
    from ordering.models import DietaryTag

    bread = Product.objects.get(location=dining_room, name="Garlic Bread")
    bread.dietary_tags.set(DietaryTag.objects.filter(code__in=["dairy-free", "halal"]))

    def tags(page: str) -> list[str]:
        return re.findall(r'<span class="tag tag-diet">([^<]+)</span>', page)

    english = phone_at(table_10, "en").get(f"products/{bread.pk}/").content.decode()
    french = phone_at(table_10, "fr").get(f"products/{bread.pk}/").content.decode()
    assert tags(english) == ["Dairy-free", "Halal"]
    assert tags(french) == ["Halal", "Sans produits laitiers"]
    assert re.search(r"Contient :</strong>\s*Gluten, Lait", french), french
    menu = menu_page(phone_at(table_10, "fr"))
    entry = re.search(rf'id="product-{bread.pk}".*?</li>', menu, re.S).group(0)
    assert tags(entry) == ["Halal", "Sans produits laitiers"]


@pytest.mark.django_db
def test_a_tag_the_manager_named_reads_as_they_wrote_it(
    dining_room: Location, table_10: Table
) -> None:
    from ordering.models import DietaryTag

    DietaryTag.objects.filter(code="vegan").update(name="Plant-based")
    own = DietaryTag.objects.create(code="local", name="Kentish")
    Product.objects.get(location=dining_room, name="Garlic Bread").dietary_tags.add(own)

    french = menu_page(phone_at(table_10, "fr"))

    assert "Plant-based" in french and "Kentish" in french  # not the standard names' words
    assert "Végétalien" not in french and "Végétarien" in french


# Live: pushes in each phone's language.


@pytest.mark.django_db(transaction=True)
async def test_a_pos_change_reaches_a_french_and_an_english_phone_each_in_its_own_language():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        table = await Table.objects.aget(location=restaurant, pos_table_id="10")
        async with bridge_on_this_loop():
            french, english = LivePhone("fr-FR,fr;q=0.9"), LivePhone("en-GB")
            for phone in (french, english):
                await phone.scan(table)
                assert await phone.connect()
            await french.push_containing("Addition")  # the present, on connect
            await english.push_containing("Bill")
            # A change the table's first snapshot already holds is the present, not news.
            await eventually(
                lambda: TableCheck.objects.filter(
                    session=french.phone.session, refreshed_at__isnull=False
                ).exists(),
                what="the first snapshot",
            )

            await asyncio.to_thread(pos.add_items, "10", [{"plu": GARLIC_BREAD, "quantity": 1}])

            french_sees = await french.push_containing("Un serveur a ajouté Garlic Bread")
            english_sees = await english.push_containing("A waiter added Garlic Bread")
            assert "Addition" in french_sees and "Bill" not in french_sees
            assert "Bill" in english_sees and "Un serveur" not in english_sees
        await french.hang_up()
        await english.hang_up()


@pytest.mark.django_db(transaction=True)
async def test_a_pos_rejection_reason_reaches_a_french_phone_in_french():
    with running_simulator(stock={CORONA: 1}) as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        table = await Table.objects.aget(location=restaurant, pos_table_id="10")
        async with bridge_on_this_loop():
            french = LivePhone("fr")
            await french.scan(table)
            assert await french.connect(f"/ws/s/{french.phone.session.public_id}/?page=basket")
            await french.next_push()  # the present, on connect
            await french.call("add", "Corona", variant="PINT", quantity=2)
            await french.call("send")

            basket = await french.push_containing("Plus que 1")
            assert "Certains articles sont bientôt épuisés" in basket
            assert "Only 1 left" not in basket and "running out" not in basket
            # Read again over HTTP, the basket says the same in French.
            page = (await french.call("get", "basket/")).content.decode()
            assert "Plus que 1" in page and "Only 1 left" not in page
        await french.hang_up()


@pytest.mark.django_db(transaction=True)
async def test_a_dish_gone_off_is_named_in_each_phones_language():
    with running_simulator() as pos:
        restaurant = await sync_to_async(make_restaurant)(pos.url)
        table = await Table.objects.aget(location=restaurant, pos_table_id="10")
        bread = await Product.objects.aget(location=restaurant, name="Garlic Bread")
        await sync_to_async(translate)(bread, "fr", "Pain à l'ail")
        french, english = LivePhone("fr"), LivePhone("en")
        for phone in (french, english):
            await phone.scan(table)
            assert await phone.connect(f"/ws/s/{phone.phone.session.public_id}/?page=menu")

        bread.is_available = False
        await sync_to_async(bread.save)()

        french_sees = await french.push_containing("plus disponible")
        english_sees = await english.push_containing("no longer available")
        assert "Pain à l&#x27;ail" in french_sees or "Pain à l'ail" in french_sees, french_sees
        assert "Garlic Bread is no longer available" in english_sees
        await french.hang_up()
        await english.hang_up()


@pytest.mark.django_db
def test_a_manager_can_give_a_product_translations_in_the_admin(dining_room: Location) -> None:
    from tests.test_admin_pages import logged_in, person

    manager = logged_in(person("morgan", "Managers", dining_room))
    steak = Product.objects.get(location=dining_room, name="T-Bone Steak")
    translate(steak, "fr", "Côte T-Bone")

    page = manager.get(f"/admin/ordering/product/{steak.pk}/change/").content.decode()

    assert 'name="translations-TOTAL_FORMS" value="1"' in page
    assert 'value="Côte T-Bone"' in page
    assert "translations-__prefix__-language" in page  # the manager may add another
    assert '<option value="de">Deutsch</option>' in page
