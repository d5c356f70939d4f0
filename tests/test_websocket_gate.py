"""The WebSocket gate: an Origin is the site's own only with the same scheme, host and
port; a path no route knows is closed with 4004 and logged at INFO, never a 500."""

from __future__ import annotations

import logging

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from openapp_site.asgi import application
from openapp_site.websockets import SameOriginValidator

# No test here reads the database, but a consumer's dispatch closes stale connections
# (channels.db), which touches the one an earlier test left on asgiref's sync thread.
pytestmark = pytest.mark.django_db


class Accepts(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()


async def admitted(origin: str | None, host: str | None) -> bool:
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if host is not None:
        headers.append((b"host", host.encode()))
    socket = WebsocketCommunicator(SameOriginValidator(Accepts.as_asgi()), "/ws/x/", headers)
    connected, _ = await socket.connect(timeout=5)
    await socket.disconnect()
    return connected


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://localhost", "localhost"),
        ("http://localhost:80", "localhost"),
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("HTTP://LocalHost:8000", "localhost:8000"),
        ("http://[::1]:8000", "[::1]:8000"),
    ],
)
async def test_the_sites_own_origin_is_admitted(origin, host):
    assert await admitted(origin, host)


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("https://localhost", "localhost"),  # another scheme
        ("http://localhost:8001", "localhost:8000"),  # another port
        ("http://localhost", "localhost:8000"),  # another port (80)
        ("http://127.0.0.1:8000", "localhost:8000"),  # another host
        ("http://evil.example", "localhost"),
        ("http://evil.example", "evil.example"),  # a host not in ALLOWED_HOSTS
        ("null", "localhost"),
        ("", "localhost"),
        (None, "localhost"),
        ("http://localhost", None),  # no Host: nothing to compare with
        ("http://localhost/path", "localhost"),
        ("ws://localhost", "localhost"),
        ("http://localhost:99999", "localhost"),
    ],
)
async def test_any_other_origin_is_refused(origin, host):
    assert not await admitted(origin, host)


@override_settings(PUBLIC_BASE_URL="https://order.example.com", ALLOWED_HOSTS=["order.example.com"])
@pytest.mark.parametrize(
    ("origin", "ok"),
    [
        ("https://order.example.com", True),
        ("https://order.example.com:443", True),
        ("http://order.example.com", False),
        ("https://order.example.com:8443", False),
        ("https://evil.example", False),
    ],
)
async def test_behind_https_the_scheme_is_public_base_urls(origin, ok):
    assert await admitted(origin, "order.example.com") is ok


@override_settings(
    PUBLIC_BASE_URL="https://order.example.com",
    ALLOWED_HOSTS=["order.example.com", "internal"],
)
async def test_public_base_urls_origin_passes_when_the_proxy_rewrites_host():
    assert await admitted("https://order.example.com", "internal")
    assert not await admitted("https://internal", "internal:8001")


async def test_an_unrouted_path_is_closed_with_4004_and_logged_at_info(caplog):
    caplog.set_level(logging.INFO)
    socket = WebsocketCommunicator(
        application,
        "/ws/nothing-here/",
        [(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    connected, _ = await socket.connect(timeout=5)
    assert connected
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4004}
    assert any(
        r.levelno == logging.INFO and "/ws/nothing-here/" in r.getMessage() for r in caplog.records
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_malformed_session_path_is_unrouted_too(caplog):
    socket = WebsocketCommunicator(
        application,
        "/ws/s/not-a-uuid/",
        [(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    await socket.connect(timeout=5)
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4004}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
