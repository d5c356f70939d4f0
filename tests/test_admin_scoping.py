"""A manager of one location never sees another's rows: not in lists, forms, autocompletes,
downloads or exports. The two restaurants have the same menu and table names, so every
check is by id."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from ordering.models import Batch, BatchState, Modifier, ModifierGroup, Product
from pos_bridge.models import PosConnection, PosMessage
from tables.models import Location, Table
from tests.test_admin_people import logged_in, person, second_location

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbour(dining_room: Location) -> Location:
    return second_location()


@pytest.fixture
def manager(dining_room: Location, harbour: Location) -> Client:
    return logged_in(person("morgan", "Managers", dining_room))


def _batch(location: Location) -> Batch:
    table = location.tables.get(pos_table_id="4")
    session = table.open_session()
    diner, _ = session.join("phone-" + location.slug)
    return Batch.objects.create(
        session=session, diner=diner, use_pos_prices=True, state=BatchState.ACCEPTED
    )


def rows_of(location: Location) -> dict[str, Any]:
    """One row of each kind the admin shows, all belonging to `location`."""
    product = location.products.first()
    group = ModifierGroup.objects.filter(product__location=location).first()
    assert product is not None and group is not None
    return {
        "tables/location": location,
        "tables/table": location.tables.get(pos_table_id="10"),
        "ordering/category": location.categories.first(),
        "ordering/product": product,
        "ordering/modifiergroup": group,
        "ordering/modifier": group.modifiers.first(),
        "pos_bridge/posconnection": PosConnection.objects.get(location=location),
        "tables/tablesession": location.tables.get(pos_table_id="4").open_session(),
        "ordering/batch": _batch(location),
        "pos_bridge/posmessage": _message(location),
    }


def _message(location: Location) -> PosMessage:
    return PosMessage.objects.create(
        connection=PosConnection.objects.get(location=location),
        at=timezone.now(),
        direction=PosMessage.OUT,
        kind="request",
        message_type=1,
        reference=f"req-{location.slug}",
        size=2,
        text="{}",
    )


def change_url(kind: str, obj: Any) -> str:
    return f"/admin/{kind}/{obj.pk}/change/"


def test_lists_show_only_the_managers_location(manager, dining_room, harbour):
    ours, theirs = rows_of(dining_room), rows_of(harbour)
    for kind in ours:
        page = manager.get(f"/admin/{kind}/")
        assert page.status_code == 200, kind
        html = page.content.decode()
        assert change_url(kind, ours[kind]) in html, kind
        assert change_url(kind, theirs[kind]) not in html, kind
    assert "The Harbour Kitchen" not in manager.get("/admin/tables/location/").content.decode()


def test_another_locations_change_delete_and_history_pages_are_not_found(
    manager, dining_room, harbour
):
    ours, theirs = rows_of(dining_room), rows_of(harbour)
    for kind, obj in theirs.items():
        for page in ["change", "delete", "history"]:
            response = manager.get(f"/admin/{kind}/{obj.pk}/{page}/")
            assert response.status_code in (403, 404), (kind, page, response.status_code)
        assert manager.get(change_url(kind, ours[kind])).status_code == 200, kind


def test_deleting_or_changing_another_locations_row_by_post_is_refused(
    manager, dining_room, harbour
):
    table = harbour.tables.get(pos_table_id="10")
    response = manager.post(f"/admin/tables/table/{table.pk}/delete/", {"post": "yes"})
    assert response.status_code == 404
    response = manager.post(
        change_url("tables/table", table),
        {"location": harbour.pk, "name": "Mine now", "pos_table_id": "10", "position": 10},
    )
    assert response.status_code == 404
    table.refresh_from_db()
    assert table.name == "Table 10"


def test_bulk_actions_ignore_another_locations_rows(manager, dining_room, harbour):
    ours = dining_room.tables.get(pos_table_id="1")
    theirs = harbour.tables.get(pos_table_id="1")
    old_token = theirs.qr_token
    response = manager.post(
        "/admin/tables/table/",
        {"action": "download_qr_codes", "_selected_action": [ours.pk, theirs.pk]},
    )
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["demo-table-1.png", "demo-table-1.svg"]

    manager.post(
        "/admin/tables/table/",
        {"action": "rotate_qr_codes", "_selected_action": [theirs.pk], "post": "yes"},
    )
    theirs.refresh_from_db()
    assert theirs.qr_token == old_token

    product = harbour.products.first()
    manager.post(
        "/admin/ordering/product/",
        {"action": "mark_sold_out", "_selected_action": [product.pk]},
    )
    product.refresh_from_db()
    assert product.is_available


def options(page: str, name: str) -> dict[str, bool]:
    """The choices of one <select>: value → selected."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return {
        value: bool(selected)
        for value, selected in re.findall(r'<option value="(\d+)"( selected)?', select[1])
    }


def test_form_choices_offer_only_the_managers_location(manager, dining_room, harbour):
    page = manager.get("/admin/ordering/product/add/").content.decode()
    ours = {str(pk) for pk in dining_room.categories.values_list("pk", flat=True)}
    assert set(options(page, "category")) == ours
    assert options(page, "location") == {str(dining_room.pk): True}  # their only location

    page = manager.get("/admin/tables/table/add/").content.decode()
    assert set(options(page, "location")) == {str(dining_room.pk)}
    page = manager.get("/admin/pos_bridge/posconnection/add/").content.decode()
    assert set(options(page, "location")) == {str(dining_room.pk)}


def test_a_form_posted_with_another_locations_choice_is_refused(manager, dining_room, harbour):
    response = manager.post(
        "/admin/ordering/product/add/",
        {
            "location": harbour.pk,
            "category": harbour.categories.first().pk,
            "name": "Smuggled Pie",
            "plu": "smuggled",
            "price": "5.00",
            "description": "",
            "is_available": "on",
            "position": 0,
            **_empty_inlines(),
        },
    )
    assert response.status_code == 200  # the form again, with errors
    assert "Select a valid choice" in response.content.decode()
    assert not Product.objects.filter(plu="smuggled").exists()

    response = manager.post(
        "/admin/tables/table/add/",
        {"location": harbour.pk, "name": "Table 99", "pos_table_id": "99", "position": 99},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Table.objects.filter(pos_table_id="99").exists()


def _empty_inlines() -> dict[str, str]:
    data = {}
    for prefix in ["variants", "modifier_groups", "translations"]:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def test_autocomplete_offers_only_the_managers_products(manager, dining_room, harbour):
    response = manager.get(
        "/admin/autocomplete/",
        {
            "app_label": "ordering",
            "model_name": "modifiergroup",
            "field_name": "product",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids
    assert ids <= set(dining_room.products.values_list("pk", flat=True))

    response = manager.get(
        "/admin/autocomplete/",
        {"app_label": "ordering", "model_name": "modifier", "field_name": "group", "term": ""},
    )
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids
    assert ids <= set(
        ModifierGroup.objects.filter(product__location=dining_room).values_list("pk", flat=True)
    )


def test_list_filters_name_only_the_managers_rows(manager, dining_room, harbour):
    page = manager.get("/admin/ordering/product/").content.decode()
    for category in harbour.categories.all():
        assert f"category__id__exact={category.pk}" not in page
    assert f"category__id__exact={dining_room.categories.first().pk}" in page


def test_downloads_and_exports_of_another_location_are_not_found(manager, dining_room, harbour):
    theirs = harbour.tables.get(pos_table_id="10")
    forbidden = [
        f"/admin/tables/table/{theirs.pk}/qr.png",
        f"/admin/tables/table/{theirs.pk}/qr.svg",
        f"/admin/tables/table/{theirs.pk}/rotate-qr-code/",
        f"/admin/tables/location/{harbour.pk}/qr-codes/a4.pdf",
        f"/admin/tables/location/{harbour.pk}/qr-codes/letter.pdf",
        f"/admin/tables/location/{harbour.pk}/menu/",
        f"/admin/tables/location/{harbour.pk}/menu/export.json",
        f"/admin/tables/location/{harbour.pk}/menu/export.csv",
    ]
    for url in forbidden:
        assert manager.get(url).status_code in (403, 404), url
        assert manager.get(url.replace(str(theirs.pk), "999999")).status_code == 404
    old_token = theirs.qr_token
    assert manager.post(f"/admin/tables/table/{theirs.pk}/rotate-qr-code/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.qr_token == old_token

    ours = dining_room.tables.get(pos_table_id="10")
    assert manager.get(f"/admin/tables/table/{ours.pk}/qr.png").status_code == 200
    assert (
        manager.get(f"/admin/tables/location/{dining_room.pk}/menu/export.json").status_code == 200
    )


def test_a_menu_upload_to_another_location_changes_nothing(manager, harbour):
    csv_file = io.BytesIO(b"plu,name,category,price\n401,Cheap Corona,Beer & Cider,0.50\n")
    csv_file.name = "menu.csv"
    response = manager.post(f"/admin/tables/location/{harbour.pk}/menu/", {"file": csv_file})
    assert response.status_code == 404
    assert harbour.products.get(plu="401").name == "Corona"


def test_staff_can_mark_their_own_products_sold_out_only(dining_room, harbour):
    staff = logged_in(person("sam", "Staff", dining_room))
    ours, theirs = dining_room.products.first(), harbour.products.first()
    for product in [ours, theirs]:
        staff.post(
            "/admin/ordering/product/",
            {"action": "mark_sold_out", "_selected_action": [product.pk]},
        )
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert not ours.is_available
    assert theirs.is_available
    assert staff.get(change_url("ordering/product", theirs)).status_code == 404
    modifier = Modifier.objects.filter(group__product__location=harbour).first()
    assert staff.get(change_url("ordering/modifier", modifier)).status_code == 404


def test_a_manager_of_both_sees_both_and_can_filter_by_location(dining_room, harbour):
    client = logged_in(person("pat", "Managers", dining_room, harbour))
    page = client.get("/admin/tables/table/").content.decode()
    assert change_url("tables/table", harbour.tables.get(pos_table_id="10")) in page
    assert f"location__id__exact={harbour.pk}" in page
    filtered = client.get(f"/admin/tables/table/?location__id__exact={harbour.pk}")
    assert change_url("tables/table", dining_room.tables.first()) not in filtered.content.decode()


def test_superusers_see_every_location(dining_room, harbour):
    admin = User.objects.create_superuser("root", password="x")
    page = logged_in(admin).get("/admin/tables/location/").content.decode()
    assert "The Harbour Kitchen" in page and "The Corona &amp; Steak" in page
