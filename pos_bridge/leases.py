"""Exactly one bridge worker holds each POS connection, through an expiring lease.

A worker takes a connection whose lease is free or expired, and renews it while it runs.
A worker that dies stops renewing; another takes the connection over when it expires.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from pos_bridge.models import PosConnection

# settings.POS_LEASE_SECONDS (default 10), read when the process starts.
LEASE = timedelta(seconds=settings.POS_LEASE_SECONDS)


def take_or_renew(connection_id: int, worker: str, lease: timedelta = LEASE) -> bool:
    """Compare-and-set: True if this worker holds the connection until now + lease."""
    now = timezone.now()
    return bool(
        PosConnection.objects.filter(
            Q(held_by=worker)
            | Q(held_by="")
            | Q(lease_until__isnull=True)
            | Q(lease_until__lt=now),
            pk=connection_id,
            is_enabled=True,
        ).update(held_by=worker, lease_until=now + lease)
    )


def give_up(connection_id: int, worker: str) -> None:
    PosConnection.objects.filter(pk=connection_id, held_by=worker).update(
        held_by="", lease_until=None, state="not connected", state_since=timezone.now()
    )
