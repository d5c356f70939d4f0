"""Staff resend a batch that failed or was never confirmed (same RequestID, so the POS
never books it twice) or mark it handled; who and when is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordering import batches, staff_actions
from ordering.models import BasketLine, Batch, BatchState
from ordering.reasons import Reason
from pos_bridge import outbox
from tests.test_admin_people import logged_in, person, second_location
from tests.test_floor import a_batch, a_visit, floor_url, row_of

pytestmark = pytest.mark.django_db


def a_failed_batch(table) -> Batch:
    """A diner's batch that never reached the POS: its line went back to the basket."""
    _session, (anna,) = a_visit(table, 1)
    product = table.location.products.get(name="Garlic Bread")
    BasketLine.objects.create(diner=anna, product=product, quantity=2)
    batch = batches.send_basket(anna)
    assert batches.record_failed(batch.pk, Reason.UNREACHABLE)
    return batch


def action_url(batch: Batch, action: str) -> str:
    table = batch.session.table
    return f"{floor_url(table.location)}{table.pk}/batch/{batch.pk}/{action}/"


def test_a_failed_batch_is_resent_with_its_request_id_and_its_lines(table_10):
    batch = a_failed_batch(table_10)
    line = BasketLine.objects.get(diner=batch.diner)
    assert line.batch_id is None and line.problem  # back in the basket, as the diner sees
    sam = person("sam", "Staff", table_10.location)
    client = logged_in(sam)
    visit = client.get(f"{floor_url(table_10.location)}{table_10.pk}/").content.decode()
    assert action_url(batch, "resend") in visit and action_url(batch, "handled") in visit

    page = client.post(action_url(batch, "resend"), follow=True).content.decode()
    assert f"same RequestID ({batch.request_id})" in page
    resent = Batch.objects.get(pk=batch.pk)
    assert resent.state == BatchState.PENDING and resent.request_id == batch.request_id
    assert resent.resent_by == sam and resent.resent_at is not None
    assert "Resent" in page and "by sam" in page
    line.refresh_from_db()
    assert line.batch_id == batch.pk and line.problem == ""  # travels in the batch again
    # Due for the bridge, and not failed again at once for its age.
    Batch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert outbox.expire(timedelta(minutes=5)) == 0
    assert (batch.pk, table_10.location_id) in outbox.due_batch_ids([table_10.location_id])


def test_an_unconfirmed_batch_is_asked_again_as_sent(table_10):
    session, (anna,) = a_visit(table_10, 1)
    batch = a_batch(session, anna, BatchState.UNCONFIRMED, attempts=2)
    staff_actions.resend(batch.pk, None)
    again = Batch.objects.get(pk=batch.pk)
    assert again.state == BatchState.SENT and again.attempts == 2
    assert again.request_id == batch.request_id
    assert (batch.pk, table_10.location_id) in outbox.due_batch_ids([table_10.location_id])


def test_a_batch_whose_lines_the_diner_sent_again_is_not_resent(table_10):
    batch = a_failed_batch(table_10)
    batches.send_basket(batch.diner)  # the diner sent the lines again themselves
    with pytest.raises(staff_actions.CannotResend, match="cook them twice"):
        staff_actions.resend(batch.pk, None)
    client = logged_in(person("sam", "Staff", table_10.location))
    page = client.post(action_url(batch, "resend"), follow=True).content.decode()
    assert "was not resent" in page
    assert Batch.objects.get(pk=batch.pk).state == BatchState.FAILED


def test_accepted_or_closed_table_batches_are_not_resent(table_10):
    session, (anna,) = a_visit(table_10, 1)
    accepted = a_batch(session, anna, BatchState.ACCEPTED)
    with pytest.raises(staff_actions.CannotResend):
        staff_actions.resend(accepted.pk, None)
    unconfirmed = a_batch(session, anna, BatchState.UNCONFIRMED)
    session.close()
    with pytest.raises(staff_actions.CannotResend, match="closed"):
        staff_actions.resend(unconfirmed.pk, None)


def test_marking_handled_records_who_and_when_and_takes_it_off_the_floor(table_10):
    session, (anna,) = a_visit(table_10, 1)
    batch = a_batch(session, anna, BatchState.REJECTED, result_code=6, rejection_reason="X")
    morgan = person("morgan", "Managers", table_10.location)
    client = logged_in(morgan)
    row = row_of(client.get(floor_url(table_10.location)).content.decode(), table_10)
    assert "batch-problem" in row
    page = client.post(action_url(batch, "handled"), follow=True).content.decode()
    assert "is marked handled" in page and "by morgan" in page
    handled = Batch.objects.get(pk=batch.pk)
    assert handled.handled_by == morgan and handled.handled_at is not None
    row = row_of(client.get(floor_url(table_10.location)).content.decode(), table_10)
    assert "batch-problem" not in row
    assert (
        "Mark handled"
        not in client.get(f"{floor_url(table_10.location)}{table_10.pk}/").content.decode()
    )
    assert not staff_actions.mark_handled(batch.pk, morgan)  # once


def test_only_post_and_only_people_of_the_location_with_the_right(table_10):
    batch = a_failed_batch(table_10)
    other = logged_in(person("olly", "Managers", second_location()))
    assert other.post(action_url(batch, "resend")).status_code == 404
    sam = logged_in(person("sam", "Staff", table_10.location))
    assert sam.get(action_url(batch, "resend")).status_code == 405
    assert sam.post(action_url(batch, "explode")).status_code == 404
    viewer = person("vic", None, table_10.location)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_batch", "view_tablesession"])
    )
    assert logged_in(viewer).post(action_url(batch, "resend")).status_code == 403
    assert Batch.objects.get(pk=batch.pk).state == BatchState.FAILED


def test_the_batch_admin_shows_who_resent_and_handled(table_10):
    batch = a_failed_batch(table_10)
    morgan = person("morgan", "Managers", table_10.location)
    staff_actions.resend(batch.pk, morgan)
    page = logged_in(morgan).get(f"/admin/ordering/batch/{batch.pk}/change/").content.decode()
    assert "Resent at" in page and "morgan" in page


@pytest.mark.django_db(transaction=True)
def test_a_resent_batch_the_pos_already_took_is_not_booked_twice(restaurant, pos, bridge):
    """The POS took the order but its answer was lost (the batch was left unconfirmed):
    resent with its RequestID, the POS answers with its first result and books nothing more."""
    from tests.bridge_runner import wait_until
    from tests.phones import Phone

    phone = Phone()
    phone.scan(restaurant.tables.get(pos_table_id="10"))
    assert phone.add("Garlic Bread", quantity=2).status_code == 302
    phone.send()
    batch = wait_until(
        lambda: Batch.objects.filter(diner=phone.diner, state=BatchState.ACCEPTED).first(),
        what="the POS to accept the batch",
    )
    Batch.objects.filter(pk=batch.pk).update(state=BatchState.UNCONFIRMED, answered_at=None)

    staff_actions.resend(batch.pk, None)
    again = wait_until(
        lambda: Batch.objects.filter(pk=batch.pk, state=BatchState.ACCEPTED).first(),
        what="the POS to answer the resend",
    )
    assert again.request_id == batch.request_id and again.attempts == 2
    assert [(p.name, p.quantity) for p in pos.order("10").products] == [("Garlic Bread", 2)]
