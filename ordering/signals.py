"""The ports ordering offers the apps above it."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Work for the till was written (a batch to send, a check to refresh): sent once the
# transaction that wrote it commits. The POS bridge listens and wakes up; nobody
# listening only means the work waits for the bridge's next poll.
till_work_waiting = Signal()


def announce_till_work() -> None:
    transaction.on_commit(lambda: till_work_waiting.send(sender=None))
