"""What `run_pos_bridge --check` reports: per location, its POS connection's state, which
worker holds its lease and until when, and how many batches wait in the outbox and for how
long. A problem is whatever a diner would suffer from: an enabled connection that is not
connected or that no live worker holds, or a batch waiting longer than `max_wait`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from ordering.models import WAITING, Batch, BatchState
from pos_bridge.models import PosConnection
from tables.models import Location

DEFAULT_MAX_WAIT = timedelta(seconds=60)


@dataclass
class LocationHealth:
    location: str
    connection: PosConnection | None
    pending: int = 0
    sent: int = 0
    oldest_waiting_since: datetime | None = None
    problems: list[str] = field(default_factory=list)

    def lines(self, now: datetime) -> list[str]:
        c = self.connection
        if c is None:
            head = [f"{self.location}: no POS connection"]
        else:
            lease = (
                f"held by {c.held_by}, lease until {c.lease_until.isoformat(timespec='seconds')}"
                if c.held_by and c.lease_until
                else "held by no worker"
            )
            enabled = "" if c.is_enabled else " (disabled)"
            head = [f"{self.location}: {c.url}{enabled}", f"  state: {c.state}; {lease}"]
        oldest = (
            f", oldest waiting {(now - self.oldest_waiting_since).total_seconds():.0f} s"
            if self.oldest_waiting_since
            else ""
        )
        outbox = f"  outbox: {self.pending} pending, {self.sent} sent{oldest}"
        return [*head, outbox, *(f"  PROBLEM: {problem}" for problem in self.problems)]


def check(
    max_wait: timedelta = DEFAULT_MAX_WAIT, now: datetime | None = None
) -> list[LocationHealth]:
    now = now or timezone.now()
    waiting = {
        row["session__table__location"]: row
        for row in Batch.objects.filter(state__in=WAITING)
        .values("session__table__location")
        .annotate(
            pending=Count("pk", filter=Q(state=BatchState.PENDING)),
            sent=Count("pk", filter=Q(state=BatchState.SENT)),
            oldest=Min("created_at"),
        )
    }
    connections = {c.location_id: c for c in PosConnection.objects.all()}
    locations = Location.objects.filter(pk__in=[*connections, *waiting]).order_by("slug")
    report = []
    for location in locations:
        row = waiting.get(location.pk, {})
        health = LocationHealth(
            location=location.slug,
            connection=connections.get(location.pk),
            pending=row.get("pending", 0),
            sent=row.get("sent", 0),
            oldest_waiting_since=row.get("oldest"),
        )
        health.problems = _problems(health, max_wait, now)
        report.append(health)
    return report


def _problems(health: LocationHealth, max_wait: timedelta, now: datetime) -> list[str]:
    problems = []
    c = health.connection
    if c is None:
        if health.pending or health.sent:
            problems.append("batches are waiting but the location has no POS connection")
    elif c.is_enabled:
        if c.state != "connected":
            problems.append(
                f"not connected ({c.state}{': ' + c.last_error if c.last_error else ''})"
            )
        if not c.held_by or c.lease_until is None or c.lease_until < now:
            problems.append("no bridge worker holds a live lease on it")
    if health.oldest_waiting_since and now - health.oldest_waiting_since > max_wait:
        age = (now - health.oldest_waiting_since).total_seconds()
        problems.append(
            f"a batch has waited {age:.0f} s (more than {max_wait.total_seconds():.0f} s)"
        )
    return problems
