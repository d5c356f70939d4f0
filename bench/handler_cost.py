"""What a request costs in Django's ASGI handler: ours, round 9's and Django's own, in one process.

The server is left out: each request is an ASGI call made here (scope, body, the answer
read to its end), 10 at a time, as daphne makes them. The three handlers take turns, in
rounds, so that whatever else the machine does falls on all alike:

- `/bench/empty`: a view that answers "ok", so what is measured is the handler and the
  product's middleware;
- `/bench/bare`: the bench's bare page (bench/urls.py), the batch and pages scenarios'
  reference.

"round 9" is ours as it was until round 10 (docs/performance.md): a request's middleware
and view in one trip, but Django's thread-sensitive context of its own, two threads a
request.

    .venv/bin/python bench/handler_cost.py                # a few seconds
    .venv/bin/python bench/handler_cost.py --requests 4000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_http_handler import scope  # noqa: E402

AT_ONCE = 10


def gzip_request(path: str) -> dict[str, Any]:
    """The handler tests' GET (tests/test_http_handler.py), gzip accepted as phones do."""
    request = scope(path)
    request["headers"] = [*request["headers"], (b"accept-encoding", b"gzip")]
    return request


async def one_request(app: Any, path: str) -> int:
    answered = asyncio.Event()
    status: list[int] = []
    body_sent = False

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    await app(gzip_request(path), receive, send)
    return status[0]


async def cpu_per_request(app: Any, path: str, requests: int) -> tuple[float, int]:
    """CPU of the whole process (every thread) per request, in ms; the threads started."""
    made_before = _made

    async def client(count: int) -> None:
        for _ in range(count):
            status = await one_request(app, path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")

    cpu = time.process_time()
    await asyncio.gather(*(client(requests // AT_ONCE) for _ in range(AT_ONCE)))
    spent = (time.process_time() - cpu) * 1000 / (requests // AT_ONCE * AT_ONCE)
    return spent, _made - made_before


_made = 0


def _count_threads() -> None:
    """Counts every thread started from here on."""
    start = threading.Thread.start

    def counted(self: threading.Thread) -> None:
        global _made
        _made += 1
        start(self)

    threading.Thread.start = counted  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per handler, page and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="handler-cost-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["SQLITE_PATH"] = str(Path(folder) / "db.sqlite3")
    from django.core.handlers.asgi import ASGIHandler

    from openapp_site.http import http_application

    ours = http_application()

    class RoundNine(type(ours)):
        """Ours with Django's context of a request (its threads), as until round 10."""

        __call__ = ASGIHandler.__call__

    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    call_command("migrate", "--noinput", verbosity=0)
    djangos = ASGIHandler()
    _count_threads()
    handlers = {"ours": ours, "round 9": RoundNine(), "Django's": djangos}
    figures: dict[tuple[str, str], list[float]] = {}
    threads: dict[tuple[str, str], int] = {}

    async def measure() -> None:
        for path in ("/bench/empty", "/bench/bare"):
            for app in handlers.values():  # warm-up: templates, pools, connections
                await cpu_per_request(app, path, 200)
            for _ in range(args.rounds):
                for name, app in handlers.items():
                    cpu, made = await cpu_per_request(app, path, args.requests)
                    figures.setdefault((name, path), []).append(cpu)
                    threads[(name, path)] = threads.get((name, path), 0) + made

    asyncio.run(measure())
    print(f"{args.requests} requests a round, {AT_ONCE} at a time, {args.rounds} rounds")
    for path in ("/bench/empty", "/bench/bare"):
        for name in handlers:
            runs = figures[(name, path)]
            made = threads[(name, path)] / (args.requests * args.rounds)
            print(
                f"  {path:13} {name:8} {statistics.median(runs):6.3f} ms CPU a request "
                f"(rounds: {', '.join(f'{r:.3f}' for r in runs)}); {made:.2f} threads started "
                "a request"
            )


if __name__ == "__main__":
    main()
