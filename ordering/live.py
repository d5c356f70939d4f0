"""Every phone at the table sees the same check at once.

pos_bridge hands over what the POS said (a snapshot or a change, already turned into a
CheckState); this module stores it by Version, works out each diner's note and sends the
check, as data, to the table session's group on the channel layer. Each diner's socket
(ordering.consumers) renders that diner's view in the web process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

import msgspec
from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ordering import checks, floor, notices, till
from ordering.checks import CheckState
from ordering.models import WAITING, Batch, BatchState, CheckSupport, TableCheck
from ordering.money import money
from ordering.reasons import describe_batch_problem
from ordering.signals import announce_floor_change
from tables.models import Diner, Table, TableSession
from tables.reads import one_row

log = logging.getLogger("openapp.live")


def group_for(session: TableSession) -> str:
    return group_named(session.public_id)


def group_named(session_public_id: uuid.UUID) -> str:
    return f"table-session.{session_public_id.hex}"


@dataclass
class LineView:
    name: str
    variant: str
    quantity: int
    total: object
    status: str
    details: list[str]
    added_by: str  # "you", "another diner" or "staff"
    price: object = None
    children: list[checks.CheckChild] = field(default_factory=list)
    diner_name: str = ""  # the other diner's name, when they gave one
    owner: int | None = None  # the diner who sent it; None: the table's (staff)


def names_of(diners: list[Diner]) -> dict[str, str]:
    """Diner id (as text, as it travels) → the name they gave, for those who gave one."""
    return {str(diner.pk): diner.name for diner in diners if diner.name}


def sending_lines(
    session: TableSession, state: CheckState | None, waiting_ids: set[str] | None = None
) -> list[checks.CheckLine]:
    """Lines of batches the POS has not answered yet: sent, not on its bill. `waiting_ids`:
    those batches' ids, when the caller read them (people_at): none left, no query."""
    on_the_bill = {line.batch_id for line in state.lines} if state else set()
    if waiting_ids is not None and not waiting_ids - on_the_bill:
        return []
    waiting = Batch.objects.filter(session=session, state__in=WAITING).prefetch_related("lines")
    return [
        checks.CheckLine(
            line_id=f"sent-{line.pk}",
            name=line.name,
            variant=line.variant_name,
            quantity=line.quantity,
            total=line.total(),
            status=checks.LineStatus.SENT,
            details=[m["name"] for m in line.modifiers]
            + ([f"“{line.instruction}”"] if line.instruction else []),
            batch_id=str(batch.pk),
        )
        for batch in waiting.order_by("created_at")
        if str(batch.pk) not in on_the_bill
        for line in batch.lines.all()
    ]


def people_at(session: TableSession) -> tuple[list[Diner], dict[str, int], set[str]]:
    """The session's diners, which of them sent which batch, and the batches the POS has
    not answered yet: one read, a row per diner and batch (a batch's session is its
    diner's). Plain values, not model rows: a long meal is a row per batch, and a push
    reads them all (bench/push_cost.py --batches 60)."""
    rows = (
        Diner.objects.filter(session=session)
        .order_by("joined_at", "id")
        .values_list("id", "name", "batches__id", "batches__state")
    )
    diners: dict[int, Diner] = {}
    owners: dict[str, int] = {}
    waiting: set[str] = set()
    for diner_id, name, batch, state in rows:
        if diner_id not in diners:
            # What a push and a table's view use of a diner.
            diners[diner_id] = Diner(id=diner_id, name=name, session_id=session.pk)
        if batch:
            owners[str(batch)] = diner_id
            if state in WAITING:
                waiting.add(str(batch))
    return list(diners.values()), owners, waiting


def _own_batches_check(session: TableSession) -> CheckState:
    """For a POS without snapshots: the table's accepted batches, as OpenApp sent them."""
    state = CheckState(currency=session.table.location.currency)
    accepted = Batch.objects.filter(session=session, state=BatchState.ACCEPTED).prefetch_related(
        "lines"
    )
    for batch in accepted.order_by("created_at"):
        for line in batch.lines.all():
            state.lines.append(
                checks.CheckLine(
                    line_id=f"{batch.pk}-{line.pk}",
                    name=line.name,
                    variant=line.variant_name,
                    quantity=line.quantity,
                    total=line.total(),
                    details=[m["name"] for m in line.modifiers]
                    + ([f"“{line.instruction}”"] if line.instruction else []),
                    batch_id=str(batch.pk),
                )
            )
    state.amount = money(sum((line.total for line in state.lines), money(0)))
    state.amount_owing = state.amount
    return state


@dataclass
class TableView:
    """What every diner's view of the check is made from: read once, shared by all diners."""

    check: TableCheck
    state: CheckState | None
    owners: dict[str, int]  # batch id -> the diner who sent it
    till_reachable: bool = True
    names: dict[str, str] = field(default_factory=dict)  # diner id -> the name they gave
    sending: list[checks.CheckLine] = field(default_factory=list)  # not answered yet
    diner_ids: list[int] = field(default_factory=list)  # everyone at the table, in order


def table_view(
    session: TableSession, check: TableCheck | None = None, owners: dict[str, int] | None = None
) -> TableView:
    check = check or checks.check_of(session)
    if check.support == CheckSupport.OWN_BATCHES:
        state = _own_batches_check(session)
    else:
        state = checks.state_of(check)
    diners, known_owners, waiting = people_at(session)
    return TableView(
        check,
        state,
        known_owners if owners is None else owners,
        till.reachable(session.table.location_id),
        names=names_of(diners),
        sending=sending_lines(session, state, waiting),
        diner_ids=[diner.pk for diner in diners],
    )


def line_view(line: checks.CheckLine, view: TableView, diner: Diner) -> LineView:
    owner = view.owners.get(line.batch_id or "")
    if line.by_staff or owner is None:
        added_by, owner = "staff", None
    elif owner == diner.pk:
        added_by = "you"
    else:
        added_by = "another diner"
    return LineView(
        name=line.name,
        variant=line.variant,
        quantity=line.quantity,
        total=line.total,
        status=line.status,
        details=line.details,
        added_by=added_by,
        price=line.price,
        children=line.children,
        diner_name=view.names.get(str(owner), "") if added_by == "another diner" else "",
        owner=owner,
    )


def check_context(
    session: TableSession,
    diner: Diner,
    check: TableCheck | None = None,
    view: TableView | None = None,
) -> dict:
    view = view or table_view(session, check)
    state = view.state
    on_the_bill = [line_view(line, view, diner) for line in state.lines] if state else []
    lines = (
        on_the_bill
        + [line_view(line, view, diner) for line in view.sending]
        + [line_view(line, view, diner) for line in (state.removed_lines if state else [])]
    )
    return {
        "session": session,
        "diner": diner,
        "check": view.check,
        "state": state,
        "lines": lines,
        "view": view,
        "your_name": view.names.get(str(diner.pk), ""),
        "currency": (state.currency if state else None) or session.table.location.currency,
        "till_down": "" if view.till_reachable else till.DOWN_MESSAGE,
    }


def render_live(
    session: TableSession,
    diner: Diner,
    notice: str = "",
    view: TableView | None = None,
    *,
    with_check: bool = True,
) -> dict[str, str]:
    """What is pushed to one diner: the check (for the bill page; "" without `with_check`)
    and the rest of the page's live parts (header total, session banner, an optional
    note), as HTML fragments."""
    if not with_check and view is not None:
        # The header's total, the banner and the note need none of the bill's lines.
        context = {
            "session": session,
            "state": view.state,
            "currency": (view.state.currency if view.state else None)
            or session.table.location.currency,
        }
    else:
        context = check_context(session, diner, view=view)
    context["notice"] = notice
    return {
        "check": render_to_string("ordering/_check.html", context) if with_check else "",
        "page": render_to_string("ordering/_live_push.html", context),
    }


def render_notice(notice: str) -> str:
    return render_to_string("ordering/_notice.html", {"notice": notice})


def _broadcast(
    session: TableSession,
    notices_by_diner: dict[int, notices.Note],
    diners: list[Diner] | None = None,
    view: TableView | None = None,
) -> None:
    """Tell every phone at the table what the check is now. The message carries data, not
    HTML: each phone's socket renders its own view in the web process (render_for), so the
    bridge that calls this renders nothing."""
    layer = get_channel_layer()
    # The staff's floor page shows the table afresh. Outside a transaction its announcement
    # goes with the table's message, in one trip to the channel layer; inside one it waits
    # for the commit, as the floor socket reads the table's row itself.
    floor_now = layer is not None and not transaction.get_connection().in_atomic_block
    if not floor_now:
        announce_floor_change(session.pk, session.table_id, session.table.location_id)
    if layer is None:
        return
    view = view or table_view(session)
    message = {
        "type": "check.update",
        "id": uuid.uuid4().hex,
        "check": {
            "version": view.check.version,
            "support": view.check.support,
            "problem": view.check.problem,
        },
        "state": view.state.to_json() if view.state else None,
        "owners": view.owners,
        "names": view.names,
        "sending": [msgspec.to_builtins(line) for line in view.sending],
        "diner_ids": view.diner_ids,
        "till_reachable": view.till_reachable,
        "session_open": session.is_open,
        "notices": {str(diner): notice for diner, notice in notices_by_diner.items() if notice},
    }
    table = group_for(session), message
    if floor_now:
        async_to_sync(_send_with_floor)(
            layer, table, floor.announcement(session.table_id, session.table.location_id)
        )
    else:
        async_to_sync(layer.group_send)(*table)


async def _send_with_floor(
    layer: BaseChannelLayer, table: tuple[str, dict], floor_news: tuple[str, dict]
) -> None:
    """Both sends at once; the floor is a view, so its failure never stops the table's."""
    sent, floor_sent = await asyncio.gather(
        layer.group_send(*table), layer.group_send(*floor_news), return_exceptions=True
    )
    if isinstance(floor_sent, Exception):
        log.error(
            "floor: could not announce table %s", floor_news[1]["table_ids"], exc_info=floor_sent
        )
    if isinstance(sent, BaseException):
        raise sent


# Phones of one table in one process share renders: the view differs only in which lines
# are the diner's own, in the diner's note and in the phone's language.
_renders: OrderedDict[tuple[str, frozenset[str] | None, str, str, bool], dict[str, str]] = (
    OrderedDict()
)
_RENDERS_KEPT = 512


def view_of_message(message: dict, check: TableCheck, state: CheckState | None) -> TableView:
    return TableView(
        check,
        state,
        message["owners"],
        message["till_reachable"],
        names=message.get("names", {}),
        sending=msgspec.convert(message.get("sending", []), list[checks.CheckLine]),
        diner_ids=message.get("diner_ids", []),
    )


def render_for(
    session: TableSession,
    diner: Diner,
    message: dict,
    language: str = settings.LANGUAGE_CODE,
    *,
    with_check: bool = True,
) -> dict[str, str]:
    """One diner's HTML for a check.update message, in the phone's language (in the web
    process, no database). Without `with_check` (a page that does not show the bill) the
    check's part is "" and not rendered."""
    if not message["session_open"] and session.closed_at is None:
        session.closed_at = timezone.now()
    owners = message["owners"]
    note = message["notices"].get(str(diner.pk), [])
    # The page's parts do not depend on which lines are the diner's own.
    theirs = None
    if with_check:
        theirs = frozenset(batch for batch, owner in owners.items() if owner == diner.pk)
    key = (message["id"], theirs, json.dumps(note), language, with_check)
    if key not in _renders:
        check = checks.of_session(TableCheck(session_id=session.pk, **message["check"]), session)
        state = CheckState.from_json(message["state"]) if message["state"] else None
        view = view_of_message(message, check, state)
        with translation.override(language):
            _renders[key] = render_live(
                session, diner, notices.words(note), view, with_check=with_check
            )
        while len(_renders) > _RENDERS_KEPT:
            _renders.popitem(last=False)
    return _renders[key]


@dataclass(frozen=True)
class BatchMove:
    """What the table's phones are told of a batch that moved."""

    state: str
    diner_id: int
    rejection_reason: str
    session_public_id: uuid.UUID
    # The accepted batch took the diner's order note with it: the basket's note field
    # empties, so the basket is rendered again rather than the batch's head alone.
    note_taken: bool = False


def batch_moved(
    batch_id: uuid.UUID, moved: BatchMove | None = None, *, floor_at: tuple[int, int] | None = None
) -> None:
    """A batch moved (sent, accepted, rejected, failed, unconfirmed, taken back): tell the
    table's phones, as data, once. The consumer of the diner who sent it re-renders that
    diner's basket; the check's own changes still come as check.update. `moved`: what the
    caller read in the transaction that moved it (else it is read here). `floor_at`: the
    table and location whose row the floor page shows afresh, told in the same trip to the
    channel layer."""
    layer = get_channel_layer()
    if layer is None:
        return
    if moved is None:
        row = (
            Batch.objects.filter(pk=batch_id)
            .values("state", "diner_id", "rejection_reason", "session__public_id")
            .first()
        )
        if row is None:
            return
        moved = BatchMove(
            row["state"], row["diner_id"], row["rejection_reason"], row["session__public_id"]
        )
    reason = moved.rejection_reason
    message = {
        "type": "batch.update",
        "batch": str(batch_id),
        "state": moved.state,
        "diner": moved.diner_id,
        "problem": describe_batch_problem(reason) if reason else "",
        "note_taken": moved.note_taken,
    }
    table = group_named(moved.session_public_id), message
    if floor_at is None:
        async_to_sync(layer.group_send)(*table)
    else:
        async_to_sync(_send_with_floor)(layer, table, floor.announcement(*floor_at))


def _notices(
    change_type: str,
    line_ids: list[str],
    update: checks.CheckUpdate,
    diners: list[Diner],
    owners: dict[str, int],
) -> dict[int, notices.Note]:
    result = {}
    for diner in diners:
        mine = {batch for batch, owner in owners.items() if owner == diner.pk}
        result[diner.pk] = notices.note_for(
            change_type, line_ids, update.before, update.after, mine
        )
    return result


# A table has one open session at most (tables.models: one_open_session_per_table).


def open_session_at(location_id: int, pos_table_id: str) -> TableSession | None:
    sessions = TableSession.objects.select_related("table__location").filter(
        table__location_id=location_id, table__pos_table_id=pos_table_id, closed_at__isnull=True
    )
    return one_row(sessions)


def open_check_at(location_id: int, pos_table_id: str) -> TableCheck | None:
    """The open session's check at this table, with the session, its table and location."""
    checks_here = TableCheck.objects.select_related("session__table__location").filter(
        session__table__location_id=location_id,
        session__table__pos_table_id=pos_table_id,
        session__closed_at__isnull=True,
    )
    return one_row(checks_here)


@dataclass
class Seated:
    """The open session at a table and what a push needs of it (seated_at)."""

    session: TableSession  # with its table and location
    check: TableCheck | None  # None: the session has none yet
    diners: list[Diner]
    owners: dict[str, int]  # batch id -> the diner who sent it
    waiting: set[str]  # batches the POS has not answered yet


def seated_at(location_id: int, pos_table_id: str) -> Seated | None:
    """The open session at the table with its check, then its diners with their batches
    (people_at): two reads. The second has a row per diner and batch, so it brings only
    the diner's name and the batch's id and state; the check (its whole state,
    decoded) and the session come once, in the first (bench/push_cost.py --batches 20: a
    long meal)."""
    check = open_check_at(location_id, pos_table_id)
    session = check.session if check else open_session_at(location_id, pos_table_id)
    if session is None:
        return None
    return Seated(session, check, *people_at(session))


def change_arrived(
    location_id: int,
    pos_table_id: str,
    version: int,
    change_type: str,
    line_ids: list[str],
    state: CheckState | None,
    connection: int = 0,
) -> bool:
    """The POS pushed a change (or answered a batch with the whole check), on the POS
    connection opened at `connection` (checks.apply_change)."""
    seated = seated_at(location_id, pos_table_id)
    if seated is None:
        log.info("change for table %s with no open session: ignored", pos_table_id)
        return False
    session = seated.session
    if state is not None and not state.currency:
        state.currency = session.table.location.currency
    update = checks.apply_change(session.pk, version, state, seated.check, connection)
    if not update.applied:
        return False
    if update.gap:
        checks.want_refresh(session)
    # A closed order this session never held (the last party's) closes nothing.
    closed_here = update.after is not None and update.after.is_closed
    last_partys = state is not None and update.after is None
    closing = closed_here or (change_type == checks.ChangeType.ORDER_CLOSED and not last_partys)
    if closing:
        session.close()
        session.refresh_from_db()
    diners, owners = seated.diners, seated.owners
    view = None
    if update.check is not None and update.check.support != CheckSupport.OWN_BATCHES:
        view = TableView(
            update.check,
            update.after,
            owners,
            till.reachable(session.table.location_id),
            names=names_of(diners),
            sending=sending_lines(session, update.after, seated.waiting),
            diner_ids=[diner.pk for diner in diners],
        )
    _broadcast(session, _notices(change_type, line_ids, update, diners, owners), diners, view)
    log.info("table %s: %s applied at version %s", pos_table_id, change_type, version)
    return True


def snapshot_arrived(
    session_id: int, version: int, state: CheckState | None, connection: int = 0
) -> None:
    update = checks.apply_snapshot(session_id, version, state, connection)
    if not update.applied:
        return
    session = TableSession.objects.select_related("table__location").get(pk=session_id)
    if update.after is not None and update.after.is_closed and session.closed_at is None:
        # The order this session held closed while no push could tell us (a reconnect).
        session.close()
        session.refresh_from_db()
    _broadcast(session, {})


def batch_written(session: TableSession) -> None:
    """A batch was written: the phones on the bill page show its lines as sent (they read
    the batch themselves; the others ignore this)."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_for(session), {"type": "batch.written"})


def name_changed(session: TableSession) -> None:
    """A diner gave or changed their name: every phone at the table shows it beside their lines."""
    _broadcast(session, {})


def snapshot_refused(session_id: int, support: str, problem: str) -> None:
    checks.record_unavailable(session_id, support, problem)
    _broadcast(TableSession.objects.select_related("table__location").get(pk=session_id), {})


def till_changed(location_id: int, reachable_until: datetime | None) -> None:
    """The bridge's word on the till (None: not connected); every open table hears of a flip."""
    if not till.set_reachable_until(location_id, reachable_until):
        return
    for session in TableSession.objects.filter(
        table__location_id=location_id, closed_at__isnull=True
    ).select_related("table__location"):
        _broadcast(session, {})


def code_rotated(sender: object, table: Table, **kwargs: object) -> None:
    """tables.signals.table_code_rotated: each open socket at the table checks whether its
    phone still holds the table's code, and if not tells it to scan again and closes."""
    session = TableSession.objects.filter(table=table, closed_at__isnull=True).first()
    if session is not None:
        async_to_sync(get_channel_layer().group_send)(group_for(session), {"type": "code.rotated"})
