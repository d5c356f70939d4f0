"""Import a location's menu from a JSON or CSV file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ordering.menu_files import FORMATS, guess_format, import_menu_file
from ordering.menu_import import MenuImportError
from tables.models import Location


class Command(BaseCommand):
    help = (
        "Import a location's menu. JSON is the whole menu (products missing from it are made "
        "unavailable); CSV updates or adds the products it lists. Nothing changes if any of "
        "the file is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The menu file, or - to read standard input")
        parser.add_argument("--location", required=True, help="The location's slug, e.g. demo")
        parser.add_argument(
            "--format", choices=FORMATS, help="json or csv (default: from the file name)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        location = Location.objects.filter(slug=options["location"]).first()
        if location is None:
            raise CommandError(f"No location {options['location']!r}.")
        name = options["file"]
        file_format = options["format"] or guess_format(name)
        if file_format is None:
            raise CommandError("Give --format json or --format csv: the file name doesn't say.")
        try:
            content = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}") from None
        try:
            result = import_menu_file(location, content, file_format)
        except MenuImportError as error:
            raise CommandError(
                "The menu was not imported; nothing changed.\n"
                + "\n".join(f"  {message}" for message in error.errors)
            ) from None
        if result.changed:
            self.stdout.write(f"Menu of {location.name} imported: {result.summary()}")
        else:
            self.stdout.write(f"The file matches the menu of {location.name}: nothing changed.")
