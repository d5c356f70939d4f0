"""The embedded default's channel layer: Channels' in-memory layer, tidied once a second.

Channels' in-memory layer looks through every channel and every group for expired messages
on each send and receive, so the cost of one push grew with every phone connected to the
process (see docs/performance.md, scale). Dropping an expired message a second later
changes nothing a phone would notice.
"""

from __future__ import annotations

import time
from typing import Any

from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

TIDY_EVERY_SECONDS = 1.0


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tidied_at = float("-inf")

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._tidied_at >= TIDY_EVERY_SECONDS:
            self._tidied_at = now
            super()._clean_expired()
