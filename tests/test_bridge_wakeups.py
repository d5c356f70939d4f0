"""A batch wakes the bridge to send it, and only that: the checks diners want refreshed
are looked for when one is asked for (and at each quiet poll), not on every batch."""

from __future__ import annotations

from ordering.models import Batch, BatchState, TableCheck
from pos_bridge import snapshots
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
        for _ in range(3):
            phone.add("Garlic Bread")
            phone.send()
            wait_until(
                lambda: not Batch.objects.exclude(state=BatchState.ACCEPTED).exists(),
                what="the batch accepted",
            )
        assert Batch.objects.filter(state=BatchState.ACCEPTED).count() == 3
        assert looked == []

        refreshed = TableCheck.objects.get(session=phone.session).refreshed_at
        assert phone.get("bill/").status_code == 200  # the bill asks for a fresh check
        wait_until(
            lambda: TableCheck.objects.get(session=phone.session).refreshed_at != refreshed,
            timeout=5.0,
            what="the bill's snapshot, well before the next poll",
        )
        assert looked
