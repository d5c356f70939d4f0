"""Run the whole product in one process: the site (HTTP and WebSockets), the POS bridge
and, with --simulator, the POS simulator, all on daphne's one event loop."""

from __future__ import annotations

import asyncio
import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openapp_site.gc_pauses import keep_gc_pauses_short

log = logging.getLogger("openapp.embedded")
QR_TABLE = "Table 10"  # the README's walk-through table


def parse_stock(values: list[str]) -> dict[str, int]:
    stock: dict[str, int] = {}
    for value in values:
        plu, sep, quantity = value.partition("=")
        if not sep or not plu or not quantity.isdigit():
            raise CommandError(f"--stock takes PLU=QUANTITY, e.g. --stock 401=1 (got {value!r})")
        stock[plu] = int(quantity)
    return stock


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--simulator", action="store_true", help="Also run the POS simulator.")
        parser.add_argument("--simulator-host", default="127.0.0.1")
        parser.add_argument(
            "--simulator-port",
            type=int,
            default=8765,
            help="0 picks a free port; the demo location is pointed at whichever it gets.",
        )
        parser.add_argument(
            "--stock", action="append", default=[], metavar="PLU=QTY", help="Simulator stock."
        )
        parser.add_argument(
            "--simulator-answer-delay",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="The simulator answers orders this late (to see 'sent' on a phone).",
        )
        parser.add_argument(
            "--simulator-ignore-orders",
            action="store_true",
            help="The simulator never answers orders (to see a batch fail).",
        )
        parser.add_argument("--no-bridge", action="store_true", help="Do not run the POS bridge.")

    def handle(self, *args, **options) -> None:
        # Importing daphne.server installs Twisted's asyncio reactor on daphne's loop.
        from channels.routing import get_default_application
        from daphne.server import Server, twisted_loop

        from pos_bridge.bridge import Bridge

        stock = parse_stock(options["stock"])
        loop: asyncio.AbstractEventLoop = twisted_loop
        asyncio.set_event_loop(loop)
        lines = []
        if options["simulator"]:
            from openapp_site.demo import point_demo_pos_at
            from pos_bridge.simulator import PosSimulator

            simulator = PosSimulator(
                stock=stock,
                answer_delay=options["simulator_answer_delay"],
                ignore_orders=options["simulator_ignore_orders"],
            )
            loop.run_until_complete(
                simulator.start(options["simulator_host"], options["simulator_port"])
            )
            lines.append(f"POS simulator: {simulator.url}")
            if point_demo_pos_at(simulator.url):
                lines.append(f"The demo location's POS connection now points at {simulator.url}")
            lines.append(f"POS staff console (act as waiter and kitchen): {simulator.console_url}")
        bridge = None if options["no_bridge"] else Bridge()
        running = loop.create_task(bridge.run()) if bridge else None
        base = f"http://{options['host']}:{options['port']}"
        lines += self._demo_lines(base)

        def ready() -> None:
            self.stdout.write("\n".join(["", f"OpenApp is running at {base}", *lines, ""]))

        keep_gc_pauses_short()  # everything is imported: a long-running process starts here
        Server(
            application=get_default_application(),
            endpoints=[f"tcp:port={options['port']}:interface={options['host']}"],
            ready_callable=ready,
            verbosity=0,
        ).run()
        if bridge and running:
            # daphne stopped on Ctrl-C; let the bridge finish what it sent and say on each
            # connection that it is no longer connected.
            loop.run_until_complete(bridge.shutdown(grace=5.0))
            loop.run_until_complete(running)

    def _demo_lines(self, base: str) -> list[str]:
        from openapp_site.demo import admin_login_line, demo_table_links
        from tables.qr import qr_text

        links = demo_table_links(settings.PUBLIC_BASE_URL or base)
        if not links:
            return ["No tables yet: run `python manage.py seed_demo` for the demo restaurant."]
        lines = [f"Start here: {base}/", admin_login_line(base)]
        scan = dict(links).get(QR_TABLE)
        if scan is not None:
            lines += [f"{QR_TABLE}'s QR code (scan it with a phone on the same network):"]
            lines += qr_text(scan).splitlines()
        return [
            *lines,
            "Tables (open one in a phone-sized browser window):",
            *(f"  {name:<9} {url}" for name, url in links),
        ]
