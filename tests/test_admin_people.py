"""The Managers and Staff groups, and the people these admin tests log in as."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tables.models import Location, LocationMembership
from tests.restaurant import make_restaurant

PASSWORD = "correct horse battery staple"


def person(username: str, group: str | None, *locations: Location) -> User:
    """A user in the Managers or Staff group who works at the given locations."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for location in locations:
        LocationMembership.objects.create(user=user, location=location)
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def second_location() -> Location:
    """Another restaurant with the same menu and table names: only scoping tells them apart."""
    other = make_restaurant("ws://127.0.0.1:9", slug="harbour")
    other.name = "The Harbour Kitchen"
    other.save()
    return other


@pytest.mark.django_db
def test_the_migration_made_both_groups():
    managers = set(
        Group.objects.get(name="Managers").permissions.values_list("codename", flat=True)
    )
    staff = set(Group.objects.get(name="Staff").permissions.values_list("codename", flat=True))
    assert {"change_product", "add_table", "change_posconnection", "change_location"} <= managers
    assert {"view_batch", "view_tablesession"} <= managers
    assert not {"change_batch", "delete_batch", "add_location", "delete_location"} & managers
    assert {"change_table", "view_table", "change_availability", "view_product"} <= staff
    assert not {"change_product", "change_modifier", "add_table", "view_posconnection"} & staff
    assert not {codename for codename in staff if codename.startswith(("add_", "delete_"))}


@pytest.mark.django_db
def test_staff_see_tables_menu_and_orders_but_not_the_pos(dining_room):
    client = logged_in(person("sam", "Staff", dining_room))
    index = client.get("/admin/").content.decode()
    for name in ["Tables", "Products", "Modifiers", "Batches", "Table sessions", "Locations"]:
        assert f">{name}<" in index, name
    assert "POS connection" not in index
    assert client.get("/admin/pos_bridge/posconnection/").status_code == 403


@pytest.mark.django_db
def test_a_user_without_a_location_sees_no_rows(dining_room):
    client = logged_in(person("nobody", "Managers"))
    page = client.get("/admin/tables/table/").content.decode()
    assert "Table 10" not in page
    assert "0 tables" in page
