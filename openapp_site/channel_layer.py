"""The embedded default's channel layer: Channels' in-memory layer, tidied once a second,
each message copied as the Redis layer copies it.

Channels' in-memory layer looks through every channel and every group for expired messages
on each send and receive, so the cost of one push grew with every phone connected to the
process (see docs/performance.md, scale). Dropping an expired message a second later
changes nothing a phone would notice.

It also gives each channel its own deep copy of a message, and a group's send starts a task
for every channel. A check's push carries the whole check (a long meal's is some seventy
lines), so that cost a copy of it for every phone at the table, half a millisecond each.
Here a group's message is packed once with msgpack and each channel unpacks its own copy,
in one pass: what channels-redis does in production, so a message that would not survive
Redis does not survive here either.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import msgpack
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

TIDY_EVERY_SECONDS = 1.0


def _packed(message: dict[str, Any]) -> bytes:
    return msgpack.packb(message, use_bin_type=True)


def _unpacked(packed: bytes) -> dict[str, Any]:
    return msgpack.unpackb(packed, raw=False)


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tidied_at = float("-inf")

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._tidied_at >= TIDY_EVERY_SECONDS:
            self._tidied_at = now
            super()._clean_expired()

    def _put(self, channel: str, packed: bytes) -> None:
        queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
        try:
            queue.put_nowait((time.time() + self.expiry, _unpacked(packed)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        self._put(channel, _packed(message))

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        channels = list(self.groups.get(group, {}))
        if not channels:
            return
        packed = _packed(message)
        for channel in channels:
            # As Channels' layer: a full channel misses a group's message.
            with contextlib.suppress(ChannelFull):
                self._put(channel, packed)
