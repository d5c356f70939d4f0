"""One live WebSocket connection to one POS, with answers matched to requests by RequestID."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from pos_bridge import codec, protocol

log = logging.getLogger("openapp.pos")

UNAUTHORIZED_CLOSE_CODE = 4401
UNAUTHORIZED_RETRY_SECONDS = 60.0
RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 10.0


class PosUnavailable(Exception):
    """The POS could not be asked: not connected, or the connection dropped before the answer."""


class PosNotSent(PosUnavailable):
    """Nothing went on the wire: the POS cannot have taken the request."""


class PosTimeout(PosUnavailable):
    """The POS did not answer in time; the request may or may not have been processed."""


@dataclass(frozen=True)
class PosSettings:
    connection_id: int
    location_id: int
    url: str
    token: str
    provider_id: int
    provider_name: str
    device_id: str
    pos_user_id: str

    @classmethod
    def from_model(cls, connection: Any) -> PosSettings:
        return cls(
            connection_id=connection.pk,
            location_id=connection.location_id,
            url=connection.url,
            token=connection.token,
            provider_id=connection.provider_id,
            provider_name=connection.provider_name,
            device_id=connection.device_id,
            pos_user_id=connection.pos_user_id,
        )


PushHandler = Callable[[protocol.Push, int], Awaitable[None]]  # the push, its connection
ConnectedHandler = Callable[[], Awaitable[None]]
FrameHandler = Callable[[str, str | bytes], None]  # direction ("in"/"out"), frame
StateHandler = Callable[[str, str], None]  # state, last error


class PosClient:
    """Keeps one connection open (reconnecting with backoff) and sends requests over it."""

    def __init__(
        self,
        settings: PosSettings,
        on_push: PushHandler | None = None,
        on_connected: ConnectedHandler | None = None,
        on_frame: FrameHandler | None = None,
        on_state: StateHandler | None = None,
        ping_interval: float = 20.0,
        ping_timeout: float = 10.0,
        refused_retry_seconds: float = UNAUTHORIZED_RETRY_SECONDS,
    ) -> None:
        self.settings = settings
        self.state = "connecting"
        self.last_error = ""
        self._on_push = on_push
        self._on_connected = on_connected
        self._on_frame = on_frame
        self._on_state = on_state
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._refused_retry_seconds = refused_retry_seconds
        self._websocket: ClientConnection | None = None
        # When the current connection opened (ns): tells a restarted POS's Versions apart
        # from the last connection's (docs/pos-protocol.md §6).
        self.connection = 0
        self._connected = asyncio.Event()
        self._waiting: dict[str, asyncio.Future[protocol.Response]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _set_state(self, state: str, error: str = "") -> None:
        self.state = state
        # The message log keeps every error; the connection shows only a current one.
        self.last_error = error[:300]
        log.info("pos_connection=%s state=%s error=%r", self.settings.connection_id, state, error)
        if self._on_state:
            self._on_state(state, self.last_error)

    @property
    def is_connected(self) -> bool:
        return self._websocket is not None

    async def wait_connected(self, timeout: float) -> bool:
        try:
            async with asyncio.timeout(timeout):  # not wait_for: see Bridge.run
                await self._connected.wait()
        except TimeoutError:
            return False
        return True

    async def run(self) -> None:
        """Connect, serve, reconnect: until cancelled, or the URL cannot be a POS's.

        One loop: a refused connection or a dropped one is retried soon, with a growing,
        jittered delay; a refused token (401, 403, close 4401) slowly.
        """
        delay = RECONNECT_FIRST_SECONDS
        while True:
            try:
                websocket = await self._connect()
            except InvalidURI as error:
                self._set_state("failed", str(error))  # nothing to retry until it is edited
                return
            except (OSError, TimeoutError) as error:
                # Not listening, or not answering yet (a POS restarting): soon, then less so.
                self._set_state("reconnecting", str(error))
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
                continue
            except Exception as error:
                # Refused (401, 403) or not a POS (404, a bad handshake): slowly.
                refused = isinstance(error, InvalidStatus) and error.response.status_code in (
                    401,
                    403,
                )
                self._set_state("unauthorized" if refused else "failed", str(error))
                await asyncio.sleep(self._refused_retry_seconds)
                continue
            delay = RECONNECT_FIRST_SECONDS
            await self._serve(websocket)
            if self.state == "unauthorized":
                await asyncio.sleep(self._refused_retry_seconds)
            else:
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))

    async def _connect(self) -> ClientConnection:
        headers = (
            {"Authorization": f"Bearer {self.settings.token}"} if self.settings.token else None
        )
        return await connect(
            self.settings.url,
            additional_headers=headers,
            ping_interval=self._ping_interval,
            ping_timeout=self._ping_timeout,
            max_size=codec.MAX_FRAME_BYTES,
            open_timeout=10,
            proxy=None,
            user_agent_header="OpenApp pos_bridge",
        )

    async def _serve(self, websocket: ClientConnection) -> None:
        self.connection = max(time.time_ns(), self.connection + 1)
        self._websocket = websocket
        self._connected.set()
        self._set_state("connected")
        if self._on_connected:
            self._spawn(self._on_connected())
        try:
            async for frame in websocket:
                self._receive(frame)
        except ConnectionClosed:
            pass
        finally:
            self._websocket = None
            self._connected.clear()
            close = websocket.close_code
            if close == UNAUTHORIZED_CLOSE_CODE:
                self._set_state("unauthorized", "The POS refused the token (4401)")
            else:
                self._set_state("reconnecting", f"connection lost (close code {close})")
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(PosUnavailable("connection lost before the answer"))
            self._waiting.clear()

    def _receive(self, frame: str | bytes) -> None:
        if self._on_frame:
            self._on_frame("in", frame)
        try:
            message = codec.decode(frame)
        except codec.ProtocolError as error:
            log.warning("POS %s: dropped a malformed frame: %s", self.settings.url, error)
            return
        if isinstance(message, protocol.Response):
            future = self._waiting.pop(message.request_id, None)
            if future and not future.done():
                future.set_result(message)
            else:
                log.info(
                    "POS %s: answer to unknown request %s", self.settings.url, message.request_id
                )
        elif isinstance(message, protocol.Push):
            if self._on_push:
                self._spawn(self._on_push(message, self.connection))
        else:
            log.warning("POS %s: dropped a request sent to us", self.settings.url)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            log.error("POS %s: handler failed", self.settings.url, exc_info=task.exception())

    async def request(
        self,
        message_type: int,
        payload: Any,
        *,
        timeout: float,
        request_id: str | None = None,
    ) -> protocol.Response:
        """Send one request and wait for its answer (matched by RequestID)."""
        response, _ = await self.ask(message_type, payload, timeout=timeout, request_id=request_id)
        return response

    async def ask(
        self,
        message_type: int,
        payload: Any,
        *,
        timeout: float,
        request_id: str | None = None,
    ) -> tuple[protocol.Response, int]:
        """As request, with the connection the answer came on (its opening time)."""
        websocket = self._websocket
        connection = self.connection
        if websocket is None:
            raise PosNotSent("not connected")
        request_id = request_id or str(uuid.uuid4())
        envelope = protocol.Request(
            request_id=request_id,
            provider_id=self.settings.provider_id,
            provider_name=self.settings.provider_name,
            device_id=self.settings.device_id,
            user_identifier=self.settings.pos_user_id,
            message_type=message_type,
            payload=payload,
        )
        future: asyncio.Future[protocol.Response] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        text = codec.encode(envelope)
        if self._on_frame:
            self._on_frame("out", text)
        try:
            await websocket.send(text)
            async with asyncio.timeout(timeout):
                return await future, connection
        except ConnectionClosed as error:
            raise PosUnavailable("connection lost while sending") from error
        except TimeoutError as error:
            raise PosTimeout(f"no answer within {timeout:g}s") from error
        finally:
            self._waiting.pop(request_id, None)
            if future.done() and not future.cancelled():
                # A connection lost while still sending failed the future too; mark that
                # error seen, or asyncio logs "Future exception was never retrieved".
                future.exception()

    async def close(self) -> None:
        if self._websocket is not None:
            await self._websocket.close()
