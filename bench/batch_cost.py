"""A batch's cost in process, step by step: CPU and queries of each thing the product does.

Steadier than the batch scenario's CPU lines, and it says where the time goes. One process
does, one after another, what the product's processes do for one batch in the bench's
batch scenario (bench/batch.py), against a fresh database seeded as the bench seeds it:

- the phone's two requests, through Django's whole request path (middleware included, the
  server left out): add Garlic Bread to the basket, then Send to kitchen (htmx);
- the bridge: take the batch its wake-up names (claimed and marked sent in one write), load
  it, encode CreateOrder (the bridge looks for due batches only at its poll, once a second);
- the POS (pos_bridge's simulator, fed the frame in process): its answer and its push;
- the bridge: decode the answer, accept the batch, apply the check it carries; decode the
  push (ITEMS_ADDED, the same version: nothing new);
- the web process: each channel-layer message the table's group got, handled as the diner's
  socket on the basket page handles it (the basket pushed, the check's header parts).

    .venv/bin/python bench/batch_cost.py                      # embedded: SQLite, in memory
    BENCH_DATABASE=openapp_bench_batch BENCH_REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/batch_cost.py --shape production
    .venv/bin/python bench/batch_cost.py --profile send       # cProfile: the steps named so
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.push_cost import environment  # noqa: E402

TABLES = 20
ITEM = "Garlic Bread"


class Steps:
    """CPU (time.process_time) and queries by step, over the measured batches."""

    def __init__(self, profile: str = "") -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.queries: dict[str, int] = defaultdict(int)
        self.order: list[str] = []
        self.profile_step = profile
        self.profiler = cProfile.Profile(time.process_time) if profile else None
        self.counting = False
        self.show_queries = False
        self.shown: set[str] = set()
        self.executed = 0
        self.statements: list[str] = []  # the step's, when they are shown

    async def run(self, name: str, call: Any, *args: Any) -> Any:
        """Call a step as the product's processes do: on a worker thread, under a running
        event loop (so the channel layer's sends go back to that loop, as under daphne and
        in the bridge). CPU is the whole process's, the loop's share included."""
        from asgiref.sync import sync_to_async

        if name not in self.order:
            self.order.append(name)

        def counted() -> Any:
            profiling = (
                self.counting and self.profiler is not None and name.startswith(self.profile_step)
            )
            if profiling:
                self.profiler.enable()
            result = call(*args)
            if profiling:
                self.profiler.disable()
            return result

        executed = self.executed
        self.statements.clear()
        started = time.process_time()
        result = await sync_to_async(counted)()
        if self.counting:
            self.cpu[name] += time.process_time() - started
            self.queries[name] += self.executed - executed
            if self.show_queries and name not in self.shown:
                self.shown.add(name)
                print(f"-- {name}")
                for sql in self.statements:
                    print("  ", sql[:300])
        return result

    async def web(self, name: str, call: Any) -> None:
        """The diner's socket: a coroutine on the loop, as in daphne (its database reads go
        to a worker thread themselves, whose connection counts them: counting_connections)."""
        if name not in self.order:
            self.order.append(name)
        started = time.process_time()
        executed = self.executed
        await call()
        if self.counting:
            self.cpu[name] += time.process_time() - started
            self.queries[name] += self.executed - executed

    def counting_connections(self) -> None:
        """Count the statements of every database connection opened from now on (the
        socket's reads run on a thread of their own, with a connection of its own)."""
        from django.db.backends.signals import connection_created

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.executed += 1
            if self.show_queries:
                self.statements.append(sql)
            return execute(sql, params, many, context)

        def opened(sender: Any, connection: Any, **_: Any) -> None:
            # Sent again each time a pooled connection is taken (production): count once.
            if count not in connection.execute_wrappers:
                connection.execute_wrappers.append(count)

        connection_created.connect(opened, weak=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=["embedded", "production"], default="embedded")
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument(
        "--profile",
        default="",
        metavar="STEP",
        help='cProfile the steps whose name starts so ("send", "bridge: accept")',
    )
    parser.add_argument("--queries", action="store_true", help="print each step's SQL, once")
    args = parser.parse_args()
    environment(args.shape)
    import django

    django.setup()
    from django.conf import settings

    # Not DEBUG: its query log formats every statement with its parameters (psycopg's
    # mogrify), 36 % of the steps' CPU on PostgreSQL. Statements are counted by a wrapper.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from channels.layers import get_channel_layer
    from django.core.management import call_command
    from django.test import Client

    from openapp_site.demo import DEMO_SLUG
    from ordering import consumers
    from ordering.models import Product
    from ordering.signals import till_work_waiting
    from pos_bridge import codec, outbox, protocol, snapshots
    from pos_bridge.client import PosSettings
    from pos_bridge.models import PosConnection
    from pos_bridge.simulator import PosSimulator, messages
    from pos_bridge.simulator.server import _Session
    from tables.models import Location, Table, TableSession

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", "--pos-url", "ws://127.0.0.1:9", verbosity=0)
    location = Location.objects.get(slug=DEMO_SLUG)
    tables = list(Table.objects.filter(location=location).order_by("position")[:TABLES])
    sim = PosSimulator(tables=[t.pos_table_id for t in tables])
    pos = _Session(connection=None)  # the bridge's connection, as the simulator keeps it
    pos_settings = PosSettings.from_model(PosConnection.objects.get(location=location))
    item = Product.objects.get(location=location, name=ITEM).pk
    layer = get_channel_layer()
    heard: list[tuple[str, dict]] = []
    group_send = layer.group_send

    async def listening(group: str, message: dict) -> None:
        heard.append((group, message))
        await group_send(group, message)

    layer.group_send = listening
    steps = Steps(args.profile)
    steps.show_queries = args.queries
    steps.counting_connections()

    class Phone:
        def __init__(self, table: Table) -> None:
            self.client = Client(HTTP_ACCEPT_LANGUAGE="en")
            self.client.get(f"/t/{table.qr_token}", follow=True)
            self.session = TableSession.objects.get(table=table, closed_at__isnull=True)
            self.diner = self.session.diners.get()
            self.base = f"/s/{self.session.public_id}/"
            self.client.get(self.base + "basket/")
            # The socket on the basket page, as the consumer keeps it after connecting.
            self.socket = consumers.DinerConsumer()
            found = consumers._resolve(self.session.public_id, self.client.cookies_dict())
            self.socket.session, self.socket.diner = found
            self.socket.language, self.socket.page = "en", "basket"
            sent: list[str] = []
            self.socket.sent = sent

            async def send(text_data: str = "", **_: Any) -> None:
                sent.append(text_data)

            self.socket.send = send

    def cookies_dict(client: Client) -> dict[str, str]:
        return {name: morsel.value for name, morsel in client.cookies.items()}

    Client.cookies_dict = cookies_dict
    phones = [Phone(table) for table in tables]
    phone_of = {phone.session.public_id.hex: phone for phone in phones}
    # The POS's stream of each table, as the bridge opens it after the first scan.
    for table in tables:
        frame = protocol.Request(
            request_id=f"snap-{table.pk}",
            provider_id=pos_settings.provider_id,
            provider_name=pos_settings.provider_name,
            device_id=pos_settings.device_id,
            user_identifier=pos_settings.pos_user_id,
            message_type=protocol.MessageType.TABLE_SNAPSHOT,
            payload=protocol.SnapshotRequest(
                service_mode_id=location.table_service_mode_id,
                service_mode_entity_id=table.pos_table_id,
            ),
        )
        sim._receive(pos, codec.encode(frame))
    while not pos.outbox.empty():
        pos.outbox.get_nowait()

    def add(phone: Phone) -> None:
        answer = phone.client.post(phone.base + f"products/{item}/", {"quantity": "1"})
        assert answer.status_code == 302, answer.status_code

    def send(phone: Phone) -> None:
        answer = phone.client.post(phone.base + "basket/send", {"note": ""}, HTTP_HX_REQUEST="true")
        assert answer.status_code == 200 and b"notice-error" not in answer.content

    named: list[Any] = []  # the batches the wake-ups name, as the bridge hears them

    def heard_wake(batch: Any = None, **_: Any) -> None:
        named.append(batch)

    till_work_waiting.connect(heard_wake, weak=False)

    def bridge_out() -> tuple[Any, Any, str]:
        batch_id, _location = next(batch for batch in reversed(named) if batch)
        named.clear()
        taken = outbox._take(batch_id, "bench", timedelta(seconds=30), timedelta(hours=1))
        batch, _lines, request = taken
        envelope = protocol.Request(
            request_id=str(batch.request_id),
            provider_id=pos_settings.provider_id,
            provider_name=pos_settings.provider_name,
            device_id=pos_settings.device_id,
            user_identifier=pos_settings.pos_user_id,
            message_type=protocol.MessageType.CREATE_ORDER,
            payload=request,
        )
        return batch_id, batch, codec.encode(envelope)

    def the_pos(text: str) -> tuple[str, list[str]]:
        answer = sim._create_order(messages.incoming(text))
        pushes = []
        while not pos.outbox.empty():
            pushes.append(pos.outbox.get_nowait())
        return answer, pushes

    applied = snapshots.Applied()  # as the bridge keeps it (pos_bridge.bridge, outbox)

    def bridge_answer(batch_id: Any, batch: Any, text: str) -> None:
        response = codec.decode(text)
        assert response.result_code == protocol.ResultCode.SUCCESS
        payload = response.payload
        table = batch.session.table
        where = (table.location_id, table.pos_table_id, 0, payload.order, payload.version)
        news = None if applied.is_old(*where) else payload.order
        if outbox._accepted(batch, payload.version, news, 0):
            applied.note(*where)

    def bridge_push(text: str) -> None:
        push = codec.decode(text)
        payload = push.payload
        where = (location.pk, payload.service_mode_entity_id, 0, payload.order, payload.version)
        if not applied.is_old(*where) and snapshots.record_push(location.pk, push):
            applied.note(*where)

    async def web() -> None:
        for group, message in heard:
            phone = phone_of.get(group.removeprefix("table-session."))
            if phone is not None:
                await phone.socket.dispatch(message)
        heard.clear()

    async def one_batch(phone: Phone) -> None:
        await steps.run("add (POST)", add, phone)
        await steps.run("send (POST)", send, phone)
        heard.clear()  # batch.written: the basket page ignores it
        batch_id, batch, request = await steps.run("bridge: take, load", bridge_out)
        answer, pushes = await steps.run("POS simulator", the_pos, request)
        await steps.run("bridge: accept, apply the answer", bridge_answer, batch_id, batch, answer)
        for push in pushes:
            await steps.run("bridge: the POS's push", bridge_push, push)
        await steps.web("web: the socket's pushes", web)
        assert any("Your order is in" in text for text in phone.socket.sent), phone.socket.sent
        phone.socket.sent.clear()

    async def measure() -> float:
        for phone in phones:  # warm-up: every table's first batch
            await one_batch(phone)
        steps.counting = True
        wall = time.perf_counter()
        for n in range(args.batches):
            await one_batch(phones[n % len(phones)])
        return time.perf_counter() - wall

    wall = asyncio.run(measure())
    n = args.batches
    print(f"shape {args.shape}: {n} batches over {len(phones)} tables, one diner each")
    total = sum(steps.cpu.values())
    for name in steps.order:
        print(
            f"  {name:34} {steps.cpu[name] * 1000 / n:7.3f} ms CPU  "
            f"{steps.queries[name] / n:5.2f} statements"
        )
    product = total - steps.cpu["POS simulator"]
    print(
        f"CPU per batch: {product * 1000 / n:.3f} ms in the product (the POS simulator's "
        f"{steps.cpu['POS simulator'] * 1000 / n:.3f} ms apart); wall {wall * 1000 / n:.3f} ms; "
        f"{sum(steps.queries.values()) / n:.2f} statements (BEGIN and COMMIT not counted)"
    )
    if steps.profiler is not None and not steps.profiler.getstats():
        print(f"no step's name starts with {args.profile!r}: {', '.join(steps.order)}")
    elif steps.profiler is not None:
        kept = ROOT / "var" / "bench" / "batch_cost.pstat"
        kept.parent.mkdir(parents=True, exist_ok=True)
        steps.profiler.dump_stats(kept)
        pstats.Stats(steps.profiler).sort_stats("cumulative").print_stats(50)
        print(f"(the whole profile: {kept}, for pstats)")


if __name__ == "__main__":
    main()
