"""Profile one diner page in-process with pyinstrument, against the database the last
embedded bench run left in var/bench/ (run any scenario with --shape embedded first).

    .venv/bin/python bench/profile_page.py menu      # or: bill, basket, bare
    .venv/bin/python bench/profile_page.py menu --cpu-only   # CPU per request, no profiler
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", choices=["menu", "bill", "basket", "bare"])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--cpu-only", action="store_true", help="time the requests without the profiler"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SQLITE_PATH=os.environ.get(
            "BENCH_SQLITE_PATH", str(PROJECT / "var" / "bench" / "embedded.sqlite3")
        ),
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    from tables.models import Table

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
    table = Table.objects.order_by("position").first()
    if table is None:
        raise SystemExit("no tables: run a bench scenario with --shape embedded first")
    base = client.get(f"/t/{table.qr_token}")["Location"]
    path = {"menu": base, "bare": "/bench/bare"}.get(args.page, f"{base}{args.page}/")
    for _ in range(5):
        client.get(path)  # warm: templates compiled, connections open
    if args.cpu_only:
        started = time.process_time()
        for _ in range(args.requests):
            client.get(path)
        cpu = (time.process_time() - started) / args.requests
        print(f"{args.page}: {cpu * 1000:.2f} ms CPU per request")
        return
    profiler = Profiler(interval=0.0005)
    started = time.process_time()
    with profiler:
        for _ in range(args.requests):
            client.get(path)
    cpu = (time.process_time() - started) / args.requests
    print(f"{args.page}: {cpu * 1000:.1f} ms CPU per request (with the profiler on)")
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
