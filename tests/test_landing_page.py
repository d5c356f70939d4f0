"""`/`: the demo lists its tables (links and QR codes), the admin and the POS staff console;
production says what the site is and lists nothing."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client

from tables.models import Location
from tests.test_qr_codes import decode_svg

pytestmark = pytest.mark.django_db

QR_IMAGE = re.compile(r'<a href="([^"]+)"><img src="data:image/svg\+xml;base64,([^"]+)"')


def test_the_demo_front_page_lists_every_table_with_a_code_that_opens_it(
    settings, dining_room: Location
):
    settings.EMBEDDED = True
    settings.PUBLIC_BASE_URL = ""

    page = Client().get("/").content.decode()

    tokens = dict(dining_room.tables.values_list("name", "qr_token"))
    shown = QR_IMAGE.findall(page)
    assert [url for url, _ in shown] == [
        f"http://testserver/t/{tokens[f'Table {n}']}" for n in range(1, 21)
    ]
    for url, image in shown[:3]:
        assert decode_svg(base64.b64decode(image)) == [url]
    assert "Table 10" in page


def test_the_demo_front_page_links_the_admin_and_the_simulators_staff_console(
    settings, dining_room: Location
):
    settings.EMBEDDED = True
    dining_room.pos_connection.url = "ws://127.0.0.1:8766"
    dining_room.pos_connection.save()

    page = Client().get("/").content.decode()

    assert '<a href="/admin/">Admin</a>' in page
    assert '<a href="http://127.0.0.1:8766/">POS staff console</a>' in page


def test_the_production_front_page_says_what_this_is_and_lists_no_table(
    settings, dining_room: Location
):
    settings.EMBEDDED = False

    response = Client().get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "OpenApp table ordering" in page
    assert "scan the QR code on your table" in page
    assert "/t/" not in page and "Table 1" not in page
    assert not any(token in page for token in dining_room.tables.values_list("qr_token", flat=True))
    assert "POS staff console" not in page and "password" not in page
