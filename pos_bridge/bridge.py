"""The bridge: holds POS connections and feeds them batches and snapshot requests.

Runs inside the embedded process (on daphne's event loop) or as `manage.py run_pos_bridge`,
several at once. Its loop:
1. every few seconds, takes or renews the lease of each enabled POS connection, starting a
   PosClient for each one it holds and stopping those it lost (one worker per connection);
2. sends due batches over connected clients (pos_bridge.outbox);
3. asks the POS for snapshots that sessions want (pos_bridge.snapshots);
4. writes buffered frames and connection states, and prunes the message log now and then;
5. every half minute at most, ends batches too old to cook and clears the basket lines of
   accepted ones (ordering.batches.clear_accepted_lines);
6. sleeps until woken (a batch was written, a refresh wanted) or the poll interval passes.
Stopping gives in-flight requests a moment to be answered, then hands the leases back.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from ordering import batches, live
from ordering.signals import BATCH
from pos_bridge import frame_log, leases, outbox, protocol, snapshots, wakeup
from pos_bridge.client import PosClient, PosSettings, PosUnavailable
from pos_bridge.models import PosConnection, validate_pos_url

log = logging.getLogger("openapp.bridge")

LEASE_RENEW_SECONDS = 3.0  # at most; a short lease is renewed three times per length
# A batch is claimed for one attempt: the request's timeout, plus time for the database.
CLAIM_MARGIN_SECONDS = 5.0
SNAPSHOT_RETRY_SECONDS = 2.0
FLUSH_SECONDS = 0.5
ERROR_PAUSE = 1.0  # after an unexpected error, before the next round
PRUNE_SECONDS = 600.0
BAD_ADDRESS = "bad address"
LISTENER_GRACE_SECONDS = 2.0

Result = TypeVar("Result")


def _enabled_connections() -> list[PosSettings]:
    """The enabled connections whose address passes the admin's rules. The admin checks an
    address when it is saved, but one written another way (a shell, a fixture, SQL, a
    setting changed since) is checked again here: the token is never sent to it."""
    usable = []
    for connection in PosConnection.objects.filter(is_enabled=True):
        try:
            validate_pos_url(connection.url)
        except ValidationError as refusal:
            _record_bad_address(connection.pk, " ".join(refusal.messages))
            continue
        usable.append(PosSettings.from_model(connection))
    return usable


def _record_bad_address(connection_id: int, why: str) -> None:
    error = f"Not connecting to this address: {why}"[:300]
    PosConnection.objects.filter(pk=connection_id).exclude(
        state=BAD_ADDRESS, last_error=error
    ).update(state=BAD_ADDRESS, state_since=timezone.now(), last_error=error)


def _save_states(states: dict[int, tuple[str, str]]) -> None:
    now = timezone.now()
    for connection_id, (state, error) in states.items():
        PosConnection.objects.filter(pk=connection_id).update(
            state=state, state_since=now, last_error=error
        )


def drop_broken_connections() -> None:
    """Close database connections that failed and no longer answer, so the next query
    opens a fresh one. Django does this between web requests; the bridge has none."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and connection.errors_occurred:
            if not connection.is_usable():
                connection.close()
            connection.errors_occurred = False


def _keep_the_log(job: Callable[..., Result], *args: Any) -> Result:
    """A job of the message log's thread: a connection that failed is closed there, where
    it lives, so the next flush opens a fresh one."""
    try:
        return job(*args)
    except Exception:
        drop_broken_connections()
        raise


def _log_a_failed_flush(flush: asyncio.Task[None]) -> None:
    if not flush.cancelled() and flush.exception() is not None:
        log.error("message log: could not write", exc_info=flush.exception())


class Bridge:
    def __init__(
        self,
        *,
        poll_seconds: float | None = None,
        request_timeout: float | None = None,
        batch_expiry: float | None = None,
        lease: timedelta = leases.LEASE,
    ) -> None:
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.poll_seconds = poll_seconds or settings.POS_OUTBOX_POLL_SECONDS
        self.request_timeout = request_timeout or settings.POS_REQUEST_TIMEOUT_SECONDS
        self.batch_expiry = timedelta(seconds=batch_expiry or settings.POS_BATCH_EXPIRY_SECONDS)
        self.lease = lease
        self.clients: dict[int, PosClient] = {}
        self._client_tasks: dict[int, asyncio.Task[None]] = {}
        # By this process's clock, when each held lease runs out unless renewed: the
        # watchdog closes a POS connection before then, so two workers never talk to one POS.
        self._held_until: dict[int, float] = {}
        self._in_flight: set[uuid.UUID] = set()
        self._refreshing: set[tuple[int, str]] = set()
        self._retry_at: dict[tuple[int, str], float] = {}
        self._work: set[asyncio.Task] = set()
        self._frames = frame_log.FrameBuffer()
        # The message log is written on a thread of its own, with a database connection of
        # its own (where the database takes two writers at once: see run()): a busy half
        # second's frames take milliseconds to insert, and the pushes that waited behind
        # them on the bridge's database thread were the fan-out's tail.
        self._log_thread: ThreadPoolExecutor | None = None
        self._flushing: asyncio.Task[None] | None = None
        self._applied = snapshots.Applied()
        self._states: dict[int, tuple[str, str]] = {}
        self._wakeup: asyncio.Event | None = None
        self._refresh_asked = True
        # New batches the wake-ups since the last round named (wakeup.Named), and whether
        # one asked to look for due batches (a resend, a reconnect: what no name covers).
        self._named: list[wakeup.Named] = []
        self._look_for_due = True
        self._loop: asyncio.AbstractEventLoop | None = None
        self._draining = False  # shutting down: no new work, requests under way finish
        self._closing = False

    def wake(self, work: str | None = None, batch: wakeup.Named | None = None) -> None:
        """Thread-safe: a batch was written (work BATCH, and `batch` when it names the one
        new batch) or a snapshot wanted (REFRESH, or None: anything) in this process."""
        if self._loop is not None and self._wakeup is not None:
            self._loop.call_soon_threadsafe(self._woken, work, batch)

    def _woken(self, work: str | None, batch: wakeup.Named | None = None) -> None:
        # A batch's wake-up sends batches only: the checks wanted are looked for when one is
        # asked for, and at least every poll (snapshot retries). A wake-up naming its batch
        # sends that one; any other looks for every due batch.
        if work != BATCH:
            self._refresh_asked = True
        if batch is not None:
            self._named.append(batch)
        else:
            self._look_for_due = True
        if self._wakeup is not None:
            self._wakeup.set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
            # SQLite has one writer for the whole file: there a second writing thread only
            # makes pushes wait on its lock (and sleep in SQLite's busy handler), so the log
            # is written on the database thread, between them.
            self._log_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pos-frame-log")
        self._wakeup = asyncio.Event()
        wakeup.register_local(self.wake)
        listener = asyncio.create_task(wakeup.listen(self._woken))
        watchdog = asyncio.create_task(self._let_go_of_unrenewed_leases())
        log.info("bridge=%s started", self.worker)
        last = dict.fromkeys(("leases", "flush", "prune", "expire", "refresh", "due"), -1e9)
        renew_every = min(LEASE_RENEW_SECONDS, self.lease.total_seconds() / 3)
        try:
            while not self._closing:
                try:
                    await self._tick(last, renew_every)
                except Exception:
                    # The database restarting, a network blip: say so, and carry on once
                    # it is back. The outbox keeps every batch safe in the meantime.
                    log.exception("bridge=%s error, retrying in %gs", self.worker, ERROR_PAUSE)
                    await sync_to_async(drop_broken_connections)()
                    await asyncio.sleep(ERROR_PAUSE)
                    continue
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for drops a cancellation
                # that arrives with the wake-up, and the bridge would never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_seconds):
                        await self._wakeup.wait()
                self._wakeup.clear()
        finally:
            listener.cancel()
            watchdog.cancel()
            wakeup.unregister_local(self.wake)
            # Until they have finished (the listener leaves its group on Redis): a task
            # still pending when its loop closes is destroyed mid-await, and its finalizer
            # then runs wherever the garbage collector happens to be.
            await asyncio.wait({listener, watchdog}, timeout=LISTENER_GRACE_SECONDS)
            await self.stop()

    async def _tick(self, last: dict[str, float], renew_every: float) -> None:
        """One round of the bridge's work; `last` holds when each periodic job last ran."""
        assert self._loop is not None
        now = self._loop.time()
        if now - last["leases"] >= renew_every:
            await self._hold_connections()
            last["leases"] = now
        if now - last["expire"] >= min(30.0, self.batch_expiry.total_seconds() / 4):
            await sync_to_async(outbox.expire)(self.batch_expiry)
            await sync_to_async(batches.clear_accepted_lines)()
            last["expire"] = now
        if not self._draining:
            # A batch named by its wake-up is sent without looking: the look, at least every
            # poll, finds the rest (one whose wake-up was lost, a resend, a lease let go).
            look = self._look_for_due or now - last["due"] >= self.poll_seconds
            if look:
                self._look_for_due = False
                last["due"] = now
            await self._send_due_batches(look)
            if self._refresh_asked or now - last["refresh"] >= self.poll_seconds:
                self._refresh_asked = False
                last["refresh"] = now
                await self._refresh_wanted_checks()
        if now - last["flush"] >= FLUSH_SECONDS and (
            self._flushing is None or self._flushing.done()
        ):
            # Not awaited: a slow write or prune (the log's table locked, a big half second,
            # ten minutes of rows to delete) holds up neither the leases nor the batches,
            # and one flush at a time keeps the frames in order.
            prune = now - last["prune"] >= PRUNE_SECONDS
            self._flushing = asyncio.create_task(self._flush(prune=prune))
            self._flushing.add_done_callback(_log_a_failed_flush)
            last["flush"] = now
            if prune:
                last["prune"] = now

    async def shutdown(self, grace: float = 10.0) -> None:
        """Stop taking work; let requests under way be answered (or stay safe to resend)."""
        self._draining = True
        deadline = time.monotonic() + grace
        while self._work and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        self._closing = True
        self.wake()

    async def stop(self) -> None:
        for task in self._work:
            task.cancel()
        await asyncio.gather(*self._work, return_exceptions=True)
        dropped = {}
        for connection_id in list(self.clients):
            dropped[connection_id] = self.clients[connection_id].settings.location_id
            await self._drop(connection_id)
        # The last frames and states first: closing the socket reports "reconnecting",
        # which must not overwrite the "not connected" that giving up the lease writes.
        if self._flushing is not None:
            with contextlib.suppress(Exception):
                await self._flushing
        with contextlib.suppress(Exception):
            await self._flush()
        for connection_id, location_id in dropped.items():
            await sync_to_async(leases.give_up)(connection_id, self.worker)
            with contextlib.suppress(Exception):
                await sync_to_async(live.till_changed)(location_id, None)
        if self._log_thread is not None:
            with contextlib.suppress(Exception):
                await self._on_log_thread(connections.close_all)
            self._log_thread.shutdown(wait=False)
            self._log_thread = None
        log.info("bridge=%s stopped", self.worker)

    async def _hold_connections(self) -> None:
        wanted = {s.connection_id: s for s in await sync_to_async(_enabled_connections)()}
        for connection_id in list(self.clients):
            if wanted.get(connection_id) != self.clients[connection_id].settings:
                await self._drop(connection_id)  # disabled, deleted or edited
        for connection_id, pos_settings in wanted.items():
            asked_at = time.monotonic()
            held = await sync_to_async(leases.take_or_renew)(connection_id, self.worker, self.lease)
            if held:
                self._held_until[connection_id] = asked_at + self.lease.total_seconds()
            if held and connection_id not in self.clients:
                self._start(pos_settings)
            elif held and self.clients[connection_id].is_connected:
                await sync_to_async(live.till_changed)(
                    pos_settings.location_id, timezone.now() + self.lease
                )
            elif not held and connection_id in self.clients:
                log.warning(
                    "bridge=%s lost the lease of pos_connection=%s", self.worker, connection_id
                )
                await self._drop(connection_id)

    def _start(self, pos_settings: PosSettings) -> None:
        connection_id = pos_settings.connection_id
        client = PosClient(
            pos_settings,
            on_push=functools.partial(self._pushed, pos_settings.location_id),
            on_connected=functools.partial(self._connected, pos_settings.location_id),
            on_frame=functools.partial(self._frames.add, connection_id),
            on_state=functools.partial(
                self._state_changed, connection_id, pos_settings.location_id
            ),
        )
        self.clients[connection_id] = client
        self._client_tasks[connection_id] = asyncio.create_task(client.run())
        log.info("bridge=%s holds pos_connection=%s", self.worker, connection_id)

    async def _let_go_of_unrenewed_leases(self) -> None:
        """If the lease could not be renewed (the database is away), close the POS connection
        before the lease can expire and another worker take it. Touches no database, so it
        runs while the bridge's database calls hang."""
        margin = max(1.0, self.lease.total_seconds() * 0.2)
        while True:
            await asyncio.sleep(min(0.25, margin / 4))
            now = time.monotonic()
            for connection_id in list(self.clients):
                if now >= self._held_until.get(connection_id, now) - margin:
                    log.warning(
                        "bridge=%s could not renew the lease of pos_connection=%s: letting go",
                        self.worker,
                        connection_id,
                    )
                    await self._drop(connection_id)

    async def _drop(self, connection_id: int) -> None:
        self._held_until.pop(connection_id, None)
        client = self.clients.pop(connection_id, None)
        task = self._client_tasks.pop(connection_id, None)
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()
        if task is not None:
            task.cancel()
            # wait, not `await task`: the client's own cancellation is expected here, and a
            # stop asked of the bridge meanwhile must still reach the bridge.
            await asyncio.wait({task})
            if not task.cancelled() and task.exception() is not None:
                log.error(
                    "bridge=%s pos_connection=%s client failed: %r",
                    self.worker,
                    connection_id,
                    task.exception(),
                )

    def _state_changed(self, connection_id: int, location_id: int, state: str, error: str) -> None:
        self._states[connection_id] = (state, error)
        if error:
            self._frames.add_event(connection_id, f"{state}: {error}")
        self._spawn(self._tell_diners_about_the_till(location_id, state == "connected"))
        self.wake()

    async def _tell_diners_about_the_till(self, location_id: int, connected: bool) -> None:
        until = timezone.now() + self.lease if connected else None
        await sync_to_async(live.till_changed)(location_id, until)

    async def _on_log_thread(self, job: Callable[..., Result], *args: Any) -> Result:
        keeping = functools.partial(_keep_the_log, job)
        if self._log_thread is None:  # SQLite, or the bridge is not running
            return await sync_to_async(keeping)(*args)
        on_its_own = sync_to_async(keeping, thread_sensitive=False, executor=self._log_thread)
        return await on_its_own(*args)

    async def _flush(self, *, prune: bool = False) -> None:
        frames = self._frames.take()
        if frames:
            await self._on_log_thread(frame_log.write, frames)
        if self._states:
            states, self._states = self._states, {}
            await sync_to_async(_save_states)(states)
        if prune:
            await self._on_log_thread(frame_log.prune)

    async def _connected(self, location_id: int) -> None:
        # The POS forgot our table streams with the old connection: ask for every open table.
        await sync_to_async(snapshots.want_all_open)(location_id)
        self.wake()  # and batches queued while the POS was away go out now

    async def _pushed(self, location_id: int, push: protocol.Push, connection: int) -> None:
        payload = push.payload
        if not isinstance(payload, protocol.SnapshotChanged):
            await sync_to_async(snapshots.record_push)(location_id, push, connection)
            return  # logged and dropped there
        where = (
            location_id,
            payload.service_mode_entity_id,
            connection,
            payload.order,
            payload.version,
        )

        async def apply(news: bool) -> bool:
            # Not news: e.g. the push of a batch whose answer brought the same check.
            return news and await sync_to_async(snapshots.record_push)(
                location_id, push, connection
            )

        await self._applied.apply_in_turn(where, apply)

    def _connected_clients(self) -> dict[int, PosClient]:
        return {c.settings.location_id: c for c in self.clients.values() if c.is_connected}

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    async def _send_due_batches(self, look: bool = True) -> None:
        """The batches named by wake-ups, or with `look` every due batch."""
        named, self._named = self._named, []
        connected = self._connected_clients()
        if not connected:
            return  # a reconnect wakes the bridge to look
        if look:
            due = await sync_to_async(outbox.due_batch_ids)(list(connected))
        else:
            due = [(batch_id, location) for batch_id, location in named if location in connected]
        for batch_id, location_id in due:
            if batch_id not in self._in_flight:
                self._in_flight.add(batch_id)
                self._spawn(self._send(connected[location_id], batch_id))

    async def _send(self, client: PosClient, batch_id: uuid.UUID) -> str:
        try:
            return await outbox.send_batch(
                client,
                batch_id,
                worker=self.worker,
                timeout=self.request_timeout,
                lease=timedelta(seconds=self.request_timeout + CLAIM_MARGIN_SECONDS),
                expiry=self.batch_expiry,
                applied=self._applied,
            )
        except Exception:
            log.exception("batch=%s sending failed unexpectedly; it stays due", batch_id)
            return "error"
        finally:
            self._in_flight.discard(batch_id)

    async def _refresh_wanted_checks(self) -> None:
        connected = self._connected_clients()
        if not connected:
            return
        now = asyncio.get_running_loop().time()
        for wanted in await sync_to_async(snapshots.wanted_snapshots)(list(connected)):
            table = (wanted.location_id, wanted.pos_table_id)
            if table in self._refreshing or self._retry_at.get(table, 0) > now:
                continue
            self._refreshing.add(table)
            self._spawn(self._refresh(connected[wanted.location_id], wanted))

    async def _refresh(self, client: PosClient, wanted: snapshots.WantedSnapshot) -> str:
        table = (wanted.location_id, wanted.pos_table_id)
        try:
            response, connection = await snapshots.request_snapshot(
                client, wanted, self.request_timeout
            )
            await sync_to_async(snapshots.record_snapshot)(wanted, response, connection)
            return "refreshed"
        except PosUnavailable as error:
            log.warning("table=%s snapshot not answered: %s", wanted.pos_table_id, error)
        except Exception:
            log.exception("table=%s snapshot failed unexpectedly", wanted.pos_table_id)
        finally:
            self._refreshing.discard(table)
        self._retry_at[table] = asyncio.get_running_loop().time() + SNAPSHOT_RETRY_SECONDS
        return "not refreshed"
