"""Taking an order onto a check: validation, rejection reasons, pricing and stock.

A batch is checked completely before anything changes, so a rejected batch leaves the
check and the stock exactly as they were (CreateOrder is all-or-nothing, protocol §4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from . import messages
from .catalog import Catalog, Item
from .checks import Check, Child, Line
from .messages import LineSource, ProductType, ResultCode
from .wire import money

# The seed's wording, typo included: an integrator may match on it.
INSUFFICIENT_STOCK_MESSAGE = "There is insufficent stock to complete the order."


class Rejected(Exception):
    def __init__(
        self,
        code: ResultCode,
        message: str,
        payload: messages.CreateOrderResponse | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.payload = payload or messages.CreateOrderResponse(
            order=None, out_of_stock_products=None
        )


@dataclass
class Planned:
    """One requested product resolved against the menu."""

    product: messages.Product
    item: Item
    variant: Item | None
    children: list[tuple[messages.Product, Item | None]] = field(default_factory=list)

    @property
    def priced_item(self) -> Item:
        return self.variant or self.item


def plan(
    catalog: Catalog, products: Sequence[messages.Product], provider_prices: bool
) -> list[Planned]:
    """Resolve every product, or raise Rejected with every product the POS refuses."""
    planned: list[Planned] = []
    delisted: list[messages.RejectedProduct] = []
    for product in products:
        item = catalog.get(product.plu_identifier)
        variant = None
        if item is not None and product.sales_modifier_identifier:
            variant = catalog.variant(item, product.sales_modifier_identifier)
            if variant is None:
                item = None
        if (
            item is None
            or item.kind == "variant"
            or item.delisted
            or (variant and variant.delisted)
        ):
            delisted.append(_rejected(product, "DELISTED_ITEM"))
            continue
        entry = Planned(product, item, variant)
        for child in product.child_products or []:
            if child.product_type == ProductType.INSTRUCTION:
                entry.children.append((child, None))
                continue
            child_item = catalog.get(child.plu_identifier)
            if child_item is None or child_item.kind == "variant" or child_item.delisted:
                delisted.append(_rejected(child, "DELISTED_ITEM"))
            else:
                entry.children.append((child, child_item))
        planned.append(entry)

    short, out_of_stock = _stock_problems(planned)
    changed = _price_problems(planned) if provider_prices else []
    rejected = delisted + short + changed
    if not rejected:
        return planned
    if delisted:
        names = ", ".join(r.name or r.plu_identifier or "?" for r in delisted)
        code, message = ResultCode.DELISTED_ITEM, f"No longer on the menu: {names}."
    elif short:
        code, message = ResultCode.INSUFFICIENT_STOCK, INSUFFICIENT_STOCK_MESSAGE
    else:
        prices = ", ".join(f"{r.name} is now {r.current_price}" for r in changed)
        code, message = ResultCode.PRICE_CHANGED, f"Prices have changed: {prices}."
    payload = messages.CreateOrderResponse(
        order=None,
        out_of_stock_products=out_of_stock or None,
        rejected_products=rejected,
    )
    raise Rejected(code, message, payload)


def _rejected(
    product: messages.Product,
    reason: str,
    available: int | None = None,
    current_price: Decimal | None = None,
    item: Item | None = None,
) -> messages.RejectedProduct:
    return messages.RejectedProduct(
        provider_product_id=product.provider_product_id or None,
        plu_identifier=product.plu_identifier or None,
        sales_modifier_identifier=product.sales_modifier_identifier or None,
        name=product.name or (item.name if item else None),
        reason=reason,
        available=available,
        current_price=current_price,
    )


def _demand(planned: Sequence[Planned]) -> dict[str, tuple[Item, int]]:
    totals: dict[str, int] = defaultdict(int)
    items: dict[str, Item] = {}
    for entry in planned:
        for item in filter(None, (entry.item, entry.variant)):
            totals[item.key] += entry.product.quantity
            items[item.key] = item
        for child, child_item in entry.children:
            if child_item is not None:
                totals[child_item.key] += child.quantity * entry.product.quantity
                items[child_item.key] = child_item
    return {key: (items[key], total) for key, total in totals.items()}


def _stock_problems(
    planned: Sequence[Planned],
) -> tuple[list[messages.RejectedProduct], list[messages.StockProblem]]:
    short_keys = {
        key
        for key, (item, needed) in _demand(planned).items()
        if item.stock is not None and needed > item.stock
    }
    rejected: list[messages.RejectedProduct] = []
    problems: list[messages.StockProblem] = []

    def reject(product: messages.Product, item: Item) -> None:
        available = item.stock or 0
        reason = "OUT_OF_STOCK" if available == 0 else "INSUFFICIENT_STOCK"
        rejected.append(_rejected(product, reason, available=available, item=item))
        # Seed quirk: the POS reports the request's ProviderProductID as PLUIdentifier.
        problems.append(
            messages.StockProblem(
                plu_identifier=product.provider_product_id or None,
                sales_modifier_identifier=None,
                name=product.name or item.name,
            )
        )

    for entry in planned:
        short_item = next(
            (i for i in (entry.item, entry.variant) if i and i.key in short_keys), None
        )
        if short_item is not None:
            reject(entry.product, short_item)
        for child, child_item in entry.children:
            if child_item is not None and child_item.key in short_keys:
                reject(child, child_item)
    return rejected, problems


def _price_problems(planned: Sequence[Planned]) -> list[messages.RejectedProduct]:
    rejected = []
    pairs = [(entry.product, entry.priced_item) for entry in planned]
    pairs += [(c, i) for entry in planned for c, i in entry.children if i is not None]
    for product, item in pairs:
        if item.price_changed and product.price != item.price:
            rejected.append(
                _rejected(product, "PRICE_CHANGED", current_price=money(item.price), item=item)
            )
    return rejected


def take(
    check: Check,
    planned: Sequence[Planned],
    *,
    provider_prices: bool,
    source: LineSource,
    provider_order_id: str | None,
) -> list[Line]:
    """Put planned products on the check as new lines and take them out of stock."""
    for item, needed in _demand(planned).values():
        if item.stock is not None:
            item.stock -= needed
    lines = []
    for entry in planned:
        product, variant = entry.product, entry.variant
        adjustment = product.adjustment
        line = Line(
            line_id=check.new_line_id(),
            plu=entry.item.key,
            sales_modifier_identifier=variant.key if variant else None,
            name=product.name or entry.item.name,
            sales_modifier_name=product.sales_modifier_name or (variant.name if variant else None),
            quantity=product.quantity,
            price=product.price if provider_prices else entry.priced_item.price,
            children=[_child(c, i, provider_prices) for c, i in entry.children],
            source=source,
            provider_order_id=provider_order_id,
            pos_priced=not provider_prices,
            adjustment=adjustment,
        )
        lines.append(line)
    check.lines.extend(lines)
    return lines


def _child(product: messages.Product, item: Item | None, provider_prices: bool) -> Child:
    if item is None:
        return Child(ProductType.INSTRUCTION, None, None, product.name, None, 0, Decimal("0"))
    return Child(
        product_type=ProductType.PRODUCT,
        plu=item.key,
        sales_modifier_identifier=product.sales_modifier_identifier or None,
        name=product.name or item.name,
        sales_modifier_name=product.sales_modifier_name or None,
        quantity=product.quantity,
        price=product.price if provider_prices else item.price,
    )
