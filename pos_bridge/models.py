from __future__ import annotations

from django.db import models

from tables.models import Location


class PosConnection(models.Model):
    """How OpenApp reaches one location's POS."""

    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, related_name="pos_connection"
    )
    url = models.CharField("POS WebSocket URL", max_length=300, help_text="ws://… or wss://…")
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

    class Meta:
        verbose_name = "POS connection"

    def __str__(self) -> str:
        return f"POS for {self.location}"
