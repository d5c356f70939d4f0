"""The front page: what this site is. The checkout's own demo also lists its tables (link and
QR code), the admin and the POS simulator's staff console; production never lists tables,
since a table's link is what lets someone order to it."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openapp_site.demo import DEMO_SLUG, admin_password_file, demo_table_links
from pos_bridge.models import PosConnection
from tables.qr import public_base_url, qr_svg


@dataclass(frozen=True)
class DemoTable:
    name: str
    url: str
    qr_data_uri: str


def landing(request: HttpRequest) -> HttpResponse:
    if not settings.EMBEDDED:
        return render(request, "landing.html", {"demo": False})
    base = public_base_url(request)
    tables = [DemoTable(name, url, _svg_data_uri(url)) for name, url in demo_table_links(base)]
    return render(
        request,
        "landing.html",
        {
            "demo": True,
            "tables": tables,
            "password_file": admin_password_file(),
            "console_url": _console_url(),
        },
    )


def _svg_data_uri(url: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode()


def _console_url() -> str:
    """The simulator serves its staff console over HTTP on the port it speaks POS on."""
    connection = PosConnection.objects.filter(location__slug=DEMO_SLUG).first()
    if connection is None:
        return ""
    address = urlsplit(connection.url)
    scheme = {"ws": "http", "wss": "https"}.get(address.scheme)
    return f"{scheme}://{address.netloc}/" if scheme else ""
