"""Diners' phones as a browser drives them: HTTP with cookies, then the table's WebSocket.

A phone scans its table (GET /t/<token>, following the redirect to the menu with the
signed cookie), loads the page it shows, then opens /ws/s/<session>/?page=<page> with its
cookies and an Origin header. Everything it receives is timestamped on arrival
(time.perf_counter, the same clock the bench sends with) and handed to a listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp

SESSION_IN_URL = re.compile(r"/s/([0-9a-f-]{36})/")
SETUP_CONCURRENCY = 24
Listener = Callable[["Phone", float, str], None]


class Phone:
    def __init__(self, pool: PhonePool, base_url: str, table: str) -> None:
        self.base_url = base_url
        self.table = table
        self.session_id = ""
        self.http = aiohttp.ClientSession(
            connector=pool.connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: cookies for an IP address
            timeout=aiohttp.ClientTimeout(total=60),
            auto_decompress=True,
        )
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.listener: Listener | None = None
        self.received = 0
        self.last_answer = ""  # the body of the last form post's answer
        self.close_code: int | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def page_base(self) -> str:
        return f"{self.base_url}/s/{self.session_id}/"

    def cookie(self, name: str) -> str:
        for cookie in self.http.cookie_jar:
            if cookie.key == name:
                return cookie.value
        return ""

    async def scan(self, token: str) -> None:
        """The QR code: /t/<token> redirects to the menu and sets the phone's cookie."""
        async with self.http.get(f"{self.base_url}/t/{token}") as reply:
            await reply.read()
            found = SESSION_IN_URL.search(str(reply.url))
            if reply.status != 200 or found is None:
                raise RuntimeError(f"scan answered {reply.status} at {reply.url}")
            self.session_id = found.group(1)

    async def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, float]:
        """GET a page of this phone's session; (status, seconds until the body was read)."""
        started = time.perf_counter()
        async with self.http.get(self.page_base + path, headers=headers) as reply:
            await reply.read()
            return reply.status, time.perf_counter() - started

    async def get_url(self, url: str) -> tuple[int, float]:
        started = time.perf_counter()
        async with self.http.get(url) as reply:
            await reply.read()
            return reply.status, time.perf_counter() - started

    async def post(self, path: str, data: dict[str, Any], htmx: bool = True) -> tuple[int, float]:
        """A form post as the page sends it (htmx: X-CSRFToken from the page, HX-Request)."""
        headers = {"X-CSRFToken": self.cookie("csrftoken"), "Origin": self.base_url}
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        async with self.http.post(
            self.page_base + path, data=data, headers=headers, allow_redirects=False
        ) as reply:
            self.last_answer = await reply.text()
            return reply.status, time.perf_counter() - started

    async def connect(self, page: str) -> None:
        """Open the table's WebSocket as the page's htmx ws extension does."""
        url = f"{self.base_url.replace('http', 'ws', 1)}/ws/s/{self.session_id}/?page={page}"
        await self.open_socket(url)

    async def open_socket(self, url: str) -> None:
        self.ws = await self.http.ws_connect(url, origin=self.base_url, max_msg_size=0)
        self._reader = asyncio.create_task(self._read(self.ws))

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            arrived = time.perf_counter()
            if message.type == aiohttp.WSMsgType.TEXT:
                self.received += 1
                if self.listener is not None:
                    self.listener(self, arrived, message.data)
        self.close_code = ws.close_code

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        await self.http.close()


class PhonePool:
    """All the bench's phones; they share one connection pool (each has its own cookies)."""

    def __init__(self) -> None:
        self.connector = aiohttp.TCPConnector(limit=0)
        self.phones: list[Phone] = []

    async def __aenter__(self) -> PhonePool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def new(self, base_url: str, table: str) -> Phone:
        phone = Phone(self, base_url, table)
        self.phones.append(phone)
        return phone

    async def close(self, phones: Iterable[Phone] | None = None) -> None:
        closing = list(self.phones if phones is None else phones)
        await gather_limited((phone.close() for phone in closing), 200)
        self.phones = [p for p in self.phones if p not in set(closing)]

    async def aclose(self) -> None:
        await self.close()
        await self.connector.close()


async def gather_limited(
    coroutines: Iterable[Any], limit: int = SETUP_CONCURRENCY, return_exceptions: bool = False
) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(coroutine: Any) -> Any:
        async with semaphore:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines), return_exceptions=return_exceptions)


WS_PAGE = {"menu": "menu", "bill": "bill", "basket": "other"}


async def seat(
    pool: PhonePool,
    base_urls: list[str],
    tokens: dict[str, str],
    tables: list[str],
    per_table: int,
    page: str = "bill",
    connect: bool = True,
) -> list[Phone]:
    """`per_table` phones at each table, spread over the web processes: each scans (which
    loads the menu), loads `page` ("menu", "bill" or "basket") and, with `connect`, opens
    that page's WebSocket. Returns them in table order."""
    phones = [
        pool.new(base_urls[(i * per_table + k) % len(base_urls)], table)
        for i, table in enumerate(tables)
        for k in range(per_table)
    ]

    async def join(phone: Phone) -> None:
        await phone.scan(tokens[phone.table])
        if page != "menu":
            status, _ = await phone.get(f"{page}/")
            if status != 200:
                raise RuntimeError(f"the {page} page answered {status}")
        if connect:
            await phone.connect(WS_PAGE[page])

    results = await gather_limited((join(phone) for phone in phones), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(phones)} phones could not sit down: {failed[0]}")
    return phones


async def connect_all(phones: list[Phone], page: str) -> None:
    await gather_limited(phone.connect(WS_PAGE[page]) for phone in phones)


async def wait_first_messages(phones: list[Phone], timeout: float = 60.0) -> None:
    """Until every phone has had the check it is sent on connect, then a quiet moment."""
    deadline = time.monotonic() + timeout
    while any(p.received < 1 for p in phones) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
