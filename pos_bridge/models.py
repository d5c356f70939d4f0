from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tables.models import Location

DEFAULT_PORTS = {"ws": 80, "wss": 443}


def pos_origin(url: str) -> tuple[str, str, int] | None:
    """A POS address's (scheme, host, port), default ports filled in; None if it is not a
    WebSocket address with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_pos_url(url: str) -> None:
    """ws:// or wss://, and wss:// (TLS, so the token is not sent in the clear) outside
    DEBUG unless the POS is on this machine or POS_ALLOW_PLAIN_WS says plain ws is fine."""
    origin = pos_origin(url)
    if origin is None:
        raise ValidationError("Give the POS's WebSocket address: ws://… or wss://…")
    scheme, host, _ = origin
    plain_allowed = settings.DEBUG or settings.POS_ALLOW_PLAIN_WS or is_loopback(host)
    if scheme == "ws" and not plain_allowed:
        raise ValidationError(
            "Use wss://… (encrypted): a POS on another machine is reached over TLS. "
            "(ws:// is only for a POS on this machine, or when POS_ALLOW_PLAIN_WS is set.)"
        )


class PosConnection(models.Model):
    """How OpenApp reaches one location's POS."""

    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, related_name="pos_connection"
    )
    url = models.CharField(
        "POS WebSocket URL",
        max_length=300,
        validators=[validate_pos_url],
        help_text="wss://… (ws://… only for a POS on this machine). Moving it to another "
        "host, scheme or port removes the saved access token.",
    )
    provider_id = models.PositiveIntegerField(default=90210)
    provider_name = models.CharField(max_length=80, default="OpenApp")
    device_id = models.CharField(max_length=80, default="openapp")
    pos_user_id = models.CharField(
        "POS user identifier",
        max_length=64,
        default="f9248a0f-ba0c-4c80-b9f2-fe020b456ce4",
        help_text="The POS user orders are opened under (UserIdentifier).",
    )
    token = models.CharField(
        max_length=500, blank=True, help_text="Bearer token, if the POS asks for one."
    )
    is_enabled = models.BooleanField("enabled", default=True)
    # What the bridge last saw, for managers; written by the worker that holds the lease.
    state = models.CharField(max_length=20, default="not connected", editable=False)
    state_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    last_message_at = models.DateTimeField(null=True, blank=True, editable=False)
    held_by = models.CharField("held by bridge worker", max_length=100, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "POS connection"

    def __str__(self) -> str:
        return f"POS for {self.location}"


class FrameText(models.TextField):
    """A frame's JSON text. Django writes many rows at once on PostgreSQL as one array per
    column (INSERT ... UNNEST), and psycopg escapes each double quote of a text in an array
    through a regex callback: most of the frame log's CPU for JSON. A field with a
    placeholder of its own is written as plain parameters instead (VALUES)."""

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


class PosMessage(models.Model):
    """One frame in or out on a POS connection, kept for a while for managers and support."""

    IN, OUT = "in", "out"

    connection = models.ForeignKey(PosConnection, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField(db_index=True)
    direction = models.CharField(max_length=3, choices=[(IN, "from POS"), (OUT, "to POS")])
    kind = models.CharField(max_length=10)  # request, response, push or unreadable
    message_type = models.IntegerField(null=True, blank=True)
    reference = models.CharField("RequestID or EventID", max_length=64, blank=True, db_index=True)
    result_code = models.IntegerField(null=True, blank=True)
    # Read from the frame when it is written: the POS's table (ServiceModeEntityID; for an
    # answer to an order, the batch's table) and a push's ChangeType.
    table = models.CharField("POS table id", max_length=64, blank=True, db_index=True)
    change_type = models.CharField(max_length=30, blank=True)
    size = models.PositiveIntegerField(help_text="bytes")
    text = FrameText(help_text="The frame, cut at 16 KB.")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "POS message"

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind} {self.reference}"
