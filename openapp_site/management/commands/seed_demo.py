"""Create or update the demo restaurant "The Corona & Steak": its menu, tables 1–20, the POS
connection and an admin user. Safe to run again: nothing is duplicated and table QR codes
keep their tokens."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openapp_site.demo import seed_demo
from ordering.menu_import import MenuImportError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pos-url",
            metavar="WS_URL",
            help="The POS WebSocket address to store, e.g. ws://127.0.0.1:8765. Without it a new "
            "connection uses settings.DEMO_POS_URL (or ws://127.0.0.1:8765) and an existing "
            "one keeps its address.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        pos_url = options["pos_url"]
        if pos_url is not None and not pos_url.startswith(("ws://", "wss://")):
            raise CommandError(f"--pos-url must start with ws:// or wss:// (got {pos_url!r})")
        try:
            result = seed_demo(pos_url=pos_url)
        except MenuImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("\n".join(result.summary_lines()))
