"""One holder at a time, also when the database goes away: a worker that cannot renew its
lease closes its POS connection before the lease can expire and another take it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from pos_bridge.models import PosConnection
from tests.bridge_runner import running_bridge, wait_until

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="holds the POS connection's row locked so the lease cannot be renewed: needs "
    "PostgreSQL's row locks (the production pass of make test runs it)",
)


def test_a_worker_that_cannot_renew_its_lease_lets_go_of_the_pos_before_it_expires(restaurant):
    with running_bridge(lease=timedelta(seconds=2)) as bridge:
        wait_until(
            lambda: any(client.is_connected for client in bridge.clients.values()),
            what="the bridge connected to the POS",
        )
        let_go_at = None
        with transaction.atomic():
            # Renewing now waits on this lock, as it would on a database that is away.
            held = PosConnection.objects.select_for_update().get(location=restaurant)
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline:
                if not any(client.is_connected for client in list(bridge.clients.values())):
                    let_go_at = timezone.now()
                    break
                time.sleep(0.02)
        assert let_go_at is not None, "the bridge stayed connected with an unrenewed lease"
        assert let_go_at < held.lease_until, (let_go_at, held.lease_until)
        # Once the database answers again the worker takes the connection back.
        wait_until(
            lambda: any(client.is_connected for client in bridge.clients.values()),
            what="the bridge back on the POS",
        )
