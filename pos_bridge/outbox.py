"""The outbox: batches written by diners, sent to the POS exactly once.

For each due batch a worker:
1. claims it with a compare-and-set on its lease, so two workers never send it together;
2. records it as sent *before* it goes on the wire, so a crash leads to a resend (one
   write with the claim);
3. sends CreateOrder with the batch's RequestID, the same on every attempt, so a resend is
   answered by the POS with its first result instead of a second order (protocol §4);
4. records the answer, which moves the batch forward once; or, with no answer, lets the
   lease go so the batch is tried again after a reconnect, until it is too old to cook.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from ordering import batches
from ordering.models import WAITING, Batch, BatchLine, BatchState
from ordering.reasons import Reason
from ordering.signals import announce_floor_change
from pos_bridge import protocol, snapshots
from pos_bridge.client import PosClient, PosNotSent, PosUnavailable
from pos_bridge.orders import batch_reason, create_order_request, line_rejections

log = logging.getLogger("openapp.outbox")


def due_batch_ids(location_ids: list[int], limit: int = 50) -> list[tuple[uuid.UUID, int]]:
    """Batches waiting to be sent or resent, oldest first, with their location."""
    if not location_ids:
        return []
    now = timezone.now()
    due = (
        Batch.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            state__in=WAITING,
            session__table__location_id__in=location_ids,
        )
        .order_by("created_at")
        .values_list("pk", "session__table__location_id")[:limit]
    )
    return list(due)


def expire(older_than: timedelta) -> int:
    """Batches too old to cook now, and not being sent: those that never reached the POS
    fail (their lines go back to the basket); those sent but never answered are left for
    staff to confirm (the POS may hold them)."""
    cutoff = timezone.now() - older_than
    # A batch staff resent is as old as its resend (ordering.staff_actions).
    old = Batch.objects.annotate(due_from=Coalesce("resent_at", "created_at")).filter(
        due_from__lt=cutoff
    )
    expired = 0
    for batch_id in old.filter(state=BatchState.PENDING).values_list("pk", flat=True):
        expired += batches.record_failed(batch_id, Reason.UNREACHABLE)
    for batch_id in old.filter(state=BatchState.SENT).values_list("pk", flat=True):
        expired += batches.record_unconfirmed(batch_id)
    return expired


def _load(batch_id: uuid.UUID) -> tuple[Batch, list[BatchLine]]:
    """The batch with its session, table and location, and its lines: one read, each line
    carrying its batch (a batch is written with at least one line)."""
    lines = list(
        BatchLine.objects.filter(batch_id=batch_id)
        .select_related("batch__session__table__location")
        .order_by("id")
    )
    if not lines:
        return Batch.objects.select_related("session__table__location").get(pk=batch_id), []
    return lines[0].batch, lines


def _take(
    batch_id: uuid.UUID, worker: str, lease: timedelta, expiry: timedelta
) -> tuple[Batch, list[BatchLine], protocol.CreateOrderRequest] | str:
    """Take the batch for sending (claimed and recorded as sent, in one write) and load it,
    in one trip to the database thread: the batch, its lines and its CreateOrder, or why it
    is not to be sent now."""
    if not batches.take_for_sending(batch_id, worker, lease, timezone.now() - expiry):
        # Another worker holds it, the POS answered it, or it is too old to cook: such a
        # batch is failed, or left for staff, now rather than at the next round of expiry.
        return "expired" if expire(expiry) else "not due"
    try:
        batch, lines = _load(batch_id)
        request = create_order_request(batch, lines)
    except Exception:
        batches.not_sent(batch_id, worker)
        raise
    batches.sending(batch)
    return batch, lines, request


def _accepted(
    batch: Batch, version: int | None, order: protocol.Order | None, connection: int
) -> bool:
    """The POS took the batch: record it, and apply the check it answered with (`order`,
    None when that is not news), in one trip to the database thread. Whether it applied."""
    table = batch.session.table
    # A check to apply tells the floor page of the batch too; without one, the acceptance
    # does, with its own news to the phones.
    accepted = batches.record_accepted(batch.id, version, batch, tell_floor=order is None)
    applied = order is not None and snapshots.record_accepted_order(
        str(batch.id), table.location_id, table.pos_table_id, version, order, connection
    )
    if accepted and order is not None and not applied:
        announce_floor_change(batch.session_id, table.pk, table.location_id)
    return applied


async def send_batch(
    client: PosClient,
    batch_id: uuid.UUID,
    *,
    worker: str,
    timeout: float | None = None,
    lease: timedelta = timedelta(seconds=60),
    expiry: timedelta | None = None,
    applied: snapshots.Applied | None = None,
) -> str:
    """Send one batch if it is due; returns the batch's state afterwards.

    Retrying is bounded by time, not by a count: a dropped connection costs nothing, and
    the batch is resent with its RequestID until the POS answers or it is too old to cook.
    """
    timeout = timeout or settings.POS_REQUEST_TIMEOUT_SECONDS
    expiry = expiry or timedelta(seconds=settings.POS_BATCH_EXPIRY_SECONDS)
    taken = await sync_to_async(_take)(batch_id, worker, lease, expiry)
    if isinstance(taken, str):
        return taken
    batch, lines, request = taken
    log.info(
        "batch=%s state=sent attempt=%d request_id=%s worker=%s",
        batch_id,
        batch.attempts,
        batch.request_id,
        worker,
    )
    try:
        response, connection = await client.ask(
            protocol.MessageType.CREATE_ORDER,
            request,
            request_id=str(batch.request_id),
            timeout=timeout,
        )
    except PosNotSent:
        await sync_to_async(batches.not_sent)(batch_id, worker)
        return "not sent"
    except PosUnavailable as error:
        log.warning(
            "batch=%s state=sent unanswered=%r resend=same-request-id", batch_id, str(error)
        )
        await sync_to_async(batches.release)(batch_id, worker)
        return BatchState.SENT
    payload = response.payload
    if response.result_code == protocol.ResultCode.SUCCESS:
        answer = payload if isinstance(payload, protocol.CreateOrderResponse) else None
        version = answer.version if answer else None
        order = answer.order if answer else None
        table = batch.session.table
        where = (table.location_id, table.pos_table_id, connection, order, version)
        applied = applied or snapshots.Applied()

        async def accept(news: bool) -> bool:
            # The POS may have pushed this check already (Applied): then it is not news.
            news = news and order is not None and version is not None
            return await sync_to_async(_accepted)(
                batch, version, order if news else None, connection
            )

        await applied.apply_in_turn(where, accept)
        return BatchState.ACCEPTED
    await sync_to_async(batches.record_rejected)(
        batch_id,
        response.result_code,
        batch_reason(response.result_code),
        response.error_message or "",
        line_rejections(response.result_code, payload, lines),
    )
    return BatchState.REJECTED
