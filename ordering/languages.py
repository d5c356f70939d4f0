"""Which language a phone reads: the one it picked on the menu (the language cookie), else
the first its Accept-Language names that the site speaks, else, at a table, the language
the location's menu is written in (Location.language), else the site's default.

Pages get it from Django's LocaleMiddleware; the diner socket has no middleware, so it reads
the same two things from its handshake here and activates the language around each render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

T = TypeVar("T")


def _supported(code: str) -> str | None:
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def phone_language(cookies: dict[str, str], accept_language: str) -> str | None:
    """The language the phone picked or asks for, if the site speaks it."""
    picked = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
    if picked and (found := _supported(picked)):
        return found
    for code, _quality in parse_accept_lang_header(accept_language[:1000]):
        if code != "*" and (found := _supported(code)):
            return found
    return None


def language_of_scope(scope: dict, fallback: str = settings.LANGUAGE_CODE) -> str:
    """The phone's language from a WebSocket handshake (its cookies and headers)."""
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    return phone_language(scope.get("cookies", {}), accept) or fallback


def in_language(language: str, render: Callable[..., T], *args: object, **kwargs: object) -> T:
    """render(*args, **kwargs) with `language` active (in whichever thread runs it)."""
    with translation.override(language):
        return render(*args, **kwargs)
