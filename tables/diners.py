"""Which phone is which: a signed cookie names the phone; a Diner ties it to one session."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tables.models import Diner, TableSession

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


def diner_for(phone: str | None, session: TableSession) -> Diner | None:
    """The phone's diner in this session, if the phone scanned this table's code."""
    if not phone:
        return None
    return Diner.objects.filter(session=session, phone_id=phone).first()
