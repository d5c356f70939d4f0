"""What each diner at the table would pay, worked out from the POS's own lines and totals.

No payment is taken here: it says what a diner's part of the bill comes to. Each diner's
lines are theirs; lines staff added are the table's, shared evenly. The order's
adjustments and service charge (and anything else in the amount owing, such as a tax added
on top) are shared in proportion to the value each diner carries. Every part is shared
with largest-remainder rounding, so the parts add up to the POS's figure to the penny.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from ordering.checks import CheckLine, CheckState
from ordering.money import money

ZERO = Decimal("0.00")


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` shared over `weights` in whole pennies, adding up to exactly `total`: each
    gets its exact part rounded down, and the pennies left go to the largest remainders
    (the first in order on a tie). All-zero weights share evenly."""
    if not weights:
        return []
    weights = [Decimal(w) for w in weights]
    whole = sum(weights, Decimal("0"))
    if whole == 0:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    pennies = money(total) * 100
    exact = [pennies * w / whole for w in weights]
    floors = [e.to_integral_value(rounding=ROUND_FLOOR) for e in exact]
    left = int(pennies - sum(floors, Decimal("0")))
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [money(f / 100) for f in floors]


@dataclass
class DinerShare:
    diner_id: int
    name: str
    lines: list[CheckLine] = field(default_factory=list)
    lines_total: Decimal = ZERO
    table_part: Decimal = ZERO  # their even part of the lines staff added
    adjustments: Decimal = ZERO
    service_charge: Decimal = ZERO
    other: Decimal = ZERO  # the rest of the amount owing (a tax on top, anything paid)
    total: Decimal = ZERO
    even: Decimal = ZERO  # their part if the amount owing is split evenly


@dataclass
class TableShares:
    diners: list[DinerShare]
    table_lines: list[CheckLine]
    table_total: Decimal
    even: Decimal  # the amount owing split evenly: the most any one pays
    even_parts: list[Decimal]
    amount_owing: Decimal


def table_shares(
    state: CheckState, owners: dict[str, int], diner_ids: list[int], names: dict[str, str]
) -> TableShares:
    """Each diner's share of `state` (owners: batch id → diner; names: diner id → name)."""
    shares = [DinerShare(diner_id=d, name=names.get(str(d), "")) for d in diner_ids]
    by_diner = {share.diner_id: share for share in shares}
    table_lines = []
    for line in state.lines:
        owner = owners.get(line.batch_id or "")
        if line.by_staff or owner not in by_diner:
            table_lines.append(line)
        else:
            by_diner[owner].lines.append(line)
    for share in shares:
        share.lines_total = money(sum((line.total for line in share.lines), ZERO))
    table_total = money(sum((line.total for line in table_lines), ZERO))
    count = len(shares)
    amount_owing = money(state.amount_owing)
    if not count:
        return TableShares([], table_lines, table_total, ZERO, [], amount_owing)
    # What each diner carries: their lines and an even part of the table's, unrounded.
    carried = [share.lines_total + table_total / count for share in shares]
    adjustments = money(sum((a.amount for a in state.adjustments), ZERO))
    service = money(state.service_charge or 0)
    rest = amount_owing - sum((s.lines_total for s in shares), ZERO) - table_total
    rest = rest - adjustments - service
    parts = zip(
        allocate(table_total, [Decimal(1)] * count),
        allocate(adjustments, carried),
        allocate(service, carried),
        allocate(rest, carried),
        strict=True,
    )
    for share, (table_part, adjustment, service_part, other) in zip(shares, parts, strict=True):
        share.table_part = table_part
        share.adjustments = adjustment
        share.service_charge = service_part
        share.other = other
        share.total = share.lines_total + table_part + adjustment + service_part + other
    even_parts = allocate(amount_owing, [Decimal(1)] * count)
    for share, even in zip(shares, even_parts, strict=True):
        share.even = even
    return TableShares(shares, table_lines, table_total, max(even_parts), even_parts, amount_owing)
