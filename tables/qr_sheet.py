"""A printable PDF of a location's table QR codes, four to a page.

Each quarter of the page is one table-tent card (A6 on A4, 4¼ × 5½ in on Letter):
"Scan to order", the code, and the table's and the location's names under it, with
dashed lines and corner marks to cut along. The codes are
drawn as vector squares, so they stay sharp at any printer resolution.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from tables.models import Location, Table
from tables.qr import qr_matrix, table_url

PAPER_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
PAPER_NAMES = {"a4": "A4", "letter": "Letter"}
COLUMNS, ROWS = 2, 2
CARDS_PER_PAGE = COLUMNS * ROWS
CALL_TO_ACTION = "Scan to order"
HINT = "Point your phone's camera at the code"
CUT_LINE = Color(0.6, 0.6, 0.6)
QUIET = Color(0.35, 0.35, 0.35)
MARGIN = 10 * mm
LARGEST_CODE = 75 * mm
BOLD, REGULAR = "Helvetica-Bold", "Helvetica"


def sheet_filename(location: Location | None, paper: str) -> str:
    return f"{location.slug if location else 'table'}-qr-codes-{paper}.pdf"


def qr_sheet_pdf(
    tables: Sequence[Table], base_url: str, paper: str = "a4", title: str = "Table QR codes"
) -> bytes:
    """The PDF: one card per table in the order given, four cards a page."""
    try:
        page_width, page_height = PAPER_SIZES[paper]
    except KeyError:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}") from None
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_width, page_height), pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("OpenApp table ordering")
    canvas.setSubject(f"Table QR codes, {PAPER_NAMES[paper]}")
    card_width, card_height = page_width / COLUMNS, page_height / ROWS
    if not tables:
        _centred(canvas, "No tables to print.", page_width / 2, page_height / 2)
        canvas.showPage()
    for start in range(0, len(tables), CARDS_PER_PAGE):
        _cut_lines(canvas, page_width, page_height)
        for index, table in enumerate(tables[start : start + CARDS_PER_PAGE]):
            column, row = index % COLUMNS, index // COLUMNS
            left = column * card_width
            bottom = page_height - (row + 1) * card_height
            _card(canvas, table, base_url, left, bottom, card_width, card_height)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _card(
    canvas: Canvas,
    table: Table,
    base_url: str,
    left: float,
    bottom: float,
    width: float,
    height: float,
) -> None:
    centre = left + width / 2
    code_size = min(width - 2 * MARGIN, LARGEST_CODE - 10 * mm)
    # "Scan to order" above, then the code, with the table's and the location's names
    # under it: centred on the card as one block.
    block = 34 + code_size + 58 + 14
    top = bottom + (height + block) / 2

    _centred(canvas, CALL_TO_ACTION, centre, top - 22, font=BOLD, size=22, width=width)
    code_top = top - 34
    _code(
        canvas, table_url(table, base_url), centre - code_size / 2, code_top - code_size, code_size
    )

    below = code_top - code_size
    _centred(canvas, table.name, centre, below - 30, font=BOLD, size=30, width=width)
    canvas.setFillColor(QUIET)
    _centred(canvas, table.location.name, centre, below - 48, font=REGULAR, size=12, width=width)
    _centred(canvas, HINT, centre, below - 66, font=REGULAR, size=9, width=width)
    canvas.setFillColor(black)
    _crop_marks(canvas, left, bottom, width, height)


def _crop_marks(canvas: Canvas, left: float, bottom: float, width: float, height: float) -> None:
    """Short marks at each card's corners, inside the page, to cut along with a guillotine."""
    canvas.saveState()
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.4)
    mark, gap = 4 * mm, 1.5 * mm
    for x, dx in ((left, 1), (left + width, -1)):
        for y, dy in ((bottom, 1), (bottom + height, -1)):
            canvas.line(x + dx * gap, y, x + dx * (gap + mark), y)
            canvas.line(x, y + dy * gap, x, y + dy * (gap + mark))
    canvas.restoreState()


def _code(canvas: Canvas, url: str, left: float, bottom: float, size: float) -> None:
    matrix = qr_matrix(url)
    module = size / len(matrix)
    canvas.setFillColor(white)
    canvas.rect(left, bottom, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    for row_index, row in enumerate(matrix):
        y = bottom + size - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            run = column
            while run < len(row) and row[run]:
                run += 1
            # A hair wider than the run, so neighbouring squares leave no white seam.
            canvas.rect(
                left + column * module,
                y,
                (run - column) * module + 0.05,
                module + 0.05,
                stroke=0,
                fill=1,
            )
            column = run


def _cut_lines(canvas: Canvas, page_width: float, page_height: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(CUT_LINE)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 4)
    for column in range(1, COLUMNS):
        x = page_width * column / COLUMNS
        canvas.line(x, 0, x, page_height)
    for row in range(1, ROWS):
        y = page_height * row / ROWS
        canvas.line(0, y, page_width, y)
    canvas.restoreState()


def _centred(
    canvas: Canvas,
    text: str,
    x: float,
    y: float,
    font: str = REGULAR,
    size: float = 12,
    width: float | None = None,
) -> None:
    """Draw text centred on x, shrunk to fit `width` less the margins if it is too long."""
    if width is not None:
        room = width - 2 * MARGIN
        while size > 8 and stringWidth(text, font, size) > room:
            size -= 1
    canvas.setFont(font, size)
    canvas.drawCentredString(x, y, text)
