"""Table QR codes as staff get them: downloads, the printable sheet, the export command and
rotation. Codes are read back with a real decoder (zxing-cpp); SVGs are rendered to pixels
with cairosvg first, so what is checked is what a phone camera would see."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import cairosvg
import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from PIL import Image
from pypdf import PdfReader

from tables.models import Location, Table
from tests.phones import Phone
from tests.test_admin_people import logged_in, person

pytestmark = pytest.mark.django_db

BASE = "https://order.example.com"


@pytest.fixture
def public_base_url(settings) -> str:
    settings.PUBLIC_BASE_URL = BASE
    return BASE


@pytest.fixture
def staff(dining_room: Location):
    return logged_in(person("sam", "Staff", dining_room))


def decode_png(content: bytes) -> list[str]:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return [result.text for result in zxingcpp.read_barcodes(image)]


def decode_svg(content: bytes) -> list[str]:
    assert content.lstrip().startswith(b"<?xml")
    return decode_png(cairosvg.svg2png(bytestring=content, output_width=600))


def table_address(table: Table, base: str = BASE) -> str:
    return f"{base}/t/{table.qr_token}"


def test_the_png_and_svg_open_the_tables_address(staff, table_10, public_base_url):
    png = staff.get(f"/admin/tables/table/{table_10.pk}/qr.png")
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"] == 'attachment; filename="demo-table-10.png"'
    assert decode_png(png.content) == [table_address(table_10)]

    svg = staff.get(f"/admin/tables/table/{table_10.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert decode_svg(svg.content) == [table_address(table_10)]
    assert "no-store" in svg["Cache-Control"]


def test_without_a_public_address_the_code_uses_the_address_the_admin_was_reached_at(
    staff, table_10, settings
):
    settings.PUBLIC_BASE_URL = ""
    png = staff.get(f"/admin/tables/table/{table_10.pk}/qr.png", secure=True)
    assert decode_png(png.content) == [table_address(table_10, "https://testserver")]


def test_the_change_page_offers_downloads_and_rotation(staff, table_10, public_base_url):
    page = staff.get(f"/admin/tables/table/{table_10.pk}/change/").content.decode()
    assert f'href="/admin/tables/table/{table_10.pk}/qr.png" download>Download PNG</a>' in page
    assert "Download SVG</a>" in page
    assert f'href="/admin/tables/table/{table_10.pk}/rotate-qr-code/">Rotate QR code</a>' in page
    assert table_address(table_10) in page  # the address the code opens
    assert f"/admin/tables/table/{table_10.pk}/qr.svg?inline=1" in page  # a preview

    listing = staff.get("/admin/tables/table/").content.decode()
    assert f'href="/admin/tables/table/{table_10.pk}/qr.png">PNG</a>' in listing


def test_rotating_retires_the_old_code_at_once_and_the_new_one_works(staff, table_10):
    old_token = table_10.qr_token
    confirm = staff.get(f"/admin/tables/table/{table_10.pk}/rotate-qr-code/")
    assert confirm.status_code == 200
    assert "stops working at once" in confirm.content.decode()
    assert Table.objects.get(pk=table_10.pk).qr_token == old_token  # a GET changes nothing

    done = staff.post(f"/admin/tables/table/{table_10.pk}/rotate-qr-code/", follow=True)
    assert done.redirect_chain[-1][0] == f"/admin/tables/table/{table_10.pk}/change/"
    assert "has a new QR code" in done.content.decode()

    table_10.refresh_from_db()
    assert table_10.qr_token != old_token
    assert table_10.token_rotated_by.username == "sam"
    old = Phone().client.get(f"/t/{old_token}")
    assert old.status_code == 404
    assert "This code doesn" in old.content.decode()
    assert Phone().client.get(f"/t/{table_10.qr_token}").status_code == 302

    page = staff.get(f"/admin/tables/table/{table_10.pk}/change/").content.decode()
    assert re.search(r"\d{2} \w{3} \d{4}, \d{2}:\d{2} by sam", page)
    assert "sam" in staff.get("/admin/tables/table/").content.decode()


def test_rotating_a_selection_asks_first_then_rotates_them_all(staff, dining_room):
    tables = list(dining_room.tables.filter(pos_table_id__in=["1", "2", "3"]))
    before = {table.pk: table.qr_token for table in tables}
    selection = {"action": "rotate_qr_codes", "_selected_action": list(before)}
    confirm = staff.post("/admin/tables/table/", selection)
    assert confirm.status_code == 200
    assert "stop working at once" in confirm.content.decode()
    assert {t.pk: t.qr_token for t in dining_room.tables.filter(pk__in=before)} == before

    staff.post("/admin/tables/table/", {**selection, "post": "yes"})
    after = {t.pk: t.qr_token for t in dining_room.tables.filter(pk__in=before)}
    assert all(after[pk] != before[pk] for pk in before)
    untouched = dining_room.tables.get(pos_table_id="4")
    assert untouched.token_rotated_by is None


def test_a_selection_downloads_as_a_zip_of_svg_and_png(staff, dining_room, public_base_url):
    tables = list(dining_room.tables.filter(pos_table_id__in=["9", "10"]))
    response = staff.post(
        "/admin/tables/table/",
        {"action": "download_qr_codes", "_selected_action": [t.pk for t in tables]},
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "demo-table-10.png",
        "demo-table-10.svg",
        "demo-table-9.png",
        "demo-table-9.svg",
    ]
    table = dining_room.tables.get(pos_table_id="9")
    assert decode_png(archive.read("demo-table-9.png")) == [table_address(table)]
    assert decode_svg(archive.read("demo-table-9.svg")) == [table_address(table)]


def pdf_lines(content: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    lines = [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]
    return reader, lines


@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_the_printable_sheet_has_every_table_four_to_a_page(
    staff, dining_room, public_base_url, paper, size
):
    response = staff.get(f"/admin/tables/location/{dining_room.pk}/qr-codes/{paper}.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="demo-qr-codes-{paper}.pdf"' in response["Content-Disposition"]
    reader, lines = pdf_lines(response.content)
    assert len(reader.pages) == math.ceil(20 / 4)
    page = reader.pages[0].mediabox
    assert (round(float(page.width)), round(float(page.height))) == size
    names = [line for line in lines if line.startswith("Table ")]
    assert names == [f"Table {number}" for number in range(1, 21)]
    assert lines.count("Scan to order") == 20
    assert reader.metadata.title == "QR codes for The Corona & Steak"


@pytest.mark.skipif(
    not shutil.which("pdftoppm") and not os.environ.get("CI"),
    reason="needs poppler-utils' pdftoppm (make test installs it where it may)",
)
def test_the_codes_on_the_sheet_scan(staff, dining_room, public_base_url, tmp_path):
    response = staff.get(f"/admin/tables/location/{dining_room.pk}/qr-codes/a4.pdf")
    (tmp_path / "sheet.pdf").write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "sheet.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png")))
    found = sorted(result.text for result in zxingcpp.read_barcodes(image))
    first_four = dining_room.tables.filter(position__lte=4)
    assert found == sorted(table_address(table) for table in first_four)


def test_a_selection_prints_as_a_sheet(staff, dining_room, public_base_url):
    tables = dining_room.tables.filter(pos_table_id__in=["3", "12"])
    response = staff.post(
        "/admin/tables/table/",
        {"action": "print_qr_codes_letter", "_selected_action": [t.pk for t in tables]},
    )
    reader, lines = pdf_lines(response.content)
    assert len(reader.pages) == 1
    assert [line for line in lines if line.startswith("Table ")] == ["Table 3", "Table 12"]


def test_export_qr_codes_writes_svg_png_and_the_pdf(dining_room, tmp_path: Path):
    out = tmp_path / "codes"
    call_command(
        "export_qr_codes", "--location", "demo", "--out", str(out), "--base-url", BASE + "/"
    )
    names = {path.name for path in out.iterdir()}
    assert len([name for name in names if name.endswith(".svg")]) == 20
    assert len([name for name in names if name.endswith(".png")]) == 20
    assert {"demo-qr-codes-a4.pdf", "demo-qr-codes-letter.pdf"} <= names
    table = dining_room.tables.get(pos_table_id="7")
    assert decode_png((out / "demo-table-7.png").read_bytes()) == [table_address(table)]
    assert decode_svg((out / "demo-table-7.svg").read_bytes()) == [table_address(table)]
    reader, lines = pdf_lines((out / "demo-qr-codes-a4.pdf").read_bytes())
    assert len(reader.pages) == 5 and lines.count("Scan to order") == 20


def test_export_qr_codes_uses_public_base_url_and_needs_an_address(
    dining_room, tmp_path: Path, settings
):
    settings.PUBLIC_BASE_URL = ""
    with pytest.raises(CommandError, match="PUBLIC_BASE_URL"):
        call_command("export_qr_codes", "--location", "demo", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="No location 'nowhere'"):
        call_command("export_qr_codes", "--location", "nowhere", "--out", str(tmp_path))

    settings.PUBLIC_BASE_URL = BASE
    call_command(
        "export_qr_codes", "--location", "demo", "--out", str(tmp_path), "--paper", "letter"
    )
    table = dining_room.tables.get(pos_table_id="1")
    assert decode_png((tmp_path / "demo-table-1.png").read_bytes()) == [table_address(table)]
    assert not (tmp_path / "demo-qr-codes-a4.pdf").exists()


# Labels: a printed pile of codes can be told apart.


def label_region(content: bytes) -> Image.Image:
    """What is under the code: the PNG's rows below its square."""
    image = Image.open(io.BytesIO(content)).convert("L")
    width, height = image.size
    return image.crop((0, width, width, height))


def test_the_png_prints_the_table_and_location_under_the_code(staff, table_10, public_base_url):
    png = staff.get(f"/admin/tables/table/{table_10.pk}/qr.png").content
    image = Image.open(io.BytesIO(png))
    assert image.height > image.width + 40  # room for two lines under the square code
    histogram = label_region(png).histogram()
    dark = sum(histogram[:128])
    assert dark > 200, "nothing printed under the code"
    assert decode_png(png) == [table_address(table_10)]
    # The same label as text a person reads: drawn from the table's and location's names.
    from tables.qr import table_label

    assert table_label(table_10) == ("Table 10", "The Corona & Steak")


def test_the_svg_prints_the_table_and_location_under_the_code(staff, table_10, public_base_url):
    svg = staff.get(f"/admin/tables/table/{table_10.pk}/qr.svg").content.decode()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts == ["Table 10", "The Corona &amp; Steak"]
    width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())
    assert height > width
    assert decode_svg(svg.encode()) == [table_address(table_10)]


def test_the_sheet_prints_each_tables_name_and_location_under_its_code(
    staff, dining_room, public_base_url
):
    response = staff.get(f"/admin/tables/location/{dining_room.pk}/qr-codes/a4.pdf")
    _reader, lines = pdf_lines(response.content)
    first = lines.index("Table 1")
    assert lines[first - 1] == "Scan to order"  # above the code
    assert lines[first + 1] == "The Corona & Steak"  # under it, with the table's name
    assert lines.count("The Corona & Steak") == 20


def test_one_download_gives_the_locations_whole_set(staff, dining_room, public_base_url):
    page = staff.get(f"/admin/tables/location/{dining_room.pk}/change/").content.decode()
    url = f"/admin/tables/location/{dining_room.pk}/qr-codes.zip"
    assert f'href="{url}"' in page
    response = staff.get(url)
    assert response["Content-Type"] == "application/zip"
    assert 'filename="demo-qr-codes.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    for number in range(1, 21):
        assert {f"demo-table-{number}.png", f"demo-table-{number}.svg"} <= names
    assert {"demo-qr-codes-a4.pdf", "demo-qr-codes-letter.pdf"} <= names
    table_7 = dining_room.tables.get(pos_table_id="7")
    assert decode_png(archive.read("demo-table-7.png")) == [table_address(table_7)]
    assert b"Table 7</text>" in archive.read("demo-table-7.svg")


def test_another_locations_whole_set_is_a_404(dining_room, public_base_url):
    from tests.test_admin_people import second_location

    harbour = second_location()
    other = logged_in(person("olly", "Managers", harbour))
    assert other.get(f"/admin/tables/location/{dining_room.pk}/qr-codes.zip").status_code == 404
