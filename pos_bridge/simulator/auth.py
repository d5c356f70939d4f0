"""The simulator's token checks, shared by the protocol socket, the console page and its socket."""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import parse_qs, urlsplit


def bearer_matches(authorization: str, token: str) -> bool:
    """Whether an Authorization header is exactly 'Bearer <token>'."""
    return hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


def token_given(path: str, authorization: str | None, token: str) -> bool:
    """The console's token comes as ?token=... (browsers cannot set WebSocket headers)."""
    candidates = parse_qs(urlsplit(path).query).get("token", [])[:1]
    if authorization and authorization.startswith("Bearer "):
        candidates.append(authorization.removeprefix("Bearer "))
    return any(hmac.compare_digest(c.encode(), token.encode()) for c in candidates if c)


def _host_and_port(netloc: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(f"http://{netloc}")
        return (parts.hostname or "").lower(), parts.port or 80
    except ValueError:
        return None


def loopback_host(host_header: str | None) -> bool:
    """Whether a Host header names this machine (127.0.0.0/8, ::1, localhost): a page on
    another site that rebinds its own name to 127.0.0.1 still sends its own name."""
    found = _host_and_port(host_header or "")
    if found is None or not found[0]:
        return False
    host = found[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def own_origin(origin: str, host_header: str | None) -> bool:
    """Whether an Origin is the console page's own: http, and the Host's name and port."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return False
    if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/"):
        return False
    return (parts.hostname, port or 80) == _host_and_port(host_header or "")


def console_refusal(headers, path: str, token: str | None, console_token: str | None) -> str | None:
    """Why the console (its page or its socket) is not served to this request, or None.

    Without a console token it answers only loopback Host headers; a request from another
    site (its Origin, or Sec-Fetch-Site) is always refused; the token, when there is one
    (the console token, else the POS's), must be given.
    """
    host = headers.get("Host")
    if console_token is None and not loopback_host(host):
        return "host"
    origin = headers.get("Origin")
    if origin is not None and not own_origin(origin, host):
        return "origin"
    if headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return "origin"
    key = console_token if console_token is not None else token
    if key is not None and not token_given(path, headers.get("Authorization"), key):
        return "token"
    return None
