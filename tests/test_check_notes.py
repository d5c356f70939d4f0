"""The short notes each diner reads, worked out by OpenApp from what the POS changed."""

from __future__ import annotations

from decimal import Decimal

from ordering.checks import CheckAdjustment, CheckLine, CheckState
from ordering.notices import notice_for


def bill(*adjustments: tuple[str, str], lines: list[CheckLine] = ()) -> CheckState:
    return CheckState(
        currency="GBP",
        lines=list(lines),
        adjustments=[CheckAdjustment(name=n, amount=Decimal(a)) for n, a in adjustments],
    )


def test_a_second_discount_with_the_same_name_and_amount_is_still_announced():
    before = bill(("10% Discount", "-1.75"))
    after = bill(("10% Discount", "-1.75"), ("10% Discount", "-1.75"))
    assert notice_for("DISCOUNT_APPLIED", [], before, after, set()) == "10% Discount applied"


def test_a_cancellation_names_the_diners_own_item_as_theirs():
    steak = CheckLine(
        line_id="L1", name="T-Bone Steak", quantity=1, total=Decimal("0"), batch_id="b1"
    )
    after = bill(lines=[steak])
    assert notice_for("ITEMS_CANCELLED", ["L1"], after, after, {"b1"}) == (
        "Staff cancelled your T-Bone Steak"
    )
    assert notice_for("ITEMS_CANCELLED", ["L1"], after, after, set()) == (
        "Staff cancelled T-Bone Steak"
    )


def test_a_removed_line_is_named_from_the_bill_before_the_change():
    bread = CheckLine(line_id="L2", name="Garlic Bread", quantity=2, total=Decimal("10.00"))
    assert notice_for("LINES_REMOVED", ["L2"], bill(lines=[bread]), bill(), set()) == (
        "2 × Garlic Bread taken off the bill"
    )
