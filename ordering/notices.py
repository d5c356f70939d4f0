"""Short notes of what changed on the check, in plain words, for each diner at the table.

The POS never targets diners: it says which lines a change touched; OpenApp works out
whose they are (a diner's own batch, another diner's, or staff's) and words it for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ordering.checks import ChangeType, CheckLine, CheckState


def item(line: CheckLine) -> str:
    return line.name if line.quantity == 1 else f"{line.quantity} × {line.name}"


def items(lines: Iterable[CheckLine]) -> str:
    names = [item(line) for line in lines]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def notice_for(
    change_type: str,
    line_ids: list[str],
    before: CheckState | None,
    after: CheckState | None,
    my_batches: set[str],
) -> str:
    """The note one diner reads; my_batches are the ids of that diner's own batches."""
    if change_type == ChangeType.ORDER_CLOSED:
        return "Your table's bill is closed. Thank you!"
    if change_type == ChangeType.DISCOUNT_APPLIED:
        # Counted, not a set: a second discount may have the same name and amount as one
        # already on the bill (the POS's automatic 10% and a waiter's 10%, say).
        known = Counter((a.name, a.amount) for a in before.adjustments) if before else Counter()
        now = Counter((a.name, a.amount) for a in after.adjustments) if after else Counter()
        new = list((now - known).elements())
        return f"{new[-1][0]} applied" if new else "A discount was applied"
    source = before if change_type == ChangeType.LINES_REMOVED else after
    touched = [line for line in (source.lines if source else []) if line.line_id in line_ids]
    if not touched:
        return "Your table's bill was updated"
    mine = [line for line in touched if line.batch_id in my_batches]
    theirs = [line for line in touched if line.batch_id not in my_batches]
    if change_type == ChangeType.ITEMS_ADDED:
        staff = [line for line in theirs if line.by_staff]
        diners = [line for line in theirs if not line.by_staff]
        parts = []
        if mine:
            parts.append(f"Your order is in: {items(mine)}")
        if diners:
            parts.append(f"Someone at your table ordered {items(diners)}")
        if staff:
            parts.append(f"A waiter added {items(staff)}")
        return ". ".join(parts)
    if change_type == ChangeType.ITEMS_CANCELLED:
        if mine and not theirs:
            return f"Staff cancelled your {items(mine)}"
        return f"Staff cancelled {items(touched)}"
    if change_type == ChangeType.ITEMS_DELIVERED:
        return f"{items(touched)} delivered"
    if change_type == ChangeType.LINES_REMOVED:
        if mine and not theirs:
            return f"Your {items(mine)} was taken off the bill"
        return f"{items(touched)} taken off the bill"
    return "Your table's bill was updated"
