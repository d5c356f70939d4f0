"""Each diner's share of the bill: the POS's figures, split to the penny (no payment)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordering.checks import CheckAdjustment, CheckLine, CheckState
from ordering.shares import allocate, table_shares

D = Decimal


def line(line_id: str, total: str, batch: str | None = None, *, staff: bool = False) -> CheckLine:
    return CheckLine(
        line_id=line_id, name=line_id, quantity=1, total=D(total), batch_id=batch, by_staff=staff
    )


def bill(lines, owing: str, adjustments=(), service: str | None = None) -> CheckState:
    return CheckState(
        currency="GBP",
        lines=lines,
        adjustments=[CheckAdjustment(name=n, amount=D(a)) for n, a in adjustments],
        service_charge=D(service) if service is not None else None,
        amount_owing=D(owing),
    )


def test_a_ten_pound_discount_over_three_diners_loses_no_penny():
    assert allocate(D("-10.00"), [D(1)] * 3) == [D("-3.33"), D("-3.33"), D("-3.34")]
    assert sum(allocate(D("-10.00"), [D(1)] * 3)) == D("-10.00")


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        ("100.00", ["1", "1", "1"]),
        ("0.01", ["1", "1", "1"]),
        ("47.19", ["14.00", "30.95"]),
        ("-4.50", ["7.00", "7.00", "30.95"]),
        ("6.74", ["0", "0", "0"]),
        ("33.33", ["0.01", "99.99", "12.34", "0"]),
    ],
)
def test_the_parts_always_add_up_to_the_whole(total: str, weights: list[str]):
    parts = allocate(D(total), [D(w) for w in weights])
    assert sum(parts) == D(total)
    assert all(part == part.quantize(D("0.01")) for part in parts)
    # No part is more than a penny away from its exact share.
    whole = sum(D(w) for w in weights) or D(len(weights))
    for part, weight in zip(parts, weights, strict=True):
        exact = D(total) * (D(weight) if sum(D(w) for w in weights) else 1) / whole
        assert abs(part - exact) < D("0.01")


def test_the_seeds_order_split_between_two_diners_adds_up_to_the_amount_owing():
    # Corona ×2 (14.00) for Anna, the T-Bone (30.95) for Ben; the seed's -4.50 and 6.74.
    state = bill(
        [line("L1", "14.00", "a"), line("L2", "30.95", "b")],
        owing="47.19",
        adjustments=[("10% Discount", "-4.50")],
        service="6.74",
    )
    shares = table_shares(state, {"a": 1, "b": 2}, [1, 2], {"1": "Anna"})
    anna, ben = shares.diners
    assert (anna.name, anna.lines_total, ben.lines_total) == ("Anna", D("14.00"), D("30.95"))
    assert anna.adjustments + ben.adjustments == D("-4.50")
    assert anna.adjustments == D("-1.40")  # 4.50 × 14.00 / 44.95 = 1.4015…
    assert anna.service_charge + ben.service_charge == D("6.74")
    assert anna.service_charge == D("2.10")  # 6.74 × 14.00 / 44.95 = 2.0992…
    assert anna.total == D("14.70") and ben.total == D("32.49")
    assert anna.total + ben.total == D("47.19")
    assert shares.even_parts == [D("23.60"), D("23.59")]


def test_staff_added_lines_are_the_tables_shared_evenly():
    state = bill(
        [line("L1", "20.00", "a"), line("L2", "10.00", staff=True)],
        owing="25.00",
        adjustments=[("Discount", "-10.00")],
        service="5.00",
    )
    shares = table_shares(state, {"a": 1}, [1, 2, 3], {})
    assert [s.table_part for s in shares.diners] == [D("3.34"), D("3.33"), D("3.33")]
    assert shares.table_total == D("10.00")
    assert [line.line_id for line in shares.table_lines] == ["L2"]
    # Diner 1 carries 20.00 + 3.33…, the others 3.33… each: 7 : 1 : 1 of the extras.
    assert [s.adjustments for s in shares.diners] == [D("-7.78"), D("-1.11"), D("-1.11")]
    assert [s.service_charge for s in shares.diners] == [D("3.89"), D("0.56"), D("0.55")]
    assert [s.total for s in shares.diners] == [D("19.45"), D("2.78"), D("2.77")]
    assert sum(s.total for s in shares.diners) == D("25.00")
    assert shares.even_parts == [D("8.34"), D("8.33"), D("8.33")]


def test_what_else_the_pos_counts_in_the_amount_owing_is_shared_too():
    # A tax added on top (or a part already paid): the owing is not lines + extras.
    state = bill([line("L1", "9.99", "a"), line("L2", "0.01", "b")], owing="11.00")
    shares = table_shares(state, {"a": 1, "b": 2}, [1, 2], {})
    assert [s.other for s in shares.diners] == [D("1.00"), D("0.00")]
    assert sum(s.total for s in shares.diners) == D("11.00")


def test_a_diner_who_ordered_nothing_pays_only_their_part_of_the_tables_lines():
    state = bill(
        [line("L1", "20.00", "a"), line("L2", "6.00", staff=True)],
        owing="29.90",
        service="3.90",
    )
    first, second = table_shares(state, {"a": 1}, [1, 2], {}).diners
    assert second.lines_total == D("0.00") and second.table_part == D("3.00")
    assert first.total + second.total == D("29.90")
    assert second.service_charge == D("0.45")  # 3.90 × 3 / 26


def test_cancelled_lines_cost_nothing_and_an_empty_bill_splits_to_nothing():
    cancelled = CheckLine(
        line_id="L1", name="Soup", quantity=1, total=D("0.00"), status="cancelled", batch_id="a"
    )
    shares = table_shares(bill([cancelled], owing="0.00"), {"a": 1}, [1, 2], {})
    assert [s.total for s in shares.diners] == [D("0.00"), D("0.00")]
    assert shares.even_parts == [D("0.00"), D("0.00")]
