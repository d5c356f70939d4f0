"""The floor: every table of a location as its staff see it, kept live.

What a row shows is read here as plain data (free or visit open, diners, the bill from the
stored check, the latest batch, batches that need someone's attention and why). When a
batch moves, the check changes or a diner arrives, ordering announces it
(signals.floor_changed) and `table_changed` sends the table's row, as data, to the
location's floor group on the channel layer. The staff socket (ordering.staff_consumers)
renders it in the web process; the bridge that caused it renders nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.timezone import localtime

from ordering import checks
from ordering.models import Batch, BatchState, CheckSupport, TableCheck
from ordering.money import format_money, money
from ordering.reasons import Reason, pos_answer
from tables.models import Table, TableSession

log = logging.getLogger("openapp.floor")

# Batches someone should look at: still waiting for the POS, or ended without an order.
ATTENTION_STATES = [
    BatchState.PENDING,
    BatchState.SENT,
    BatchState.FAILED,
    BatchState.REJECTED,
    BatchState.UNCONFIRMED,
]


def group_for_location(location_id: int) -> str:
    return f"floor.{location_id}"


def batch_answer(batch: Batch) -> str:
    """The POS's answer in a manager's words; a batch not yet answered says why."""
    if batch.state == BatchState.PENDING:
        return "Queued: not sent to the POS yet"
    if batch.state == BatchState.SENT:
        return f"Sent, waiting for the POS's answer (attempt {batch.attempts})"
    if batch.state == BatchState.FAILED and batch.rejection_reason in Reason.values:
        return f"Never reached the POS: {Reason(batch.rejection_reason).label.lower()}"
    if batch.state == BatchState.UNCONFIRMED:
        return "Sent, never answered: ask the POS whether it holds this order"
    return pos_answer(batch)


def batch_data(batch: Batch) -> dict[str, Any]:
    return {
        "id": str(batch.pk),
        "short": str(batch.pk)[:8],
        "request_id": str(batch.request_id),
        "state": batch.state,
        "state_label": BatchState(batch.state).label,
        "answer": batch_answer(batch),
        "at": f"{localtime(batch.created_at):%H:%M:%S}",
        "handled": batch.handled_at is not None,
    }


def bill_of(session: TableSession, check: TableCheck | None) -> tuple[str, str]:
    """The bill so far from the stored check, and what is wrong with it if anything."""
    currency = session.table.location.currency
    if check is None:
        return "", "No check from the POS yet"
    if check.support == CheckSupport.OWN_BATCHES:
        total = money(
            sum(
                (
                    batch.total()
                    for batch in session.batches.filter(state=BatchState.ACCEPTED).prefetch_related(
                        "lines"
                    )
                ),
                money(0),
            )
        )
        return format_money(total, currency), "From accepted batches (the POS gives no check)"
    state = checks.state_of(check)
    if state is None:
        return "", check.problem or "No check from the POS yet"
    # What the diners owe, as their bill page shows it (after discounts, taxes, service).
    bill = format_money(state.amount_owing, state.currency or currency)
    return bill, check.problem or ("Closed at the till" if state.is_closed else "")


def table_rows(location_id: int, table_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The floor's rows, one per table, in the tables' order."""
    tables = Table.objects.filter(location_id=location_id).select_related("location")
    if table_ids is not None:
        tables = tables.filter(pk__in=table_ids)
    sessions = {
        session.table_id: session
        for session in TableSession.objects.filter(table__in=tables, closed_at__isnull=True)
        .select_related("table__location")
        .annotate(diner_count=Count("diners"))
    }
    held = {c.session_id: c for c in TableCheck.objects.filter(session__in=sessions.values())}
    rows = []
    for table in tables:
        row: dict[str, Any] = {
            "table_id": table.pk,
            "location_id": location_id,
            "name": table.name,
            "pos_table_id": table.pos_table_id,
            "open": False,
            "diners": 0,
            "bill": "",
            "bill_problem": "",
            "latest": None,
            "attention": [],
        }
        session = sessions.get(table.pk)
        if session is not None:
            row["bill"], row["bill_problem"] = bill_of(session, held.get(session.pk))
            batches = list(session.batches.order_by("-created_at"))
            needing = [b for b in batches if b.state in ATTENTION_STATES and b.handled_at is None]
            row.update(
                open=True,
                session_id=session.pk,
                opened_at=f"{localtime(session.opened_at):%H:%M}",
                diners=session.diner_count,
                latest=batch_data(batches[0]) if batches else None,
                attention=[batch_data(b) for b in needing],
            )
        rows.append(row)
    return rows


def render_rows(rows: list[dict[str, Any]]) -> str:
    """The rows as the floor page's HTML (in the web process)."""
    return "".join(render_to_string("admin/ordering/floor/_table.html", {"row": r}) for r in rows)


def announcement(table_id: int, location_id: int) -> tuple[str, dict[str, Any]]:
    """The group and message that tell a location's floor sockets which table changed."""
    return group_for_location(location_id), {"type": "floor.update", "table_ids": [table_id]}


def table_changed(
    sender: Any = None,
    session_id: int | None = None,
    table_id: int | None = None,
    location_id: int | None = None,
    **kwargs: Any,
) -> None:
    """Tell the location's floor sockets which table changed. Only its ids travel: the floor
    sockets, in the web processes and only when someone watches, read the row themselves,
    so a push or a batch costs the bridge at most one read by primary key here (none when
    the caller knew the table and location), not the row's."""
    layer = get_channel_layer()
    if layer is None or session_id is None:
        return
    try:
        if table_id is None or location_id is None:
            table_id, location_id = TableSession.objects.values_list(
                "table_id", "table__location_id"
            ).get(pk=session_id)
        async_to_sync(layer.group_send)(*announcement(table_id, location_id))
    except Exception:
        # The floor is a view: a failure to show it never stops an order moving.
        log.exception("floor: could not announce session %s", session_id)


def diner_arrived(sender: Any, session: TableSession, **kwargs: Any) -> None:
    table_changed(session_id=session.pk)
