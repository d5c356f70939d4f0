"""The demo restaurant, built the way seed_demo builds it, for tests."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from ordering.menu_import import import_menu
from pos_bridge.models import PosConnection
from tables.models import Location, Table

DEMO_MENU = Path(settings.BASE_DIR) / "ordering" / "fixtures" / "demo_menu.json"
SEED_SERVICE_MODE_ID = "0adc10d8-d2eb-40b9-9801-0664531f7400"


def make_restaurant(pos_url: str, *, use_pos_prices: bool = True, slug: str = "demo") -> Location:
    location = Location.objects.create(
        name="The Corona & Steak",
        slug=slug,
        currency="GBP",
        table_service_mode_id=SEED_SERVICE_MODE_ID,
        use_pos_prices=use_pos_prices,
    )
    import_menu(location, json.loads(DEMO_MENU.read_text()))
    for number in range(1, 21):
        Table.objects.create(
            location=location, name=f"Table {number}", pos_table_id=str(number), position=number
        )
    PosConnection.objects.create(location=location, url=pos_url, device_id="openapp-test")
    return location
