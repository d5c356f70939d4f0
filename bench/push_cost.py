"""The bridge's cost of one push, in process: queries, channel-layer sends and CPU.

Steadier than the fan-out's CPU lines on a shared machine: it calls
pos_bridge.snapshots.record_push N times, one after another as the bridge's database
thread does, against a fresh database seeded like the fan-out's tables (a check of seven
lines, four diners, two accepted batches on it; `--batches N` for a longer meal), and
counts what each push costs. No phones and no daphne: the table's group holds four
channels named as two web processes' would be, so the layer's send costs what it does
under the bench.

    .venv/bin/python bench/push_cost.py                      # embedded: SQLite, in memory
    BENCH_DATABASE=openapp_bench_push BENCH_REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python bench/push_cost.py --shape production
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED_ANSWER = ROOT / "tests" / "seed_examples" / "create_order_response.json"
TABLES = 20
DINERS = 4


def environment(shape: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("SECRET_KEY", "bench-push-cost")
    if shape == "production":
        from bench.stack import _fresh_database, database_url

        os.environ["DATABASE_URL"] = database_url()
        os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
        _fresh_database(shape)  # drops and creates the bench database, flushes its Redis db
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        path = Path(tempfile.mkdtemp(prefix="push-cost-")) / "db.sqlite3"
        os.environ["SQLITE_PATH"] = str(path)


def order(table: str, batches: list[str], tag: str) -> dict[str, Any]:
    """The seed's two lines (one per batch) and five a waiter rang up, with a tagged discount."""
    base = json.loads(SEED_ANSWER.read_text())["Payload"]["Order"]
    base["ServiceModeEntityID"] = table
    base["SalesTransactionID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"push-cost/{table}"))
    corona, steak = base["Products"]
    products = []
    for n, batch in enumerate(batches):
        line = copy.deepcopy(corona if n % 2 == 0 else steak)
        line.update(LineID=f"B{n}", Status="ORDERED", Source="OPENAPP", ProviderOrderID=batch)
        products.append(line)
    for n in range(7 - len(products)):
        line = copy.deepcopy(corona)
        line.update(LineID=f"W{n}", Status="ORDERED", Source="POS")
        products.append(line)
    base["Products"] = products
    base["Adjustments"] = [{"Name": tag, "Amount": -1.00}]
    return base


def push(table: str, batches: list[str], version: int, tag: str) -> Any:
    from pos_bridge import codec

    frame = {
        "EventID": str(uuid.uuid4()),
        "MessageType": 31,
        "Payload": {
            "ServiceModeEntityID": table,
            "Version": version,
            "ChangeType": "DISCOUNT_APPLIED",
            "LineIDs": [],
            "Order": order(table, batches, tag),
        },
    }
    return codec.decode(json.dumps(frame))


def seed(batch_count: int) -> tuple[int, dict[str, list[str]]]:
    """Open a visit at each of the first TABLES tables: its diners, `batch_count` accepted
    batches sent by them in turn, and its check."""
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", "--pos-url", "ws://127.0.0.1:9", verbosity=0)
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from openapp_site.demo import DEMO_SLUG
    from ordering import live
    from ordering.models import Batch, BatchState, TableCheck
    from pos_bridge.snapshots import check_state
    from tables.models import Location, Table

    location = Location.objects.get(slug=DEMO_SLUG)
    layer = get_channel_layer()
    batches_at: dict[str, list[str]] = {}
    for table in Table.objects.filter(location=location).order_by("position")[:TABLES]:
        session = table.open_session()
        diners = [session.join(f"phone-{table.pk}-{n}")[0] for n in range(DINERS)]
        for n, diner in enumerate(diners):
            diner.name = f"Diner {n}" if n % 2 == 0 else ""
            diner.save(update_fields=["name"])
        batches = [
            str(Batch.objects.create(session=session, diner=d, use_pos_prices=True).pk)
            for d in (diners[n % DINERS] for n in range(batch_count))
        ]
        Batch.objects.filter(pk__in=batches).update(state=BatchState.ACCEPTED)
        state = check_state(push(table.pos_table_id, batches, 1, "start").payload.order, "GBP")
        TableCheck.objects.create(session=session, version=1, state=state.to_json())
        batches_at[table.pos_table_id] = batches
        for n in range(DINERS):
            name = f"specific.web{n % 2}!{uuid.uuid4().hex}"
            async_to_sync(layer.group_add)(live.group_for(session), name)
    return location.pk, batches_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=["embedded", "production"], default="embedded")
    parser.add_argument("--pushes", type=int, default=1000)
    parser.add_argument(
        "--batches", type=int, default=2, help="accepted batches at each table (a long meal: 20)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="the counted pushes' database thread's CPU, by function",
    )
    args = parser.parse_args()
    environment(args.shape)
    import django

    django.setup()
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pos_bridge.snapshots import record_push

    location_id, batches_at = seed(args.batches)
    tables = sorted(batches_at, key=int)
    frames = [
        push(table, batches_at[table], 2 + n // len(tables), f"bench-{n}")
        for n, table in enumerate(tables[i % len(tables)] for i in range(args.pushes))
    ]
    layer = get_channel_layer()
    sends: Counter[str] = Counter()
    group_send = layer.group_send

    async def counted(group: str, message: dict) -> None:
        sends[group.split(".")[0]] += 1
        await group_send(group, message)

    layer.group_send = counted

    def count(frames: list[Any]) -> list[dict[str, Any]]:
        # In the database thread, whose connection the capture must watch.
        profile = cProfile.Profile(time.thread_time) if args.profile else None
        with CaptureQueriesContext(connection) as queries:
            if profile:
                profile.enable()
            for frame in frames:
                assert record_push(location_id, frame)
            if profile:
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return queries.captured_queries

    async def pushes() -> tuple[float, float, list[dict[str, Any]]]:
        # As the bridge does: each push in its database thread, the sends on its loop.
        warm, timed = frames[: len(tables)], frames[len(tables) :]
        for frame in warm:  # a table's first push reads the till's status too
            assert await sync_to_async(record_push)(location_id, frame)
        sends.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        for frame in timed:
            assert await sync_to_async(record_push)(location_id, frame)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        per_push.update({group: count / len(timed) for group, count in sends.items()})
        # Counted apart: capturing queries costs CPU of its own.
        after = 2 + -(-args.pushes // len(tables))  # each table's next version
        counted_frames[:] = [
            push(table, batches_at[table], after + i // len(tables), f"count-{i}")
            for i, table in enumerate(tables * (25 if args.profile else 5))
        ]
        return cpu, wall, await sync_to_async(count)(counted_frames)

    per_push: dict[str, float] = {}
    counted_frames: list[Any] = []
    cpu, wall, queries = asyncio.run(pushes())
    n = args.pushes - len(tables)
    c = len(counted_frames)
    kinds = Counter(q["sql"].split()[0] for q in queries)
    print(f"shape {args.shape}: {n} pushes over {len(tables)} tables")
    print(
        f"queries per push: {len(queries) / c:.2f} ("
        + ", ".join(f"{k} {v / c:.2f}" for k, v in sorted(kinds.items()))
        + ")"
    )
    print(
        "channel-layer sends per push: "
        + ", ".join(f"{group} {count:.2f}" for group, count in sorted(per_push.items()))
    )
    print(f"CPU per push: {cpu * 1000 / n:.3f} ms; wall per push: {wall * 1000 / n:.3f} ms")


if __name__ == "__main__":
    main()
