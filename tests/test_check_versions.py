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
