from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.db import connections

from ordering import till
from pos_bridge import wakeup
from pos_bridge.simulator import SimulatorThread, running_simulator
from tables.models import Location
from tests.bridge_runner import running_bridge
from tests.phones import Phone
from tests.restaurant import make_restaurant


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Iterator[None]:
    """Each test gets its own channel layer: channels-redis binds connections to the event
    loop that first used them, and every async test runs on a new loop."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def own_cache(settings) -> None:
    """Each test gets a cache of its own (the menu's versions and renders): on Redis a
    previous test's location of the same id would otherwise lend it its menu. A key prefix,
    not a flush: the test processes running side by side share the Redis database."""
    default = settings.CACHES["default"]
    settings.CACHES = {"default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    till.forget()  # what the till said, kept per process, was about another test's location


@pytest.fixture(autouse=True)
def no_bridge_left_running() -> Iterator[None]:
    """A bridge left running by one test takes the POS connections of the tests after it
    (seen as a failover test whose own workers never got the lease)."""
    yield
    for _ in range(100):  # a cancelled bridge unregisters itself as it stops
        if not wakeup.running_in_this_process():
            return
        time.sleep(0.05)
    raise AssertionError("a bridge is still running 5 s after the test ended")


@pytest.fixture(scope="session", autouse=True)
def close_the_sync_threads_connection(django_db_setup) -> Iterator[None]:
    """Async tests reach the database on asgiref's shared sync thread, whose connection
    outlives them: close it before the test database is dropped (PostgreSQL refuses to drop
    a database in use)."""
    yield
    asyncio.run(sync_to_async(connections.close_all)())


@pytest.fixture
def pos() -> Iterator[SimulatorThread]:
    """The POS simulator on a free loopback port, with the demo menu."""
    with running_simulator() as simulator:
        yield simulator


@pytest.fixture
def restaurant(transactional_db, pos: SimulatorThread) -> Location:
    return make_restaurant(pos.url)


@pytest.fixture
def bridge(restaurant: Location):
    with running_bridge() as running:
        yield running


@pytest.fixture
def dining_room(db) -> Location:
    """The demo restaurant with no POS running: for pages that never reach the POS."""
    return make_restaurant("ws://127.0.0.1:9")


@pytest.fixture
def table_10(dining_room: Location):
    return dining_room.tables.get(pos_table_id="10")


@pytest.fixture
def phone(table_10) -> Phone:
    """A diner's phone that has scanned table 10 (no POS running)."""
    phone = Phone()
    phone.scan(table_10)
    return phone
