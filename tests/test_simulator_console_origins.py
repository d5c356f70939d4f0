"""The simulator's staff console answers only this machine's own names and its own page:
a web page elsewhere (even one whose name was rebound to 127.0.0.1) cannot read it or
drive it, unless the simulator was started with --console-token (then the token is asked)."""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

import pytest

from pos_bridge.simulator import PosSimulator

TIMEOUT = 5


@pytest.fixture
async def start_pos() -> AsyncIterator[Callable]:
    started: list[PosSimulator] = []

    async def start(**kwargs) -> PosSimulator:
        pos = PosSimulator(**kwargs)
        await pos.start("127.0.0.1", 0)
        started.append(pos)
        return pos

    yield start
    for pos in started:
        await pos.stop()


async def raw(pos: PosSimulator, lines: list[str]) -> bytes:
    address = urlsplit(pos.url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    data = b""
    try:
        while chunk := await asyncio.wait_for(reader.read(65536), TIMEOUT):
            data += chunk
            if b"\r\n\r\n" in data and (b"\x88" in data.split(b"\r\n\r\n", 1)[1]):
                break
    except TimeoutError:
        pass
    writer.close()
    return data


async def page_status(pos: PosSimulator, host: str, path: str = "/", **headers: str) -> int:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    answer = await raw(pos, lines)
    return int(answer.split(b" ", 2)[1])


async def console_socket(pos: PosSimulator, host: str, path: str = "/console", **headers: str):
    """The HTTP status of the handshake, and the close code if the server closed at once."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    answer = await raw(pos, lines)
    head, _, frames = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    close = None
    at = frames.find(b"\x88")
    if at >= 0 and frames[at + 1] & 0x7F >= 2:
        (close,) = struct.unpack("!H", frames[at + 2 : at + 4])
    return status, close


def own(pos: PosSimulator) -> str:
    return urlsplit(pos.url).netloc


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "192.168.1.20:8765"])
async def test_a_host_that_is_not_this_machine_gets_no_page_and_no_console(start_pos, host):
    pos = await start_pos()
    assert await page_status(pos, host) == 403
    status, close = await console_socket(pos, host)
    assert status == 101 and close == 4403


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]", "console.localhost"])
async def test_loopback_names_get_the_page_and_the_console(start_pos, name):
    pos = await start_pos()
    port = urlsplit(pos.url).port
    host = f"{name}:{port}"
    assert await page_status(pos, host) == 200
    status, close = await console_socket(pos, host, Origin=f"http://{host}")
    assert status == 101 and close is None


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://{own}",  # another scheme
        "http://127.0.0.1:1",  # another port
        "http://localhost:{port}",  # another name for the same machine is another site
        "null",
    ],
)
async def test_a_handshake_from_another_origin_is_refused(start_pos, origin):
    pos = await start_pos()
    origin = origin.format(own=own(pos), port=urlsplit(pos.url).port)
    _, close = await console_socket(pos, own(pos), Origin=origin)
    assert close == 4403
    assert await page_status(pos, own(pos), Origin=origin) == 403


async def test_a_cross_site_fetch_is_refused(start_pos):
    pos = await start_pos()
    assert (await console_socket(pos, own(pos), Sec_Fetch_Site="cross-site"))[1] == 4403
    assert await page_status(pos, own(pos), Sec_Fetch_Site="cross-site") == 403
    assert await page_status(pos, own(pos), Sec_Fetch_Site="same-origin") == 200


async def test_with_a_console_token_other_hosts_may_open_it_with_the_token(start_pos):
    pos = await start_pos(console_token="c0ns0le")
    host = "pos-sim.lan:8765"
    assert await page_status(pos, host) == 401
    assert await page_status(pos, host, "/?token=c0ns0le") == 200
    assert (await console_socket(pos, host))[1] == 4401
    status, close = await console_socket(
        pos, host, "/console?token=c0ns0le", Origin=f"http://{host}"
    )
    assert status == 101 and close is None
    # Still never from another site's page.
    evil = await console_socket(pos, host, "/console?token=c0ns0le", Origin="http://evil.example")
    assert evil[1] == 4403


async def test_the_pos_protocol_socket_is_not_the_consoles_business(start_pos):
    """The bridge connects from anywhere: the Host rule is the console's only."""
    pos = await start_pos()
    status, close = await console_socket(pos, "till.lan:8765", "/")
    assert status == 101 and close is None
