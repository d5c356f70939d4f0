"""Per-table state of the simulated POS: the open check, its Version and its totals.

The pricing rules reproduce the seed's CreateOrder figures exactly (protocol §8): a 10%
automatic discount on POS-priced lines, a 15% service charge on the pre-discount subtotal
and 10% VAT included in the prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import messages
from .messages import LineSource, LineStatus, ProductType
from .wire import money

ZERO = money(0)
AUTO_DISCOUNT_ID = "f43fadb5-a26b-423c-942c-017c23384501"
AUTO_DISCOUNT_NAME = "10% Discount"
AUTO_DISCOUNT_RATE = Decimal("0.10")
SERVICE_CHARGE_RATE = Decimal("0.15")
VAT_NAME = "VAT"
VAT_RATE = Decimal("10.000")
SERVICE_MODE_PREFIX = "TBL"
OWNER_USER_NAME = "PayAtTable User"


@dataclass
class Child:
    product_type: int
    plu: str | None
    sales_modifier_identifier: str | None
    name: str | None
    sales_modifier_name: str | None
    quantity: int
    price: Decimal


@dataclass
class Line:
    line_id: str
    plu: str
    sales_modifier_identifier: str | None
    name: str | None
    sales_modifier_name: str | None
    quantity: int
    price: Decimal
    children: list[Child]
    source: LineSource
    provider_order_id: str | None
    pos_priced: bool
    adjustment: messages.Adjustment | None = None
    status: LineStatus = LineStatus.ORDERED

    @property
    def cancelled(self) -> bool:
        return self.status == LineStatus.CANCELLED

    @property
    def total(self) -> Decimal:
        return ZERO if self.cancelled else money(self.price * self.quantity)

    def child_total(self, child: Child) -> Decimal:
        if self.cancelled:
            return ZERO
        return money(child.price * child.quantity * self.quantity)

    @property
    def gross(self) -> Decimal:
        return self.total + sum((self.child_total(c) for c in self.children), ZERO)

    def to_product(self) -> messages.LineProduct:
        # ProviderProductID is null on the POS's lines, as in the seed's response.
        return messages.LineProduct(
            provider_product_id=None,
            product_type=ProductType.PRODUCT,
            plu_identifier=self.plu,
            sales_modifier_identifier=self.sales_modifier_identifier,
            name=self.name,
            sales_modifier_name=self.sales_modifier_name,
            quantity=self.quantity,
            price=money(self.price),
            total_amount=self.total,
            child_products=[self._child_product(child) for child in self.children],
            adjustment=self.adjustment,
            line_id=self.line_id,
            status=self.status,
            source=self.source,
            provider_order_id=self.provider_order_id,
        )

    def _child_product(self, child: Child) -> messages.ChildProduct:
        return messages.ChildProduct(
            provider_product_id=None,
            product_type=child.product_type,
            plu_identifier=child.plu,
            sales_modifier_identifier=child.sales_modifier_identifier,
            name=child.name,
            sales_modifier_name=child.sales_modifier_name,
            quantity=child.quantity,
            price=money(child.price),
            total_amount=self.child_total(child),
        )


@dataclass
class Discount:
    """A discount a member of staff applied: a percentage of the subtotal or an amount off."""

    adjustment_id: str
    name: str
    percent: Decimal | None = None
    amount: Decimal | None = None

    def value(self, subtotal: Decimal) -> Decimal:
        if self.percent is not None:
            return money(-subtotal * self.percent / 100)
        return money(-abs(self.amount or ZERO))


@dataclass
class Check:
    entity_id: str
    sales_transaction_id: str
    order_number: str
    owner_user_id: str | None
    currency: str
    lines: list[Line] = field(default_factory=list)
    payments: list[messages.Payment] = field(default_factory=list)
    notes: list[messages.Note] = field(default_factory=list)
    provider_adjustments: list[messages.Adjustment] = field(default_factory=list)
    discounts: list[Discount] = field(default_factory=list)
    service_charge: Decimal | None = None  # set by a CreateOrder's ServiceChargeAmount
    is_closed: bool = False
    next_line_number: int = 1

    def new_line_id(self) -> str:
        line_id = f"L{self.next_line_number}"
        self.next_line_number += 1
        return line_id

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(f"no line {line_id!r} on the check of table {self.entity_id}")

    def subtotal(self, pos_priced_only: bool = False) -> Decimal:
        lines = [line for line in self.lines if line.pos_priced or not pos_priced_only]
        return sum((line.gross for line in lines), ZERO)

    def adjustments(self) -> list[messages.Adjustment]:
        result = []
        if any(line.pos_priced and not line.cancelled for line in self.lines):
            automatic = money(-self.subtotal(pos_priced_only=True) * AUTO_DISCOUNT_RATE)
            result.append(
                messages.Adjustment(
                    adjustment_id=AUTO_DISCOUNT_ID, amount=automatic, name=AUTO_DISCOUNT_NAME
                )
            )
        for adjustment in self.provider_adjustments:
            amount = None if adjustment.amount is None else money(adjustment.amount)
            result.append(
                messages.Adjustment(
                    provider_adjustment_id=adjustment.provider_adjustment_id,
                    adjustment_id=adjustment.adjustment_id,
                    amount=amount,
                    name=adjustment.name,
                )
            )
        subtotal = self.subtotal()
        for discount in self.discounts:
            result.append(
                messages.Adjustment(
                    adjustment_id=discount.adjustment_id,
                    amount=discount.value(subtotal),
                    name=discount.name,
                )
            )
        return result

    def _line_adjustments(self) -> Decimal:
        amounts = (
            money(line.adjustment.amount)
            for line in self.lines
            if not line.cancelled and line.adjustment and line.adjustment.amount is not None
        )
        return sum(amounts, ZERO)

    def order(self) -> messages.Order:
        subtotal = self.subtotal()
        adjustments = self.adjustments()
        amount = subtotal + self._line_adjustments()
        amount += sum((a.amount for a in adjustments if a.amount is not None), ZERO)
        if self.service_charge is not None:
            service_charge = money(self.service_charge)
        else:
            service_charge = money(subtotal * SERVICE_CHARGE_RATE)
        # A payment's ExplicitServiceChargeAmount settles service charge, not items.
        service_paid = sum((p.explicit_service_charge_amount or ZERO for p in self.payments), ZERO)
        remaining_service = max(ZERO, money(service_charge - service_paid))
        paid = sum((p.amount_sale or ZERO for p in self.payments), ZERO)
        return messages.Order(
            sales_transaction_id=self.sales_transaction_id,
            service_mode_prefix=SERVICE_MODE_PREFIX,
            service_mode_entity_id=self.entity_id,
            order_number_opened=self.order_number,
            owned_by_user_id=self.owner_user_id,
            owned_by_user_name=OWNER_USER_NAME,
            currency_code=self.currency,
            amount=money(amount),
            amount_owing=money(amount + remaining_service - paid),
            is_closed=self.is_closed,
            remaining_service_charge_amount=remaining_service,
            products=[line.to_product() for line in self.lines],
            payments=list(self.payments),
            adjustments=adjustments,
            notes=list(self.notes),
            taxes=[
                messages.Tax(
                    name=VAT_NAME,
                    amount=money(amount * VAT_RATE / (100 + VAT_RATE)),
                    tax_rate=VAT_RATE,
                    is_add_on_tax=False,
                )
            ],
        )


@dataclass
class Table:
    entity_id: str
    version: int = 0
    check: Check | None = None
    closed: bool = False  # closed by staff; no orders until a snapshot request reopens it

    def bump(self) -> int:
        self.version += 1
        return self.version

    def open_check(self) -> Check:
        if self.check is None:
            raise LookupError(f"table {self.entity_id} has no open check")
        return self.check
