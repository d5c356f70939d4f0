"""A diner scans, orders and sends batches to the real POS simulator over a WebSocket."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from ordering.live import till_changed
from ordering.models import Batch, BatchState
from pos_bridge.simulator import running_simulator
from tables.models import Table
from tests.bridge_runner import running_bridge, wait_until
from tests.phones import Phone
from tests.restaurant import make_restaurant

SEED_ORDER = [
    ("Corona", {"variant": "PINT", "quantity": 2}),
    (
        "T-Bone Steak",
        {
            "choices": ["Medium", "Pepper Sauce", "Side Salad", "Balsamic"],
            "instruction": "sauce on side",
        },
    ),
]


def final_batch(phone: Phone) -> Batch:
    return wait_until(
        lambda: (
            Batch.objects.filter(diner=phone.diner, state__in=["accepted", "rejected", "failed"])
            .order_by("-created_at")
            .first()
        ),
        what="the POS to answer the batch",
    )


def order_seed_items(phone: Phone) -> None:
    for name, options in SEED_ORDER:
        response = phone.add(name, **options)
        assert response.status_code == 302, response.content.decode()


def test_the_seed_order_is_accepted_by_the_pos_and_the_basket_empties(restaurant, pos, bridge):
    phone = Phone()
    phone.scan(Table.objects.get(location=restaurant, pos_table_id="10"))
    order_seed_items(phone)
    assert "£44.95" in phone.basket_text()  # 2 × 7.00 + 29.95 + 1.00 (side salad)

    phone.send()

    batch = final_batch(phone)
    assert batch.state == BatchState.ACCEPTED
    page = phone.basket_text()
    assert "Sent to the kitchen" in page
    assert "Your basket is empty" in page
    check = pos.order("10")
    assert check.amount == Decimal("40.45")  # the seed's figures (protocol §8)
    assert check.amount_owing == Decimal("47.19")
    corona, steak = check.products
    assert (corona.name, corona.sales_modifier_name, corona.quantity) == ("Corona", "PINT", 2)
    assert [child.name for child in steak.child_products] == [
        "Medium",
        "Pepper Sauce",
        "Side Salad",
        "Balsamic",
        "sauce on side",
    ]
    assert steak.child_products[-1].product_type == 1  # free text travels as an instruction
    assert {line.provider_order_id for line in check.products} == {str(batch.id)}


def test_a_rejected_product_shows_its_reason_and_the_basket_is_kept_for_a_resend(
    transactional_db,
):
    with running_simulator(stock={"401": 1}) as pos:
        restaurant = make_restaurant(pos.url)
        with running_bridge():
            phone = Phone()
            phone.scan(Table.objects.get(location=restaurant, pos_table_id="10"))
            order_seed_items(phone)
            phone.send()

            batch = final_batch(phone)
            assert batch.state == BatchState.REJECTED
            assert batch.result_code == 6
            page = phone.basket_text()
            assert "The kitchen couldn't take this order" in page
            assert "Only 1 left" in page
            assert "T-Bone Steak" in page and "Corona" in page  # the basket is kept
            assert pos.order("10") is None  # all or nothing: nothing reached the check

            corona_line = phone.diner.basket_lines.get(product__name="Corona")
            phone.post(f"basket/{corona_line.pk}/quantity", {"quantity": 1})
            phone.send()
            wait_until(
                lambda: Batch.objects.filter(diner=phone.diner, state="accepted").exists(),
                what="the corrected batch to be accepted",
            )
            assert [(p.name, p.quantity) for p in pos.order("10").products] == [
                ("Corona", 1),
                ("T-Bone Steak", 1),
            ]
            assert "Your basket is empty" in phone.basket_text()


def test_sending_twice_writes_one_batch_and_the_pos_gets_one_order(restaurant, pos, bridge):
    phone = Phone()
    phone.scan(Table.objects.get(location=restaurant, pos_table_id="3"))
    phone.add("Garlic Bread", quantity=2)

    phone.send()
    phone.send()  # a double tap, or a second tab

    assert Batch.objects.filter(diner=phone.diner).count() == 1
    final_batch(phone)
    assert [(p.name, p.quantity) for p in pos.order("3").products] == [("Garlic Bread", 2)]


def test_a_batch_written_while_the_pos_is_away_is_queued_then_sent_on_reconnect(
    transactional_db,
):
    with running_simulator() as pos:
        restaurant = make_restaurant(pos.url)
        url = pos.url
    # The POS is gone. The diner can still build a basket and send it.
    phone = Phone()
    phone.scan(Table.objects.get(location=restaurant, pos_table_id="4"))
    phone.add("Creamy Pasta")
    with running_bridge():
        phone.send()
        assert "Queued — it will be sent as soon as the kitchen is reachable" in phone.basket_text()
        port = int(url.rsplit(":", 1)[1])
        with running_simulator(port=port) as pos_again:
            batch = final_batch(phone)
            assert batch.state == BatchState.ACCEPTED
            assert [p.name for p in pos_again.order("4").products] == ["Creamy Pasta"]


@pytest.mark.parametrize("use_pos_prices", [True, False])
def test_prices_sent_follow_the_locations_price_authority(transactional_db, use_pos_prices):
    with running_simulator() as pos:
        restaurant = make_restaurant(pos.url, use_pos_prices=use_pos_prices)
        with running_bridge():
            phone = Phone()
            phone.scan(Table.objects.get(location=restaurant, pos_table_id="5"))
            phone.add("Creamy Pasta", extra={"price": "0.01"})  # a tampered form
            phone.send()
            assert final_batch(phone).state == BatchState.ACCEPTED
            (pasta,) = pos.order("5").products
            assert pasta.price == Decimal("13.99")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="cuts the bridge's connection from the server's side: needs PostgreSQL "
    "(the production pass of make test runs it)",
)
def test_the_bridge_carries_on_when_the_database_drops_its_connection(restaurant, pos, bridge):
    phone = Phone()
    phone.scan(Table.objects.get(location=restaurant, pos_table_id="3"))
    phone.add("Creamy Pasta")
    phone.send()
    assert final_batch(phone).state == BatchState.ACCEPTED
    with connection.cursor() as cursor:  # as a database restart does to every other client
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    phone.add("Garlic Bread")
    phone.send()
    wait_until(
        lambda: [p.name for p in pos.order("3").products] == ["Creamy Pasta", "Garlic Bread"],
        what="the second batch to reach the POS",
    )
    assert final_batch(phone).state == BatchState.ACCEPTED


def test_a_batch_waiting_for_a_connected_kitchen_says_sending_not_queued(restaurant, pos):
    # A bridge worker holds the connection and is connected; it has not picked the batch
    # up yet (no bridge runs here, so it stays waiting).
    till_changed(restaurant.pk, timezone.now() + timedelta(seconds=10))
    phone = Phone()
    phone.scan(Table.objects.get(location=restaurant, pos_table_id="6"))
    phone.add("Garlic Bread")
    phone.send()
    assert "Sending to the kitchen…" in phone.basket_text()
    assert "Queued" not in phone.basket_text()
