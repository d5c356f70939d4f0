"""The stored check moves only forward by the POS's Version."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordering import checks
from ordering.checks import CheckLine, CheckState
from ordering.models import TableCheck
from tests.phones import Phone


def state(*names: str) -> CheckState:
    return CheckState(
        currency="GBP",
        lines=[
            CheckLine(line_id=f"L{i}", name=n, quantity=1, total=Decimal("5.00"))
            for i, n in enumerate(names, 1)
        ],
        amount=Decimal("5.00") * len(names),
        amount_owing=Decimal("5.00") * len(names),
    )


@pytest.fixture
def session(table_10):
    phone = Phone()
    phone.scan(table_10)
    return phone.session


def stored(session) -> tuple[int, list[str]]:
    check = TableCheck.objects.get(session=session)
    held = checks.state_of(check)
    return check.version, [line.name for line in held.lines] if held else []


def test_a_newer_change_applies(session):
    checks.apply_snapshot(session.pk, 4, state("Chips"))
    assert checks.apply_change(session.pk, 5, state("Chips", "Salad")).applied
    assert stored(session) == (5, ["Chips", "Salad"])


def test_a_duplicate_change_is_ignored(session):
    checks.apply_snapshot(session.pk, 4, state("Chips"))
    checks.apply_change(session.pk, 5, state("Chips", "Salad"))
    assert not checks.apply_change(session.pk, 5, state("Chips", "Salad", "Soup")).applied
    assert stored(session) == (5, ["Chips", "Salad"])


def test_a_late_change_is_ignored(session):
    checks.apply_snapshot(session.pk, 7, state("Chips", "Salad"))
    assert not checks.apply_change(session.pk, 6, state("Chips")).applied
    assert stored(session) == (7, ["Chips", "Salad"])


def test_a_gap_applies_the_whole_state_and_asks_for_a_fresh_snapshot(session):
    checks.apply_snapshot(session.pk, 2, state("Chips"))
    TableCheck.objects.filter(session=session).update(refresh_wanted_at=None)
    update = checks.apply_change(session.pk, 5, state("Chips", "Salad", "Soup"))
    assert update.applied and update.gap
    assert stored(session) == (5, ["Chips", "Salad", "Soup"])
    assert TableCheck.objects.get(session=session).refresh_wanted_at is not None


def test_an_older_snapshot_does_not_undo_a_newer_change(session):
    checks.apply_change(session.pk, 9, state("Chips", "Salad"))
    assert not checks.apply_snapshot(session.pk, 8, state("Chips")).applied
    assert stored(session) == (9, ["Chips", "Salad"])


def test_money_survives_storage_as_decimal(session):
    checks.apply_snapshot(session.pk, 1, state("Chips"))
    held = checks.state_of(TableCheck.objects.get(session=session))
    assert held.amount_owing == Decimal("5.00") and isinstance(held.lines[0].total, Decimal)


def on_order(order_id: str, *names: str, closed: bool = False) -> CheckState:
    check = state(*names)
    check.order_id = order_id
    check.is_closed = closed
    return check


def test_the_first_answer_on_a_new_connection_replaces_the_check_whatever_its_version(session):
    checks.apply_change(session.pk, 9, on_order("A", "Chips", "Salad"), connection=1)
    # The POS restarted and kept its order but counts from 1 again.
    assert checks.apply_snapshot(session.pk, 1, on_order("A", "Chips"), connection=2).applied
    assert stored(session) == (1, ["Chips"])
    assert checks.apply_change(session.pk, 2, on_order("A", "Chips", "Soup"), connection=2).applied
    assert stored(session) == (2, ["Chips", "Soup"])


def test_a_late_message_from_a_replaced_connection_is_ignored(session):
    checks.apply_snapshot(session.pk, 1, on_order("A", "Chips"), connection=2)
    late = checks.apply_change(session.pk, 10, on_order("A", "Chips", "Salad"), connection=1)
    assert not late.applied
    assert stored(session) == (1, ["Chips"])


def test_another_order_id_replaces_the_check_whatever_its_version(session):
    checks.apply_change(session.pk, 9, on_order("A", "Chips", "Salad"), connection=1)
    assert checks.apply_change(session.pk, 3, on_order("B", "Soup"), connection=1).applied
    assert stored(session) == (3, ["Soup"])


def test_a_closed_order_in_a_new_sessions_first_snapshot_means_no_open_check(session):
    update = checks.apply_snapshot(session.pk, 12, on_order("A", "Chips", closed=True))
    assert update.applied and update.after is None
    assert stored(session) == (12, [])


def test_the_sessions_own_order_closing_is_kept_as_closed(session):
    checks.apply_snapshot(session.pk, 3, on_order("A", "Chips"))
    update = checks.apply_change(session.pk, 4, on_order("A", "Chips", closed=True))
    assert update.applied and update.after.is_closed
