"""The check as stored (TableCheck.state, written and read by msgspec: ordering.stored_json)
comes back as it went in, on SQLite and on PostgreSQL, and the database still reads into it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordering.checks import CheckChild, CheckLine, CheckState, state_of
from ordering.models import TableCheck

pytestmark = pytest.mark.django_db


def a_check() -> CheckState:
    return CheckState(
        currency="EUR",
        lines=[
            CheckLine(
                line_id="L1",
                name='Crème brûlée "maison" \\ 🍮',
                quantity=2,
                total=Decimal("13.80"),
                price=Decimal("6.90"),
                children=[
                    CheckChild(name="Extra vanilla\u2028ice", quantity=1, total=Decimal("0.00"))
                ],
                details=["no nuts", "ʻOhana"],
                batch_id="3b9bd59680c642f894d21a75a33abd4f",
            ),
            CheckLine(line_id="L2", name="Pint of IPA", quantity=1, total=Decimal("5.50")),
        ],
        amount=Decimal("19.30"),
        amount_owing=Decimal("19.30"),
        order_number="900719925474099312",
        order_id="sales-42",
    )


def test_a_check_reads_back_as_it_was_written(table_10):
    session = table_10.open_session()
    check = TableCheck.objects.create(session=session, state=a_check().to_json())
    assert state_of(TableCheck.objects.get(pk=check.pk)) == a_check()
    TableCheck.objects.filter(pk=check.pk).update(state=None)
    assert state_of(TableCheck.objects.get(pk=check.pk)) is None
    assert TableCheck.objects.filter(pk=check.pk, state__isnull=True).exists()  # SQL's NULL


def test_the_database_reads_into_a_stored_check(table_10):
    session = table_10.open_session()
    TableCheck.objects.create(session=session, state=a_check().to_json())
    found = TableCheck.objects.filter(state__currency="EUR", state__order_id="sales-42")
    assert list(found.values_list("session_id", flat=True)) == [session.pk]
    assert found.values_list("state__lines__0__quantity", flat=True).get() == 2
