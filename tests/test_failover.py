"""Two bridge worker processes share one POS connection through a lease; one is stopped.

Killed (SIGKILL) while orders are in flight, the holder cannot tidy up: the other worker
takes the connection over when the lease runs out and resends every unanswered batch with
its RequestID, so the POS takes each once. Stopped with SIGTERM, a worker lets its
requests finish, hands the lease back and exits cleanly.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator

from django.utils import timezone

from ordering.models import Batch, BatchLine, BatchState
from pos_bridge.models import PosConnection
from pos_bridge.simulator import running_simulator
from tables.models import Table
from tests.phones import Phone
from tests.processes import (
    GRACE_SECONDS,
    LEASE_SECONDS,
    BridgeProcess,
    bridge_processes,
    outputs,
)
from tests.restaurant import make_restaurant

# The POS takes each order at once but answers it late (within the bridge's 1 s timeout),
# so while diners send, answers are pending.
ANSWER_DELAY_SECONDS = 0.7
IN_FLIGHT = 2  # batches sent and unanswered when the worker is stopped
ITEMS = ["Garlic Bread", "Coca-Cola", "Scotch Egg", "Creamy Pasta", "Halloumi Fries"]
TAKEOVER_SECONDS = LEASE_SECONDS + 5.0
ALL_ACCEPTED_SECONDS = 30.0


def eventually(condition: Callable[[], object], timeout: float, explain: Callable[[], str]):
    """Poll until condition() is truthy; on timeout, fail with explain() as it is then."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g}s: {explain()}")
        time.sleep(0.05)
    return result


def seat_phones(restaurant, tables: int) -> list[Phone]:
    phones = []
    for number in range(1, tables + 1):
        phone = Phone()
        phone.scan(Table.objects.get(location=restaurant, pos_table_id=str(number)))
        phones.append(phone)
    return phones


def batch_writes(phones: list[Phone], rounds: int, first_round: int = 0) -> Iterator[int]:
    """Each phone sends one batch a round; yields after each batch, the number written."""
    written = 0
    for round_number in range(first_round, first_round + rounds):
        for index, phone in enumerate(phones):
            name = ITEMS[(index + round_number) % len(ITEMS)]
            assert phone.add(name, quantity=1 + round_number % 3).status_code == 302
            assert phone.send().status_code == 302
            written += 1
            yield written


def write_until_batches_are_in_flight(writes: Iterator[int]) -> int:
    """Write batches until IN_FLIGHT of them are sent and unanswered; returns how many."""
    for _ in writes:
        in_flight = count(BatchState.SENT)
        if in_flight >= IN_FLIGHT:
            return in_flight
    # Every batch was written before the worker's next round: it sends them all together.
    return eventually(
        lambda: (sent := count(BatchState.SENT)) >= IN_FLIGHT and sent,
        10,
        lambda: f"never {IN_FLIGHT} in flight at once: {batch_states()}",
    )


def holder(connection: PosConnection, workers: list[BridgeProcess]) -> BridgeProcess | None:
    connection.refresh_from_db()
    return next((w for w in workers if w.holds(connection.held_by)), None)


def assert_the_lease_stays_with(
    worker: BridgeProcess, connection: PosConnection, workers: list[BridgeProcess], seconds: float
) -> None:
    """While its holder lives, the lease is renewed before it runs out: never free to take."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert holder(connection, workers) is worker, outputs(workers)
        assert connection.lease_until > timezone.now(), "the lease ran out while held"
        time.sleep(0.1)


def count(state: str) -> int:
    return Batch.objects.filter(state=state).count()


def batch_states() -> dict[str, int]:
    return dict(Counter(Batch.objects.values_list("state", flat=True)))


def assert_every_batch_is_on_the_pos_exactly_once(pos, tables: int) -> None:
    on_pos: dict[str, Counter] = {}
    for number in range(1, tables + 1):
        order = pos.order(str(number))
        for product in order.products if order else []:
            on_pos.setdefault(product.provider_order_id, Counter())[
                (product.name, product.quantity)
            ] += 1
    sent: dict[str, Counter] = {}
    for line in BatchLine.objects.all():
        sent.setdefault(str(line.batch_id), Counter())[(line.name, line.quantity)] += 1
    assert on_pos == sent
    assert sum(sum(lines.values()) for lines in on_pos.values()) == BatchLine.objects.count()


def test_a_killed_worker_is_replaced_within_seconds_and_no_batch_is_lost_or_doubled(
    transactional_db,
):
    with running_simulator(answer_delay=ANSWER_DELAY_SECONDS) as pos:
        restaurant = make_restaurant(pos.url)
        connection = PosConnection.objects.get(location=restaurant)
        phones = seat_phones(restaurant, tables=12)
        with bridge_processes(2) as workers:
            # Starting up (Django, the pool, the first lease) on a busy CI machine: not
            # the takeover this test times.
            first = eventually(lambda: holder(connection, workers), 30, lambda: outputs(workers))
            (second,) = [w for w in workers if w is not first]
            assert_the_lease_stays_with(first, connection, workers, LEASE_SECONDS * 1.5)

            writes = batch_writes(phones, rounds=5)
            in_flight = write_until_batches_are_in_flight(writes)
            assert holder(connection, workers) is first, outputs(workers)
            first.kill()
            killed_at = time.monotonic()
            for _ in writes:  # the rest, written while nobody sends
                pass
            assert Batch.objects.count() == 60

            eventually(
                lambda: holder(connection, workers) is second,
                TAKEOVER_SECONDS,
                lambda: f"the other worker never took over\n{outputs(workers)}",
            )
            took_over = time.monotonic() - killed_at
            eventually(
                lambda: count(BatchState.ACCEPTED) == 60,
                ALL_ACCEPTED_SECONDS,
                lambda: f"not every batch was accepted: {batch_states()}\n{outputs(workers)}",
            )
            all_accepted = time.monotonic() - killed_at
            assert_every_batch_is_on_the_pos_exactly_once(pos, tables=12)
    print(
        f"in flight at the kill: {in_flight}; taken over after {took_over:.1f}s; "
        f"all accepted {all_accepted:.1f}s after the kill"
    )


def test_a_worker_stopped_with_sigterm_exits_cleanly_and_hands_back_its_lease_and_its_work(
    transactional_db,
):
    with running_simulator(answer_delay=ANSWER_DELAY_SECONDS) as pos:
        restaurant = make_restaurant(pos.url)
        connection = PosConnection.objects.get(location=restaurant)
        phones = seat_phones(restaurant, tables=10)
        with bridge_processes(1) as (first,):
            eventually(lambda: holder(connection, [first]), 10, first.output)
            writes = batch_writes(phones, rounds=2)
            in_flight = write_until_batches_are_in_flight(writes)
            asked_at = time.monotonic()
            first.ask_to_stop()
            for _ in writes:  # the rest, and one more round, written while it stops
                pass
            for _ in batch_writes(phones, rounds=1, first_round=2):
                pass
            code = first.wait_stopped()
            stopped_after = time.monotonic() - asked_at
            assert code == 0, first.output()
            assert stopped_after < GRACE_SECONDS + 2, first.output()

            connection.refresh_from_db()
            assert connection.held_by == ""
            states = batch_states()
            assert set(states) <= {BatchState.PENDING, BatchState.SENT, BatchState.ACCEPTED}
            assert states.get(BatchState.PENDING, 0) >= 5  # the round written while it stopped
            left_claimed = Batch.objects.filter(
                state__in=[BatchState.PENDING, BatchState.SENT], claimed_until__gt=timezone.now()
            )
            assert not left_claimed.exists(), "the stopped worker kept batches claimed"

        with bridge_processes(1) as (second,):
            eventually(
                lambda: count(BatchState.ACCEPTED) == 30,
                ALL_ACCEPTED_SECONDS,
                lambda: f"the next worker left {batch_states()}\n{second.output()}",
            )
            assert_every_batch_is_on_the_pos_exactly_once(pos, tables=10)
    print(f"{in_flight} in flight; stopped {stopped_after:.1f}s after SIGTERM, leaving {states}")
