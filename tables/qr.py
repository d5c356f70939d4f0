"""Table QR codes: each one opens /t/<token> at the restaurant's public address."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont
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


def table_label(table: Table) -> tuple[str, str]:
    """What is printed under a table's code: the table's name, then the location's."""
    return table.name, table.location.name


def qr_svg(url: str, label: Sequence[str] = ()) -> bytes:
    """A scalable SVG on a white background (a transparent one vanishes on dark card),
    with the label's lines (a table's name, its location's) under the code."""
    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="utf-8").decode("utf-8")
    if label:
        size = len(_code(url).get_matrix())  # modules, quiet zone included: the viewBox
        # Under the code's quiet zone: the name in 3-module letters, the location in 2.
        sizes = [3.0, 2.0] + [2.0] * (len(label) - 2)
        height = size + sum(s * 1.5 for s in sizes[: len(label)]) + 1
        svg = re.sub(
            r'<svg width="[^"]+" height="[^"]+" (version="1.1" )?viewBox="[^"]+"',
            f'<svg width="{size}mm" height="{height:g}mm" version="1.1" '
            f'viewBox="0 0 {size} {height:g}"',
            svg,
            count=1,
        )
        y = float(size)
        texts = []
        for line, font_size in zip(label, sizes, strict=False):
            y += font_size * 1.25
            weight = "bold" if font_size == sizes[0] else "normal"
            texts.append(
                f'<text x="{size / 2:g}" y="{y:g}" font-family="Helvetica, Arial, sans-serif" '
                f'font-size="{font_size:g}" font-weight="{weight}" text-anchor="middle" '
                f'textLength="{min(len(line) * font_size * 0.55, size - 2):g}" '
                f'lengthAdjust="spacingAndGlyphs">{escape(line)}</text>'
            )
        svg = svg.replace("</svg>", "".join(texts) + "</svg>")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + svg.encode("utf-8")


def qr_png(url: str, box_size: int = 12, label: Sequence[str] = ()) -> bytes:
    """A PNG with `box_size` pixels a module: 12 gives about 500 px, enough to print 4 cm;
    the label's lines (a table's name, its location's) are printed under the code."""
    code = _code(url, box_size=box_size)
    image = code.make_image(image_factory=PilImage, fill_color="black", back_color="white")
    picture = image.get_image().convert("RGB")
    if label:
        picture = _labelled(picture, label, box_size)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _labelled(picture: Image.Image, label: Sequence[str], box_size: int) -> Image.Image:
    width, height = picture.size
    room = width - 4 * box_size
    lines = []
    for index, line in enumerate(label):
        size = box_size * (3 if index == 0 else 2)
        font = ImageFont.load_default(size=size)
        while size > 8 and font.getlength(line) > room:
            size -= 1
            font = ImageFont.load_default(size=size)
        lines.append((line, font, size))
    extra = sum(int(size * 1.4) for _, _, size in lines) + 2 * box_size
    out = Image.new("RGB", (width, height + extra), "white")
    out.paste(picture, (0, 0))
    draw = ImageDraw.Draw(out)
    y = height
    for index, (line, font, size) in enumerate(lines):
        fill = "black" if index == 0 else (70, 70, 70)
        draw.text((width / 2, y), line, font=font, fill=fill, anchor="ma")
        y += int(size * 1.4)
    return out


def qr_text(url: str) -> str:
    """The code in block characters for a terminal, light modules drawn solid: on the usual
    dark terminal the printed code then reads dark-on-light, as scanners expect."""
    out = io.StringIO()
    _code(url).print_ascii(out=out, invert=True)
    return out.getvalue()


def file_stem(table: Table) -> str:
    """A file name staff recognise: "demo-table-10"."""
    return f"{table.location.slug}-{slugify(table.name) or f'table-{table.pk}'}"


def qr_zip(tables: Iterable[Table], base_url: str, extra: dict[str, bytes] | None = None) -> bytes:
    """Every table's code as SVG and PNG, labelled, in one zip (and any `extra` files)."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            stem = file_stem(table)
            if stem in used:  # two tables with the same name
                stem = f"{stem}-{table.pos_table_id}"
            used.add(stem)
            url = table_url(table, base_url)
            archive.writestr(f"{stem}.svg", qr_svg(url, table_label(table)))
            archive.writestr(f"{stem}.png", qr_png(url, label=table_label(table)))
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _code(url: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return code
