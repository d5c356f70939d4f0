"""The demo restaurant: one location with the demo menu, twenty tables, a POS connection
and an admin user. Seeding it again changes nothing (table QR codes keep their tokens)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction

from ordering.menu_import import MenuImportResult, import_menu
from pos_bridge.models import PosConnection
from tables.models import Location, Table

DEMO_SLUG = "demo"
DEMO_LOCATION = {
    "name": "The Corona & Steak",
    "currency": "GBP",
    # ServiceModeID for table service in the POS's "Order N Pay" seed.
    "table_service_mode_id": "0adc10d8-d2eb-40b9-9801-0664531f7400",
    "use_pos_prices": True,
    "is_training": False,
}
DEMO_TABLES = range(1, 21)
DEMO_POS = {
    "provider_id": 90210,
    "provider_name": "OpenApp",
    "device_id": "openapp-demo",
    "pos_user_id": "f9248a0f-ba0c-4c80-b9f2-fe020b456ce4",
}
FALLBACK_POS_URL = "ws://127.0.0.1:8765"
ADMIN_USERNAME = "admin"

M = TypeVar("M", bound=models.Model)


@dataclass
class DemoSeedResult:
    location: Location
    location_state: str  # "created", "updated" or "unchanged"
    menu: MenuImportResult
    tables_created: int
    tables_updated: int
    pos_url: str
    pos_state: str
    admin_created: bool

    def summary_lines(self) -> list[str]:
        menu = self.menu
        admin = (
            f"created, password in {admin_password_file()}"
            if self.admin_created
            else "already there, password left alone"
        )
        return [
            f'Location "{self.location.name}" ({self.location.slug}): {self.location_state}',
            f"Menu: {menu.total('products')} products in {menu.total('categories')} categories "
            f"({menu.created['products']} created, "
            f"{menu.updated['products']} updated, {menu.unchanged['products']} unchanged"
            + (f", {menu.made_unavailable} made unavailable" if menu.made_unavailable else "")
            + ")",
            f"Tables: {len(DEMO_TABLES)} ({self.tables_created} created, "
            f"{self.tables_updated} updated)",
            f"POS connection: {self.pos_url} ({self.pos_state})",
            f'Admin user "{ADMIN_USERNAME}": {admin}',
        ]


def seed_demo(pos_url: str | None = None) -> DemoSeedResult:
    """Create or bring up to date the demo restaurant. `pos_url` replaces the stored POS
    address; without it a new connection gets the default and an existing one keeps its own."""
    with transaction.atomic():
        location, location_state = _upsert(Location, {"slug": DEMO_SLUG}, DEMO_LOCATION)
        menu = import_menu(location, demo_menu())
        tables_created, tables_updated = _seed_tables(location)
        connection, pos_state = _seed_pos_connection(location, pos_url)
        admin_created = _ensure_admin()
    return DemoSeedResult(
        location=location,
        location_state=location_state,
        menu=menu,
        tables_created=tables_created,
        tables_updated=tables_updated,
        pos_url=connection.url,
        pos_state=pos_state,
        admin_created=admin_created,
    )


def demo_menu() -> dict[str, Any]:
    path = Path(apps.get_app_config("ordering").path) / "fixtures" / "demo_menu.json"
    return json.loads(path.read_text(encoding="utf-8"))


def default_pos_url() -> str:
    return getattr(settings, "DEMO_POS_URL", "") or FALLBACK_POS_URL


def admin_password_file() -> Path:
    configured = getattr(settings, "DEMO_ADMIN_PASSWORD_FILE", None)
    return (
        Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "demo-admin-password"
    )


def demo_table_links(base_url: str) -> list[tuple[str, str]]:
    """(table name, the address its QR code opens) for every demo table, in table order."""
    base = base_url.rstrip("/")
    tables = Table.objects.filter(location__slug=DEMO_SLUG).order_by("position", "name")
    return [(table.name, f"{base}/t/{table.qr_token}") for table in tables]


def point_demo_pos_at(url: str) -> bool:
    """Point the demo location's POS connection at `url` (the simulator this process just
    started); False when there is no demo location yet."""
    connections = PosConnection.objects.filter(location__slug=DEMO_SLUG)
    if not connections.exists():
        return False
    connections.exclude(url=url).update(url=url)
    return True


def admin_login_line(base_url: str) -> str:
    """How to log in to the admin, with the password seed_demo chose if it is still on file."""
    address = f"{base_url.rstrip('/')}/admin/"
    try:
        password = admin_password_file().read_text(encoding="utf-8").strip()
    except OSError:
        return f'Admin: {address} (user "{ADMIN_USERNAME}")'
    return f'Admin: {address} (user "{ADMIN_USERNAME}", password "{password}")'


def _upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[M, str]:
    """Create the row, or change only the fields that differ; says which it did."""
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        return model._default_manager.create(**lookup, **values), "created"
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        return row, "unchanged"
    for name in changed:
        setattr(row, name, values[name])
    row.save(update_fields=changed)
    return row, "updated"


def _seed_tables(location: Location) -> tuple[int, int]:
    # Matched by POS table id and never re-created, so printed QR codes keep working.
    states = [
        _upsert(
            Table,
            {"location": location, "pos_table_id": str(number)},
            {"name": f"Table {number}", "position": number},
        )[1]
        for number in DEMO_TABLES
    ]
    return states.count("created"), states.count("updated")


def _seed_pos_connection(location: Location, pos_url: str | None) -> tuple[PosConnection, str]:
    values: dict[str, Any] = dict(DEMO_POS)
    if pos_url:
        values["url"] = pos_url
    elif not PosConnection.objects.filter(location=location).exists():
        values["url"] = default_pos_url()
    return _upsert(PosConnection, {"location": location}, values)


def _ensure_admin() -> bool:
    """Create the superuser if missing; an existing one keeps its password."""
    User = get_user_model()
    if User._default_manager.filter(username=ADMIN_USERNAME).exists():
        return False
    password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    # Written before the user exists: a password that was never on file cannot be recovered.
    _write_private(admin_password_file(), password)
    User._default_manager.create_superuser(username=ADMIN_USERNAME, email="", password=password)
    return True


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text + "\n")
    os.chmod(path, 0o600)  # the mode given to os.open does not apply to an existing file
