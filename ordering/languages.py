"""Which language a phone reads: the one it picked on the menu (the language cookie), else
the first its Accept-Language names that the site speaks, else the site's default.

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


def language_of_scope(scope: dict) -> str:
    """The phone's language from a WebSocket handshake (its cookies and headers)."""
    picked = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    if picked and (found := _supported(picked)):
        return found
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accept[:1000]):
        if code != "*" and (found := _supported(code)):
            return found
    return settings.LANGUAGE_CODE


def in_language(language: str, render: Callable[..., T], *args: object, **kwargs: object) -> T:
    """render(*args, **kwargs) with `language` active (in whichever thread runs it)."""
    with translation.override(language):
        return render(*args, **kwargs)
