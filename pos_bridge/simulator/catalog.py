"""The simulated POS's menu: prices, stock and listing state of every sellable item.

The menu is OpenApp's own menu file (ordering/fixtures/demo_menu.json format), read
generically: categories hold products, products may hold variants (the POS's sales
modifiers, e.g. PINT) and modifier groups whose modifiers are sold as child products.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

DEFAULT_MENU = Path(__file__).resolve().parents[2] / "ordering" / "fixtures" / "demo_menu.json"

# The seed sends Corona once as PLU "401" and once as this UUID, and the POS answers
# with the UUID; both spellings name one item and responses use the canonical one.
PLU_ALIASES: dict[str, str] = {"401": "cc0c93fd-7268-4252-b792-171a37e32696"}


def canonical(identifier: str) -> str:
    return PLU_ALIASES.get(identifier, identifier)


@dataclass
class Item:
    key: str
    name: str
    price: Decimal
    kind: str  # "product", "modifier" or "variant"
    parent: str | None = None  # a variant's product PLU
    stock: int | None = None  # None: unlimited
    delisted: bool = False
    price_changed: bool = False


@dataclass(frozen=True)
class ModifierGroup:
    name: str
    min: int
    max: int
    modifiers: tuple[str, ...]  # item keys


@dataclass(frozen=True)
class Entry:
    """A product as the menu presents it: its category, variants and modifier groups."""

    key: str
    category: str
    variants: tuple[str, ...] = ()
    modifier_groups: tuple[ModifierGroup, ...] = field(default=())


class Catalog:
    def __init__(self, items: Iterable[Item], entries: Iterable[Entry] = ()) -> None:
        self._items: dict[str, Item] = {}
        for item in items:
            self._items.setdefault(item.key, item)
        self.entries: list[Entry] = []
        seen: set[str] = set()
        for entry in entries:
            if entry.key not in seen:
                seen.add(entry.key)
                self.entries.append(entry)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Catalog:
        data = json.loads(Path(path or DEFAULT_MENU).read_text(encoding="utf-8"))
        return cls(_menu_items(data), _menu_entries(data))

    def __iter__(self) -> Iterator[Item]:
        return iter(self._items.values())

    def get(self, identifier: object) -> Item | None:
        if not isinstance(identifier, str):
            return None
        return self._items.get(canonical(identifier))

    def require(self, identifier: str) -> Item:
        item = self.get(identifier)
        if item is None:
            raise KeyError(f"no item {identifier!r} on the POS menu")
        return item

    def variant(self, product: Item, identifier: str | None) -> Item | None:
        item = self.get(identifier)
        if item is None or item.kind != "variant" or item.parent != product.key:
            return None
        return item

    def set_stock(self, identifier: str, quantity: int | None) -> None:
        if quantity is not None and (isinstance(quantity, bool) or quantity < 0):
            raise ValueError("stock must be a whole number of at least 0, or None")
        self.require(identifier).stock = quantity

    def set_price(self, identifier: str, price: Decimal | str) -> None:
        item = self.require(identifier)
        item.price = _price(price)
        item.price_changed = True

    def delist(self, identifier: str) -> None:
        self.require(identifier).delisted = True

    def relist(self, identifier: str) -> None:
        self.require(identifier).delisted = False


def _price(value: Any) -> Decimal:
    try:
        price = Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"not a price: {value!r}") from error
    if not price.is_finite() or price < 0:
        raise ValueError(f"not a price: {value!r}")
    return price


def _menu_items(data: Any) -> Iterator[Item]:
    categories = data.get("categories", []) if isinstance(data, dict) else []
    for category in categories:
        for product in category.get("products", []):
            if not product.get("plu"):
                continue
            key = canonical(str(product["plu"]))
            yield Item(key, product.get("name", key), _price(product.get("price", "0")), "product")
            for variant in product.get("variants", []):
                identifier = variant.get("pos_identifier")
                if identifier:
                    price = _price(variant.get("price", product.get("price", "0")))
                    yield Item(str(identifier), variant.get("name", ""), price, "variant", key)
            groups = product.get("modifier_groups", [])
            for modifier in [m for group in groups for m in group.get("modifiers", [])]:
                if modifier.get("plu"):
                    plu = canonical(str(modifier["plu"]))
                    price = _price(modifier.get("price", "0"))
                    yield Item(plu, modifier.get("name", plu), price, "modifier")


def _menu_entries(data: Any) -> Iterator[Entry]:
    categories = data.get("categories", []) if isinstance(data, dict) else []
    for category in categories:
        for product in category.get("products", []):
            if not product.get("plu"):
                continue
            variants = tuple(
                str(v["pos_identifier"])
                for v in product.get("variants", [])
                if v.get("pos_identifier")
            )
            groups = tuple(
                ModifierGroup(
                    name=str(group.get("name", "")),
                    min=int(group.get("min", 0)),
                    max=int(group.get("max", 0)),
                    modifiers=tuple(
                        canonical(str(m["plu"])) for m in group.get("modifiers", []) if m.get("plu")
                    ),
                )
                for group in product.get("modifier_groups", [])
            )
            yield Entry(
                canonical(str(product["plu"])), str(category.get("name", "")), variants, groups
            )
