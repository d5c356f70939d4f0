"""Write a location's table QR codes: an SVG and a PNG per table, and the printable sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tables.models import Location
from tables.qr import (
    NoBaseUrl,
    file_stem,
    public_base_url,
    qr_png,
    qr_svg,
    table_label,
    table_url,
)
from tables.qr_sheet import PAPER_SIZES, qr_sheet_pdf, sheet_filename


class Command(BaseCommand):
    help = (
        "Write every table's QR code of a location as SVG and PNG, and the printable "
        "sheet as PDF (A4 and Letter), into a folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--location", required=True, help="The location's slug, e.g. demo")
        parser.add_argument("--out", required=True, type=Path, help="Folder to write into")
        parser.add_argument(
            "--base-url",
            default="",
            help="The address the codes open, e.g. https://order.example.com "
            "(default: PUBLIC_BASE_URL)",
        )
        parser.add_argument(
            "--paper",
            choices=[*PAPER_SIZES, "both"],
            default="both",
            help="Paper size of the PDF sheet (default: both)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        location = Location.objects.filter(slug=options["location"]).first()
        if location is None:
            known = ", ".join(Location.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No location {options['location']!r} (locations: {known}).")
        try:
            base_url = options["base_url"].rstrip("/") or public_base_url()
        except NoBaseUrl as error:
            raise CommandError(str(error)) from None
        if not base_url.startswith(("https://", "http://")):
            raise CommandError(f"--base-url must start with https:// or http://, not {base_url!r}")
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        tables = list(location.tables.select_related("location").order_by("position", "name"))
        used: set[str] = set()
        for table in tables:
            stem = file_stem(table)
            if stem in used:
                stem = f"{stem}-{table.pos_table_id}"
            used.add(stem)
            url = table_url(table, base_url)
            (out / f"{stem}.svg").write_bytes(qr_svg(url, table_label(table)))
            (out / f"{stem}.png").write_bytes(qr_png(url, label=table_label(table)))
        papers = list(PAPER_SIZES) if options["paper"] == "both" else [options["paper"]]
        for paper in papers:
            pdf = qr_sheet_pdf(tables, base_url, paper, title=f"QR codes for {location.name}")
            (out / sheet_filename(location, paper)).write_bytes(pdf)
        self.stdout.write(
            f"{len(tables)} table QR codes for {location.name} ({base_url}) written to {out}: "
            f"SVG and PNG per table, PDF sheet ({', '.join(papers)})."
        )
