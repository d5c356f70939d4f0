"""A batch is taken for sending by one worker at a time, never when too old to cook; the lines
of an accepted batch leave the diner's basket at once and are deleted later, together."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ordering import batches
from ordering.basket import basket_of
from ordering.models import BasketLine, Batch, BatchState
from ordering.reasons import Reason
from pos_bridge import outbox
from tests.test_floor import a_visit

pytestmark = pytest.mark.django_db

LEASE = timedelta(seconds=30)
EXPIRY = timedelta(minutes=15)


def a_sent_basket(table, *names: str) -> Batch:
    _session, (anna,) = a_visit(table, 1)
    for name in names:
        product = table.location.products.get(name=name)
        BasketLine.objects.create(diner=anna, product=product, quantity=2)
    return batches.send_basket(anna)


def test_a_batch_taken_by_one_worker_is_not_taken_by_another_until_its_lease_runs_out(table_10):
    batch = a_sent_basket(table_10, "Garlic Bread")

    taken = outbox._take(batch.pk, "worker-a", LEASE, EXPIRY)
    assert not isinstance(taken, str), taken
    loaded, lines, request = taken
    assert [line.name for line in lines] == ["Garlic Bread"]
    assert request.provider_order_id == str(batch.pk)
    assert request.service_mode_entity_id == table_10.pos_table_id
    # Recorded as sent before it goes on the wire, so a crash leads to a resend.
    assert loaded.state == BatchState.SENT and loaded.attempts == 1
    assert Batch.objects.values_list("state", "attempts", "claimed_by").get(pk=batch.pk) == (
        BatchState.SENT,
        1,
        "worker-a",
    )

    assert outbox._take(batch.pk, "worker-b", LEASE, EXPIRY) == "not due"
    Batch.objects.filter(pk=batch.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    again = outbox._take(batch.pk, "worker-b", LEASE, EXPIRY)
    assert not isinstance(again, str), again
    assert again[0].attempts == 2 and again[0].request_id == batch.request_id


def test_a_batch_too_old_to_cook_is_not_sent_and_its_lines_go_back_to_the_basket(table_10):
    batch = a_sent_basket(table_10, "Garlic Bread")
    Batch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - EXPIRY - timedelta(1))

    assert outbox._take(batch.pk, "worker-a", LEASE, EXPIRY) == "expired"
    failed = Batch.objects.get(pk=batch.pk)
    assert (failed.state, failed.attempts, failed.rejection_reason) == (
        BatchState.FAILED,
        0,
        Reason.UNREACHABLE,
    )
    basket = basket_of(batch.diner)
    assert [line.product.name for line in basket.lines] == ["Garlic Bread"]


def test_accepted_lines_leave_the_basket_at_once_and_are_deleted_later_together(table_10):
    accepted = a_sent_basket(table_10, "Garlic Bread", "Scotch Egg")
    anna = accepted.diner
    assert not isinstance(outbox._take(accepted.pk, "worker-a", LEASE, EXPIRY), str)
    assert batches.record_accepted(accepted.pk, 4)
    # The diner's basket no longer holds them (the batch shows its own copy)...
    unsent = BasketLine.objects.create(
        diner=anna, product=table_10.location.products.get(name="Soup of the Day"), quantity=1
    )
    basket = basket_of(anna)
    assert [line.pk for line in basket.lines] == [unsent.pk]
    assert basket.count == 1
    # ...nor the lines of a batch on its way, which it lists under that batch.
    on_its_way = batches.send_basket(anna)
    basket = basket_of(anna)
    assert basket.lines == [] and basket.count == 0
    newest = basket.batches[0]
    assert (newest.pk, [line.name for line in newest.sent_lines]) == (
        on_its_way.pk,
        ["Soup of the Day"],
    )

    assert batches.clear_accepted_lines() == 2
    left = BasketLine.objects.filter(diner=anna)
    assert list(left.values_list("product__name", "batch")) == [("Soup of the Day", on_its_way.pk)]
    assert batches.clear_accepted_lines() == 0
    # The accepted batch keeps its own lines, as the POS took them.
    assert sorted(accepted.lines.values_list("name", flat=True)) == [
        "Garlic Bread",
        "Scotch Egg",
    ]


def test_an_acceptance_is_one_write_unless_the_batch_took_the_diners_note(table_10):
    plain = a_sent_basket(table_10, "Garlic Bread")
    taken = outbox._take(plain.pk, "worker-a", LEASE, EXPIRY)
    assert not isinstance(taken, str), taken
    with CaptureQueriesContext(connection) as plain_yes:
        assert batches.record_accepted(plain.pk, 4, taken[0], tell_floor=False)
    assert [query["sql"].split()[0] for query in plain_yes] == ["UPDATE"]

    anna = plain.diner
    anna.order_note = "No onions"
    anna.save(update_fields=["order_note"])
    BasketLine.objects.create(
        diner=anna, product=table_10.location.products.get(name="Scotch Egg"), quantity=1
    )
    with_note = batches.send_basket(anna)
    taken = outbox._take(with_note.pk, "worker-a", LEASE, EXPIRY)
    assert not isinstance(taken, str), taken
    with CaptureQueriesContext(connection) as noted_yes:
        assert batches.record_accepted(with_note.pk, 5, taken[0], tell_floor=False)
    # The note went with the batch, so it leaves the diner's note field, in the same
    # transaction as the acceptance.
    statements = [query["sql"].split()[0] for query in noted_yes]
    assert statements[0].startswith("BEGIN") or statements[0] == "SAVEPOINT", statements
    assert statements.count("UPDATE") == 2
    anna.refresh_from_db()
    assert anna.order_note == ""
    assert Batch.objects.get(pk=with_note.pk).state == BatchState.ACCEPTED
