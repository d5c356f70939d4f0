"""The floor page's WebSocket: /ws/floor/<location id>/ keeps a location's floor live.

Authenticated by the Django session (the admin's login) and scoped like the admin: only
active staff users who work at the location (or a superuser) and may see its orders and
visits are followed; anyone else is accepted and closed at once with 4403, nothing sent. On
connect it sends every table's row; then each floor.update on the location's group (data,
sent by ordering.floor) is rendered here, in the web process, as the rows' HTML. It ignores
anything the page sends.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from ordering.floor import group_for_location, render_rows, table_rows
from tables.models import Location
from tables.scoping import location_ids

REFUSED = 4403
FLOOR_PERMISSIONS = ["ordering.view_batch", "tables.view_tablesession"]


def may_see_floor(user: Any, location_id: int) -> bool:
    if user is None or not user.is_active or not user.is_staff:
        return False
    if not user.has_perms(FLOOR_PERMISSIONS):
        return False
    ids = location_ids(user)
    return (ids is None or location_id in ids) and Location.objects.filter(pk=location_id).exists()


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.location_id = self.scope["url_route"]["kwargs"]["location_id"]
        allowed = await database_sync_to_async(may_see_floor)(
            self.scope.get("user"), self.location_id
        )
        if not allowed:
            # Accepted only to be closed with 4403: a handshake refused outright reaches the
            # page as 1006, and floor.js would keep reconnecting instead of saying why.
            await self.accept()
            await self.close(code=REFUSED)
            return
        self.group = group_for_location(self.location_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        rows = await database_sync_to_async(table_rows)(self.location_id)
        await self.send(text_data=render_rows(rows))

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return  # the page only listens

    async def floor_update(self, event: dict) -> None:
        rows = await database_sync_to_async(table_rows)(self.location_id, event["table_ids"])
        await self.send(text_data=render_rows(rows))
