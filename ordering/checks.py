"""The table's check as the POS last told it: stored by Version, never computed here.

pos_bridge turns the POS's Order into a CheckState; this module keeps the newest one per
table session. A push applies only when its Version is newer than the one held; a gap
of more than one keeps the push (it is whole) and asks for a fresh snapshot to be sure.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
from django.db import transaction
from django.utils import timezone

from ordering.models import CheckSupport, TableCheck
from ordering.signals import REFRESH, announce_till_work
from tables.models import TableSession

log = logging.getLogger("openapp.checks")


class ChangeType(enum.StrEnum):
    """Why the check changed: the seed's change reasons, as the POS names them on the wire."""

    ITEMS_ADDED = "ITEMS_ADDED"  # by a waiter, or an accepted batch
    ITEMS_CANCELLED = "ITEMS_CANCELLED"
    ITEMS_DELIVERED = "ITEMS_DELIVERED"
    DISCOUNT_APPLIED = "DISCOUNT_APPLIED"
    LINES_REMOVED = "LINES_REMOVED"
    ORDER_CLOSED = "ORDER_CLOSED"


class LineStatus:
    SENT = "sent"  # in a batch of ours the POS has not answered yet: not on its bill
    ORDERED = "ordered"  # on the POS's order: accepted
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REMOVED = "removed"  # was on this check, and the POS took it off (LINES_REMOVED)


class CheckChild(msgspec.Struct, kw_only=True):
    """A modifier or an instruction under a line, with what the POS charges for it."""

    name: str
    quantity: int = 1
    price: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    instruction: bool = False


class CheckLine(msgspec.Struct, kw_only=True):
    line_id: str
    name: str
    quantity: int
    total: Decimal  # the line's and its children's, as the POS charges them
    status: str = LineStatus.ORDERED
    variant: str = ""
    price: Decimal | None = None  # the POS's unit price, without the children
    children: list[CheckChild] = []
    details: list[str] = []  # modifiers and instructions
    by_staff: bool = False
    batch_id: str | None = None  # the OpenApp batch the line came from
    # The POS's identifiers for the line (ordering.identifiers offers them in the admin).
    plu: str = ""
    sales_modifier: str = ""
    child_plus: dict[str, str] = {}  # the child products' PLUs and names


class CheckAdjustment(msgspec.Struct, kw_only=True):
    name: str
    amount: Decimal


class CheckTax(msgspec.Struct, kw_only=True):
    name: str
    amount: Decimal
    rate: Decimal | None = None  # percent, as the POS gives it (10.000 is 10%)
    added_on_top: bool = False


class CheckState(msgspec.Struct, kw_only=True):
    """The check as stored (TableCheck.state, JSON) and pushed to phones: one schema."""

    currency: str
    lines: list[CheckLine] = []
    adjustments: list[CheckAdjustment] = []
    taxes: list[CheckTax] = []
    service_charge: Decimal | None = None
    amount: Decimal = Decimal("0.00")
    amount_owing: Decimal = Decimal("0.00")
    is_closed: bool = False
    order_number: str = ""
    order_id: str = ""  # the POS's SalesTransactionID: which check this is
    # Lines the POS took off this check since we first held it: the protocol's Order drops
    # them, so they are known only by comparing with the check held before (kept to show).
    removed_lines: list[CheckLine] = []

    def to_json(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)  # money as its digits, in strings

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckState:
        return msgspec.convert(data, cls)

    def line(self, line_id: str) -> CheckLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)


@dataclass
class CheckUpdate:
    """What applying a snapshot or a change did."""

    applied: bool
    before: CheckState | None = None
    after: CheckState | None = None
    gap: bool = False
    check: TableCheck | None = None  # as stored afterwards


def check_of(session: TableSession) -> TableCheck:
    """The session's check (made empty if there is none yet); read for every diner page."""
    return of_session(TableCheck.objects.get_or_create(session_id=session.pk)[0], session)


def of_session(check: TableCheck, session: TableSession) -> TableCheck:
    """`check` knowing its session, the session not knowing its check. `check.session =
    session` would cache the check on the session too (a one-to-one's reverse side), and a
    diner's socket keeps its session while it is open: with the check's whole state, 10 kB
    a phone (docs/performance.md, round 4)."""
    TableCheck.session.field.set_cached_value(check, session)
    return check


def state_of(check: TableCheck) -> CheckState | None:
    return CheckState.from_json(check.state) if check.state else None


def has_snapshot(session: TableSession) -> bool:
    return TableCheck.objects.filter(session=session, refreshed_at__isnull=False).exists()


def want_refresh(session: TableSession) -> None:
    """Ask the bridge for a fresh snapshot of this table (one request per table)."""
    TableCheck.objects.get_or_create(session=session)
    TableCheck.objects.filter(session=session).update(refresh_wanted_at=timezone.now())
    announce_till_work(REFRESH)


def _order_id(state: CheckState | None) -> str:
    return state.order_id if state else ""


def _verdict(check: TableCheck, version: int, state: CheckState | None, connection: int) -> str:
    """Whether what the POS said is newer than the check held (docs/pos-protocol.md §6).

    Versions order messages only within one connection and one check: an answer on a newer
    connection, or about another order (SalesTransactionID), replaces what is held, whatever
    its Version. "replace", "newer", "same" (a duplicate) or "older" (late, or from a
    connection already replaced).
    """
    if connection > check.connection:
        return "replace"
    if connection < check.connection:
        return "older"
    if state is not None and state.order_id != _order_id(state_of(check)):
        return "replace"
    if version > check.version:
        return "newer"
    return "same" if version == check.version else "older"


def carry_removed(held: CheckState | None, state: CheckState | None) -> CheckState | None:
    """A removed line disappears from the POS's Order (protocol §7): a line of the same
    check that was held and is gone now was removed, and stays shown as such."""
    if state is None or held is None or held.order_id != state.order_id:
        return state
    removed = [line for line in held.removed_lines if state.line(line.line_id) is None]
    known = {line.line_id for line in removed}
    for line in held.lines:
        if line.line_id.startswith("#") or line.line_id in known:
            continue  # "#n": a POS that gives no LineIDs cannot say which line went
        if state.line(line.line_id) is None:
            removed.append(msgspec.structs.replace(line, status=LineStatus.REMOVED))
    state.removed_lines = removed
    return state


def _not_before_this_session(
    state: CheckState | None, held: CheckState | None
) -> CheckState | None:
    """A closed order the session never held is the last party's: for this session the table
    has no open check yet."""
    if state is not None and state.is_closed and _order_id(held) != state.order_id:
        return None
    return state


def apply_snapshot(
    session_id: int, version: int, state: CheckState | None, connection: int = 0
) -> CheckUpdate:
    """A snapshot is the POS's whole truth at `version`: it replaces anything older, and
    anything counted on an older connection or about another order."""
    with transaction.atomic():
        check, _ = TableCheck.objects.select_for_update().get_or_create(session_id=session_id)
        before = state_of(check)
        state = carry_removed(before, _not_before_this_session(state, before))
        verdict = _verdict(check, version, state, connection)
        if verdict == "older":
            log.info("session %s: ignored a snapshot older than the check held", session_id)
            return CheckUpdate(applied=False, before=before, after=before)
        if verdict == "replace" and check.version >= 0:
            log.info(
                "session %s: the POS's answer replaces the check held (version %s → %s)",
                session_id,
                check.version,
                version,
            )
        check.version = version
        check.connection = connection
        check.state = state.to_json() if state else None
        check.support = CheckSupport.LIVE
        check.problem = ""
        check.refreshed_at = timezone.now()
        check.save()
    return CheckUpdate(applied=True, before=before, after=state, check=check)


def apply_change(
    session_id: int,
    version: int,
    state: CheckState | None,
    check: TableCheck | None = None,
    connection: int = 0,
) -> CheckUpdate:
    """A pushed change: newer applies; a duplicate or a late one is ignored. `check` is the
    session's check if the caller has just read it."""
    while True:
        if check is None:
            check, _ = TableCheck.objects.get_or_create(session_id=session_id)
        before = state_of(check)
        state = carry_removed(before, _not_before_this_session(state, before))
        verdict = _verdict(check, version, state, connection)
        if verdict in ("same", "older"):
            return CheckUpdate(applied=False, before=before, after=before)
        gap = verdict == "newer" and check.version >= 0 and version > check.version + 1
        changes: dict[str, object] = {
            "version": version,
            "connection": connection,
            "updated_at": timezone.now(),  # when the POS last said what the check is
        }
        if state is not None or verdict == "replace":
            changes["state"] = state.to_json() if state else None
        if gap:
            changes["refresh_wanted_at"] = timezone.now()
        # Compare-and-set on what was read: of two writers, the second reads again.
        if TableCheck.objects.filter(
            pk=check.pk, version=check.version, connection=check.connection
        ).update(**changes):
            for name, value in changes.items():
                setattr(check, name, value)
            break
        check = None
    if gap:
        log.info("session %s: missed changes before version %s; refreshing", session_id, version)
    after = state if state or verdict == "replace" else before
    return CheckUpdate(applied=True, before=before, after=after, gap=gap, check=check)


def record_unavailable(session_id: int, support: str, problem: str) -> None:
    TableCheck.objects.update_or_create(
        session_id=session_id,
        defaults={"support": support, "problem": problem[:300], "refreshed_at": timezone.now()},
    )
