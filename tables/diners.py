"""Which phone is which: a signed cookie names the phone; a Diner ties it to one session."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import Expression
from django.http import HttpRequest, HttpResponse

from tables.models import Diner, TableSession
from tables.reads import one_row

PHONE_COOKIE = "openapp_phone"
_SALT = "openapp.phone"
_ONE_YEAR = 365 * 24 * 3600


def phone_id(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(PHONE_COOKIE, default=None, salt=_SALT)


def phone_from_cookies(cookies: dict[str, str]) -> str | None:
    """The phone id from a WebSocket handshake's cookies, if its signature holds."""
    request = HttpRequest()
    request.COOKIES = cookies
    return phone_id(request)


def new_phone_id() -> str:
    return uuid.uuid4().hex


def remember_phone(response: HttpResponse, phone: str) -> None:
    response.set_signed_cookie(
        PHONE_COOKIE,
        phone,
        salt=_SALT,
        max_age=_ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=settings.SECURE_COOKIES,
    )


def session_and_diner(
    session_id: uuid.UUID, phone: str | None, **annotations: Expression
) -> tuple[TableSession | None, Diner | None]:
    """The session with its table and location, and this phone's diner there if it scanned
    the table's code: read for every diner page, in one query when the phone is a diner.
    `annotations` are what a page wants read along with the diner (the header's basket
    count, say), set on it by name."""
    if phone:
        diners = Diner.objects.select_related("session__table__location").filter(
            session__public_id=session_id, phone_id=phone
        )
        # One row at most: one diner per phone and session.
        diner = one_row(diners.annotate(**annotations))
        if diner is not None:
            return diner.session, diner
    session = one_row(
        TableSession.objects.select_related("table__location").filter(public_id=session_id)
    )
    return session, None
