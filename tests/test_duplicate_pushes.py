"""A push the bridge has already applied (the POS answers an accepted batch with the whole
check, then pushes the same change with the same Version) is dropped without a read of the
database; anything newer, of another order or on another connection still goes through."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path

from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ordering import checks
from ordering.models import TableCheck
from pos_bridge import codec
from pos_bridge.bridge import Bridge
from pos_bridge.snapshots import Applied
from tests.phones import Phone

SEED = Path(__file__).parent / "seed_examples" / "create_order_response.json"
ORDER = "d1c6a7b4-0f3e-4c1e-9a55-2f7e0c3b9a11"
ANOTHER_ORDER = "0b5e2d9c-6a41-4f7b-8c3e-91d4a6f2e705"


def push(version: int, names: list[str], order: str = ORDER, table: str = "10"):
    """TableOrderSnapshotChanged (protocol §6), its Order the seed's with these lines."""
    seed = json.loads(SEED.read_text())["Payload"]["Order"]
    base = copy.deepcopy(seed["Products"][0])
    products = []
    for n, name in enumerate(names, 1):
        line = {**base, "Name": name, "LineID": f"L{n}", "Status": "ORDERED", "Source": "POS"}
        products.append(line)
    frame = {
        "EventID": f"event-{version}-{order[:4]}",
        "MessageType": 31,
        "Payload": {
            "ServiceModeEntityID": table,
            "Version": version,
            "ChangeType": "ITEMS_ADDED",
            "LineIDs": [f"L{len(names)}"],
            "Order": {
                **seed,
                "SalesTransactionID": order,
                "ServiceModeEntityID": table,
                "Products": products,
            },
        },
    }
    return codec.decode(json.dumps(frame))


def held(session) -> tuple[int, list[str]]:
    check = TableCheck.objects.get(session=session)
    state = checks.state_of(check)
    return check.version, [line.name for line in state.lines] if state else []


def seated(table) -> Phone:
    phone = Phone()
    phone.scan(table)
    return phone


def test_the_same_change_twice_is_applied_once_and_the_second_reads_nothing(table_10):
    phone = seated(table_10)
    bridge = Bridge()
    pushed = async_to_sync(bridge._pushed)
    pushed(table_10.location_id, push(3, ["Chips"]), 1)
    assert held(phone.session) == (3, ["Chips"])

    with CaptureQueriesContext(connection) as queries:
        pushed(table_10.location_id, push(3, ["Chips", "Soup"]), 1)
        pushed(table_10.location_id, push(2, ["Soup"]), 1)
    assert queries.captured_queries == []
    assert held(phone.session) == (3, ["Chips"])


def test_the_same_change_arriving_twice_at_once_is_applied_once(table_10):
    """The POS's answer and its push come in together: the second waits for the first to
    be applied, then reads nothing."""
    phone = seated(table_10)
    bridge = Bridge()
    location = table_10.location_id
    async_to_sync(bridge._pushed)(location, push(3, ["Chips"]), 1)
    with CaptureQueriesContext(connection) as alone:
        async_to_sync(bridge._pushed)(location, push(4, ["Chips", "Soup"]), 1)

    async def together() -> None:
        change = push(5, ["Chips", "Soup", "Pie"])
        await asyncio.gather(
            bridge._pushed(location, change, 1), bridge._pushed(location, change, 1)
        )

    with CaptureQueriesContext(connection) as twice:
        async_to_sync(together)()
    assert len(twice.captured_queries) == len(alone.captured_queries)
    assert held(phone.session) == (5, ["Chips", "Soup", "Pie"])


def test_a_newer_version_another_order_or_another_connection_still_goes_through(table_10):
    phone = seated(table_10)
    pushed = async_to_sync(Bridge()._pushed)
    pushed(table_10.location_id, push(3, ["Chips"]), 1)
    pushed(table_10.location_id, push(4, ["Chips", "Salad"]), 1)
    assert held(phone.session) == (4, ["Chips", "Salad"])
    # The POS restarted and gave the table's check a new SalesTransactionID: it replaces
    # the one held, whatever its Version (protocol §6).
    pushed(table_10.location_id, push(1, ["Wings"], order=ANOTHER_ORDER), 1)
    assert held(phone.session) == (1, ["Wings"])
    with CaptureQueriesContext(connection) as queries:
        pushed(table_10.location_id, push(1, ["Wings"], order=ANOTHER_ORDER), 2)
    assert queries.captured_queries, "a push on another connection is the database's to judge"


def test_what_counts_as_already_applied():
    applied = Applied()
    order = push(5, ["Chips"]).payload.order
    other = push(5, ["Chips"], order=ANOTHER_ORDER).payload.order
    applied.note(1, "10", 7, order, 5)
    assert applied.is_old(1, "10", 7, order, 5)
    assert applied.is_old(1, "10", 7, order, 4)
    assert not applied.is_old(1, "10", 7, order, 6)
    assert not applied.is_old(1, "10", 7, other, 5)
    assert not applied.is_old(1, "10", 8, order, 5)  # another connection
    assert not applied.is_old(1, "11", 7, order, 5)  # another table
    assert not applied.is_old(2, "10", 7, order, 5)  # another location
    assert not applied.is_old(1, "10", 7, None, 5)  # no open check: the database decides
    applied.note(1, "10", 7, order, 3)  # an older one noted late changes nothing
    assert applied.is_old(1, "10", 7, order, 5)
