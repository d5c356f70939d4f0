"""Web processes wake the bridge through the channel layer, also after channels-redis has
forgotten group members that joined longer ago than its group_expiry, and name the batch
they wrote."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from pos_bridge import wakeup

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="wake-ups between processes go through channels-redis: needs Redis (the "
    "production pass runs it)",
)

GROUP_EXPIRY_SECONDS = 1


@pytest.fixture
def forgetful_redis(settings):
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["group_expiry"] = GROUP_EXPIRY_SECONDS
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def test_a_bridge_is_still_woken_after_its_group_membership_would_have_expired(
    forgetful_redis,
):
    woken = asyncio.Event()
    listening = asyncio.create_task(wakeup.listen(lambda work, batch: woken.set()))
    try:
        await asyncio.sleep(GROUP_EXPIRY_SECONDS * 3)  # joined long ago, by the layer's clock
        # A web process: its own connection to Redis, sending to the group by its name.
        web = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
        await web.group_send(wakeup.WAKE_GROUP, wakeup.WAKE_MESSAGE)
        await asyncio.wait_for(woken.wait(), 5)
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await get_channel_layer().flush()


async def test_a_wake_up_from_a_web_process_names_its_batch_and_a_garbled_name_names_none():
    heard: asyncio.Queue = asyncio.Queue()
    listening = asyncio.create_task(wakeup.listen(lambda work, batch: heard.put_nowait(batch)))
    try:
        web = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
        batch_id = uuid.uuid4()
        for _ in range(50):  # until the listener has joined the group
            await web.group_send(
                wakeup.WAKE_GROUP, {**wakeup.WAKE_MESSAGE, "work": "batch", "batch": ["x", 1]}
            )
            with contextlib.suppress(TimeoutError):
                garbled = await asyncio.wait_for(heard.get(), 0.1)
                break
        else:
            pytest.fail("the bridge's listener never joined the wake-up group")
        assert garbled is None  # names no batch: the bridge looks for due ones
        await sync_to_async(wakeup.wake_bridge)("batch", (batch_id, 7))
        named = None
        while named is None:  # past any garbled wake-up still on its way
            named = await asyncio.wait_for(heard.get(), 5)
        assert named == (batch_id, 7)
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await get_channel_layer().flush()
