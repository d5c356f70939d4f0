"""Chaos for the POS simulator: a seeded plan that drops protocol connections at bad moments.

A drop aborts the connection's TCP transport: no closing handshake, and whatever was
queued for the bridge is lost with it. The bridge sees close code 1006, reconnects,
resends unanswered CreateOrders with their RequestIDs and asks for fresh snapshots.
Three moments, each with its own probability:

- BEFORE_REQUEST: a request arrived and is dropped unprocessed (the request is lost);
- BEFORE_ANSWER: a CreateOrder was taken (its lines are on the check) but its answer is lost;
- MID_STREAM: a TableOrderSnapshotChanged push is lost, with the rest of the stream.

Staff console sockets are never dropped. Every drop is counted by kind, so a test can
check that each kind happened. The decisions come from one seeded random generator; the
order in which the simulator asks for them depends on timing, so a run is not replayable
frame for frame, only reproducible in its mix.
"""

from __future__ import annotations

import enum
import logging
import random
from typing import Any

log = logging.getLogger(__name__)


class Drop(enum.StrEnum):
    BEFORE_REQUEST = "before request"
    BEFORE_ANSWER = "before answer"
    MID_STREAM = "mid stream"


class Chaos:
    """Which drops to make, and how many of each were made. Use on the simulator's loop."""

    def __init__(
        self,
        *,
        seed: int = 0,
        before_request: float = 0.0,
        before_answer: float = 0.0,
        mid_stream: float = 0.0,
    ) -> None:
        self.probabilities = {
            Drop.BEFORE_REQUEST: before_request,
            Drop.BEFORE_ANSWER: before_answer,
            Drop.MID_STREAM: mid_stream,
        }
        for kind, probability in self.probabilities.items():
            if not 0.0 <= probability <= 1.0:
                raise ValueError(f"the probability of a drop {kind} must be in [0, 1]")
        self.seed = seed
        self.active = True
        self.drops: dict[Drop, int] = dict.fromkeys(Drop, 0)
        self._random = random.Random(seed)

    def strikes(self, kind: Drop) -> bool:
        """Roll for one drop of this kind; counts it when it happens."""
        if not self.active or self._random.random() >= self.probabilities[kind]:
            return False
        self.drops[kind] += 1
        return True

    def calm(self) -> None:
        """Stop dropping (for instance to let the bridge settle before comparing checks)."""
        self.active = False

    def resume(self) -> None:
        self.active = True

    def counts(self) -> dict[str, int]:
        return {str(kind): count for kind, count in self.drops.items()}

    def __repr__(self) -> str:
        return f"Chaos(seed={self.seed}, drops={self.counts()}, active={self.active})"


def abort(connection: Any) -> None:
    """Drop a WebSocket connection the hard way: the transport goes, with no close frame."""
    transport = getattr(connection, "transport", None)
    if transport is not None and not transport.is_closing():
        transport.abort()
