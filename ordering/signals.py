"""The ports ordering offers the apps above it."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.dispatch import Signal

# Work for the till was written: sent with `work`, BATCH (a batch to send) or REFRESH (a
# check to ask for), once the transaction that wrote it commits; with `batch`, the id and
# location of the one new batch it is (the bridge sends it without looking for due ones).
# The POS bridge listens and wakes up to do that work; nobody listening only means it waits
# for the next poll.
till_work_waiting = Signal()
BATCH, REFRESH = "batch", "refresh"


def announce_till_work(work: str, batch: tuple[uuid.UUID, int] | None = None) -> None:
    transaction.on_commit(lambda: till_work_waiting.send(sender=None, work=work, batch=batch))


# What staff see of a table on the floor page changed (a batch moved, the check changed, a
# diner arrived): sent with session_id once the transaction that changed it commits, and
# the session's table and location when the caller has them (saving the listener a read).
# ordering.floor listens and tells the location's staff sockets.
floor_changed = Signal()


def announce_floor_change(
    session_id: int, table_id: int | None = None, location_id: int | None = None
) -> None:
    transaction.on_commit(
        lambda: floor_changed.send(
            sender=None, session_id=session_id, table_id=table_id, location_id=location_id
        )
    )
