"""Table QR codes: each one opens /t/<token> at the restaurant's public address."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.utils.text import slugify
from qrcode.image.pil import PilImage

from tables.models import Table

# M survives a splash of sauce on a table tent (about 15% of the code) and stays small.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4  # modules of white border scanners need round the code


class NoBaseUrl(ValueError):
    """Neither PUBLIC_BASE_URL nor a request says where the site is."""


def public_base_url(request: HttpRequest | None = None) -> str:
    """settings.PUBLIC_BASE_URL, else the address this request reached the site at."""
    configured = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is None:
        raise NoBaseUrl("Set PUBLIC_BASE_URL or give the site's address (e.g. --base-url).")
    return request.build_absolute_uri("/").rstrip("/")


def table_url(table: Table, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/t/{table.qr_token}"


def qr_matrix(url: str) -> list[list[bool]]:
    """The code's modules, True for dark, quiet zone included."""
    code = _code(url)
    return code.get_matrix()


def qr_svg(url: str) -> bytes:
    """A scalable SVG on a white background (a transparent one vanishes on dark card)."""
    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + image.to_string(encoding="utf-8")


def qr_png(url: str, box_size: int = 12) -> bytes:
    """A PNG with `box_size` pixels a module: 12 gives about 500 px, enough to print 4 cm."""
    code = _code(url, box_size=box_size)
    image = code.make_image(image_factory=PilImage, fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, kind="PNG")
    return buffer.getvalue()


def qr_text(url: str) -> str:
    """The code in block characters for a terminal, light modules drawn solid: on the usual
    dark terminal the printed code then reads dark-on-light, as scanners expect."""
    out = io.StringIO()
    _code(url).print_ascii(out=out, invert=True)
    return out.getvalue()


def file_stem(table: Table) -> str:
    """A file name staff recognise: "demo-table-10"."""
    return f"{table.location.slug}-{slugify(table.name) or f'table-{table.pk}'}"


def qr_zip(tables: Iterable[Table], base_url: str) -> bytes:
    """Every table's code as SVG and PNG in one zip."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            stem = file_stem(table)
            if stem in used:  # two tables with the same name
                stem = f"{stem}-{table.pos_table_id}"
            used.add(stem)
            url = table_url(table, base_url)
            archive.writestr(f"{stem}.svg", qr_svg(url))
            archive.writestr(f"{stem}.png", qr_png(url))
    return buffer.getvalue()


def _code(url: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return code
