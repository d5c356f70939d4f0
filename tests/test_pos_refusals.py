"""A POS that refuses the bridge: the connection says why, and is retried slowly, not hot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from pos_bridge.client import PosClient, PosSettings

RETRY_SECONDS = 1.0


class RefusingPos:
    """A WebSocket server on a loopback port that refuses every connection one way."""

    def __init__(self, how: str) -> None:
        self.how = how  # "4401": opens then closes 4401; or an HTTP status for the handshake
        self.attempts = 0

    def handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        self.attempts += 1
        if self.how == "4401":
            return None
        return connection.respond(HTTPStatus(int(self.how)), "refused\n")

    async def handler(self, connection: ServerConnection) -> None:
        await connection.close(4401, "unauthorized")


@asynccontextmanager
async def refusing_pos(how: str) -> AsyncIterator[tuple[RefusingPos, str]]:
    pos = RefusingPos(how)
    async with serve(pos.handler, "127.0.0.1", 0, process_request=pos.handshake) as server:
        port = server.sockets[0].getsockname()[1]
        yield pos, f"ws://127.0.0.1:{port}"


def client_for(url: str, states: list[str]) -> PosClient:
    settings = PosSettings(1, 1, url, "wrong-token", 1, "OpenApp", "device", "user")
    return PosClient(
        settings,
        on_state=lambda state, error: states.append(state),
        refused_retry_seconds=RETRY_SECONDS,
    )


async def watch(how: str, seconds: float) -> tuple[RefusingPos, PosClient, list[str]]:
    states: list[str] = []
    async with refusing_pos(how) as (pos, url):
        client = client_for(url, states)
        task = asyncio.create_task(client.run())
        await asyncio.sleep(seconds)
        assert not task.done(), "the client gave up instead of retrying later"
        task.cancel()
    return pos, client, states


async def test_a_4401_close_marks_the_connection_unauthorized_and_it_is_not_retried_hot():
    pos, client, _ = await watch("4401", 2.5 * RETRY_SECONDS)
    assert client.state == "unauthorized"
    assert "4401" in client.last_error
    assert 2 <= pos.attempts <= 3  # once a second, not as fast as the POS answers


async def test_a_handshake_refused_with_403_is_unauthorized_and_retried_slowly():
    pos, client, _ = await watch("403", 2.5 * RETRY_SECONDS)
    assert client.state == "unauthorized"
    assert "403" in client.last_error
    assert 2 <= pos.attempts <= 3


async def test_a_url_that_is_not_a_pos_says_so_and_is_retried_slowly():
    pos, client, states = await watch("404", 2.5 * RETRY_SECONDS)
    assert client.state == "failed"
    assert "404" in client.last_error
    assert 2 <= pos.attempts <= 3
    assert "connected" not in states
