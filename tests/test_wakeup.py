"""Web processes wake the bridge through the channel layer, also after channels-redis has
forgotten group members that joined longer ago than its group_expiry."""

from __future__ import annotations

import asyncio
import copy

import pytest
from channels.layers import channel_layers, get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from pos_bridge import wakeup

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="group expiry is channels-redis's: needs Redis (the production pass runs it)",
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
    listening = asyncio.create_task(wakeup.listen(lambda work: woken.set()))
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
