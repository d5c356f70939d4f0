"""Plain HTTP on the simulator's port: the staff console's page (console.html) at / and
/console. WebSocket handshakes are left to the WebSocket server."""

from __future__ import annotations

import email.utils
import http
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from .auth import console_refusal

PAGE = Path(__file__).with_name("console.html")
PAGE_PATHS = frozenset({"/", "/console"})
UNAUTHORIZED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>POS simulator: unauthorized</title></head>
<body><h1>Unauthorized</h1>
<p>This POS simulator needs its token: open the console as <code>/?token=YOUR_TOKEN</code>.</p>
</body></html>
"""
FORBIDDEN_TEXT = (
    "Forbidden. This POS simulator's staff console answers only at this machine's own "
    "address (127.0.0.1 or localhost) and to its own page; start it with --console-token "
    "to open it from elsewhere.\n"
)
NOT_FOUND_TEXT = (
    "Not found. This is a POS simulator: the POS protocol is a WebSocket at this address, "
    "and the staff console is the page at /.\n"
)
SECURITY_HEADERS = (
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self' ws: wss:; img-src data:; frame-ancestors 'none'",
    ),
)


@cache
def page() -> bytes:
    return PAGE.read_bytes()


def is_websocket_handshake(request: Request) -> bool:
    return "websocket" in request.headers.get("Upgrade", "").lower()


def respond(request: Request, token: str | None, console_token: str | None = None) -> Response:
    """The answer to a plain HTTP request (not a WebSocket handshake)."""
    why = console_refusal(request.headers, request.path, token, console_token)
    if why in ("host", "origin"):
        return _response(http.HTTPStatus.FORBIDDEN, FORBIDDEN_TEXT.encode(), "text/plain")
    if urlsplit(request.path).path not in PAGE_PATHS:
        return _response(http.HTTPStatus.NOT_FOUND, NOT_FOUND_TEXT.encode(), "text/plain")
    if why == "token":
        return _response(http.HTTPStatus.UNAUTHORIZED, UNAUTHORIZED_PAGE.encode(), "text/html")
    return _response(http.HTTPStatus.OK, page(), "text/html")


def _response(status: http.HTTPStatus, body: bytes, content_type: str) -> Response:
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Connection", "close"),
            ("Content-Length", str(len(body))),
            ("Content-Type", f"{content_type}; charset=utf-8"),
            *SECURITY_HEADERS,
        ]
    )
    return Response(status.value, status.phrase, headers, body)
