"""Product identifiers in the admin: the PLUs and sales modifier identifiers the POS has
reported for the location are offered to pick from; a value that cannot be an identifier
is refused; one the POS has not reported yet is saved with a warning. The menu import
refuses the first and reports the second."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from ordering import checks
from ordering.checks import CheckLine, CheckState
from ordering.identifiers import is_identifier, reported_identifiers
from ordering.menu_import import MenuImportError, export_menu, import_menu
from ordering.models import BatchState, Product
from tests.test_admin_people import logged_in, person, second_location
from tests.test_floor import a_batch, a_visit

pytestmark = pytest.mark.django_db

STEAK = "7f1c9a52-3e1b-4d7e-9a4f-0c9e2b1d8a11"


def pos_reported(location) -> None:
    """The POS sent a check with a waiter's steak (PLU, a child) and a batch was accepted."""
    table = location.tables.get(pos_table_id="10")
    session, (anna,) = a_visit(table, 1)
    state = CheckState(
        currency="GBP",
        lines=[
            CheckLine(
                line_id="1",
                name="Ribeye",
                quantity=1,
                total=Decimal("25.00"),
                plu=STEAK,
                sales_modifier="LARGE",
                variant="Large",
                child_plus={"900": "Peppercorn Sauce"},
            )
        ],
    )
    checks.apply_snapshot(session.pk, 1, state)
    a_batch(session, anna, BatchState.ACCEPTED)  # 2 × Corona, PLU 401


def test_what_counts_as_an_identifier():
    for good in ["401", "PINT", "half-pint", STEAK, STEAK.upper(), "{" + STEAK + "}"]:
        assert is_identifier(good), good
    for bad in ["", "4 01", "pint!", "café", "401;DROP", "a_b", "<b>"]:
        assert not is_identifier(bad), bad


def test_reported_identifiers_come_from_stored_checks_and_accepted_orders(dining_room):
    pos_reported(dining_room)
    reported = reported_identifiers(dining_room.pk)
    assert reported.plus[STEAK] == "Ribeye" and reported.plus["900"] == "Peppercorn Sauce"
    assert reported.plus["401"] == "Corona"
    assert reported.modifiers["LARGE"] == "Large"
    assert reported_identifiers(second_location().pk).plus == {}  # per location


def test_the_product_form_offers_the_reported_identifiers(dining_room):
    pos_reported(dining_room)
    client = logged_in(person("morgan", "Managers", dining_room))
    product = dining_room.products.get(name="Corona")
    page = client.get(f"/admin/ordering/product/{product.pk}/change/").content.decode()
    assert 'list="id_plu-reported"' in page
    assert f'<option value="{STEAK}">Ribeye</option>' in page
    assert '<option value="LARGE">Large</option>' in page  # the variants' suggestions
    add = client.get("/admin/ordering/product/add/").content.decode()
    assert f'<option value="{STEAK}">Ribeye</option>' in add  # the only location's


def product_form(product: Product, **changes) -> dict:
    data = {
        "location": product.location_id,
        "category": product.category_id,
        "name": product.name,
        "plu": product.plu,
        "price": str(product.price),
        "description": product.description,
        "is_available": "on",
        "position": product.position,
        "variants-TOTAL_FORMS": 0,
        "variants-INITIAL_FORMS": 0,
        "modifier_groups-TOTAL_FORMS": 0,
        "modifier_groups-INITIAL_FORMS": 0,
        "translations-TOTAL_FORMS": 0,
        "translations-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_value_that_cannot_be_an_identifier_is_refused(dining_room):
    client = logged_in(person("morgan", "Managers", dining_room))
    product = dining_room.products.get(name="Garlic Bread")
    response = client.post(
        f"/admin/ordering/product/{product.pk}/change/", product_form(product, plu="garlic bread")
    )
    assert response.status_code == 200
    assert "is not a POS identifier" in response.content.decode()
    product.refresh_from_db()
    assert product.plu != "garlic bread"


def test_an_unreported_identifier_is_saved_with_a_warning(dining_room):
    pos_reported(dining_room)
    client = logged_in(person("morgan", "Managers", dining_room))
    product = dining_room.products.get(name="Garlic Bread")
    response = client.post(
        f"/admin/ordering/product/{product.pk}/change/",
        product_form(product, plu="NEW-77"),
        follow=True,
    )
    product.refresh_from_db()
    assert product.plu == "NEW-77"
    assert "has not reported PLU NEW-77 yet" in response.content.decode()
    # A reported one saves without a warning.
    response = client.post(
        f"/admin/ordering/product/{product.pk}/change/", product_form(product, plu=STEAK)
    )
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("has not reported" in m for m in said), said


def test_the_menu_import_refuses_bad_identifiers_and_reports_unreported_ones(dining_room):
    pos_reported(dining_room)
    menu = export_menu(dining_room)
    menu["categories"][0]["products"][0]["plu"] = "not a plu"
    with pytest.raises(MenuImportError) as refused:
        import_menu(dining_room, menu)
    assert any('PLU "not a plu" is not a POS identifier' in e for e in refused.value.errors)

    menu = export_menu(dining_room)
    result = import_menu(dining_room, json.loads(json.dumps(menu)))
    assert result.warnings and "has not reported yet" in result.warnings[0]
    assert "401" not in result.warnings[0].split(": ", 1)[1].split(", ")  # Corona is known


def test_the_menu_page_shows_the_import_warnings(dining_room):
    client = logged_in(person("morgan", "Managers", dining_room))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "menu.json", json.dumps(export_menu(dining_room)).encode(), "application/json"
    )
    page = client.post(
        f"/admin/tables/location/{dining_room.pk}/menu/", {"file": upload}, follow=True
    ).content.decode()
    assert "has not reported any identifiers yet" in page


def test_a_snapshot_keeps_the_pos_identifiers_of_each_line():
    ONE = {"Quantity": 1, "Price": Decimal("0"), "TotalAmount": Decimal("0")}
    from pos_bridge import codec, protocol
    from pos_bridge.snapshots import check_state

    # Read as the bridge reads it: a pushed frame through the codec.
    order_fields = (
        {
            "Amount": Decimal("25.00"),
            "AmountOwing": Decimal("25.00"),
            "RemainingServiceChargeAmount": None,
            "Products": [
                {
                    "LineID": "L1",
                    "PLUIdentifier": STEAK,
                    "SalesModifierIdentifier": "LARGE",
                    "SalesModifierName": "Large",
                    "Name": "Ribeye",
                    **ONE,
                    "ChildProducts": [
                        {"PLUIdentifier": "900", "Name": "Peppercorn Sauce", **ONE},
                        {"ProductType": 1, "Name": "no salt", **ONE},
                    ],
                }
            ],
        },
    )
    push = {
        "EventID": "e-1",
        "MessageType": protocol.MessageType.TABLE_SNAPSHOT_CHANGED,
        "Payload": {
            "ServiceModeEntityID": "10",
            "Version": 2,
            "ChangeType": "ITEMS_ADDED",
            "LineIDs": ["L1"],
            "Order": order_fields[0],
        },
    }
    order = codec.decode(codec.dumps(push)).payload.order
    line = check_state(order, "GBP").lines[0]
    assert (line.plu, line.sales_modifier) == (STEAK, "LARGE")
    assert line.child_plus == {"900": "Peppercorn Sauce"}
