"""The JOINs of the reads written as SQL (openapp_site.rows): from a row's table session
to its table and location, always as `s`, `t` and `l`."""

from __future__ import annotations

from openapp_site import rows
from tables.models import Location, Table, TableSession


def table_and_location() -> str:
    """From a table session `s`: its table `t` and location `l`."""
    return (
        f" JOIN {rows.table(Table)} t ON t.id = s.table_id"
        f" JOIN {rows.table(Location)} l ON l.id = t.location_id"
    )


def session_table_and_location(alias: str) -> str:
    """From a row `alias` with a session_id: its session `s`, table `t` and location `l`."""
    return f" JOIN {rows.table(TableSession)} s ON s.id = {alias}.session_id" + table_and_location()
