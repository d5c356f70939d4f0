"""/healthz for load balancers: 200 only when this process reaches the database and the
channel layer (a message sent to a fresh channel comes back), 503 with the reason if not."""

from __future__ import annotations

import asyncio
import secrets

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, HttpResponse

TIMEOUT_SECONDS = 2.0


async def healthz(request: HttpRequest) -> HttpResponse:
    for name, probe in (("database", _database), ("channel layer", _channel_layer)):
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                await probe()
        except TimeoutError:
            return _unhealthy(f"{name}: no answer within {TIMEOUT_SECONDS:g} s")
        except Exception as error:  # whatever the backend raises, the answer is the same
            return _unhealthy(f"{name}: {type(error).__name__}: {error}")
    response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def _unhealthy(reason: str) -> HttpResponse:
    response = HttpResponse(reason[:300] + "\n", content_type="text/plain", status=503)
    response["Cache-Control"] = "no-store"
    return response


@sync_to_async
def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("none configured")
    channel = await layer.new_channel("healthz.")
    nonce = secrets.token_hex(8)
    await layer.send(channel, {"type": "healthz.ping", "nonce": nonce})
    message = await layer.receive(channel)
    if message.get("nonce") != nonce:
        raise RuntimeError("a message sent came back different")
