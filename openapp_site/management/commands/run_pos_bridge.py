"""Run the POS bridge as its own long-lived process (production).

Start one or more next to the web processes, against the same PostgreSQL and Redis. Each
POS connection is held by one worker at a time; when a worker dies another takes over.
SIGTERM or Ctrl-C stops it gracefully: requests under way get a moment to be answered,
anything unanswered stays in the outbox and is resent, unchanged, by whichever worker
holds the connection next.

`--check` runs no bridge: it reports each location's POS connection, its lease and its
outbox, and exits non-zero if any of them needs attention (for monitoring).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from openapp_site.gc_pauses import keep_gc_pauses_short
from pos_bridge import health
from pos_bridge.bridge import Bridge


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace", type=float, default=10.0, help="Seconds to let requests finish on stop."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report each POS connection, its lease and its outbox, then exit: non-zero "
            "if one is down, unheld, or has a batch waiting longer than --max-wait.",
        )
        parser.add_argument(
            "--max-wait",
            type=float,
            default=health.DEFAULT_MAX_WAIT.total_seconds(),
            metavar="SECONDS",
            help="With --check: how long a batch may wait in the outbox (default: 60).",
        )

    def handle(self, *args, **options) -> None:
        if options["check"]:
            self._check(timedelta(seconds=options["max_wait"]))
            return
        keep_gc_pauses_short()
        asyncio.run(self._run(options["grace"]))

    def _check(self, max_wait: timedelta) -> None:
        now = timezone.now()
        report = health.check(max_wait, now)
        for location in report:
            self.stdout.write("\n".join(location.lines(now)))
        problems = sum(len(location.problems) for location in report)
        if problems:
            raise CommandError(f"{problems} problem(s) with the POS bridge", returncode=1)
        self.stdout.write(f"OK: {len(report)} location(s)")

    async def _run(self, grace: float) -> None:
        bridge = Bridge()
        running = asyncio.create_task(bridge.run())
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        self.stdout.write(f"POS bridge {bridge.worker} running; SIGTERM to stop.")
        stop_wait = asyncio.create_task(stopping.wait())
        await asyncio.wait({running, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.is_set():
            await bridge.shutdown(grace)
        stop_wait.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        self.stdout.write("POS bridge stopped.")
