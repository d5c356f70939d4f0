"""The embedded channel layer still forgets a phone that stopped reading, only less often."""

from __future__ import annotations

import asyncio
import uuid

import pytest

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


async def test_each_phone_gets_its_own_copy_of_a_groups_message():
    layer = InMemoryChannelLayer()
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("table-10", first)
    await layer.group_add("table-10", second)
    sent = {"type": "check.update", "state": {"lines": [{"name": "Corona", "quantity": 2}]}}
    await layer.group_send("table-10", sent)
    sent["state"]["lines"][0]["quantity"] = 9  # the sender's dict changes afterwards
    one, other = await layer.receive(first), await layer.receive(second)
    one["state"]["lines"].clear()  # and a reader changes its copy
    assert other["state"]["lines"] == [{"name": "Corona", "quantity": 2}]
    assert one is not other


async def test_a_message_redis_could_not_carry_is_refused_here_too():
    layer = InMemoryChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("table-10", channel)
    with pytest.raises(TypeError):
        await layer.group_send("table-10", {"type": "check.update", "session": uuid.uuid4()})
