"""The bill closes and the table turns over: the next party never sees the last party's
check, and a diner whose visit ended before they sent keeps their basket on rescanning."""

from __future__ import annotations

import html

import pytest

from ordering.arrivals import BASKET_KEPT
from ordering.models import BasketLine, Batch, BatchState, TableCheck
from tables.models import Table, TableSession
from tests.bridge_runner import running_bridge, wait_until
from tests.phones import Phone
from tests.restaurant import make_restaurant
from tests.scripted_pos import scripted_pos

pytestmark = pytest.mark.django_db(transaction=True)

LAST_PARTYS_ORDER = {
    "SalesTransactionID": "9d1c7a52-3f0e-4b7e-8a51-0c2f1e6d4b11",
    "ServiceModePrefix": "TBL",
    "ServiceModeEntityID": "10",
    "OrderNumberOpened": "PSVR0099",
    "OwnedBy_UserID": "f9248a0f-ba0c-4c80-b9f2-fe020b456ce4",
    "OwnedBy_UserName": "PayAtTable User",
    "CurrencyCode": "GBP",
    "Amount": 64.0,
    "AmountOwing": 0.0,
    "IsClosed": True,
    "RemainingServiceChargeAmount": 0.0,
    "Products": [
        {
            "ProviderProductID": None,
            "ProductType": 0,
            "PLUIdentifier": "a9cc9a46-9a4d-445a-a248-838e188970c4",
            "SalesModifierIdentifier": None,
            "Name": "Ribeye of the last party",
            "SalesModifierName": None,
            "Quantity": 2,
            "Price": 32.0,
            "TotalAmount": 64.0,
            "LineID": "L1",
            "Status": "DELIVERED",
            "Source": "POS",
            "ProviderOrderID": None,
        }
    ],
    "Payments": [],
    "Adjustments": [],
    "Notes": [],
    "Taxes": [],
}


def closed_order_at_table_10(request: dict) -> tuple[int, object]:
    if request["MessageType"] == 30:
        return 0, {"ServiceModeEntityID": "10", "Version": 41, "Order": LAST_PARTYS_ORDER}
    return 0, {"Order": None, "OutOfStockProducts": None}


def bill_of(phone: Phone) -> str:
    return html.unescape(phone.get("bill/").content.decode())


def test_a_closed_order_in_the_first_snapshot_is_not_the_new_partys_bill():
    with scripted_pos(closed_order_at_table_10) as pos:
        restaurant = make_restaurant(pos.url)
        phone = Phone()
        with running_bridge():
            phone.scan(Table.objects.get(location=restaurant, pos_table_id="10"))
            wait_until(lambda: pos.received(30), what="the first snapshot")
            wait_until(
                lambda: TableCheck.objects.filter(
                    session=phone.session, refreshed_at__isnull=False
                ).exists(),
                what="the snapshot stored",
            )
        bill = bill_of(phone)
        assert "Ribeye of the last party" not in bill
        assert "64.00" not in bill
        assert TableSession.objects.get(pk=phone.session.pk).is_open
        assert phone.add("Garlic Bread").status_code == 302  # the new party can order


def test_unsent_lines_follow_the_diner_into_the_next_visit(restaurant, pos, bridge):
    table = Table.objects.get(location=restaurant, pos_table_id="8")
    phone = Phone()
    phone.scan(table)
    phone.add("Corona", variant="PINT", quantity=1)
    phone.send()
    wait_until(
        lambda: Batch.objects.filter(diner=phone.diner, state=BatchState.ACCEPTED).exists(),
        what="the first batch accepted",
    )
    phone.add("Garlic Bread", quantity=2, instruction="well done")
    first_visit = phone.session

    pos.close_order("8")
    wait_until(
        lambda: not TableSession.objects.get(pk=first_visit.pk).is_open,
        what="the POS closing the bill",
    )

    menu = phone.scan(table)
    assert phone.session != first_visit
    page = html.unescape(phone.client.get(menu["Location"]).content.decode())
    assert str(BASKET_KEPT) in page
    kept = BasketLine.objects.get(diner=phone.diner)
    assert (kept.product.name, kept.quantity, kept.instruction) == ("Garlic Bread", 2, "well done")
    assert "Garlic Bread" in phone.basket_text()

    # A second diner at the new visit has nothing of it.
    other = Phone()
    other.scan(table)
    assert "Garlic Bread" not in other.basket_text()
