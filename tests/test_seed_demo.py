"""`manage.py seed_demo`: the demo restaurant, seeded as often as you like."""

from __future__ import annotations

import stat
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from openapp_site.demo import admin_login_line, demo_table_links
from ordering.models import Category, Modifier, ModifierGroup, Product, Variant
from pos_bridge.models import PosConnection
from tables.models import Location, Table

pytestmark = pytest.mark.django_db

SEED_SERVICE_MODE_ID = "0adc10d8-d2eb-40b9-9801-0664531f7400"


@pytest.fixture(autouse=True)
def demo_settings(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DEMO_ADMIN_PASSWORD_FILE = tmp_path / "var" / "demo-admin-password"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def all_rows() -> dict[str, list[dict[str, Any]]]:
    models = [
        Location,
        Table,
        PosConnection,
        Category,
        Product,
        Variant,
        ModifierGroup,
        Modifier,
        Product.dietary_tags.through,
        Product.allergens.through,
        get_user_model(),
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def demo_product(plu: str) -> Product:
    return Product.objects.get(location__slug="demo", plu=plu)


def test_seeding_twice_changes_no_rows_and_keeps_every_table_token():
    seed()
    before = all_rows()
    tokens = dict(Table.objects.values_list("pos_table_id", "qr_token"))

    seed()

    assert all_rows() == before
    assert dict(Table.objects.values_list("pos_table_id", "qr_token")) == tokens


def test_the_second_run_reports_that_nothing_was_created():
    first = seed()
    second = seed()

    assert "Tables: 20 (20 created, 0 updated)" in first
    assert "Tables: 20 (0 created, 0 updated)" in second
    assert "Menu: 57 products in 8 categories (0 created, 0 updated, 57 unchanged)" in second
    assert 'Location "The Corona & Steak" (demo): unchanged' in second


def test_the_location_uses_the_seed_table_service_mode_and_pos_prices():
    seed()

    location = Location.objects.get(slug="demo")
    assert location.name == "The Corona & Steak"
    assert location.currency == "GBP"
    assert location.table_service_mode_id == SEED_SERVICE_MODE_ID
    assert location.use_pos_prices is True
    assert location.is_training is False


def test_the_demo_menu_has_at_least_thirty_products_in_six_or_more_categories():
    seed()

    assert Product.objects.filter(location__slug="demo", is_available=True).count() >= 30
    assert Category.objects.filter(location__slug="demo").count() >= 6
    assert Product.objects.filter(dietary_tags__isnull=False).distinct().count() >= 5
    assert Product.objects.filter(allergens__isnull=False).distinct().count() >= 5
    assert Product.objects.filter(variants__isnull=False).distinct().count() >= 5
    assert Product.objects.filter(modifier_groups__isnull=False).distinct().count() >= 5


def test_the_seed_items_keep_their_seed_plus_identifiers_and_prices():
    seed()

    corona = demo_product("401")
    assert (corona.name, corona.price) == ("Corona", Decimal("7.00"))
    assert [(v.pos_identifier, v.name, v.price) for v in corona.variants.all()] == [
        ("07c8fd3e-6331-4646-99b2-b4ef3486fb19", "PINT", Decimal("7.00"))
    ]
    assert demo_product("5e132381-8723-4f38-9483-6265bced2f96").price == Decimal("5.00")
    assert demo_product("02f3b881-f675-4913-a0d0-1571dbf24aff").price == Decimal("13.99")
    t_bone = demo_product("a9cc9a46-9a4d-445a-a248-838e188970c4")
    assert (t_bone.name, t_bone.price) == ("T-Bone Steak", Decimal("29.95"))
    assert [g.name for g in t_bone.modifier_groups.all()] == [
        "Cooking",
        "Sauce",
        "Side",
        "Dressing",
    ]
    seed_children = {
        "ca68658f-7d6a-443e-9944-1c1e66c95b2f": ("Cooking", "Medium", Decimal("0.00")),
        "b554e4cf-aac5-442f-94d2-59153d1a42f7": ("Sauce", "Pepper Sauce", Decimal("0.00")),
        "711336b0-262c-4701-bea8-c554fc5ebd72": ("Side", "Side Salad", Decimal("1.00")),
        "57fd9855-c860-4330-8476-4933d96dbfbc": ("Dressing", "Balsamic", Decimal("0.00")),
    }
    for plu, expected in seed_children.items():
        child = Modifier.objects.get(group__product=t_bone, plu=plu)
        assert (child.group.name, child.name, child.price) == expected


def test_the_t_bone_has_a_required_cooking_group_containing_medium():
    seed()

    t_bone = demo_product("a9cc9a46-9a4d-445a-a248-838e188970c4")
    cooking = t_bone.modifier_groups.get(name="Cooking")
    assert (cooking.min_choices, cooking.max_choices) == (1, 1)
    assert [m.name for m in cooking.modifiers.all()] == [
        "Rare",
        "Medium Rare",
        "Medium",
        "Medium Well",
        "Well Done",
    ]


def test_every_variant_has_its_own_pos_identifier():
    seed()

    identifiers = list(Variant.objects.values_list("pos_identifier", flat=True))
    assert len(identifiers) == len(set(identifiers))
    assert Variant.objects.filter(name="HALF").count() >= 4


def test_tables_one_to_twenty_have_pos_ids_one_to_twenty():
    seed()

    tables = Table.objects.filter(location__slug="demo").order_by("position")
    assert [(t.name, t.pos_table_id, t.position) for t in tables] == [
        (f"Table {n}", str(n), n) for n in range(1, 21)
    ]


def test_the_pos_connection_defaults_to_the_demo_pos_url_setting(settings):
    settings.DEMO_POS_URL = "ws://pos.example:9000"

    seed()

    connection = PosConnection.objects.get(location__slug="demo")
    assert connection.url == "ws://pos.example:9000"
    assert (connection.provider_id, connection.provider_name) == (90210, "OpenApp")
    assert connection.device_id == "openapp-demo"
    assert connection.pos_user_id == "f9248a0f-ba0c-4c80-b9f2-fe020b456ce4"


def test_without_a_setting_the_pos_connection_points_at_the_local_simulator(settings):
    settings.DEMO_POS_URL = ""

    seed()

    assert PosConnection.objects.get(location__slug="demo").url == "ws://127.0.0.1:8765"


def test_the_pos_url_option_is_stored_and_kept_by_a_later_run_without_it():
    seed("--pos-url", "ws://127.0.0.1:9999")
    assert PosConnection.objects.get(location__slug="demo").url == "ws://127.0.0.1:9999"

    seed()

    assert PosConnection.objects.get(location__slug="demo").url == "ws://127.0.0.1:9999"


def test_a_pos_url_that_is_not_a_websocket_address_is_refused():
    with pytest.raises(CommandError, match="ws://"):
        seed("--pos-url", "http://127.0.0.1:8765")

    assert not Location.objects.exists()


def test_the_admin_gets_the_password_from_the_environment(monkeypatch, settings):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "correct horse battery")

    seed()

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("correct horse battery")
    password_file = Path(settings.DEMO_ADMIN_PASSWORD_FILE)
    assert password_file.read_text().strip() == "correct horse battery"


def test_a_random_admin_password_is_written_to_a_file_only_its_owner_can_read(settings):
    seed()

    password_file = Path(settings.DEMO_ADMIN_PASSWORD_FILE)
    password = password_file.read_text().strip()
    assert len(password) >= 12
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600


def test_an_existing_admin_keeps_its_password(monkeypatch, settings):
    get_user_model().objects.create_superuser("admin", "", "chosen-by-the-owner")
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "something else")

    output = seed()

    assert get_user_model().objects.get(username="admin").check_password("chosen-by-the-owner")
    assert not Path(settings.DEMO_ADMIN_PASSWORD_FILE).exists()
    assert "password left alone" in output


def test_demo_table_links_open_each_table_by_its_qr_token():
    seed()

    links = demo_table_links("http://192.168.1.20:8000/")

    tokens = dict(Table.objects.values_list("name", "qr_token"))
    assert len(links) == 20
    assert links[0] == ("Table 1", f"http://192.168.1.20:8000/t/{tokens['Table 1']}")
    assert links[-1] == ("Table 20", f"http://192.168.1.20:8000/t/{tokens['Table 20']}")


def test_the_admin_login_line_shows_the_password_seed_demo_chose(monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "correct horse battery")
    seed()

    assert admin_login_line("http://127.0.0.1:8000/") == (
        'Admin: http://127.0.0.1:8000/admin/ (user "admin", password "correct horse battery")'
    )


def test_the_admin_login_line_leaves_the_password_out_when_none_is_on_file():
    assert admin_login_line("http://127.0.0.1:8000") == (
        'Admin: http://127.0.0.1:8000/admin/ (user "admin")'
    )
