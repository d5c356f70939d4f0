"""Runs a real Bridge on its own thread and event loop, as the embedded process does."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from asgiref.sync import sync_to_async
from django.db import connections

from pos_bridge.bridge import Bridge


@contextmanager
def running_bridge(**options) -> Iterator[Bridge]:
    options.setdefault("poll_seconds", 0.05)
    options.setdefault("request_timeout", 5.0)
    bridge = Bridge(**options)
    loop = asyncio.new_event_loop()
    running = threading.Event()
    task: asyncio.Task | None = None

    def run() -> None:
        nonlocal task
        asyncio.set_event_loop(loop)
        task = loop.create_task(bridge.run())
        running.set()
        try:
            loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="pos-bridge", daemon=True)
    thread.start()
    running.wait(5)
    try:
        yield bridge
    finally:
        loop.call_soon_threadsafe(task.cancel)
        thread.join(10)
        # The bridge's database work ran on asgiref's shared sync thread: close its
        # connection there too, or PostgreSQL cannot drop the test database at the end.
        asyncio.run(sync_to_async(connections.close_all)())
        connections.close_all()
        # A bridge left running would take the POS connections of the tests after this one.
        assert not thread.is_alive(), "the bridge did not stop within 10 s"


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> object:
    """Poll until condition() is truthy; fail the test with `what` if it never is."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout:g}s: {what}")
        time.sleep(0.02)
