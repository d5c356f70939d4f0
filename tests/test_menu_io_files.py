"""A location's menu in and out as JSON and CSV: from the admin and as commands."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ordering.menu_files import export_menu_csv, import_menu_csv, import_menu_file
from ordering.menu_import import MenuImportError, export_menu
from tables.models import Location
from tests.test_admin_people import logged_in, person

pytestmark = pytest.mark.django_db

HEADER = "plu,name,category,price,description,dietary_tags,allergens,available\n"
# What a message says of a price that breaks the price rule.
PRICE_RULE = "must be an amount of 0 or more with at most two decimal places (such as 4.50)"


@pytest.fixture
def empty_location() -> Location:
    return Location.objects.create(name="New Place", slug="new-place", table_service_mode_id="x")


@pytest.fixture
def manager(dining_room, empty_location):
    return logged_in(person("morgan", "Managers", dining_room, empty_location))


def upload(client, location: Location, content: str | bytes, name: str, **extra):
    file = io.BytesIO(content.encode() if isinstance(content, str) else content)
    file.name = name
    return client.post(
        f"/admin/tables/location/{location.pk}/menu/", {"file": file, **extra}, follow=True
    )


def page_text(response) -> str:
    return response.content.decode()


def test_json_export_then_import_gives_the_same_menu(manager, dining_room, empty_location):
    exported = manager.get(f"/admin/tables/location/{dining_room.pk}/menu/export.json")
    assert exported["Content-Type"] == "application/json"
    assert 'filename="demo-menu.json"' in exported["Content-Disposition"]

    response = upload(manager, empty_location, exported.content, "demo-menu.json")
    assert "Menu imported from demo-menu.json" in page_text(response)
    assert export_menu(empty_location) == json.loads(exported.content)

    again = upload(manager, dining_room, exported.content, "demo-menu.json")
    assert "matches the menu: nothing changed" in page_text(again)


def test_csv_export_then_import_gives_the_same_product_list(manager, dining_room, empty_location):
    exported = manager.get(f"/admin/tables/location/{dining_room.pk}/menu/export.csv")
    assert exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "plu",
        "name",
        "category",
        "price",
        "description",
        "dietary_tags",
        "allergens",
        "available",
    ]
    assert len(rows) == dining_room.products.count()
    corona = next(row for row in rows if row["plu"] == "401")
    assert corona["category"] == "Beer & Cider" and corona["available"] == "yes"

    response = upload(manager, empty_location, exported.content, "menu.csv")
    assert "Menu imported from menu.csv" in page_text(response)
    assert export_menu_csv(empty_location) == text

    again = upload(manager, dining_room, exported.content, "menu.csv")
    assert "matches the menu: nothing changed" in page_text(again)


def test_a_csv_updates_its_rows_and_leaves_the_rest_alone(dining_room):
    steak = dining_room.products.get(name="T-Bone Steak")
    groups_before = list(steak.modifier_groups.values_list("name", flat=True))
    others_before = dining_room.products.exclude(pk=steak.pk).count()
    text = (
        HEADER + f'{steak.plu},T-Bone Steak 16oz,Mains,29.50,"Big, with chips",gluten-free,'
        '"Milk; mustard",no\n' + "new-1,Pork Pie,Picnic,4.25,,,Tree nuts,\n"
    )
    result = import_menu_csv(dining_room, text)
    assert result.created["products"] == 1 and result.updated["products"] == 1
    assert result.created["categories"] == 1
    steak.refresh_from_db()
    assert steak.name == "T-Bone Steak 16oz" and steak.price == Decimal("29.50")
    assert steak.description == "Big, with chips" and not steak.is_available
    assert list(steak.dietary_tags.values_list("code", flat=True)) == ["gluten-free"]
    assert set(steak.allergens.values_list("code", flat=True)) == {"milk", "mustard"}
    assert list(steak.modifier_groups.values_list("name", flat=True)) == groups_before
    pie = dining_room.products.get(plu="new-1")
    assert pie.category.name == "Picnic" and pie.is_available
    assert list(pie.allergens.values_list("code", flat=True)) == ["nuts"]
    assert dining_room.products.exclude(pk__in=[steak.pk, pie.pk]).count() == others_before
    assert not import_menu_csv(dining_room, text).changed


def test_a_csv_can_move_a_product_to_another_category(dining_room):
    text = HEADER + "401,Corona,soft drinks,7.00,,,,yes\n"  # matched whatever the case
    import_menu_csv(dining_room, text)
    assert dining_room.products.get(plu="401").category.name == "Soft Drinks"


def test_import_errors_are_shown_per_row_and_nothing_changes(manager, dining_room):
    before = export_menu(dining_room)
    text = (
        HEADER
        + "401,Corona,Beer & Cider,abc,,,,yes\n"
        + ",Nameless,Starters,1.00,,,,\n"
        + "402,Peroni,Beer & Cider,5.123,,vegann,,maybe\n"
        + "401,Corona again,Beer & Cider,7.00,,,,\n"
    )
    response = upload(manager, dining_room, text, "menu.csv")
    page = page_text(response)
    assert "The menu was not imported: nothing was changed" in page
    errors = [
        f"Row 2 (PLU 401): price {PRICE_RULE}, not &quot;abc&quot;",
        "Row 3: plu is missing",
        "Row 4 (PLU 402): available must be yes or no, not &#x27;maybe&#x27;",
        "Row 4 (PLU 402): unknown dietary tag &#x27;vegann&#x27;",
        "Row 5: PLU 401 is also on row 2",
    ]
    listed = re.search(r'<ul class="errorlist" id="menu-import-errors">(.*?)</ul>', page, re.S)
    assert re.findall(r"<li>(.*?)</li>", listed[1]) == errors  # in row order
    assert "Fix these 5 problems" in page
    assert export_menu(dining_room) == before

    text = HEADER + "401,Corona,Beer & Cider,abc,,,,yes\n402,Peroni,Beer & Cider,5.123,,,,\n"
    page = page_text(upload(manager, dining_room, text, "menu.csv"))
    assert f"<li>Row 2 (PLU 401): price {PRICE_RULE}, not &quot;abc&quot;</li>" in page
    assert f"<li>Row 3 (PLU 402): price {PRICE_RULE}, not &quot;5.123&quot;</li>" in page
    assert export_menu(dining_room) == before


def test_json_errors_are_listed_in_the_admin(manager, dining_room):
    menu = export_menu(dining_room)
    menu["categories"][0]["products"][0]["price"] = "-1"
    menu["categories"][0]["products"][0]["allergens"] = ["glue"]
    page = page_text(upload(manager, dining_room, json.dumps(menu), "menu.json"))
    corona = "category 1 “Beer &amp; Cider”, product 1 “Corona”"
    assert f"{corona}: price {PRICE_RULE}, not &quot;-1&quot;" in page
    assert "unknown allergen &quot;glue&quot;" in page

    page = page_text(upload(manager, dining_room, '{"format": ', "menu.json"))
    assert "The file is not valid JSON" in page
    page = page_text(upload(manager, dining_room, b"\xff\xfe nonsense", "menu.csv"))
    assert "not UTF-8" in page
    page = page_text(upload(manager, dining_room, "plu,name\n1,x\n", "menu.txt"))
    assert "Choose the file type" in page
    page = page_text(upload(manager, dining_room, "plu,name\n1,x\n", "menu.txt", file_format="csv"))
    assert "Row 1: missing columns category, price" in page


def test_staff_can_export_the_menu_but_not_import_it(dining_room):
    staff = logged_in(person("sam", "Staff", dining_room))
    page = staff.get(f"/admin/tables/location/{dining_room.pk}/menu/")
    assert page.status_code == 200
    assert "Download the product list (CSV)" in page_text(page)
    assert "Import the menu" not in page_text(page)
    assert staff.get(f"/admin/tables/location/{dining_room.pk}/menu/export.csv").status_code == 200
    response = upload(staff, dining_room, HEADER + "401,Free Corona,Beer & Cider,0,,,,\n", "m.csv")
    assert response.status_code == 403
    assert dining_room.products.get(plu="401").name == "Corona"


def test_the_commands_export_and_import_both_formats(dining_room, empty_location, tmp_path: Path):
    for file_format in ["json", "csv"]:
        out = tmp_path / f"menu.{file_format}"
        call_command("export_menu", "--location", "demo", "--out", str(out))
        target = Location.objects.create(
            name=file_format, slug=f"copy-{file_format}", table_service_mode_id="x"
        )
        call_command("import_menu", str(out), "--location", target.slug)
        if file_format == "json":
            assert export_menu(target) == export_menu(dining_room)
        else:
            assert export_menu_csv(target) == export_menu_csv(dining_room)
        stdout = io.StringIO()
        call_command("import_menu", str(out), "--location", "demo", stdout=stdout)
        assert "nothing changed" in stdout.getvalue()

    stdout = io.StringIO()
    call_command("export_menu", "--location", "demo", "--format", "csv", stdout=stdout)
    assert stdout.getvalue().startswith(HEADER.strip())


def test_the_import_command_lists_every_problem(dining_room, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "401,Corona,Beer & Cider,,,,,\n999,Pie,Pies,1.00,,,shellfish,\n")
    with pytest.raises(CommandError) as raised:
        call_command("import_menu", str(bad), "--location", "demo")
    message = str(raised.value)
    assert "nothing changed" in message
    assert "Row 2 (PLU 401): price is missing" in message
    assert "Row 3 (PLU 999): unknown allergen 'shellfish'" in message
    assert not dining_room.products.filter(plu="999").exists()


@pytest.mark.parametrize("price", ["-1.00", "4.999", "£4.50"])
def test_a_csv_with_a_bad_price_names_the_row_and_the_column(dining_room, price):
    before = export_menu(dining_room)
    text = HEADER + "401,Corona,Beer & Cider,7.00,,,,\n" + f"new-2,Scotch Egg,Snacks,{price},,,,\n"

    with pytest.raises(MenuImportError) as raised:
        import_menu_csv(dining_room, text)

    assert raised.value.errors == [f'Row 3 (PLU new-2): price {PRICE_RULE}, not "{price}"']
    assert export_menu(dining_room) == before


def test_a_csv_row_too_long_for_the_database_names_the_column(dining_room):
    text = HEADER + f"new-3,{'Pie' * 41},Snacks,4.00,,,,\n" + f"new-4,Pie,{'S' * 81},4.00,,,,\n"

    with pytest.raises(MenuImportError) as raised:
        import_menu_csv(dining_room, text)

    assert raised.value.errors == [
        "Row 2 (PLU new-3): name must be filled in (at most 120 characters, no NUL character), "
        f'not "{"Pie" * 19}P…',
        "Row 3: category must be filled in (at most 80 characters, no NUL character), "
        f'not "{"S" * 58}…',
    ]


def test_a_csv_with_a_nul_character_names_the_row_and_changes_nothing(dining_room):
    before = export_menu(dining_room)
    text = HEADER + "new-5,Pie\x00,Snacks,4.00,,,,\n"

    with pytest.raises(MenuImportError) as raised:
        import_menu_csv(dining_room, text)

    assert raised.value.errors == [
        "Row 2 (PLU new-5): name must be filled in (at most 120 characters, no NUL character), "
        'not "Pie\\u0000"'
    ]
    assert export_menu(dining_room) == before


def test_a_json_file_with_a_wrong_type_deep_inside_names_where(dining_room):
    menu = export_menu(dining_room)
    mains = menu["categories"][4]
    assert (mains["name"], mains["products"][0]["name"]) == ("Mains", "T-Bone Steak")
    cooking = mains["products"][0]["modifier_groups"][0]
    cooking["min"] = 1.5
    cooking["modifiers"][1]["price"] = {"amount": 1}
    content = json.dumps(menu, ensure_ascii=False).encode()

    with pytest.raises(MenuImportError) as raised:
        import_menu_file(dining_room, content, "json")

    cooking = "category 5 “Mains”, product 1 “T-Bone Steak”, modifier group 1 “Cooking”"
    assert raised.value.errors == [
        f"{cooking}: min must be a whole number from 0 to 32767, not 1.5",
        f'{cooking}, modifier 2 “Medium Rare”: price {PRICE_RULE}, not {{"amount": 1}}',
    ]


def test_a_json_file_that_is_not_json_says_so(dining_room):
    with pytest.raises(MenuImportError) as raised:
        import_menu_file(dining_room, b'{"format": "openapp-menu/1", "categories": [}', "json")

    assert raised.value.errors[0].startswith("The file is not valid JSON: ")
