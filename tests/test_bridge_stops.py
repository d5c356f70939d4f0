"""A bridge told to stop stops, whatever it was doing at that moment.

Seen in CI: a bridge cancelled in the same instant a batch woke it kept running for the rest
of the test session (Python 3.11's asyncio.wait_for returns the awaited result and drops the
cancellation when both arrive together), and it took the POS connections of every later test.
"""

from __future__ import annotations

import asyncio

from pos_bridge import wakeup
from pos_bridge.bridge import Bridge


async def started(bridge: Bridge) -> asyncio.Task[None]:
    task = asyncio.create_task(bridge.run())
    for _ in range(200):
        if wakeup.running_in_this_process():
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # past its first round, waiting to be woken
    return task


async def stops_within(task: asyncio.Task[None], seconds: float) -> bool:
    done, _ = await asyncio.wait({task}, timeout=seconds)
    return task in done


async def test_a_bridge_cancelled_as_a_batch_wakes_it_stops(restaurant):
    for attempt in range(5):
        bridge = Bridge(poll_seconds=0.5, request_timeout=2.0)
        task = await started(bridge)
        loop = asyncio.get_running_loop()
        bridge.wake()  # queued first: the bridge's wake-up is set ...
        loop.call_soon(task.cancel)  # ... and in the same instant it is told to stop
        assert await stops_within(task, 5), f"attempt {attempt}: the bridge kept running"
        assert task.cancelled()
        assert not wakeup.running_in_this_process()
