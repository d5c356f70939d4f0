"""The embedded channel layer still forgets a phone that stopped reading, only less often."""

from __future__ import annotations

import asyncio

from openapp_site import channel_layer
from openapp_site.channel_layer import InMemoryChannelLayer


async def test_a_channel_whose_messages_expire_leaves_its_group(monkeypatch):
    monkeypatch.setattr(channel_layer, "TIDY_EVERY_SECONDS", 0.2)
    layer = InMemoryChannelLayer(expiry=0.1)
    gone, listening = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("table-10", gone)
    await layer.group_add("table-10", listening)
    await layer.group_send("table-10", {"type": "check.update", "n": 1})
    assert (await layer.receive(listening))["n"] == 1  # `gone` never reads its copy
    await asyncio.sleep(0.3)
    await layer.group_send("table-10", {"type": "check.update", "n": 2})
    assert set(layer.groups["table-10"]) == {listening}
    assert (await layer.receive(listening))["n"] == 2
