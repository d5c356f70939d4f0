"""The diner's WebSocket: /ws/s/<session id>/ pushes the table's check to this phone.

Authorised like the pages: the phone's signed cookie must belong to a diner of that
session through the table's current code (a rotation cuts it off, live), and the Origin
must be the site's own. Each page says what it shows (`?page=bill`, `?page=menu`,
`?page=basket`): the bill page also gets the whole check, the menu page each product whose
availability changes, the basket page the diner's basket whenever one of their batches
moves (an acceptance: that batch's head alone). It sends the current state on
connect (so a phone that was away gets the present, not a replay; the basket and menu
pages read their basket and list themselves on a reconnect, static/js/diner.js) and then
whatever the table's group carries for this diner, each in the phone's language (its
language cookie, else its Accept-Language, as the pages). It ignores anything the phone sends.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from ordering.availability import render_menu_item
from ordering.basket import render_accepted_head, render_basket_if_holding, render_basket_push
from ordering.checks import CheckState, of_session
from ordering.languages import in_language, language_of_scope
from ordering.live import (
    group_for,
    render_for,
    render_live,
    render_notice,
    view_of_message,
)
from ordering.models import BatchState, TableCheck
from ordering.notices import words
from ordering.share_page import render_share
from tables.diners import phone_from_cookies, session_and_diner
from tables.models import Diner, TableSession

REFUSED = 4403


def _resolve(session_id: uuid.UUID, cookies: dict[str, str]) -> tuple[TableSession, Diner] | None:
    session, diner = session_and_diner(session_id, phone_from_cookies(cookies))
    if session is None or diner is None:
        return None
    if not session.is_open:
        return None  # the bill is closed: the page says so; nothing more will be pushed
    if not diner.holds_current_code():
        return None  # joined through a table code that has since been rotated
    return session, diner


def _still_admitted(diner_id: int) -> bool:
    diner = Diner.objects.select_related("session__table").filter(pk=diner_id).first()
    return diner is not None and diner.holds_current_code()


class DinerConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        found = await database_sync_to_async(_resolve)(session_id, self.scope.get("cookies", {}))
        if found is None:
            # Accepted only to be closed with 4403, nothing sent: a handshake refused outright
            # reaches the page as 1006, which htmx's ws extension retries for ever.
            await self.accept()
            await self.close(code=REFUSED)
            return
        session, diner = found
        self.session, self.diner = session, diner
        self.language = language_of_scope(self.scope, session.table.location.language)
        self.page = parse_qs(self.scope.get("query_string", b"").decode()).get("page", [""])[0]
        self.group = group_for(session)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._forward(
            await database_sync_to_async(in_language)(self.language, render_live, session, diner)
        )
        if self.page == "share":
            share = await database_sync_to_async(in_language)(
                self.language, render_share, session, diner
            )
            await self.send(text_data=share)

    async def dispatch(self, message: dict) -> None:
        # Channels closes stale database connections before every handler, a trip to a
        # worker thread each time. Every handler here that touches the database does so
        # through database_sync_to_async, which does that housekeeping itself, and a check's
        # pushes (every change, to every phone) never touch it: no handler needs the trip.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message.get('type')}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return  # phones only listen

    async def code_rotated(self, event: dict) -> None:
        """The table's code was rotated: a phone that joined through the old one is told to
        scan again and cut off (a phone that scanned the new one stays)."""
        if await database_sync_to_async(_still_admitted)(self.diner.pk):
            return
        html = in_language(self.language, render_to_string, "ordering/_scan_again_push.html")
        await self.send(text_data=html)
        await self.close(code=REFUSED)

    async def check_update(self, event: dict) -> None:
        parts = render_for(
            self.session, self.diner, event, self.language, with_check=self.page == "bill"
        )
        if self.page == "share":
            share = in_language(self.language, self._share_of, event)
            await self.send(text_data=share + parts["page"])
            return
        await self._forward(parts)

    def _share_of(self, event: dict) -> str:
        """The share, from the check just pushed (the till's word now): no database."""
        state = CheckState.from_json(event["state"]) if event["state"] else None
        check = of_session(TableCheck(session_id=self.session.pk, **event["check"]), self.session)
        return render_share(self.session, self.diner, view_of_message(event, check, state))

    async def batch_update(self, event: dict) -> None:
        """A batch moved: only the phone of the diner who sent it re-renders (its basket);
        the others hear of the lines on the check through check.update."""
        if self.page == "bill" and event["state"] != "accepted":
            # Its lines show as sent on the bill until the till answers (an acceptance
            # comes as the check itself, with the lines on it).
            await self._send_bill()
        if event["diner"] != self.diner.pk:
            return
        if event["state"] == BatchState.ACCEPTED and not event.get("note_taken"):
            # A yes changes the batch's head and nothing else this phone shows.
            if self.page == "basket":
                html = in_language(self.language, render_accepted_head, event["batch"])
                await self.send(text_data=html)
            return
        html = await database_sync_to_async(in_language)(
            self.language,
            render_basket_push,
            self.diner,
            event["state"],
            on_basket_page=self.page == "basket",
        )
        await self.send(text_data=html)

    async def batch_written(self, event: dict) -> None:
        """A diner at the table sent a batch: the bill shows its lines as sent."""
        if self.page == "bill":
            await self._send_bill()

    async def _send_bill(self) -> None:
        parts = await database_sync_to_async(in_language)(
            self.language, render_live, self.session, self.diner
        )
        await self.send(text_data=parts["check"])

    async def _forward(self, parts: dict[str, str]) -> None:
        # Only the bill page has the check on it; other pages get the header, banner and note.
        html = parts["check"] + parts["page"] if self.page == "bill" else parts["page"]
        await self.send(text_data=html)

    async def menu_update(self, event: dict) -> None:
        html = ""
        if self.page == "menu" and event["menu_item"]:
            html = await database_sync_to_async(in_language)(
                self.language, render_menu_item, event["product_id"], self.session
            )
        elif self.page == "basket":
            # A line already in this basket is flagged (or cleared) at once.
            html = await database_sync_to_async(in_language)(
                self.language, render_basket_if_holding, self.diner, event["product_id"]
            )
        if event["notice"]:
            html += in_language(self.language, lambda: render_notice(words(event["notice"])))
        if html:
            await self.send(text_data=html)
