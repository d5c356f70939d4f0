"""The gate in front of every WebSocket: the Origin must be the site's own (scheme, host
and port), and a path no route knows is closed with 4004 and an INFO line, not a 500.

The site's own origin is the scheme of PUBLIC_BASE_URL (http when unset, or the scope's
own when a server gives one) with the host and port the request arrived at (its Host
header, which must be one of ALLOWED_HOSTS); PUBLIC_BASE_URL's and CSRF_TRUSTED_ORIGINS'
origins are accepted too, for a proxy that rewrites Host.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

log = logging.getLogger("openapp.websockets")

NOT_FOUND = 4004
DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def parse_origin(value: str) -> Origin | None:
    """(scheme, host, port) of an http(s) origin, default ports filled in."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.username or parts.password:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def site_scheme(scope: dict) -> str:
    if settings.PUBLIC_BASE_URL:
        return urlsplit(settings.PUBLIC_BASE_URL).scheme.lower()
    return "https" if scope.get("scheme") == "wss" else "http"


def own_origins(scope: dict) -> set[Origin]:
    origins: set[Origin] = set()
    host = _header(scope, b"host")
    if host:
        domain, _ = split_domain_port(host)
        if domain and validate_host(domain, settings.ALLOWED_HOSTS):
            scheme = site_scheme(scope)
            own = parse_origin(f"{scheme}://{host}")
            if own is not None:
                origins.add(own)
    for configured in [settings.PUBLIC_BASE_URL, *settings.CSRF_TRUSTED_ORIGINS]:
        parsed = parse_origin(configured) if configured else None
        if parsed is not None:
            origins.add(parsed)
    return origins


class SameOriginValidator:
    """Refuses (HTTP 403 on the handshake) a WebSocket whose Origin is not the site's own."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        origin = _header(scope, b"origin")
        parsed = parse_origin(origin) if origin else None
        if parsed is None or parsed not in own_origins(scope):
            log.info(
                "websocket refused: origin %r not the site's own (host %r)",
                origin,
                _header(scope, b"host"),
            )
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


class NoRoute(AsyncWebsocketConsumer):
    """The last route: a path nothing else knows is closed with 4004."""

    async def connect(self) -> None:
        log.info("websocket path not found: %s", self.scope.get("path"))
        await self.accept()
        await self.close(code=NOT_FOUND)
