"""TableOrderSnapshot and TableOrderSnapshotChanged (protocol §5–§7): the POS's check.

The POS's Order becomes ordering's CheckState here, so ordering never reads the wire.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ordering import live
from ordering.checks import CheckAdjustment, CheckChild, CheckLine, CheckState, CheckTax
from ordering.models import CheckSupport, TableCheck
from ordering.money import money
from pos_bridge import protocol
from pos_bridge.client import PosClient
from tables.models import TableSession

log = logging.getLogger("openapp.snapshots")


def _line(product: protocol.Product, index: int) -> CheckLine:
    children = product.child_products or []
    total = money(product.total_amount or 0) + sum(
        (money(child.total_amount or 0) for child in children), Decimal("0")
    )
    details = [
        f"“{child.name}”" if child.product_type == protocol.ProductType.INSTRUCTION else child.name
        for child in children
        if child.name
    ]
    status = (product.status or protocol.LineStatus.ORDERED).lower()
    if status == "cancelled":
        total = Decimal("0.00")
    return CheckLine(
        line_id=product.line_id or f"#{index}",
        name=product.name or "Item",
        variant=product.sales_modifier_name or "",
        quantity=product.quantity,
        total=money(total),
        status=status,
        price=money(product.price or 0),
        children=[
            CheckChild(
                name=child.name,
                quantity=child.quantity,
                price=money(child.price or 0),
                total=money(child.total_amount or 0),
                instruction=child.product_type == protocol.ProductType.INSTRUCTION,
            )
            for child in children
            if child.name
        ],
        details=details,
        by_staff=product.source == protocol.LineSource.POS,
        batch_id=product.provider_order_id or None,
        plu=product.plu_identifier or "",
        sales_modifier=product.sales_modifier_identifier or "",
        child_plus={
            child.plu_identifier: child.name or ""
            for child in children
            if child.plu_identifier and child.product_type != protocol.ProductType.INSTRUCTION
        },
    )


def check_state(order: protocol.Order | None, currency: str) -> CheckState | None:
    if order is None:
        return None
    return CheckState(
        currency=order.currency_code or currency,
        lines=[_line(product, i) for i, product in enumerate(order.products or [])],
        adjustments=[
            CheckAdjustment(name=a.name or "Adjustment", amount=money(a.amount or 0))
            for a in order.adjustments or []
        ],
        taxes=[
            CheckTax(
                name=t.name or "Tax",
                amount=money(t.amount or 0),
                rate=Decimal(t.tax_rate) if isinstance(t.tax_rate, Decimal) else None,
                added_on_top=bool(t.is_add_on_tax),
            )
            for t in order.taxes or []
        ],
        service_charge=(
            money(order.remaining_service_charge_amount)
            if order.remaining_service_charge_amount is not None
            else None
        ),
        amount=money(order.amount),
        amount_owing=money(order.amount_owing),
        is_closed=bool(order.is_closed),
        order_number=order.order_number_opened or "",
        order_id=order.sales_transaction_id or "",
    )


@dataclass(frozen=True)
class WantedSnapshot:
    session_id: int
    location_id: int
    pos_table_id: str
    service_mode_id: str
    currency: str
    wanted_at: object


def wanted_snapshots(location_ids: list[int]) -> list[WantedSnapshot]:
    """Open sessions whose check someone asked to refresh, one per table."""
    if not location_ids:
        return []
    wanted = (
        TableCheck.objects.filter(
            refresh_wanted_at__isnull=False,
            session__closed_at__isnull=True,
            session__table__location_id__in=location_ids,
        )
        .select_related("session__table__location")
        .order_by("refresh_wanted_at")[:100]
    )
    return [
        WantedSnapshot(
            session_id=check.session_id,
            location_id=check.session.table.location_id,
            pos_table_id=check.session.table.pos_table_id,
            service_mode_id=check.session.table.location.table_service_mode_id,
            currency=check.session.table.location.currency,
            wanted_at=check.refresh_wanted_at,
        )
        for check in wanted
    ]


def refresh_done(session_id: int, wanted_at: object) -> None:
    # A request that came in while this one was under way stays wanted.
    TableCheck.objects.filter(session_id=session_id, refresh_wanted_at__lte=wanted_at).update(
        refresh_wanted_at=None
    )


def want_all_open(location_id: int) -> int:
    """After a reconnect the POS has forgotten our streams: every open table asks again."""
    sessions = TableSession.objects.filter(table__location_id=location_id, closed_at__isnull=True)
    for session in sessions:
        TableCheck.objects.get_or_create(session=session)
    return TableCheck.objects.filter(session__in=sessions).update(refresh_wanted_at=timezone.now())


async def request_snapshot(
    client: PosClient, wanted: WantedSnapshot, timeout: float
) -> tuple[protocol.Response, int]:
    """The POS's answer, and the connection it came on (PosClient.ask)."""
    return await client.ask(
        protocol.MessageType.TABLE_SNAPSHOT,
        protocol.SnapshotRequest(
            service_mode_id=wanted.service_mode_id, service_mode_entity_id=wanted.pos_table_id
        ),
        timeout=timeout,
    )


def record_snapshot(
    wanted: WantedSnapshot, response: protocol.Response, connection: int = 0
) -> None:
    """Store what the POS answered to a snapshot request and tell the table's phones."""
    payload = response.payload
    if response.result_code == protocol.ResultCode.SUCCESS and isinstance(
        payload, protocol.SnapshotResult
    ):
        live.snapshot_arrived(
            wanted.session_id,
            payload.version,
            check_state(payload.order, wanted.currency),
            connection,
        )
    elif response.result_code == protocol.ResultCode.UNSUPPORTED:
        log.warning("POS has no snapshots: table %s's check falls back", wanted.pos_table_id)
        live.snapshot_refused(wanted.session_id, CheckSupport.OWN_BATCHES, "")
    else:
        problem = response.error_message or f"ResultCode {response.result_code}"
        log.warning("POS refused table %s's snapshot: %s", wanted.pos_table_id, problem)
        live.snapshot_refused(wanted.session_id, CheckSupport.UNAVAILABLE, problem)
    refresh_done(wanted.session_id, wanted.wanted_at)


class Applied:
    """The newest Version this worker has applied of each table's check, per POS connection
    and SalesTransactionID. A push at or below it is a duplicate or a late one (protocol §6)
    and is dropped without a read of the database: the POS answers an accepted batch with
    the whole check and also pushes that change (ITEMS_ADDED, the same Version), and only
    the first of the two to arrive is news. Only the worker holding a connection hears it,
    so what this worker applied is what the database holds for that connection.

    The two arrive together (a POS sends the push before or after the answer), so each is
    applied in its table's turn (`apply_in_turn`): the second waits for the first to be
    applied and noted, and is then not news, where it would otherwise read the check again
    alongside."""

    KEPT = 10_000  # tables × connections; forgotten all at once past this (a reconnect storm)

    def __init__(self) -> None:
        self._newest: dict[tuple[int, str, int], tuple[str, int]] = {}
        self._turns: dict[tuple[int, str, int], asyncio.Lock] = {}

    async def apply_in_turn(
        self,
        where: tuple[int, str, int, Any, int | None],
        apply: Callable[[bool], Awaitable[bool]],
    ) -> None:
        """Apply a change to a table's check, `where` (location, table, connection, order,
        Version), after any other change to it under way: `apply(news)` is told whether it
        is news, and answers whether it applied it, which is then noted."""
        async with self._turn(*where[:3]):
            if await apply(not self.is_old(*where)):
                self.note(*where)

    def _turn(self, location_id: int, table: str, connection: int) -> asyncio.Lock:
        """Held while a change to this table's check, from this connection, is applied."""
        key = (location_id, table, connection)
        lock = self._turns.get(key)
        if lock is None:
            if len(self._turns) >= self.KEPT:
                # Locks no one holds or waits for; one held now still guards its holder.
                self._turns = {k: v for k, v in self._turns.items() if v.locked()}
            lock = self._turns[key] = asyncio.Lock()
        return lock

    def is_old(
        self, location_id: int, table: str, connection: int, order: Any, version: int | None
    ) -> bool:
        transaction = getattr(order, "sales_transaction_id", None)
        if not transaction or version is None:
            return False
        newest = self._newest.get((location_id, table, connection))
        return newest is not None and newest[0] == transaction and version <= newest[1]

    def note(
        self, location_id: int, table: str, connection: int, order: Any, version: int | None
    ) -> None:
        transaction = getattr(order, "sales_transaction_id", None)
        if not transaction or version is None:
            return
        if len(self._newest) >= self.KEPT:
            self._newest.clear()
        key = (location_id, table, connection)
        newest = self._newest.get(key)
        if newest is None or newest[0] != transaction or version > newest[1]:
            self._newest[key] = (transaction, version)


def record_push(location_id: int, push: protocol.Push, connection: int = 0) -> bool:
    payload = push.payload
    if push.message_type != protocol.MessageType.TABLE_SNAPSHOT_CHANGED or not isinstance(
        payload, protocol.SnapshotChanged
    ):
        log.warning("dropped a push of an unknown kind (MessageType %s)", push.message_type)
        return False
    return live.change_arrived(
        location_id,
        payload.service_mode_entity_id,
        payload.version,
        payload.change_type,
        list(payload.line_ids or []),
        check_state(payload.order, ""),  # change_arrived falls back on the location's currency
        connection,
    )


def record_accepted_order(
    batch_id: str,
    location_id: int,
    pos_table_id: str,
    version: int | None,
    order: protocol.Order,
    connection: int = 0,
) -> bool:
    """A CreateOrder answer carries the whole check after the batch: apply it like a push."""
    if version is None:
        return False
    line_ids = [
        p.line_id for p in order.products or [] if p.provider_order_id == batch_id and p.line_id
    ]
    return live.change_arrived(
        location_id,
        pos_table_id,
        version,
        protocol.ChangeType.ITEMS_ADDED,
        line_ids,
        check_state(order, ""),
        connection,
    )
