"""The menu file: import, export, and what a bad file is told."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from msgspec import inspect

from ordering import menu_format
from ordering.menu_import import MenuImportError, export_menu, import_menu, validate_menu
from ordering.models import (
    Allergen,
    BasketLine,
    Batch,
    BatchState,
    Category,
    DietaryTag,
    Modifier,
    ModifierGroup,
    Product,
    Variant,
)
from tables.models import Location, Table

pytestmark = pytest.mark.django_db


def modifier(plu: str, name: str, price: str = "0.00") -> dict[str, Any]:
    return {"plu": plu, "name": name, "price": price}


# What a message says of a price that breaks the price rule.
PRICE_RULE = "must be an amount of 0 or more with at most two decimal places (such as 4.50)"
MAINS = "category 3 “Mains”"
BURGER = f"{MAINS}, product 5 “Burger”"
PASTA = f"{MAINS}, product 2 “Creamy Pasta”"
T_BONE = f"{MAINS}, product 1 “T-Bone Steak”"


def menu() -> dict[str, Any]:
    """A small pub menu; "Burger" is categories[2].products[4]: product 5 of category 3."""
    return {
        "format": "openapp-menu/1",
        "categories": [
            {
                "name": "Beer & Cider",
                "products": [
                    {
                        "plu": "401",
                        "name": "Corona",
                        "description": "Mexican lager with a wedge of lime.",
                        "price": "7.00",
                        "dietary_tags": ["vegan"],
                        "allergens": ["gluten"],
                        "variants": [
                            {"pos_identifier": "pint-401", "name": "PINT", "price": "7.00"},
                            {"pos_identifier": "half-401", "name": "HALF", "price": "3.80"},
                        ],
                    }
                ],
            },
            {
                "name": "Starters",
                "products": [
                    {
                        "plu": "garlic-bread",
                        "name": "Garlic Bread",
                        "price": "5.00",
                        "dietary_tags": ["vegetarian"],
                        "allergens": ["gluten", "milk"],
                    }
                ],
            },
            {
                "name": "Mains",
                "products": [
                    {
                        "plu": "t-bone",
                        "name": "T-Bone Steak",
                        "price": "29.95",
                        "modifier_groups": [
                            {
                                "name": "Cooking",
                                "min": 1,
                                "max": 1,
                                "modifiers": [
                                    modifier("rare", "Rare"),
                                    modifier("medium", "Medium"),
                                ],
                            },
                            {
                                "name": "Sauce",
                                "min": 0,
                                "max": 1,
                                "modifiers": [
                                    modifier("pepper", "Pepper Sauce"),
                                    modifier("bearnaise", "Béarnaise", "1.50"),
                                ],
                            },
                        ],
                    },
                    {"plu": "pasta", "name": "Creamy Pasta", "price": "13.99"},
                    {"plu": "fish", "name": "Fish & Chips", "price": "17.50"},
                    {"plu": "pie", "name": "Steak & Ale Pie", "price": "18.00"},
                    {
                        "plu": "burger",
                        "name": "Burger",
                        "price": "16.50",
                        "modifier_groups": [
                            {
                                "name": "Bun",
                                "min": 1,
                                "max": 1,
                                "modifiers": [
                                    modifier("brioche", "Brioche Bun"),
                                    modifier("gf-bun", "Gluten-free Bun", "1.00"),
                                ],
                            },
                            {
                                "name": "Extras",
                                "min": 0,
                                "max": 3,
                                "modifiers": [
                                    modifier("bacon", "Bacon", "1.50"),
                                    modifier("cheese", "Cheese", "1.00"),
                                ],
                            },
                        ],
                    },
                ],
            },
        ],
    }


@pytest.fixture
def location() -> Location:
    return Location.objects.create(
        name="The Test Arms", slug="test-arms", table_service_mode_id="table-service"
    )


def product_in(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for c in data["categories"] for p in c["products"] if p["name"] == name)


def group_in(data: dict[str, Any], product: str, group: str) -> dict[str, Any]:
    return next(g for g in product_in(data, product)["modifier_groups"] if g["name"] == group)


def menu_rows() -> dict[str, list[dict[str, Any]]]:
    """Every menu row in the database, to compare before and after."""
    models = {
        "categories": Category,
        "products": Product,
        "variants": Variant,
        "modifier groups": ModifierGroup,
        "modifiers": Modifier,
        "product tags": Product.dietary_tags.through,
        "product allergens": Product.allergens.through,
    }
    return {name: list(model.objects.order_by("pk").values()) for name, model in models.items()}


def errors_for(location: Location, data: dict[str, Any]) -> list[str]:
    with pytest.raises(MenuImportError) as raised:
        import_menu(location, data)
    return raised.value.errors


def test_the_migration_creates_six_dietary_tags_and_the_fourteen_allergens():
    assert set(DietaryTag.objects.values_list("code", flat=True)) == {
        "vegetarian",
        "vegan",
        "gluten-free",
        "dairy-free",
        "spicy",
        "halal",
    }
    assert set(Allergen.objects.values_list("code", flat=True)) == {
        "celery",
        "gluten",
        "crustaceans",
        "eggs",
        "fish",
        "lupin",
        "milk",
        "molluscs",
        "mustard",
        "nuts",
        "peanuts",
        "sesame",
        "soya",
        "sulphites",
    }
    assert Allergen.objects.get(code="nuts").name == "Tree nuts"


def test_missing_standard_tag_and_allergen_rows_are_created_by_the_import(location):
    DietaryTag.objects.all().delete()
    Allergen.objects.all().delete()

    import_menu(location, menu())

    assert set(DietaryTag.objects.values_list("code", "name")) == {
        ("vegan", "Vegan"),
        ("vegetarian", "Vegetarian"),
    }
    assert Allergen.objects.get(code="milk").name == "Milk"


def test_a_dietary_tag_an_admin_added_can_be_used(location):
    DietaryTag.objects.create(code="keto", name="Keto")
    data = menu()
    product_in(data, "T-Bone Steak")["dietary_tags"] = ["keto"]

    import_menu(location, data)

    assert [t.code for t in Product.objects.get(plu="t-bone").dietary_tags.all()] == ["keto"]


def test_a_menu_imports_its_categories_products_variants_and_modifiers_in_file_order(location):
    result = import_menu(location, menu())

    assert list(location.categories.order_by("position").values_list("name", flat=True)) == [
        "Beer & Cider",
        "Starters",
        "Mains",
    ]
    mains = location.categories.get(name="Mains")
    assert [p.name for p in mains.products.order_by("position")] == [
        "T-Bone Steak",
        "Creamy Pasta",
        "Fish & Chips",
        "Steak & Ale Pie",
        "Burger",
    ]
    corona = Product.objects.get(location=location, plu="401")
    assert [(v.pos_identifier, v.name, v.price) for v in corona.variants.all()] == [
        ("pint-401", "PINT", Decimal("7.00")),
        ("half-401", "HALF", Decimal("3.80")),
    ]
    assert [t.code for t in corona.dietary_tags.all()] == ["vegan"]
    assert [a.code for a in corona.allergens.all()] == ["gluten"]
    t_bone = Product.objects.get(location=location, plu="t-bone")
    cooking, sauce = t_bone.modifier_groups.all()
    assert (cooking.name, cooking.min_choices, cooking.max_choices) == ("Cooking", 1, 1)
    assert [(m.name, m.price) for m in sauce.modifiers.all()] == [
        ("Pepper Sauce", Decimal("0.00")),
        ("Béarnaise", Decimal("1.50")),
    ]
    assert result.created["products"] == 7
    assert result.created["modifiers"] == 8
    assert not result.updated and not result.unchanged


def test_prices_given_as_whole_numbers_are_stored_with_two_places(location):
    data = menu()
    product_in(data, "Creamy Pasta")["price"] = 14
    product_in(data, "Fish & Chips")["price"] = "17.5"

    import_menu(location, data)

    assert Product.objects.get(plu="pasta").price == Decimal("14.00")
    assert str(export_menu(location)["categories"][2]["products"][2]["price"]) == "17.50"


def test_importing_the_same_menu_again_changes_no_rows(location):
    import_menu(location, menu())
    before = menu_rows()

    result = import_menu(location, menu())

    assert menu_rows() == before
    assert not result.changed
    assert result.unchanged == {
        "categories": 3,
        "products": 7,
        "variants": 2,
        "modifier groups": 4,
        "modifiers": 8,
    }


def test_exporting_then_importing_changes_nothing(location):
    import_menu(location, menu())
    # As if an admin had renumbered things by hand: export keeps the order, import keeps them.
    Category.objects.filter(location=location, name="Mains").update(position=50)
    Modifier.objects.filter(plu="bearnaise").update(position=7)
    exported = export_menu(location)
    before = menu_rows()

    result = import_menu(location, copy.deepcopy(exported))

    assert not result.changed
    assert menu_rows() == before
    assert export_menu(location) == exported


def test_the_export_is_the_imported_menu_with_every_field_spelled_out(location):
    import_menu(location, menu())

    corona = export_menu(location)["categories"][0]["products"][0]

    assert corona == {
        "plu": "401",
        "name": "Corona",
        "description": "Mexican lager with a wedge of lime.",
        "price": "7.00",
        "dietary_tags": ["vegan"],
        "allergens": ["gluten"],
        "available": True,
        "variants": [
            {"pos_identifier": "pint-401", "name": "PINT", "price": "7.00"},
            {"pos_identifier": "half-401", "name": "HALF", "price": "3.80"},
        ],
        "modifier_groups": [],
        "translations": [],
    }


def test_a_changed_price_updates_only_that_product(location):
    import_menu(location, menu())
    data = menu()
    product_in(data, "Creamy Pasta")["price"] = "14.50"

    result = import_menu(location, data)

    assert Product.objects.get(plu="pasta").price == Decimal("14.50")
    assert result.updated == {"products": 1}
    assert result.unchanged["products"] == 6


def test_rows_matched_by_their_identifiers_keep_their_ids(location):
    import_menu(location, menu())
    medium = Modifier.objects.get(plu="medium")
    pint = Variant.objects.get(pos_identifier="pint-401")
    data = menu()
    group_in(data, "T-Bone Steak", "Cooking")["modifiers"].append(modifier("well", "Well Done"))
    product_in(data, "Corona")["name"] = "Corona Extra"

    import_menu(location, data)

    assert Modifier.objects.get(plu="medium").pk == medium.pk
    assert Variant.objects.get(pos_identifier="pint-401").pk == pint.pk
    assert Product.objects.get(plu="401").name == "Corona Extra"


def test_changed_dietary_tags_and_allergens_replace_the_old_ones(location):
    import_menu(location, menu())
    data = menu()
    product_in(data, "Garlic Bread").update(dietary_tags=["vegan"], allergens=["gluten"])

    result = import_menu(location, data)

    garlic_bread = Product.objects.get(plu="garlic-bread")
    assert [t.code for t in garlic_bread.dietary_tags.all()] == ["vegan"]
    assert [a.code for a in garlic_bread.allergens.all()] == ["gluten"]
    assert result.updated == {"products": 1}


def test_variants_modifier_groups_and_modifiers_removed_from_the_file_are_deleted(location):
    import_menu(location, menu())
    data = menu()
    product_in(data, "Corona")["variants"].pop()  # HALF
    group_in(data, "T-Bone Steak", "Sauce")["modifiers"].pop()  # Béarnaise
    product_in(data, "Burger")["modifier_groups"].pop()  # Extras: Bacon, Cheese

    result = import_menu(location, data)

    assert not Variant.objects.filter(pos_identifier="half-401").exists()
    assert not Modifier.objects.filter(plu__in=["bearnaise", "bacon", "cheese"]).exists()
    assert not ModifierGroup.objects.filter(name="Extras").exists()
    assert Modifier.objects.filter(plu="pepper").exists()
    assert result.deleted == {"variants": 1, "modifier groups": 1, "modifiers": 3}


def test_a_removed_variant_reports_the_diners_lines_it_takes_not_those_already_accepted(
    location,
):
    import_menu(location, menu())
    half = Variant.objects.get(pos_identifier="half-401")
    table = Table.objects.create(location=location, name="Table 1", pos_table_id="1")
    anna = table.open_session().join("phone-anna")[0]
    accepted = BasketLine.objects.create(diner=anna, product=half.product, variant=half, quantity=1)
    batch = Batch.objects.create(
        session=anna.session, diner=anna, use_pos_prices=True, state=BatchState.ACCEPTED
    )
    BasketLine.objects.filter(pk=accepted.pk).update(batch=batch)  # on the check already
    BasketLine.objects.create(diner=anna, product=half.product, variant=half, quantity=2)
    data = menu()
    product_in(data, "Corona")["variants"].pop()  # HALF

    result = import_menu(location, data)

    assert result.deleted == {"variants": 1, "basket lines": 1}
    assert not BasketLine.objects.exists()


def test_products_missing_from_the_file_are_marked_unavailable_not_deleted(location):
    import_menu(location, menu())
    data = menu()
    data["categories"][2]["products"].pop(3)  # Steak & Ale Pie

    result = import_menu(location, data)

    pie = Product.objects.get(location=location, plu="pie")
    assert not pie.is_available
    assert result.made_unavailable == 1
    assert Product.objects.filter(location=location, is_available=True).count() == 6


def test_a_product_back_in_the_file_is_available_again(location):
    import_menu(location, menu())
    without_pie = menu()
    without_pie["categories"][2]["products"].pop(3)
    import_menu(location, without_pie)

    import_menu(location, menu())

    assert Product.objects.get(location=location, plu="pie").is_available


def test_a_product_is_moved_to_the_category_the_file_lists_it_under(location):
    import_menu(location, menu())
    data = menu()
    garlic_bread = data["categories"][1]["products"].pop()
    data["categories"][2]["products"].append(garlic_bread)

    import_menu(location, data)

    assert Product.objects.get(plu="garlic-bread").category.name == "Mains"


def test_importing_one_location_leaves_another_with_the_same_plus_alone():
    first = Location.objects.create(name="First", slug="first", table_service_mode_id="x")
    second = Location.objects.create(name="Second", slug="second", table_service_mode_id="x")
    import_menu(first, menu())
    import_menu(second, menu())
    data = menu()
    product_in(data, "Corona")["price"] = "9.00"
    data["categories"][2]["products"].pop()

    import_menu(first, data)

    assert second.products.get(plu="401").price == Decimal("7.00")
    assert second.products.get(plu="burger").is_available


def test_a_price_that_is_not_a_number_is_reported_with_the_row_it_is_in(location):
    data = menu()
    product_in(data, "Burger")["price"] = "abc"

    assert errors_for(location, data) == [f'{BURGER}: price {PRICE_RULE}, not "abc"']


def test_a_duplicate_plu_is_reported_with_the_row_that_used_it_first(location):
    data = menu()
    product_in(data, "Burger")["plu"] = "401"

    assert errors_for(location, data) == [
        f'{BURGER}: duplicate PLU "401" (also category 1 “Beer & Cider”, product 1 “Corona”)'
    ]


def test_a_modifier_group_whose_min_is_more_than_its_max_is_reported(location):
    data = menu()
    group_in(data, "T-Bone Steak", "Cooking")["min"] = 2

    assert errors_for(location, data) == [
        f"{T_BONE}, modifier group 1 “Cooking”: min 2 is more than max 1"
    ]


def test_unknown_dietary_tags_and_allergens_are_reported(location):
    data = menu()
    product_in(data, "Garlic Bread").update(dietary_tags=["keto"], allergens=["shellfish"])

    assert errors_for(location, data) == [
        'category 2 “Starters”, product 1 “Garlic Bread”: unknown dietary tag "keto"',
        'category 2 “Starters”, product 1 “Garlic Bread”: unknown allergen "shellfish"',
    ]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda d: product_in(d, "Creamy Pasta").update(price="-1.00"),
            f'{PASTA}: price {PRICE_RULE}, not "-1.00"',
        ),
        (
            lambda d: product_in(d, "Creamy Pasta").update(price="13.999"),
            f'{PASTA}: price {PRICE_RULE}, not "13.999"',
        ),
        (
            lambda d: product_in(d, "Creamy Pasta").pop("price"),
            f"{PASTA}: price is missing",
        ),
        (
            lambda d: product_in(d, "Creamy Pasta").update(prcie="13.99"),
            f'{PASTA}: unknown field "prcie"',
        ),
        (
            lambda d: product_in(d, "Creamy Pasta").update(name=" "),
            f"{MAINS}, product 2: name must be filled in (at most 120 characters, "
            'no NUL character), not " "',
        ),
        (
            lambda d: product_in(d, "Creamy Pasta").update(available="yes"),
            f'{PASTA}: available must be true or false, not "yes"',
        ),
        (
            lambda d: group_in(d, "T-Bone Steak", "Sauce")["modifiers"][1].update(price="1.5.0"),
            f"{T_BONE}, modifier group 2 “Sauce”, modifier 2 “Béarnaise”: "
            f'price {PRICE_RULE}, not "1.5.0"',
        ),
        (
            lambda d: group_in(d, "T-Bone Steak", "Sauce")["modifiers"][1].update(plu="pepper"),
            f'{T_BONE}, modifier group 2 “Sauce”: duplicate modifier PLU "pepper"',
        ),
        (
            lambda d: group_in(d, "Burger", "Bun").update(min=3, max=3),
            f"{BURGER}, modifier group 1 “Bun”: min 3 but only 2 modifiers to choose from",
        ),
        (
            lambda d: group_in(d, "Burger", "Bun").update(max=0, min=0),
            f"{BURGER}, modifier group 1 “Bun”: max must be a whole number from 1 to 32767, not 0",
        ),
        (
            lambda d: product_in(d, "Burger")["modifier_groups"][1].update(name="Bun"),
            f'{BURGER}: duplicate modifier group "Bun"',
        ),
        (
            lambda d: product_in(d, "Corona")["variants"][1].pop("pos_identifier"),
            "category 1 “Beer & Cider”, product 1 “Corona”, variant 2 “HALF”: "
            "pos_identifier is missing",
        ),
        (
            lambda d: d["categories"][1].update(name="Mains"),
            "category 3 “Mains”: duplicate category name (also category 2 “Mains”)",
        ),
        (
            lambda d: d.update(format="openapp-menu/2"),
            'format must be "openapp-menu/1", not "openapp-menu/2"',
        ),
        (
            lambda d: d["categories"][1]["products"].append("Chips"),
            'category 2 “Starters”, product 2: must be an object, not "Chips"',
        ),
    ],
)
def test_each_kind_of_mistake_is_reported_in_plain_words(location, change, error):
    data = menu()
    change(data)

    assert errors_for(location, data) == [error]


def test_a_nul_character_is_refused_in_every_kind_of_text(location):
    """PostgreSQL cannot store U+0000: the file is refused, saying where, before any write."""
    data = menu()
    pasta = product_in(data, "Creamy Pasta")
    pasta.update(name="Creamy\x00Pasta", description="Rich\x00")
    pasta["translations"] = [{"language": "fr", "name": "P\x00tes"}]
    assert errors_for(location, data) == [
        f"{MAINS}, product 2: name must be filled in (at most 120 characters, no NUL "
        'character), not "Creamy\\u0000Pasta"',
        f'{MAINS}, product 2: description must be text (no NUL character), not "Rich\\u0000"',
        f"{MAINS}, product 2, translation 1: name must be text (at most 120 characters, "
        'no NUL character; blank: the product\'s own), not "P\\u0000tes"',
    ]


def test_every_problem_in_the_file_is_reported_at_once(location):
    data = menu()
    product_in(data, "Corona")["price"] = "seven"
    product_in(data, "Burger")["plu"] = "pasta"
    group_in(data, "Burger", "Extras")["min"] = 5

    assert errors_for(location, data) == [
        f'category 1 “Beer & Cider”, product 1 “Corona”: price {PRICE_RULE}, not "seven"',
        f'{BURGER}: duplicate PLU "pasta" (also {PASTA})',
        f"{BURGER}, modifier group 2 “Extras”: min 5 is more than max 3",
    ]


def test_a_failed_import_leaves_the_database_untouched(location):
    import_menu(location, menu())
    before = menu_rows()
    data = menu()
    product_in(data, "Corona")["price"] = "8.00"  # fine on its own
    data["categories"].append({"name": "Desserts", "products": []})
    data["categories"][2]["products"].pop(3)
    product_in(data, "Burger")["price"] = "abc"

    with pytest.raises(MenuImportError):
        import_menu(location, data)

    assert menu_rows() == before


def test_the_error_message_lists_every_problem(location):
    data = menu()
    product_in(data, "Burger")["price"] = "abc"

    with pytest.raises(
        MenuImportError, match=f'{BURGER}: price {re.escape(PRICE_RULE)}, not "abc"'
    ):
        import_menu(location, data)


def test_a_wrong_type_deep_in_the_file_names_the_place_it_is_in(location):
    data = menu()
    group_in(data, "Burger", "Extras")["modifiers"][1]["available"] = "maybe"

    assert errors_for(location, data) == [
        f"{BURGER}, modifier group 2 “Extras”, modifier 2 “Cheese”: "
        'available must be true or false, not "maybe"'
    ]


def test_a_list_where_text_belongs_names_the_field(location):
    data = menu()
    product_in(data, "Corona")["variants"][0]["name"] = ["PINT"]

    assert errors_for(location, data) == [
        "category 1 “Beer & Cider”, product 1 “Corona”, variant 1: "
        'name must be filled in (at most 60 characters, no NUL character), not ["PINT"]'
    ]


@pytest.mark.parametrize("price", ["-0.50", "4.555", -1, 4.555, "NaN", True, "10000000", "4,50"])
def test_a_price_that_breaks_the_price_rule_is_refused_with_its_product_named(location, price):
    data = menu()
    product_in(data, "Fish & Chips")["price"] = price

    assert errors_for(location, data) == [
        f"{MAINS}, product 3 “Fish & Chips”: price {PRICE_RULE}, not {json.dumps(price)}"
    ]


def test_prices_are_stored_exactly_as_written(location):
    data = menu()
    product_in(data, "Fish & Chips")["price"] = 17.25  # a JSON number, not text
    product_in(data, "Creamy Pasta")["price"] = " 13.90 "

    import_menu(location, data)

    assert Product.objects.get(plu="fish").price == Decimal("17.25")
    assert Product.objects.get(plu="pasta").price == Decimal("13.90")


def test_every_problem_in_one_product_is_reported_too(location):
    data = menu()
    burger = product_in(data, "Burger")
    burger.update(price="-2", allergens=["glue"], colour="red")
    burger["modifier_groups"][0]["max"] = "one"
    del burger["name"]

    assert errors_for(location, data) == [
        f"{MAINS}, product 5: name is missing",
        f'{MAINS}, product 5: unknown field "colour"',
        f'{MAINS}, product 5: price {PRICE_RULE}, not "-2"',
        f'{MAINS}, product 5: unknown allergen "glue"',
        f"{MAINS}, product 5, modifier group 1 “Bun”: "
        'max must be a whole number from 1 to 32767, not "one"',
    ]


def test_text_too_long_for_the_database_is_refused():
    data = menu()
    data["categories"][1]["name"] = "S" * 81

    with pytest.raises(MenuImportError) as raised:
        validate_menu(data)

    assert raised.value.errors == [
        f"category 2 “{'S' * 39}…”: name must be filled in (at most 80 characters, "
        f'no NUL character), not "{"S" * 58}…'
    ]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda d: d.pop("categories"), "categories is missing"),
        (lambda d: d.update(categories={}), "categories must be a list of categories, not {}"),
        (
            lambda d: group_in(d, "Burger", "Bun").update(modifiers=[]),
            f"{BURGER}, modifier group 1 “Bun”: "
            "modifiers must be a list of at least one modifier, not []",
        ),
    ],
)
def test_the_menu_as_a_whole_is_checked_too(location, change, error):
    data = menu()
    change(data)

    assert errors_for(location, data) == [error]


def test_a_file_that_is_not_an_object_is_refused(location):
    assert errors_for(location, ["format"]) == ['the menu must be an object, not ["format"]']


def test_names_are_kept_without_the_spaces_around_them(location):
    data = menu()
    product_in(data, "Burger")["name"] = "  Burger  "

    import_menu(location, data)

    assert Product.objects.get(plu="burger").name == "Burger"


def test_every_value_in_the_format_has_a_rule_a_message_can_name():
    """Messages say what a value must be from its type's description: every field has one."""

    def fields(node: inspect.Type, where: str) -> Iterator[tuple[str, inspect.Type]]:
        node = node.type if isinstance(node, inspect.Metadata) else node
        if isinstance(node, inspect.StructType):
            for f in node.fields:
                yield f"{where}.{f.encode_name}", f.type
                yield from fields(f.type, f"{where}.{f.encode_name}")
        elif isinstance(node, inspect.ListType):
            yield from fields(node.item_type, f"{where}[]")

    undescribed = [
        where
        for where, node in fields(inspect.type_info(menu_format.Menu), "$")
        if not (isinstance(node, inspect.Metadata) and node.extra_json_schema.get("description"))
    ]
    assert undescribed == []


def test_the_export_decodes_as_the_format_and_encodes_back_the_same(location):
    import_menu(location, menu())
    exported = export_menu(location)

    decoded = msgspec.convert(exported, menu_format.Menu, dec_hook=menu_format._dec_hook)

    assert menu_format.to_builtins(decoded) == exported
    assert msgspec.json.decode(menu_format.encode_json(decoded)) == exported
