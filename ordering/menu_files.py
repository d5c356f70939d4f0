"""Menu files as a manager handles them: JSON (the whole menu) and CSV (the product list).

JSON is import_menu's own format; products missing from a JSON file are made unavailable.
CSV is one row per product, read on top of the current menu: the rows are created or
updated by PLU, while products not in the file, and every product's variants and modifier
groups, stay as they are. Both are validated whole first and change nothing when anything is
wrong; both are idempotent, so importing what was exported changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import msgspec

from ordering.menu_format import (
    Menu,
    MenuProblems,
    Problem,
    encode_json,
    read_menu,
    read_menu_json,
)
from ordering.menu_import import (
    MENU_FORMAT,
    MenuImportError,
    MenuImportResult,
    export_menu,
    known_codes,
    menu_of,
    write_menu,
)
from ordering.models import Allergen, DietaryTag
from tables.models import Location

FORMATS = ("json", "csv")
CSV_COLUMNS = [
    "plu",
    "name",
    "category",
    "price",
    "description",
    "dietary_tags",
    "allergens",
    "available",
]
REQUIRED_COLUMNS = {"plu", "name", "category", "price"}
YES = {"yes", "y", "true", "1", "available", "on"}
NO = {"no", "n", "false", "0", "sold out", "unavailable", "off"}
CODE_SEPARATORS = re.compile(r"[;,]")
NO_ALLERGENS = "none"  # the allergens cell of a product declared to have none


def _allergens_cell(allergens: list[str] | None) -> str:
    if allergens is None:
        return ""  # not declared
    return ", ".join(allergens) or NO_ALLERGENS


def guess_format(filename: str) -> str | None:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in FORMATS else None


def export_menu_json(location: Location) -> str:
    return encode_json(menu_of(location)).decode() + "\n"


def export_menu_csv(location: Location) -> str:
    """Every product, category by category, in menu order (the header row first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for category in menu_of(location).categories:
        for product in category.products:
            writer.writerow(
                [
                    product.plu,
                    product.name,
                    category.name,
                    str(product.price),
                    product.description,
                    ", ".join(product.dietary_tags),
                    _allergens_cell(product.allergens),
                    "yes" if product.available else "no",
                ]
            )
    return buffer.getvalue()


def import_menu_file(location: Location, content: bytes, file_format: str) -> MenuImportResult:
    """Import an uploaded or read file; MenuImportError says what is wrong with it."""
    text = _decode(content)
    if file_format == "json":
        return write_menu(location, menu_from_json(text))
    if file_format == "csv":
        return import_menu_csv(location, text)
    raise MenuImportError([f"Unknown file format {file_format!r}: use JSON or CSV."])


def menu_from_json(text: str) -> Menu:
    try:
        return read_menu_json(text, *known_codes())
    except msgspec.DecodeError as error:
        raise MenuImportError([f"The file is not valid JSON: {error}"]) from None
    except MenuProblems as problems:
        raise MenuImportError(problems.messages()) from None


def import_menu_csv(location: Location, text: str) -> MenuImportResult:
    return write_menu(location, menu_from_csv(location, text))


def menu_from_csv(location: Location, text: str) -> Menu:
    """The whole menu: the current menu with the CSV's rows laid over it. Errors name the
    CSV row, counted as a spreadsheet does (the header is row 1), and the column."""
    reader = _CsvRows(text)
    rows = reader.rows()
    menu = export_menu(location)
    categories: dict[str, list[dict[str, Any]]] = {
        category["name"]: category["products"] for category in menu["categories"]
    }
    by_folded_name = {name.casefold(): name for name in categories}
    where_is: dict[str, str] = {
        product["plu"]: name for name, products in categories.items() for product in products
    }
    row_of: dict[int, int] = {}  # id() of a product dict → its CSV row
    for line, row in rows:
        name = row.pop("category")
        category = by_folded_name.setdefault(name.casefold(), name)
        products = categories.setdefault(category, [])
        plu = row.get("plu")
        if plu in where_is:
            old_list = categories[where_is[plu]]
            index = next(i for i, p in enumerate(old_list) if p["plu"] == plu)
            # The CSV holds every product field but the variants and modifier groups.
            product = {key: old_list[index][key] for key in ("variants", "modifier_groups")}
            if where_is[plu] == category:
                old_list[index] = product
            else:
                del old_list[index]
                products.append(product)
        else:
            product = {}
            products.append(product)
        if plu:
            where_is[plu] = category
        product.update(row)
        row_of[id(product)] = line
    data = {
        "format": MENU_FORMAT,
        "categories": [
            {"name": name, "products": products} for name, products in categories.items()
        ],
    }
    # Rows that could be read are checked too, so one upload lists every problem.
    errors = [(line, message) for line, message in reader.errors]
    try:
        checked = read_menu(data, *known_codes())
    except MenuProblems as problems:
        errors += [_row_message(problem, data, row_of) for problem in problems.problems]
    if errors:
        raise MenuImportError([message for _, message in sorted(errors, key=lambda e: e[0])])
    return checked


def _row_message(problem: Problem, data: dict[str, Any], row_of: dict[int, int]) -> tuple[int, str]:
    """A problem with the fifth product of the third category said as "Row 9 (PLU …): …",
    with the CSV row the product came from; the field is the CSV column of that name."""
    if problem.row[:1] != ("categories",) or len(problem.row) < 2:
        return 0, problem.message(data)
    category = data["categories"][problem.row[1]]
    if len(problem.row) == 2:
        lines = [row_of[id(p)] for p in category["products"] if id(p) in row_of]
        if not lines:
            return 0, problem.message(data)
        if problem.field == "name":  # the category column
            return min(lines), f"Row {min(lines)}: category {problem.text}"
        return min(lines), f"Row {min(lines)}: category “{category['name']}”: {problem.detail()}"
    product = category["products"][problem.row[3]]
    detail = problem.detail()
    if len(problem.row) > 4:  # inside the product's variants or modifier groups
        detail = problem.message(data, skip=2)
    line = row_of.get(id(product))
    if line is None:
        return 0, f"PLU {product.get('plu')} (already on the menu, not in the file): {detail}"
    label = f" (PLU {product['plu']})" if isinstance(product.get("plu"), str) else ""
    return line, f"Row {line}{label}: {detail}"


class _CsvRows:
    """The CSV's rows as product fields, with a message per row that cannot be read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.errors: list[tuple[int, str]] = []  # (row, message)
        self.tags = _codes_by_name(DietaryTag)
        self.allergens = _codes_by_name(Allergen)

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        reader = csv.DictReader(io.StringIO(self.text, newline=""))
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
        if not header:
            self.errors.append((0, "The file is empty: the first row must name the columns."))
            return []
        reader.fieldnames = header
        missing = [column for column in CSV_COLUMNS if column in REQUIRED_COLUMNS - set(header)]
        if missing:
            self.error(
                1,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(the columns are {', '.join(CSV_COLUMNS)})",
            )
        for column in header:
            if column not in CSV_COLUMNS:
                self.error(
                    1, f"unknown column {column!r} (the columns are {', '.join(CSV_COLUMNS)})"
                )
        if self.errors:
            return []
        rows = []
        seen: dict[str, int] = {}
        for raw in reader:
            line = reader.line_num
            if None in raw:
                self.error(line, "more cells than there are columns")
                continue
            cells = {key: (value or "").strip() for key, value in raw.items()}
            if not any(cells.values()):
                continue  # a blank line
            plu = cells.get("plu", "")
            if plu in seen:
                self.error(line, f"PLU {plu} is also on row {seen[plu]}")
                continue
            if plu:
                seen[plu] = line
            row = self.row(line, cells)
            if row is not None:
                rows.append((line, row))
        if not rows and not self.errors:
            self.errors.append((0, "The file has no products in it."))
        return rows

    def error(self, line: int, message: str, plu: str = "") -> None:
        self.errors.append((line, f"Row {line}{f' (PLU {plu})' if plu else ''}: {message}"))

    def row(self, line: int, cells: dict[str, str]) -> dict[str, Any] | None:
        """The row's product fields. An empty cell says nothing: the menu format's own rules
        then say whether the field may be left out (price may not, description may)."""
        problems = []
        if not cells.get("category"):
            problems.append("category is missing")
        available = cells.get("available", "").lower()
        if available and available not in YES | NO:
            problems.append(f"available must be yes or no, not {cells['available']!r}")
        tags, unknown_tags = self.codes(cells.get("dietary_tags", ""), self.tags)
        allergen_cell = cells.get("allergens", "")
        if allergen_cell.strip().casefold() == NO_ALLERGENS:
            allergen_cell = ""
        allergens, unknown_allergens = self.codes(allergen_cell, self.allergens)
        problems += [f"unknown dietary tag {name!r}" for name in unknown_tags]
        problems += [f"unknown allergen {name!r}" for name in unknown_allergens]
        if problems:
            for problem in problems:
                self.error(line, problem, cells.get("plu", ""))
            return None
        row: dict[str, Any] = {
            column: cells[column]
            for column in ("plu", "name", "category", "price", "description")
            if cells.get(column)
        }
        row.update(dietary_tags=tags, available=available not in NO)
        # An empty cell has declared nothing; "none" declares that there are none.
        if cells.get("allergens", "").strip().casefold() == NO_ALLERGENS:
            row["allergens"] = []
        elif allergens:
            row["allergens"] = allergens
        return row

    @staticmethod
    def codes(cell: str, known: dict[str, str]) -> tuple[list[str], list[str]]:
        """Codes from "vegan, gluten-free" (names such as "Tree nuts" do too)."""
        found, unknown = [], []
        for part in CODE_SEPARATORS.split(cell):
            name = part.strip()
            if not name:
                continue
            code = known.get(name.casefold())
            if code is None:
                unknown.append(name)
            elif code not in found:
                found.append(code)
        return sorted(found), unknown


def _codes_by_name(model: type[DietaryTag] | type[Allergen]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for code, name in model.objects.values_list("code", "name"):
        codes[name.casefold()] = code
    for code in model.objects.values_list("code", flat=True):
        codes[code.casefold()] = code  # a code wins over another row's name
    return codes


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MenuImportError(
            ['The file is not UTF-8 text. In Excel, save it as "CSV UTF-8".']
        ) from None
