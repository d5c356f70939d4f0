"""Export a location's menu as JSON (the whole menu) or CSV (the product list)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ordering.menu_files import FORMATS, export_menu_csv, export_menu_json, guess_format
from tables.models import Location


class Command(BaseCommand):
    help = "Export a location's menu as JSON (the whole menu) or CSV (the product list)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--location", required=True, help="The location's slug, e.g. demo")
        parser.add_argument("--out", type=Path, help="File to write (default: standard output)")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="json or csv (default: from --out's name, else json)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        location = Location.objects.filter(slug=options["location"]).first()
        if location is None:
            raise CommandError(f"No location {options['location']!r}.")
        out: Path | None = options["out"]
        file_format = options["format"] or (guess_format(out.name) if out else None) or "json"
        text = export_menu_json(location) if file_format == "json" else export_menu_csv(location)
        if out is None:
            self.stdout.write(text, ending="")
            return
        # utf-8-sig on CSV so Excel reads accented names right; JSON stays plain UTF-8.
        out.write_text(text, encoding="utf-8-sig" if file_format == "csv" else "utf-8", newline="")
        self.stdout.write(f"Menu of {location.name} written to {out} ({file_format.upper()}).")
