"""The simulator's token checks, shared by the protocol socket, the console page and its socket."""

from __future__ import annotations

import hmac
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
