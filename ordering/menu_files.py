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
import json
import re
from typing import Any

from ordering.menu_import import (
    MENU_FORMAT,
    MenuImportError,
    MenuImportResult,
    export_menu,
    import_menu,
    validate_menu,
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
PRODUCT_ERROR = re.compile(r'^categories\[(\d+)\]\.products\[(\d+)\](?: "(?:[^"\\]|\\.)*")?: (.*)$')
ROW_NUMBER = re.compile(r"^Row (\d+)")
CATEGORY_ERROR = re.compile(r'^categories\[(\d+)\](?: "(?:[^"\\]|\\.)*")?: (.*)$')


def guess_format(filename: str) -> str | None:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in FORMATS else None


def export_menu_json(location: Location) -> str:
    return json.dumps(export_menu(location), indent=2, ensure_ascii=False) + "\n"


def export_menu_csv(location: Location) -> str:
    """Every product, category by category, in menu order (the header row first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for category in export_menu(location)["categories"]:
        for product in category["products"]:
            writer.writerow(
                [
                    product["plu"],
                    product["name"],
                    category["name"],
                    product["price"],
                    product["description"],
                    ", ".join(product["dietary_tags"]),
                    ", ".join(product["allergens"]),
                    "yes" if product["available"] else "no",
                ]
            )
    return buffer.getvalue()


def import_menu_file(location: Location, content: bytes, file_format: str) -> MenuImportResult:
    """Import an uploaded or read file; MenuImportError says what is wrong with it."""
    text = _decode(content)
    if file_format == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise MenuImportError(
                [
                    f"The file is not valid JSON: {error.msg} (line {error.lineno}, "
                    f"column {error.colno})"
                ]
            ) from None
        return import_menu(location, data)
    if file_format == "csv":
        return import_menu_csv(location, text)
    raise MenuImportError([f"Unknown file format {file_format!r}: use JSON or CSV."])


def import_menu_csv(location: Location, text: str) -> MenuImportResult:
    return import_menu(location, menu_from_csv(location, text))


def menu_from_csv(location: Location, text: str) -> dict[str, Any]:
    """The whole menu as import_menu reads it: the current menu with the CSV's rows laid
    over it. Errors name the CSV row, counted as a spreadsheet does (the header is row 1)."""
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
        category = by_folded_name.setdefault(row["category"].casefold(), row["category"])
        products = categories.setdefault(category, [])
        plu = row["plu"]
        product: dict[str, Any] = {"variants": [], "modifier_groups": []}
        if plu in where_is:
            old_list = categories[where_is[plu]]
            index = next(i for i, p in enumerate(old_list) if p["plu"] == plu)
            product = old_list[index]
            if where_is[plu] != category:
                del old_list[index]
                products.append(product)
        else:
            products.append(product)
        where_is[plu] = category
        product.update({key: value for key, value in row.items() if key != "category"})
        row_of[id(product)] = line
    data = {
        "format": MENU_FORMAT,
        "categories": [
            {"name": name, "products": products} for name, products in categories.items()
        ],
    }
    # Rows that could be read are checked too, so one upload lists every problem.
    errors = list(reader.errors)
    try:
        validate_menu(data)
    except MenuImportError as error:
        errors += [_row_message(message, data, row_of) for message in error.errors]
    if errors:
        raise MenuImportError(sorted(errors, key=_row_number))
    return data


def _row_number(message: str) -> int:
    match = ROW_NUMBER.match(message)
    return int(match[1]) if match else 0


def _row_message(message: str, data: dict[str, Any], row_of: dict[int, int]) -> str:
    """A validator message about categories[2].products[4] said as "Row 9 (PLU …)"."""
    if match := PRODUCT_ERROR.match(message):
        category, index, detail = int(match[1]), int(match[2]), match[3]
        product = data["categories"][category]["products"][index]
        line = row_of.get(id(product))
        if line is None:
            return f"PLU {product.get('plu')} (already on the menu, not in the file): {detail}"
        return f"Row {line} (PLU {product.get('plu') or '?'}): {detail}"
    if match := CATEGORY_ERROR.match(message):
        category = data["categories"][int(match[1])]
        lines = [row_of[id(p)] for p in category["products"] if id(p) in row_of]
        first = f"row {min(lines)}: " if lines else ""
        return f"Category {json.dumps(category['name'], ensure_ascii=False)} ({first}{match[2]})"
    return message


class _CsvRows:
    """The CSV's rows as product fields, with a message per row that cannot be read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.errors: list[str] = []
        self.tags = _codes_by_name(DietaryTag)
        self.allergens = _codes_by_name(Allergen)

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        reader = csv.DictReader(io.StringIO(self.text, newline=""))
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
        if not header:
            self.errors.append("The file is empty: the first row must name the columns.")
            return []
        reader.fieldnames = header
        missing = [column for column in CSV_COLUMNS if column in REQUIRED_COLUMNS - set(header)]
        if missing:
            self.errors.append(
                f"Row 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(the columns are {', '.join(CSV_COLUMNS)})"
            )
        for column in header:
            if column not in CSV_COLUMNS:
                self.errors.append(
                    f"Row 1: unknown column {column!r} (the columns are {', '.join(CSV_COLUMNS)})"
                )
        if self.errors:
            return []
        rows = []
        seen: dict[str, int] = {}
        for raw in reader:
            line = reader.line_num
            if None in raw:
                self.errors.append(f"Row {line}: more cells than there are columns")
                continue
            cells = {key: (value or "").strip() for key, value in raw.items()}
            if not any(cells.values()):
                continue  # a blank line
            plu = cells.get("plu", "")
            if plu in seen:
                self.errors.append(f"Row {line}: PLU {plu} is also on row {seen[plu]}")
                continue
            if plu:
                seen[plu] = line
            row = self.row(line, cells)
            if row is not None:
                rows.append((line, row))
        if not rows and not self.errors:
            self.errors.append("The file has no products in it.")
        return rows

    def row(self, line: int, cells: dict[str, str]) -> dict[str, Any] | None:
        problems = []
        for column in ("plu", "name", "category", "price"):
            if not cells.get(column):
                problems.append(f"{column} is missing")
        available = cells.get("available", "").lower()
        if available and available not in YES | NO:
            problems.append(f"available must be yes or no, not {cells['available']!r}")
        tags, unknown_tags = self.codes(cells.get("dietary_tags", ""), self.tags)
        allergens, unknown_allergens = self.codes(cells.get("allergens", ""), self.allergens)
        problems += [f"unknown dietary tag {name!r}" for name in unknown_tags]
        problems += [f"unknown allergen {name!r}" for name in unknown_allergens]
        if problems:
            label = f" (PLU {cells['plu']})" if cells.get("plu") else ""
            self.errors += [f"Row {line}{label}: {problem}" for problem in problems]
            return None
        return {
            "plu": cells["plu"],
            "name": cells["name"],
            "category": cells["category"],
            "price": cells["price"],
            "description": cells.get("description", ""),
            "dietary_tags": tags,
            "allergens": allergens,
            "available": available not in NO,
        }

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
