"""A location's menu as JSON ("openapp-menu/1"): import it, export it.

The file is the menu. Importing the same file twice changes nothing, and so does importing
what export_menu returned. Rows are matched by the POS's identifiers (PLUs), so ids that
orders and baskets refer to survive an import.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import models, transaction

from ordering.identifiers import FORMAT_HELP, is_identifier, reported_identifiers
from ordering.models import (
    Allergen,
    Category,
    DietaryTag,
    Modifier,
    ModifierGroup,
    Product,
    Variant,
)
from ordering.money import CENT, money
from tables.models import Location

MENU_FORMAT = "openapp-menu/1"
MAX_PRICE = Decimal("9999999.99")  # what max_digits=9, decimal_places=2 can hold
MAX_CHOICES = 32767  # PositiveSmallIntegerField

MENU_FIELDS = {"format", "categories"}
CATEGORY_FIELDS = {"name", "products"}
PRODUCT_FIELDS = {
    "plu",
    "name",
    "description",
    "price",
    "dietary_tags",
    "allergens",
    "available",
    "variants",
    "modifier_groups",
}
VARIANT_FIELDS = {"pos_identifier", "name", "price"}
GROUP_FIELDS = {"name", "min", "max", "modifiers"}
MODIFIER_FIELDS = {"plu", "name", "price", "available"}

# What a cascading delete reports, in the words of the import result.
DELETED_KINDS = {
    Variant._meta.label: "variants",
    ModifierGroup._meta.label: "modifier groups",
    Modifier._meta.label: "modifiers",
    "ordering.BasketLine": "basket lines",
}

# Migration 0002 creates these rows. The import creates any that are missing as well, so a
# menu still imports after the rows were flushed (a transactional test does that).
STANDARD_DIETARY_TAGS = {
    "vegetarian": "Vegetarian",
    "vegan": "Vegan",
    "gluten-free": "Gluten-free",
    "dairy-free": "Dairy-free",
    "spicy": "Spicy",
    "halal": "Halal",
}
STANDARD_ALLERGENS = {
    "celery": "Celery",
    "gluten": "Gluten",
    "crustaceans": "Crustaceans",
    "eggs": "Eggs",
    "fish": "Fish",
    "lupin": "Lupin",
    "milk": "Milk",
    "molluscs": "Molluscs",
    "mustard": "Mustard",
    "nuts": "Tree nuts",
    "peanuts": "Peanuts",
    "sesame": "Sesame",
    "soya": "Soya",
    "sulphites": "Sulphites",
}

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


class MenuImportError(ValueError):
    """The menu was not imported; `errors` says what is wrong, one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("The menu was not imported:\n" + "\n".join(errors))


@dataclass
class MenuImportResult:
    """Counts per kind of row: "categories", "products", "variants", "modifier groups"…"""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    made_unavailable: int = 0
    # Found before anything was saved: identifiers the POS has not reported at the location.
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated or +self.deleted or self.made_unavailable)

    def total(self, kind: str) -> int:
        """How many rows of this kind the file holds."""
        return self.created[kind] + self.updated[kind] + self.unchanged[kind]

    def summary(self) -> str:
        kinds = ["categories", "products", "variants", "modifier groups", "modifiers"]
        parts = [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            + (f", {self.deleted[kind]} deleted" if self.deleted[kind] else "")
            for kind in kinds
        ]
        if self.deleted["basket lines"]:
            parts.append(f"{self.deleted['basket lines']} basket lines deleted")
        if self.made_unavailable:
            parts.append(f"{self.made_unavailable} products no longer in the menu made unavailable")
        return "; ".join(parts)


# The menu file once it has been checked.


@dataclass(frozen=True)
class ModifierRow:
    plu: str
    name: str
    price: Decimal
    available: bool


@dataclass(frozen=True)
class GroupRow:
    name: str
    min_choices: int
    max_choices: int
    modifiers: tuple[ModifierRow, ...]


@dataclass(frozen=True)
class VariantRow:
    pos_identifier: str
    name: str
    price: Decimal


@dataclass(frozen=True)
class ProductRow:
    plu: str
    name: str
    description: str
    price: Decimal
    dietary_tags: frozenset[str]
    allergens: frozenset[str]
    available: bool
    variants: tuple[VariantRow, ...]
    groups: tuple[GroupRow, ...]


@dataclass(frozen=True)
class CategoryRow:
    name: str
    products: tuple[ProductRow, ...]


def import_menu(location: Location, data: dict[str, Any]) -> MenuImportResult:
    """Make the location's menu what `data` says; raise MenuImportError and change nothing if
    anything in it is wrong."""
    categories = validate_menu(data)
    warnings = unreported_warnings(location, categories)
    with transaction.atomic():
        # Two imports for one location run one after the other, not interleaved.
        Location.objects.select_for_update().filter(pk=location.pk).first()
        result = _MenuWriter(location).write(categories)
    result.warnings = warnings
    return result


SHOWN = 10


def unreported_warnings(location: Location, categories: list[CategoryRow]) -> list[str]:
    """What the file names that the POS has not reported at this location (yet)."""
    reported = reported_identifiers(location.pk)
    plus, modifiers = [], []
    for category in categories:
        for product in category.products:
            plus.append(product.plu)
            modifiers += [variant.pos_identifier for variant in product.variants]
            plus += [m.plu for group in product.groups for m in group.modifiers]
    if not reported.plus and not reported.modifiers:
        return [
            f"The POS at {location} has not reported any identifiers yet, so none of the "
            "file's PLUs could be checked against it."
        ]
    warnings = []
    for kind, values, known in [
        ("PLU", plus, reported.plus),
        ("sales modifier identifier", modifiers, reported.modifiers),
    ]:
        missing = sorted({v for v in values if v and v not in known})
        if missing:
            shown = ", ".join(missing[:SHOWN]) + (
                f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            )
            warnings.append(
                f"{len(missing)} {kind}{'s' if len(missing) > 1 else ''} the POS at {location} "
                f"has not reported yet (new products, or mistakes?): {shown}"
            )
    return warnings


def validate_menu(data: Any) -> list[CategoryRow]:
    """The checked menu, or MenuImportError listing every problem found."""
    validator = _MenuValidator()
    categories = validator.menu(data)
    if validator.errors:
        raise MenuImportError(validator.errors)
    return categories


def export_menu(location: Location) -> dict[str, Any]:
    """The location's menu in the format import_menu reads, unavailable products included."""
    products = location.products.order_by("position", "name").prefetch_related(
        "dietary_tags", "allergens", "variants", "modifier_groups__modifiers"
    )
    by_category: dict[int, list[Product]] = {}
    for product in products:
        by_category.setdefault(product.category_id, []).append(product)
    return {
        "format": MENU_FORMAT,
        "categories": [
            {
                "name": category.name,
                "products": [_export_product(p) for p in by_category.get(category.pk, [])],
            }
            for category in location.categories.order_by("position", "name")
        ],
    }


def _export_product(product: Product) -> dict[str, Any]:
    return {
        "plu": product.plu,
        "name": product.name,
        "description": product.description,
        "price": _price_text(product.price),
        "dietary_tags": sorted(tag.code for tag in product.dietary_tags.all()),
        "allergens": sorted(allergen.code for allergen in product.allergens.all()),
        "available": product.is_available,
        "variants": [
            {
                "pos_identifier": variant.pos_identifier,
                "name": variant.name,
                "price": _price_text(variant.price),
            }
            for variant in product.variants.all()
        ],
        "modifier_groups": [
            {
                "name": group.name,
                "min": group.min_choices,
                "max": group.max_choices,
                "modifiers": [
                    {
                        "plu": modifier.plu,
                        "name": modifier.name,
                        "price": _price_text(modifier.price),
                        "available": modifier.is_available,
                    }
                    for modifier in group.modifiers.all()
                ],
            }
            for group in product.modifier_groups.all()
        ],
    }


def _price_text(value: Decimal) -> str:
    return str(money(value))


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class _MenuValidator:
    """Reads the whole file, collecting every problem rather than stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        # Codes an admin added are fine too.
        self.known_tags = set(STANDARD_DIETARY_TAGS) | set(
            DietaryTag.objects.values_list("code", flat=True)
        )
        self.known_allergens = set(STANDARD_ALLERGENS) | set(
            Allergen.objects.values_list("code", flat=True)
        )
        self.category_names: dict[str, str] = {}
        self.product_plus: dict[str, str] = {}

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}" if where else message)

    def menu(self, data: Any) -> list[CategoryRow]:
        if not isinstance(data, dict):
            self.error("", "the menu must be a JSON object")
            return []
        if data.get("format") != MENU_FORMAT:
            self.error(
                "", f"format must be {_quote(MENU_FORMAT)}, not {_quote(data.get('format'))}"
            )
        self.unknown_fields("", data, MENU_FIELDS)
        if "categories" not in data:
            self.error("", "categories is missing")
        return self.each("", data, "categories", self.category)

    def each(
        self,
        where: str,
        item: dict[str, Any],
        key: str,
        read: Callable[[str, dict[str, Any]], T],
        prefix: str | None = None,
    ) -> list[T]:
        """Reads the list item[key] with `read`, telling it where each entry is."""
        if prefix is None:
            prefix = f"{where}: " if where else ""
        rows = []
        for index, entry in enumerate(self.list_of(where, item, key)):
            here = f"{prefix}{key}[{index}]"
            if isinstance(entry, dict):
                rows.append(read(here, entry))
            else:
                self.error(here, f"must be an object, not {_quote(entry)}")
        return rows

    def category(self, where: str, item: dict[str, Any]) -> CategoryRow:
        label = _label(where, item)
        self.unknown_fields(label, item, CATEGORY_FIELDS)
        name = self.text(label, item, "name", Category._meta.get_field("name").max_length)
        if name in self.category_names:
            self.error(label, f"duplicate category name (also {self.category_names[name]})")
        elif name:
            self.category_names[name] = label
        # Products are named by position: categories[2].products[4] "Burger".
        products = self.each(label, item, "products", self.product, prefix=f"{where}.")
        return CategoryRow(name, tuple(products))

    def product(self, where: str, item: dict[str, Any]) -> ProductRow:
        label = _label(where, item)
        self.unknown_fields(label, item, PRODUCT_FIELDS)
        plu = self.text(label, item, "plu", Product._meta.get_field("plu").max_length)
        if plu in self.product_plus:
            self.error(label, f"duplicate PLU {_quote(plu)} (also {self.product_plus[plu]})")
        elif plu:
            self.product_plus[plu] = label
        self.identifier(label, "PLU", plu)
        name = self.text(label, item, "name", Product._meta.get_field("name").max_length)
        description = self.text(label, item, "description", None, required=False)
        price = self.price(label, item)
        tags = self.codes(label, item, "dietary_tags", self.known_tags, "dietary tag")
        allergens = self.codes(label, item, "allergens", self.known_allergens, "allergen")
        available = self.flag(label, item, "available")
        variants = self.each(label, item, "variants", self.variant)
        groups = self.each(label, item, "modifier_groups", self.group)
        self.no_duplicates(label, [v.pos_identifier for v in variants], "variant identifier")
        self.no_duplicates(label, [g.name for g in groups], "modifier group")
        return ProductRow(
            plu,
            name,
            description,
            price,
            tags,
            allergens,
            available,
            tuple(variants),
            tuple(groups),
        )

    def variant(self, where: str, item: dict[str, Any]) -> VariantRow:
        label = _label(where, item, "variant")
        self.unknown_fields(label, item, VARIANT_FIELDS)
        pos_identifier = self.text(
            label, item, "pos_identifier", Variant._meta.get_field("pos_identifier").max_length
        )
        self.identifier(label, "pos_identifier", pos_identifier)
        return VariantRow(
            pos_identifier=pos_identifier,
            name=self.text(label, item, "name", Variant._meta.get_field("name").max_length),
            price=self.price(label, item),
        )

    def group(self, where: str, item: dict[str, Any]) -> GroupRow:
        label = _label(where, item, "modifier group")
        self.unknown_fields(label, item, GROUP_FIELDS)
        name = self.text(label, item, "name", ModifierGroup._meta.get_field("name").max_length)
        low = self.whole_number(label, item, "min", 0)
        high = self.whole_number(label, item, "max", 1)
        modifiers = self.each(label, item, "modifiers", self.modifier)
        self.choice_rules(label, low, high, len(modifiers))
        self.no_duplicates(label, [m.plu for m in modifiers], "modifier PLU")
        return GroupRow(name, low, high, tuple(modifiers))

    def modifier(self, where: str, item: dict[str, Any]) -> ModifierRow:
        label = _label(where, item, "modifier")
        self.unknown_fields(label, item, MODIFIER_FIELDS)
        plu = self.text(label, item, "plu", Modifier._meta.get_field("plu").max_length)
        self.identifier(label, "PLU", plu)
        return ModifierRow(
            plu=plu,
            name=self.text(label, item, "name", Modifier._meta.get_field("name").max_length),
            price=self.price(label, item),
            available=self.flag(label, item, "available"),
        )

    def identifier(self, where: str, what: str, value: str) -> None:
        if value and not is_identifier(value):
            self.error(where, f"{what} {_quote(value)} is not a POS identifier: use {FORMAT_HELP}")

    def choice_rules(self, where: str, low: int, high: int, choices: int) -> None:
        if high < 1:
            self.error(where, "max must be at least 1")
        elif low > high:
            self.error(where, f"min {low} is more than max {high}")
        elif low > choices:
            self.error(where, f"min {low} but only {choices} modifiers to choose from")
        if choices == 0:
            self.error(where, "has no modifiers")

    def no_duplicates(self, where: str, values: list[str], what: str) -> None:
        for value, count in Counter(v for v in values if v).items():
            if count > 1:
                self.error(where, f"duplicate {what} {_quote(value)}")

    # Single fields.

    def unknown_fields(self, where: str, item: dict[str, Any], allowed: set[str]) -> None:
        for key in item:
            if key not in allowed:
                self.error(where, f"unknown field {_quote(key)}")

    def list_of(self, where: str, item: dict[str, Any], key: str) -> list[Any]:
        value = item.get(key, [])
        if not isinstance(value, list):
            self.error(where, f"{key} must be a list, not {_quote(value)}")
            return []
        return value

    def text(
        self,
        where: str,
        item: dict[str, Any],
        key: str,
        max_length: int | None,
        *,
        required: bool = True,
    ) -> str:
        value = item.get(key)
        if value is None:
            if required:
                self.error(where, f"{key} is missing")
            return ""
        if not isinstance(value, str):
            self.error(where, f"{key} must be text, not {_quote(value)}")
            return ""
        value = value.strip()
        if required and not value:
            self.error(where, f"{key} is empty")
        elif max_length is not None and len(value) > max_length:
            self.error(where, f"{key} is longer than {max_length} characters")
        return value

    def price(self, where: str, item: dict[str, Any]) -> Decimal:
        if "price" not in item:
            self.error(where, "price is missing")
            return Decimal("0.00")
        raw = item["price"]
        value = _decimal(raw)
        if value is None:
            self.error(where, f"price {_quote(raw)} is not a number")
        elif value < 0:
            self.error(where, f"price {_quote(raw)} is negative")
        elif value != value.quantize(CENT):
            self.error(where, f"price {_quote(raw)} has more than two decimal places")
        elif value > MAX_PRICE:
            self.error(where, f"price {_quote(raw)} is too large")
        else:
            return money(value)
        return Decimal("0.00")

    def whole_number(self, where: str, item: dict[str, Any], key: str, default: int) -> int:
        value = item.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CHOICES:
            self.error(where, f"{key} must be a whole number, 0 or more, not {_quote(value)}")
            return default
        return value

    def flag(self, where: str, item: dict[str, Any], key: str) -> bool:
        value = item.get(key, True)
        if not isinstance(value, bool):
            self.error(where, f"{key} must be true or false, not {_quote(value)}")
            return True
        return value

    def codes(
        self, where: str, item: dict[str, Any], key: str, known: set[str], what: str
    ) -> frozenset[str]:
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            self.error(where, f"{key} must be a list of codes, not {_quote(value)}")
            return frozenset()
        for code in value:
            if code not in known:
                self.error(where, f"unknown {what} {_quote(code)}")
        return frozenset(value)


def _label(where: str, item: dict[str, Any], noun: str | None = None) -> str:
    """How a message names a row: 'categories[2].products[4] "Burger"', or for rows inside a
    product 'modifier group "Cooking"' after the product's label. Unnamed rows keep their
    position."""
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        return where
    if noun is None:
        return f"{where} {_quote(name.strip())}"
    parent = where.rpartition(": ")[0]
    return f"{parent}: {noun} {_quote(name.strip())}"


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _positions(current: list[tuple[Any, ...] | None]) -> list[int]:
    """Positions for rows listed in file order, given each row's current sort key
    (position, tie-breaker) or None for a new row.

    Positions that already sort the rows in the file's order are kept, so exporting and
    importing again leaves them alone even when an admin numbered them 10, 20, 30."""
    if all(key is not None for key in current) and current == sorted(current):
        return [key[0] for key in current if key is not None]
    return list(range(len(current)))


def _codes(product: Product | None, field_name: str) -> frozenset[str]:
    if product is None:
        return frozenset()
    return frozenset(row.code for row in getattr(product, field_name).all())


def _code_rows(model: type[M], standard: dict[str, str], codes: set[str]) -> dict[str, M]:
    """The tag or allergen rows for these codes, creating missing standard ones."""
    rows = {row.code: row for row in model._default_manager.filter(code__in=codes)}
    for code in sorted(codes - rows.keys()):
        rows[code] = model._default_manager.create(code=code, name=standard[code])
    return rows


def _first_by(rows: Iterable[M], attribute: str) -> dict[str, M]:
    """Rows by a matching key; later duplicates are left out, so the import deletes them."""
    found: dict[str, M] = {}
    for row in rows:
        found.setdefault(getattr(row, attribute), row)
    return found


class _MenuWriter:
    def __init__(self, location: Location) -> None:
        self.location = location
        self.result = MenuImportResult()
        self.tags: dict[str, DietaryTag] = {}
        self.allergens: dict[str, Allergen] = {}

    def write(self, categories: list[CategoryRow]) -> MenuImportResult:
        products = [product for category in categories for product in category.products]
        self.tags = _code_rows(
            DietaryTag, STANDARD_DIETARY_TAGS, {c for p in products for c in p.dietary_tags}
        )
        self.allergens = _code_rows(
            Allergen, STANDARD_ALLERGENS, {c for p in products for c in p.allergens}
        )
        existing_categories = {c.name: c for c in self.location.categories.all()}
        existing_products = {
            product.plu: product
            for product in self.location.products.prefetch_related(
                "dietary_tags", "allergens", "variants", "modifier_groups__modifiers"
            )
        }
        positions = _positions(
            [
                (c.position, row.name) if (c := existing_categories.get(row.name)) else None
                for row in categories
            ]
        )
        for row, position in zip(categories, positions, strict=True):
            category = self.category(row, position, existing_categories.get(row.name))
            self.products(category, row.products, existing_products)
        self.hide_products_not_in({product.plu for product in products})
        return self.result

    def save(
        self,
        kind: str,
        model: type[M],
        current: M | None,
        values: dict[str, Any],
        also_changed: bool = False,
    ) -> M:
        """Create the row, or update only the fields that differ: an unchanged row is not
        written at all. `also_changed` counts a row whose many-to-many fields changed."""
        if current is None:
            self.result.created[kind] += 1
            return model.objects.create(**values)
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        for name in changed:
            setattr(current, name, values[name])
        if changed:
            current.save(update_fields=changed)
        if changed or also_changed:
            self.result.updated[kind] += 1
        else:
            self.result.unchanged[kind] += 1
        return current

    def category(self, row: CategoryRow, position: int, current: Category | None) -> Category:
        values = {"location_id": self.location.pk, "name": row.name, "position": position}
        return self.save("categories", Category, current, values)

    def products(
        self, category: Category, rows: tuple[ProductRow, ...], existing: dict[str, Product]
    ) -> None:
        positions = _positions(
            [(p.position, row.name) if (p := existing.get(row.plu)) else None for row in rows]
        )
        for row, position in zip(rows, positions, strict=True):
            self.product(category, row, position, existing.get(row.plu))

    def product(
        self, category: Category, row: ProductRow, position: int, current: Product | None
    ) -> None:
        values = {
            "location_id": self.location.pk,
            "plu": row.plu,
            "category_id": category.pk,
            "name": row.name,
            "description": row.description,
            "price": row.price,
            "is_available": row.available,
            "position": position,
        }
        tags = _codes(current, "dietary_tags") != row.dietary_tags
        allergens = _codes(current, "allergens") != row.allergens
        product = self.save("products", Product, current, values, also_changed=tags or allergens)
        if tags:
            product.dietary_tags.set([self.tags[code] for code in sorted(row.dietary_tags)])
        if allergens:
            product.allergens.set([self.allergens[code] for code in sorted(row.allergens)])
        self.variants(product, row.variants)
        self.groups(product, row.groups)

    def variants(self, product: Product, rows: tuple[VariantRow, ...]) -> None:
        existing = _first_by(product.variants.all(), "pos_identifier")
        positions = _positions(
            [(v.position, v.pk) if (v := existing.get(r.pos_identifier)) else None for r in rows]
        )
        kept = []
        for row, position in zip(rows, positions, strict=True):
            values = {
                "product_id": product.pk,
                "pos_identifier": row.pos_identifier,
                "name": row.name,
                "price": row.price,
                "position": position,
            }
            kept.append(self.save("variants", Variant, existing.get(row.pos_identifier), values))
        self.delete(Variant.objects.filter(product=product).exclude(pk__in=[v.pk for v in kept]))

    def groups(self, product: Product, rows: tuple[GroupRow, ...]) -> None:
        existing = _first_by(product.modifier_groups.all(), "name")
        positions = _positions(
            [(g.position, g.pk) if (g := existing.get(row.name)) else None for row in rows]
        )
        kept = []
        for row, position in zip(rows, positions, strict=True):
            current = existing.get(row.name)
            values = {
                "product_id": product.pk,
                "name": row.name,
                "min_choices": row.min_choices,
                "max_choices": row.max_choices,
                "position": position,
            }
            group = self.save("modifier groups", ModifierGroup, current, values)
            self.modifiers(group, row.modifiers)
            kept.append(group)
        stale = ModifierGroup.objects.filter(product=product).exclude(pk__in=[g.pk for g in kept])
        self.delete(stale)

    def modifiers(self, group: ModifierGroup, rows: tuple[ModifierRow, ...]) -> None:
        existing = _first_by(group.modifiers.all(), "plu")
        positions = _positions(
            [(m.position, m.pk) if (m := existing.get(row.plu)) else None for row in rows]
        )
        kept = []
        for row, position in zip(rows, positions, strict=True):
            values = {
                "group_id": group.pk,
                "plu": row.plu,
                "name": row.name,
                "price": row.price,
                "is_available": row.available,
                "position": position,
            }
            kept.append(self.save("modifiers", Modifier, existing.get(row.plu), values))
        self.delete(Modifier.objects.filter(group=group).exclude(pk__in=[m.pk for m in kept]))

    def delete(self, queryset: models.QuerySet[Any]) -> None:
        _, per_model = queryset.delete()
        for label, count in per_model.items():
            if label in DELETED_KINDS and count:
                self.result.deleted[DELETED_KINDS[label]] += count

    def hide_products_not_in(self, plus: set[str]) -> None:
        # Not deleted: past orders and open baskets refer to them.
        missing = self.location.products.filter(is_available=True).exclude(plu__in=plus)
        self.result.made_unavailable = missing.update(is_available=False)
