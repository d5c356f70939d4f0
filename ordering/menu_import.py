"""A location's menu as JSON ("openapp-menu/1"): import it, export it.

The file is the menu. Importing the same file twice changes nothing, and so does importing
what export_menu returned. Rows are matched by the POS's identifiers (PLUs), so ids that
orders and baskets refer to survive an import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction

from ordering import menu_format, menu_version
from ordering.batches import clear_accepted_lines
from ordering.identifiers import FORMAT_HELP, is_identifier, reported_identifiers
from ordering.menu_format import (
    MENU_FORMAT,
    Menu,
    MenuProblems,
    Price,
    read_menu,
    to_builtins,
)
from ordering.models import (
    Allergen,
    Category,
    DietaryTag,
    Modifier,
    ModifierGroup,
    Product,
    ProductTranslation,
    Variant,
)
from ordering.vocabulary import STANDARD_ALLERGENS, STANDARD_DIETARY_TAGS
from tables.models import Location

# What a cascading delete reports, in the words of the import result.
DELETED_KINDS = {
    Variant._meta.label: "variants",
    ModifierGroup._meta.label: "modifier groups",
    Modifier._meta.label: "modifiers",
    ProductTranslation._meta.label: "translations",
    "ordering.BasketLine": "basket lines",
}

M = TypeVar("M", bound=models.Model)


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


def import_menu(location: Location, data: dict[str, Any]) -> MenuImportResult:
    """Make the location's menu what `data` (a decoded openapp-menu/1 file) says; raise
    MenuImportError and change nothing if anything in it is wrong."""
    return write_menu(location, validate_menu(data))


def write_menu(location: Location, menu: Menu) -> MenuImportResult:
    """Make the location's menu this checked menu. Identifiers must look like the POS's;
    those the POS has not reported at this location yet are saved, with a warning."""
    problems = identifier_problems(menu)
    if problems:
        raise MenuImportError(problems)
    warnings = unreported_warnings(location, menu)
    with transaction.atomic():
        # Two imports for one location run one after the other, not interleaved.
        Location.objects.select_for_update().filter(pk=location.pk).first()
        # The lines of accepted batches, left for the bridge's next round, are on a check:
        # gone first, so that the basket lines this import reports deleted are diners' own.
        clear_accepted_lines()
        result = _MenuWriter(location).write(menu.categories)
    result.warnings = warnings
    return result


SHOWN = 10


def _identifiers(menu: Menu) -> Iterator[tuple[str, str, str]]:
    """(where, what, value) for every POS identifier the menu names."""
    for category in menu.categories:
        for product in category.products:
            where = f"category “{category.name}”, product “{product.name}”"
            yield where, "PLU", product.plu
            for variant in product.variants:
                yield f"{where}, variant “{variant.name}”", "pos_identifier", variant.pos_identifier
            for group in product.modifier_groups:
                for modifier in group.modifiers:
                    yield f"{where}, modifier “{modifier.name}”", "PLU", modifier.plu


def identifier_problems(menu: Menu) -> list[str]:
    return [
        f'{where}: {what} "{value}" is not a POS identifier: use {FORMAT_HELP}'
        for where, what, value in _identifiers(menu)
        if value and not is_identifier(value)
    ]


def unreported_warnings(location: Location, menu: Menu) -> list[str]:
    """What the file names that the POS has not reported at this location (yet)."""
    reported = reported_identifiers(location.pk)
    plus = [value for _, what, value in _identifiers(menu) if what == "PLU"]
    modifiers = [value for _, what, value in _identifiers(menu) if what == "pos_identifier"]
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


def validate_menu(data: Any) -> Menu:
    """The checked menu, or MenuImportError listing every problem found."""
    try:
        return read_menu(data, *known_codes())
    except MenuProblems as problems:
        raise MenuImportError(problems.messages()) from None


def known_codes() -> tuple[set[str], set[str]]:
    """The dietary tag and allergen codes a menu may use: the standard ones and any an admin
    added."""
    tags = set(STANDARD_DIETARY_TAGS) | set(DietaryTag.objects.values_list("code", flat=True))
    allergens = set(STANDARD_ALLERGENS) | set(Allergen.objects.values_list("code", flat=True))
    return tags, allergens


def menu_of(location: Location) -> Menu:
    """The location's menu as the file holds it, unavailable products included."""
    products = location.products.order_by("position", "name").prefetch_related(
        "dietary_tags", "allergens", "variants", "modifier_groups__modifiers", "translations"
    )
    by_category: dict[int, list[Product]] = {}
    for product in products:
        by_category.setdefault(product.category_id, []).append(product)
    return Menu(
        format=MENU_FORMAT,
        categories=[
            menu_format.Category(
                name=category.name,
                products=[_export_product(p) for p in by_category.get(category.pk, [])],
            )
            for category in location.categories.order_by("position", "name")
        ],
    )


def export_menu(location: Location) -> dict[str, Any]:
    """The location's menu in the format import_menu reads, unavailable products included."""
    return to_builtins(menu_of(location))


def _export_product(product: Product) -> menu_format.Product:
    return menu_format.Product(
        plu=product.plu,
        name=product.name,
        description=product.description,
        price=Price.of(product.price),
        dietary_tags=sorted(tag.code for tag in product.dietary_tags.all()),
        allergens=sorted(allergen.code for allergen in product.allergens.all())
        if product.allergens_declared or product.allergens.all()
        else None,
        available=product.is_available,
        variants=[
            menu_format.Variant(
                pos_identifier=variant.pos_identifier,
                name=variant.name,
                price=Price.of(variant.price),
            )
            for variant in product.variants.all()
        ],
        translations=[
            menu_format.Translation(
                language=words.language, name=words.name, description=words.description
            )
            for words in sorted(product.translations.all(), key=lambda words: words.language)
        ],
        modifier_groups=[
            menu_format.ModifierGroup(
                name=group.name,
                min_choices=group.min_choices,
                max_choices=group.max_choices,
                modifiers=[
                    menu_format.Modifier(
                        plu=modifier.plu,
                        name=modifier.name,
                        price=Price.of(modifier.price),
                        available=modifier.is_available,
                    )
                    for modifier in group.modifiers.all()
                ],
            )
            for group in product.modifier_groups.all()
        ],
    )


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
    """The tag or allergen rows for these codes, creating missing standard ones (migration
    0002 creates them; a transactional test flushes them)."""
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

    def write(self, categories: list[menu_format.Category[Any]]) -> MenuImportResult:
        products = [product for category in categories for product in category.products]
        self.tags = _code_rows(
            DietaryTag, STANDARD_DIETARY_TAGS, {c for p in products for c in p.dietary_tags}
        )
        self.allergens = _code_rows(
            Allergen, STANDARD_ALLERGENS, {c for p in products for c in p.allergens or []}
        )
        existing_categories = {c.name: c for c in self.location.categories.all()}
        existing_products = {
            product.plu: product
            for product in self.location.products.prefetch_related(
                "dietary_tags",
                "allergens",
                "variants",
                "modifier_groups__modifiers",
                "translations",
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

    def category(
        self, row: menu_format.Category[Any], position: int, current: Category | None
    ) -> Category:
        values = {"location_id": self.location.pk, "name": row.name, "position": position}
        return self.save("categories", Category, current, values)

    def products(
        self, category: Category, rows: list[menu_format.Product], existing: dict[str, Product]
    ) -> None:
        positions = _positions(
            [(p.position, row.name) if (p := existing.get(row.plu)) else None for row in rows]
        )
        for row, position in zip(rows, positions, strict=True):
            self.product(category, row, position, existing.get(row.plu))

    def product(
        self, category: Category, row: menu_format.Product, position: int, current: Product | None
    ) -> None:
        values = {
            "location_id": self.location.pk,
            "plu": row.plu,
            "category_id": category.pk,
            "name": row.name,
            "description": row.description,
            "price": Decimal(row.price),
            "is_available": row.available,
            "allergens_declared": row.allergens is not None,
            "position": position,
        }
        tags = _codes(current, "dietary_tags") != frozenset(row.dietary_tags)
        allergens = _codes(current, "allergens") != frozenset(row.allergens or [])
        product = self.save("products", Product, current, values, also_changed=tags or allergens)
        if tags:
            product.dietary_tags.set([self.tags[code] for code in sorted(set(row.dietary_tags))])
        if allergens:
            product.allergens.set(
                [self.allergens[code] for code in sorted(set(row.allergens or []))]
            )
        self.variants(product, row.variants)
        self.groups(product, row.modifier_groups)
        self.translations(product, row.translations)

    def translations(self, product: Product, rows: list[menu_format.Translation]) -> None:
        existing = _first_by(product.translations.all(), "language")
        kept = []
        for row in rows:
            values = {
                "product_id": product.pk,
                "language": row.language,
                "name": row.name,
                "description": row.description,
            }
            current = existing.get(row.language)
            kept.append(self.save("translations", ProductTranslation, current, values))
        stale = ProductTranslation.objects.filter(product=product)
        self.delete(stale.exclude(pk__in=[words.pk for words in kept]))

    def variants(self, product: Product, rows: list[menu_format.Variant]) -> None:
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
                "price": Decimal(row.price),
                "position": position,
            }
            kept.append(self.save("variants", Variant, existing.get(row.pos_identifier), values))
        self.delete(Variant.objects.filter(product=product).exclude(pk__in=[v.pk for v in kept]))

    def groups(self, product: Product, rows: list[menu_format.ModifierGroup]) -> None:
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

    def modifiers(self, group: ModifierGroup, rows: list[menu_format.Modifier]) -> None:
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
                "price": Decimal(row.price),
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
        menu_version.changed(self.location.pk)  # update() sends no signal
