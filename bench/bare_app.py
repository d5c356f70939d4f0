"""A bare Channels app doing the product's group fan-out with a constant payload.

Phones connect to /bare/ws/<table>/ and join the group of their table; the bench sends
"<table> <seq>" on /bare/trigger/ and the trigger's consumer sends one constant fragment
(tagged "bench-<seq> applied", as the product's discount note is) to that table's group.
It has no database, no templates and no POS: what is left is daphne, Channels and the
channel layer (in-memory, or Redis with REDIS_URL), the floor under the product's push.

    daphne -b 127.0.0.1 -p 8101 bench.bare_app:application
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.urls import path  # noqa: E402

# About the size of one diner's pushed check in the product (check + header + note).
PAYLOAD = '<div id="live-check" class="check">' + "<p>constant line</p>" * 150 + "</div>"


def group_of(table: str) -> str:
    return f"bare-table.{table}"


class BarePhone(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = group_of(self.scope["url_route"]["kwargs"]["table"])
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=PAYLOAD)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def bare_push(self, event: dict) -> None:
        await self.send(text_data=event["html"])


class BareTrigger(AsyncWebsocketConsumer):
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        table, seq = (text_data or "").split()
        html = f'{PAYLOAD}<p class="notice-toast">bench-{seq} applied</p>'
        await self.channel_layer.group_send(group_of(table), {"type": "bare.push", "html": html})


application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": URLRouter(
            [
                path("bare/ws/<str:table>/", BarePhone.as_asgi()),
                path("bare/trigger/", BareTrigger.as_asgi()),
            ]
        ),
    }
)
