"""Phones with a live connection to their table, and a bridge, on the test's event loop.

This is the embedded process's shape: the bridge and the diner consumers share one loop
and the in-memory channel layer; the POS simulator runs on its own thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from openapp_site.asgi import application
from pos_bridge.bridge import Bridge
from tables.diners import PHONE_COOKIE
from tables.models import Table
from tests.phones import Phone


class LivePhone:
    """A phone that scanned a table and keeps its check open over the WebSocket."""

    def __init__(self, accept_language: str = "") -> None:
        self.phone = Phone()
        self.accept_language = accept_language  # what the phone's browser asks for
        if accept_language:
            self.phone.client.defaults["HTTP_ACCEPT_LANGUAGE"] = accept_language
        self.socket: WebsocketCommunicator | None = None
        self.closed_with: int | None = None  # the close code of a refused socket
        self._unread: list[str] = []  # pushes read while connecting

    async def scan(self, table) -> None:
        await sync_to_async(self.phone.scan)(table)

    async def connect(self, path: str | None = None, *, bill_page: bool = True) -> bool:
        """True when the table's socket is open to this phone. False when it is refused:
        closed at once with a code (`closed_with`), or its handshake refused (another
        site's page)."""
        cookie = self.phone.client.cookies.get(PHONE_COOKIE)
        headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
        if cookie:
            headers.append((b"cookie", f"{PHONE_COOKIE}={cookie.value}".encode()))
        if self.accept_language:
            headers.append((b"accept-language", self.accept_language.encode()))
        self.socket = WebsocketCommunicator(
            application,
            path
            or f"/ws/s/{self.phone.session.public_id}/?page=" + ("bill" if bill_page else "other"),
            headers=headers,
        )
        connected, _ = await self.socket.connect(timeout=5)
        if not connected:
            return False
        first = await self.socket.receive_output(timeout=5)  # an open socket sends the present
        if first["type"] == "websocket.close":
            self.closed_with = first.get("code")
            return False
        self._unread.append(first["text"])
        return True

    async def next_push(self, timeout: float = 5) -> str:
        assert self.socket is not None
        if self._unread:
            return self._unread.pop(0)
        return await self.socket.receive_from(timeout=timeout)

    async def push_containing(self, text: str, timeout: float = 8) -> str:
        """Read pushes until one contains `text`; fail with what arrived if none does."""
        seen: list[str] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"no push contained {text!r}; got {len(seen)}: {seen[-1:]}")
            try:
                html = await self.next_push(timeout=left)
            except TimeoutError:
                continue
            seen.append(html)
            if text in html:
                return html

    async def nothing_more(self, within: float = 0.3) -> bool:
        assert self.socket is not None
        return not self._unread and await self.socket.receive_nothing(timeout=within)

    async def hang_up(self) -> None:
        if self.socket is not None:
            await self.socket.disconnect()
            self.socket = None
        self._unread.clear()

    async def call(self, method: str, *args, **kwargs):
        return await sync_to_async(getattr(self.phone, method))(*args, **kwargs)


async def seated(restaurant, number: str = "10") -> LivePhone:
    """A phone that scanned table `number` of `restaurant` and has its bill open."""
    phone = LivePhone()
    await phone.scan(await Table.objects.aget(location=restaurant, pos_table_id=number))
    assert await phone.connect()
    return phone


@contextlib.asynccontextmanager
async def bridge_on_this_loop() -> AsyncIterator[Bridge]:
    bridge = Bridge(poll_seconds=0.05, request_timeout=5)
    task = asyncio.create_task(bridge.run())
    try:
        yield bridge
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def eventually(condition, timeout: float = 10.0, what: str = "") -> object:
    """Poll a database condition without holding the thread the bridge also needs."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await sync_to_async(condition)()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"gave up waiting after {timeout:g}s: {what}")
        await asyncio.sleep(0.02)
