"""Run the simulated POS (pos_bridge.simulator) until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pos_bridge.simulator import PosSimulator
from pos_bridge.simulator.messages import SEED_SERVICE_MODE_ID

STOCK = re.compile(r"(?P<plu>[^=\s]+)=(?P<quantity>\d+)")


def parse_stock(values: list[str]) -> dict[str, int]:
    stock: dict[str, int] = {}
    for value in values:
        match = STOCK.fullmatch(value)
        if match is None:
            raise CommandError(
                f"--stock {value!r}: expected PLU=QUANTITY with a whole number of at least 0, "
                "e.g. --stock 401=3"
            )
        if match["plu"] in stock:
            raise CommandError(f"--stock {value!r}: {match['plu']} is given twice")
        stock[match["plu"]] = int(match["quantity"])
    return stock


class Command(BaseCommand):
    help = "Run a simulated restaurant POS speaking the POS WebSocket protocol."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
        parser.add_argument(
            "--stock",
            nargs="+",
            action="extend",
            default=[],
            metavar="PLU=QTY",
            help="limited stock for an item (PLU or variant identifier); others are unlimited",
        )
        parser.add_argument("--menu", help="menu JSON (default: ordering/fixtures/demo_menu.json)")
        parser.add_argument("--token", help="require 'Authorization: Bearer TOKEN'")
        parser.add_argument(
            "--console-token",
            help="let the staff console be opened from other machines, with ?token=TOKEN "
            "(without it, it answers only at 127.0.0.1 / localhost)",
        )
        parser.add_argument("--tables", help="comma-separated table identifiers (default: 1 to 20)")
        parser.add_argument(
            "--service-mode-id",
            default=SEED_SERVICE_MODE_ID,
            help="the table service mode this POS takes orders and snapshot requests for "
            "(default: the seed's, which the demo restaurant uses); others get ResultCode 2",
        )
        parser.add_argument(
            "--no-snapshots",
            action="store_true",
            help="answer TableOrderSnapshot requests as unsupported (ResultCode 9)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stock = parse_stock(options["stock"])
        tables = None
        if options["tables"] is not None:
            tables = {t.strip() for t in options["tables"].split(",") if t.strip()}
            if not tables:
                raise CommandError("--tables: give at least one table identifier")
        try:
            simulator = PosSimulator(
                menu_path=options["menu"],
                stock=stock,
                tables=tables,
                token=options["token"],
                console_token=options["console_token"],
                snapshots_supported=not options["no_snapshots"],
                service_mode_id=options["service_mode_id"],
            )
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        asyncio.run(self._serve(simulator, options["host"], options["port"]))

    async def _serve(self, simulator: PosSimulator, host: str, port: int) -> None:
        try:
            await simulator.start(host, port)
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error}") from error
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stopping.set)
        self.stdout.write(f"POS simulator listening on {simulator.url}")
        needs_token = simulator.token is not None or simulator.console_token is not None
        hint = " (add ?token=YOUR_TOKEN)" if needs_token else ""
        self.stdout.write(f"Staff console: {simulator.console_url}{hint}")
        self.stdout.flush()
        try:
            await stopping.wait()
        finally:
            await simulator.stop()
        self.stdout.write("POS simulator stopped")
