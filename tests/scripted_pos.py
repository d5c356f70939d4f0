"""A POS written in the test from the protocol page: it records every frame the bridge
sends, as parsed JSON, and answers with what the test scripts. Nothing of the product or
of its simulator is used, so a misreading of the protocol on our side cannot be mirrored
here."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

# Given a request frame, the response frame's Payload and ResultCode.
Answer = Callable[[dict[str, Any]], tuple[int, Any]]


def answer_nothing_open(request: dict[str, Any]) -> tuple[int, Any]:
    """A POS with no open check anywhere, that accepts every order without echoing it."""
    if request["MessageType"] == 30:
        return 0, {
            "ServiceModeEntityID": request["Payload"]["ServiceModeEntityID"],
            "Version": 1,
            "Order": None,
        }
    return 0, {"Order": None, "OutOfStockProducts": None}


class ScriptedPos:
    def __init__(self, answer: Answer = answer_nothing_open) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.handshake_headers: list[dict[str, str]] = []
        self.url = ""
        self._lock = threading.Lock()

    def received(self, message_type: int) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r.get("MessageType") == message_type]

    async def _serve(self, websocket: ServerConnection) -> None:
        with self._lock:
            self.handshake_headers.append(dict(websocket.request.headers.raw_items()))
        async for frame in websocket:
            request = json.loads(frame)
            with self._lock:
                self.requests.append(request)
            result_code, payload = self.answer(request)
            await websocket.send(
                json.dumps(
                    {
                        "RequestID": request["RequestID"],
                        "ResultCode": result_code,
                        "ErrorMessage": None if result_code == 0 else "scripted refusal",
                        "MessageType": request["MessageType"],
                        "Payload": payload,
                    }
                )
            )


@contextmanager
def scripted_pos(
    answer: Answer = answer_nothing_open, host: str = "127.0.0.1"
) -> Iterator[ScriptedPos]:
    pos = ScriptedPos(answer)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop: asyncio.Future | None = None

    async def main() -> None:
        nonlocal stop
        stop = loop.create_future()
        async with serve(pos._serve, host, 0) as server:
            port = server.sockets[0].getsockname()[1]
            pos.url = f"ws://{host}:{port}/"
            started.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(5), "the scripted POS did not start"
    try:
        yield pos
    finally:
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
