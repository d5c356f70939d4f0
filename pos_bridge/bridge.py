"""The bridge: one PosClient per enabled POS connection, and the outbox loop that feeds them.

Runs inside the embedded process (on daphne's event loop) or as `manage.py run_pos_bridge`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import uuid
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings

from pos_bridge import outbox, protocol, snapshots
from pos_bridge.client import PosClient, PosSettings, PosUnavailable
from pos_bridge.models import PosConnection

log = logging.getLogger("openapp.bridge")

CONNECTIONS_REFRESH_SECONDS = 15.0
QUEUED_BATCH_EXPIRY = timedelta(minutes=15)
SNAPSHOT_RETRY_SECONDS = 2.0


def _enabled_connections() -> list[PosSettings]:
    return [
        PosSettings.from_model(connection)
        for connection in PosConnection.objects.filter(is_enabled=True)
    ]


class Bridge:
    def __init__(
        self,
        *,
        poll_seconds: float | None = None,
        request_timeout: float | None = None,
        max_attempts: int = 5,
    ) -> None:
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.poll_seconds = poll_seconds or settings.POS_OUTBOX_POLL_SECONDS
        self.request_timeout = request_timeout or settings.POS_REQUEST_TIMEOUT_SECONDS
        self.max_attempts = max_attempts
        self.clients: dict[int, PosClient] = {}
        self._client_tasks: dict[int, asyncio.Task[None]] = {}
        self._in_flight: set[uuid.UUID] = set()
        self._refreshing: set[tuple[int, str]] = set()
        self._retry_at: dict[tuple[int, str], float] = {}
        self._sending: set[asyncio.Task[str]] = set()
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Thread-safe: called when a batch is written in this process."""
        if self._loop is not None and self._wakeup is not None:
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        outbox.register_local(self)
        log.info("bridge %s started", self.worker)
        last_refresh = -CONNECTIONS_REFRESH_SECONDS
        try:
            while True:
                now = self._loop.time()
                if now - last_refresh >= CONNECTIONS_REFRESH_SECONDS:
                    await self._refresh_connections()
                    await sync_to_async(outbox.expire_queued)(QUEUED_BATCH_EXPIRY)
                    last_refresh = now
                await self._send_due_batches()
                await self._refresh_wanted_checks()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.poll_seconds)
                self._wakeup.clear()
        finally:
            outbox.unregister_local(self)
            await self.stop()

    async def stop(self) -> None:
        for client in self.clients.values():
            with contextlib.suppress(Exception):
                await client.close()
        for task in [*self._client_tasks.values(), *self._sending]:
            task.cancel()
        await asyncio.gather(*self._client_tasks.values(), *self._sending, return_exceptions=True)
        self._client_tasks.clear()
        self.clients.clear()

    async def _refresh_connections(self) -> None:
        wanted = {s.connection_id: s for s in await sync_to_async(_enabled_connections)()}
        for connection_id, client in list(self.clients.items()):
            if wanted.get(connection_id) != client.settings:
                self._client_tasks.pop(connection_id).cancel()
                del self.clients[connection_id]
        for connection_id, pos_settings in wanted.items():
            if connection_id not in self.clients:
                client = PosClient(
                    pos_settings,
                    on_push=functools.partial(self._pushed, pos_settings.location_id),
                    on_connected=functools.partial(self._connected, pos_settings.location_id),
                )
                self.clients[connection_id] = client
                self._client_tasks[connection_id] = asyncio.create_task(client.run())

    async def _connected(self, location_id: int) -> None:
        # The POS forgot our table streams with the old connection: ask for every open table.
        await sync_to_async(snapshots.want_all_open)(location_id)
        self.wake()  # and batches queued while the POS was away go out now

    async def _pushed(self, location_id: int, push: protocol.Push) -> None:
        await sync_to_async(snapshots.record_push)(location_id, push)

    async def _refresh_wanted_checks(self) -> None:
        connected = {c.settings.location_id: c for c in self.clients.values() if c.is_connected}
        if not connected:
            return
        now = asyncio.get_running_loop().time()
        for wanted in await sync_to_async(snapshots.wanted_snapshots)(list(connected)):
            table = (wanted.location_id, wanted.pos_table_id)
            if table in self._refreshing or self._retry_at.get(table, 0) > now:
                continue
            self._refreshing.add(table)
            task = asyncio.create_task(self._refresh(connected[wanted.location_id], wanted))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _refresh(self, client: PosClient, wanted: snapshots.WantedSnapshot) -> str:
        table = (wanted.location_id, wanted.pos_table_id)
        try:
            _, response = await snapshots.request_snapshot(client, wanted, self.request_timeout)
            await sync_to_async(snapshots.record_snapshot)(wanted, response)
            return "refreshed"
        except PosUnavailable as error:
            log.warning("table %s: snapshot not answered (%s)", wanted.pos_table_id, error)
            self._retry_at[table] = asyncio.get_running_loop().time() + SNAPSHOT_RETRY_SECONDS
            return "unanswered"
        except Exception:
            log.exception("table %s: snapshot failed unexpectedly", wanted.pos_table_id)
            self._retry_at[table] = asyncio.get_running_loop().time() + SNAPSHOT_RETRY_SECONDS
            return "error"
        finally:
            self._refreshing.discard(table)

    async def _send_due_batches(self) -> None:
        connected = {c.settings.location_id: c for c in self.clients.values() if c.is_connected}
        if not connected:
            return
        due = await sync_to_async(outbox.due_batch_ids)(list(connected))
        for batch_id, location_id in due:
            client = connected.get(location_id)
            if batch_id in self._in_flight or client is None:
                continue
            self._in_flight.add(batch_id)
            task = asyncio.create_task(self._send(client, batch_id))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, client: PosClient, batch_id: uuid.UUID) -> str:
        try:
            return await outbox.send_batch(
                client,
                batch_id,
                worker=self.worker,
                timeout=self.request_timeout,
                max_attempts=self.max_attempts,
            )
        except Exception:
            log.exception("batch %s: sending failed unexpectedly; it stays due", batch_id)
            return "error"
        finally:
            self._in_flight.discard(batch_id)
