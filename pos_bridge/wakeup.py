"""Waking the bridge when work is written: in this process directly, in others through the
channel layer group named here (and only here).

channels-redis forgets a group member after its `group_expiry` (a day by default), so a
bridge renews its membership well inside that; the poll would hide a lapse, slowly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

log = logging.getLogger("openapp.wakeup")

WAKE_GROUP = "pos-bridge.wake"
WAKE_MESSAGE = {"type": "bridge.wake"}
DEFAULT_GROUP_EXPIRY_SECONDS = 86400

# A new batch a wake-up names: its id and its location.
Named = tuple[uuid.UUID, int]
# Called with what a wake-up is for (ordering.signals: BATCH, REFRESH; None: anything) and
# the batch it names, if one.
Wake = Callable[[str | None, Named | None], None]

_local: set[Wake] = set()
_local_lock = threading.Lock()


def register_local(wake: Wake) -> None:
    with _local_lock:
        _local.add(wake)


def unregister_local(wake: Wake) -> None:
    with _local_lock:
        _local.discard(wake)


def running_in_this_process() -> bool:
    with _local_lock:
        return bool(_local)


def wake_bridge(work: str | None = None, batch: Named | None = None, **_signal: Any) -> None:
    """Work was written: wake the bridge in this process, and through Redis the others."""
    with _local_lock:
        local = list(_local)
    for wake in local:
        wake(work, batch)
    if settings.REDIS_URL and not local:
        named = [str(batch[0]), batch[1]] if batch else None
        try:
            async_to_sync(get_channel_layer().group_send)(
                WAKE_GROUP, {**WAKE_MESSAGE, "work": work, "batch": named}
            )
        except Exception:  # the poll will find the work anyway
            log.warning("could not wake the bridge workers through the channel layer")


def renew_every(layer: Any) -> float:
    """A quarter of the layer's group expiry: three renewals can fail before it lapses."""
    return getattr(layer, "group_expiry", DEFAULT_GROUP_EXPIRY_SECONDS) / 4


def _named(value: Any) -> Named | None:
    """The batch a wake-up from another process names; none when it names none, or names
    one in a shape no web process writes (the bridge then looks for due batches)."""
    try:
        batch_id, location_id = value
        return uuid.UUID(batch_id), int(location_id)
    except (TypeError, ValueError, AttributeError):
        return None


async def listen(woken: Wake) -> None:
    """Across processes: call `woken` with what each wake-up sent to the group is for (None
    when it does not say) and the batch it names, until cancelled."""
    layer = get_channel_layer()
    if not settings.REDIS_URL or layer is None:
        return
    channel = await layer.new_channel()
    renewing = asyncio.create_task(_stay_in_group(layer, channel))
    try:
        while True:
            message = await layer.receive(channel)
            woken(message.get("work"), _named(message.get("batch")))
    finally:
        renewing.cancel()
        with contextlib.suppress(Exception):
            await layer.group_discard(WAKE_GROUP, channel)


async def _stay_in_group(layer: Any, channel: str) -> None:
    while True:
        try:
            await layer.group_add(WAKE_GROUP, channel)  # joining again renews membership
        except Exception:
            log.warning("could not renew the bridge's wake-up group; retrying")
            await asyncio.sleep(min(5.0, renew_every(layer)))
            continue
        await asyncio.sleep(renew_every(layer))
