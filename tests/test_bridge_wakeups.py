"""A batch wakes the bridge to send it, and only that: the checks diners want refreshed
are looked for when one is asked for (and at each quiet poll), not on every batch; nor are
other due batches, as the wake-up names its batch. A batch whose wake-up is lost still goes,
at the next poll."""

from __future__ import annotations

from ordering.models import Batch, BatchState, TableCheck
from ordering.signals import till_work_waiting
from pos_bridge import outbox, snapshots
from tests.bridge_runner import running_bridge, wait_until
from tests.phones import Phone


def test_batches_are_sent_without_looking_for_wanted_checks_and_a_refresh_is_still_prompt(
    restaurant, monkeypatch
):
    looked: list[object] = []
    wanted = snapshots.wanted_snapshots

    def counted(location_ids: list[int]) -> list[snapshots.WantedSnapshot]:
        looked.append(location_ids)
        return wanted(location_ids)

    monkeypatch.setattr(snapshots, "wanted_snapshots", counted)
    looked_for_due: list[object] = []
    due = outbox.due_batch_ids

    def due_counted(location_ids: list[int]) -> list:
        looked_for_due.append(location_ids)
        return due(location_ids)

    monkeypatch.setattr(outbox, "due_batch_ids", due_counted)
    table = restaurant.tables.get(pos_table_id="10")
    with running_bridge(poll_seconds=30.0):  # no quiet poll within the test
        phone = Phone()
        phone.scan(table)
        wait_until(
            lambda: TableCheck.objects.filter(
                session=phone.session, refreshed_at__isnull=False
            ).exists(),
            what="the first snapshot, asked for by the scan",
        )
        looked.clear()
        looked_for_due.clear()
        for _ in range(3):
            phone.add("Garlic Bread")
            phone.send()
            wait_until(
                lambda: not Batch.objects.exclude(state=BatchState.ACCEPTED).exists(),
                what="the batch accepted",
            )
        assert Batch.objects.filter(state=BatchState.ACCEPTED).count() == 3
        assert looked == [] and looked_for_due == []

        refreshed = TableCheck.objects.get(session=phone.session).refreshed_at
        assert phone.get("bill/").status_code == 200  # the bill asks for a fresh check
        wait_until(
            lambda: TableCheck.objects.get(session=phone.session).refreshed_at != refreshed,
            timeout=5.0,
            what="the bill's snapshot, well before the next poll",
        )
        assert looked


def test_a_batch_whose_wake_up_is_lost_is_sent_at_the_next_poll(restaurant):
    table = restaurant.tables.get(pos_table_id="10")
    with running_bridge(poll_seconds=0.5):
        phone = Phone()
        phone.scan(table)
        phone.add("Garlic Bread")
        receivers = till_work_waiting.receivers
        till_work_waiting.receivers = []  # the wake-up goes nowhere
        try:
            phone.send()
        finally:
            till_work_waiting.receivers = receivers
            till_work_waiting.sender_receivers_cache.clear()
        wait_until(
            lambda: Batch.objects.filter(state=BatchState.ACCEPTED).exists(),
            timeout=5.0,
            what="the batch found by the poll and accepted",
        )
