"""A batch's life: written from a diner's basket, then moved forward by the POS's answer.

States only move forward: pending → sent → accepted | rejected | failed | unconfirmed.
Every move is a conditional UPDATE, so a late or repeated answer never moves a batch twice.
"failed" is only said when OpenApp knows the POS did not take the batch (it never went on
the wire); a batch sent but never answered stays "sent" (we don't know yet) and is resent
with its RequestID until it is too old to cook, then becomes "unconfirmed" for staff.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext

from ordering import limits, live
from ordering.availability import mark_unavailable
from ordering.models import WAITING, BasketLine, Batch, BatchLine, BatchState, Modifier
from ordering.reasons import NOT_SENT, Reason, describe_line_problem
from ordering.signals import BATCH, announce_floor_change, announce_till_work
from tables.models import Diner
from tables.reads import one_row

log = logging.getLogger("openapp.batches")

# Rejections after which the product is not offered again until staff switch it back on.
GONE_FROM_THE_MENU = {Reason.OUT_OF_STOCK, Reason.DELISTED_ITEM}


def _announce(
    batch_id: uuid.UUID,
    moved: live.BatchMove | None = None,
    floor_at: tuple[int, int] | None = None,
) -> None:
    """Once the move is committed, the table's phones hear of it (ordering.live); `moved`
    when the caller already read what they are told; `floor_at` (table, location) when the
    floor page is told in the same trip."""
    transaction.on_commit(lambda: live.batch_moved(batch_id, moved, floor_at=floor_at))


# A batch older than this when it is first sent waited in the queue (the till was away).
WAS_QUEUED = timedelta(seconds=2)


class NothingToSend(Exception):
    pass


class CannotSend(Exception):
    """The basket cannot go to the POS as it is; the message says why in plain words."""


def send_basket(diner: Diner) -> Batch:
    """Write the diner's unsent basket lines as one batch (the outbox) and wake the bridge.

    A double tap or a second tab finds no unsent lines and gets NothingToSend: the same
    lines are never written into two batches.
    """
    session = diner.session  # with its table and location, as the page read them
    with transaction.atomic():
        # Serialises two sends from one diner (PostgreSQL row lock; SQLite locks on write),
        # and finds the bill still open.
        diner = one_row(
            Diner.objects.select_for_update(of=("self",)).filter(
                pk=diner.pk, session__closed_at__isnull=True
            )
        )
        if diner is None:
            raise CannotSend(gettext("Your table's bill is closed, so nothing was sent."))
        lines = list(
            diner.basket_lines.filter(batch__isnull=True)
            .select_related("product", "variant")
            .prefetch_related(
                Prefetch("modifiers", queryset=Modifier.objects.select_related("group"))
            )
        )
        if not lines:
            raise NothingToSend()
        unavailable = [line.unavailable_words() for line in lines if not line.can_be_sent]
        if unavailable:
            raise CannotSend(
                gettext("No longer available: %(products)s. Remove it to send.")
                % {"products": ", ".join(unavailable)}
            )
        location = session.table.location
        try:
            limits.check_batch(diner, location, lines)
        except limits.LimitReached as refusal:
            raise CannotSend(str(refusal)) from None
        batch = Batch.objects.create(
            session=session,
            diner=diner,
            note=diner.order_note,
            use_pos_prices=location.use_pos_prices,
            is_training=location.is_training,
        )
        BatchLine.objects.bulk_create(
            BatchLine(
                batch=batch,
                basket_line=line,
                plu=line.product.plu,
                name=line.product.name,
                variant_identifier=line.variant.pos_identifier if line.variant else "",
                variant_name=line.variant.name if line.variant else "",
                quantity=line.quantity,
                unit_price=line.unit_price(),
                modifiers=[
                    {
                        "plu": m.plu,
                        "name": m.name,
                        "price": str(m.price),
                        "provider_product_id": str(uuid.uuid4()),
                    }
                    for m in sorted(
                        line.modifiers.all(), key=lambda m: (m.group.position, m.position)
                    )
                ],
                instruction=line.instruction,
            )
            for line in lines
        )
        BasketLine.objects.filter(pk__in=[line.pk for line in lines]).update(
            batch=batch, problem=""
        )
    log.info(
        "batch=%s state=pending table=%s location=%s lines=%d",
        batch.id,
        session.table.pos_table_id,
        session.table.location_id,
        len(lines),
    )
    announce_till_work(BATCH, (batch.id, session.table.location_id))
    announce_floor_change(session.pk, session.table_id, session.table.location_id)
    return batch


def _floor(batch_id: uuid.UUID) -> None:
    """The batch moved: the floor page shows its table afresh."""
    session_id = Batch.objects.filter(pk=batch_id).values_list("session_id", flat=True).first()
    if session_id is not None:
        announce_floor_change(session_id)


def take_for_sending(
    batch_id: uuid.UUID, worker: str, lease: timedelta, written_since: datetime
) -> bool:
    """Take a due batch for sending and record it as sent, in one compare-and-set: unless
    another worker holds it, the POS answered it, or it was written (or resent by staff)
    before `written_since`, too old to cook. It is recorded as sent before it goes on the
    wire, so a crash leads to a resend with its RequestID; not_sent takes it back."""
    now = timezone.now()
    return bool(
        Batch.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            Q(resent_at__gte=written_since)
            | Q(resent_at__isnull=True, created_at__gte=written_since),
            pk=batch_id,
            state__in=WAITING,
        ).update(
            claimed_by=worker,
            claimed_until=now + lease,
            state=BatchState.SENT,
            sent_at=Coalesce("sent_at", Value(now)),
            attempts=F("attempts") + 1,
        )
    )


def release(batch_id: uuid.UUID, worker: str) -> None:
    Batch.objects.filter(pk=batch_id, claimed_by=worker).update(claimed_until=None)


def sending(batch: Batch) -> None:
    """The batch just taken for sending, as read after take_for_sending (its attempts, when
    it was first sent; with its session and table): tell the phones when what they show
    changes. That is only when a queued batch goes out ("Queued" → "Sending"), and at the
    first resend ("we keep trying"). A batch sent as soon as it was written already says
    "Sending" on the phone: pushing that again would cost a render of the basket for
    nothing, on every batch."""
    queued = batch.sent_at is not None and batch.sent_at - batch.created_at > WAS_QUEUED
    if batch.attempts == 2 or (batch.attempts == 1 and queued):
        session = batch.session
        _announce(batch.id, live.BatchMove(BatchState.SENT, batch.diner_id, "", session.public_id))
        announce_floor_change(session.pk, session.table_id, session.table.location_id)


def not_sent(batch_id: uuid.UUID, worker: str) -> None:
    """The attempt just recorded never went on the wire: take it back, so a batch that
    never reached the POS is known as such."""
    taken_back = Batch.objects.filter(pk=batch_id, claimed_by=worker, state=BatchState.SENT).update(
        state=Case(When(attempts=1, then=Value(BatchState.PENDING)), default=F("state")),
        sent_at=Case(When(attempts=1, then=Value(None)), default=F("sent_at")),
        attempts=F("attempts") - 1,
        claimed_until=None,
    )
    if taken_back:
        _announce(batch_id)
        _floor(batch_id)


def _what_is_told(batch_id: uuid.UUID, loaded: Batch | None) -> dict:
    """Who sent the batch, its note, and its session, table and location: from the batch
    as its sender loaded it (none of these change once it is written), else read."""
    if loaded is not None:
        return {
            "diner_id": loaded.diner_id,
            "note": loaded.note,
            "session_id": loaded.session_id,
            "session__public_id": loaded.session.public_id,
            "session__table_id": loaded.session.table_id,
            "session__table__location_id": loaded.session.table.location_id,
        }
    return Batch.objects.values(
        "diner_id",
        "note",
        "session_id",
        "session__public_id",
        "session__table_id",
        "session__table__location_id",
    ).get(pk=batch_id)


def record_accepted(
    batch_id: uuid.UUID,
    pos_version: int | None,
    loaded: Batch | None = None,
    *,
    tell_floor: bool = True,
) -> bool:
    """`loaded`: the batch as its sender read it, with its session, table and location
    (what is told of it never changes once it is written), which saves reading them.
    Without `tell_floor` the caller tells the floor page itself (the check the POS answered
    with, applied, announces the table once for both)."""
    # The acceptance of a batch that took no note (nearly every one) is one write, atomic
    # by itself; clearing the note is a second.
    alone = loaded is not None and not loaded.note
    with contextlib.nullcontext() if alone else transaction.atomic():
        accepted = Batch.objects.filter(pk=batch_id, state=BatchState.SENT).update(
            state=BatchState.ACCEPTED,
            answered_at=timezone.now(),
            result_code=0,
            pos_version=pos_version,
            claimed_until=None,
        )
        if accepted:
            row = _what_is_told(batch_id, loaded)
            # The accepted lines are on the check now, and the batch's own lines keep their
            # copy: the basket no longer reads them, and clear_accepted_lines deletes them
            # later, off the path the diner waits on.
            # The note went with this batch; a note typed since stays for the next one.
            note_taken = bool(row["note"]) and bool(
                Diner.objects.filter(pk=row["diner_id"], order_note=row["note"]).update(
                    order_note=""
                )
            )
            table = row["session__table_id"], row["session__table__location_id"]
            _announce(
                batch_id,
                live.BatchMove(
                    BatchState.ACCEPTED,
                    row["diner_id"],
                    "",
                    row["session__public_id"],
                    note_taken=note_taken,
                ),
                floor_at=table if tell_floor else None,
            )
    if accepted:
        log.info("batch=%s state=accepted version=%s", batch_id, pos_version)
    return bool(accepted)


def clear_accepted_lines() -> int:
    """Delete the basket lines of every batch the POS has accepted, in one go: the bridge
    does it every half minute or so. Deleting them as each batch is accepted took four
    queries (the lines, their choices, the batch lines pointing back, the lines) while the
    diner waited for "Your order is in". Returns how many were deleted."""
    _, deleted = BasketLine.objects.filter(batch__state=BatchState.ACCEPTED).delete()
    return deleted.get(BasketLine._meta.label, 0)


@dataclass(frozen=True)
class LineRejection:
    batch_line_id: int
    reason: str
    available: int | None = None
    current_price: Decimal | None = None
    item_name: str | None = None  # set when a modifier of the line, not the line, was refused


def record_rejected(
    batch_id: uuid.UUID,
    result_code: int,
    reason: str,
    error_message: str,
    lines: list[LineRejection],
) -> bool:
    """The POS said no: mark each refused product and give the basket back to the diner."""
    with transaction.atomic():
        moved = Batch.objects.filter(pk=batch_id, state=BatchState.SENT).update(
            state=BatchState.REJECTED,
            answered_at=timezone.now(),
            result_code=result_code,
            rejection_reason=reason,
            error_message=(error_message or "")[:500],
            claimed_until=None,
        )
        if not moved:
            return False
        batch = Batch.objects.select_related("session__table__location").get(pk=batch_id)
        currency = batch.session.table.location.currency
        for rejection in lines:
            BatchLine.objects.filter(pk=rejection.batch_line_id, batch_id=batch_id).update(
                rejection_reason=rejection.reason,
                available=rejection.available,
                current_price=rejection.current_price,
            )
            with translation.override("en"):  # shown in each phone's language (basket_of)
                problem = describe_line_problem(
                    rejection.reason,
                    available=rejection.available,
                    current_price=rejection.current_price,
                    currency=currency,
                )
            if rejection.item_name:
                problem = f"{rejection.item_name}: {problem}"
            if rejection.reason in GONE_FROM_THE_MENU:
                line = BatchLine.objects.get(pk=rejection.batch_line_id)
                mark_unavailable(batch.session.table.location_id, line.plu, rejection.item_name)
            basket_line_id = (
                BatchLine.objects.filter(pk=rejection.batch_line_id)
                .values_list("basket_line_id", flat=True)
                .first()
            )
            if basket_line_id:
                BasketLine.objects.filter(pk=basket_line_id).update(problem=problem[:200])
        BasketLine.objects.filter(batch_id=batch_id).update(batch=None)
        _announce(batch_id)
    log.info(
        "batch=%s state=rejected reason=%s result_code=%s message=%r",
        batch_id,
        reason,
        result_code,
        error_message,
    )
    _floor(batch_id)
    return True


def record_failed(batch_id: uuid.UUID, reason: str = Reason.UNREACHABLE) -> bool:
    """The batch never reached the POS and is too old to cook now: its lines go back to the
    diner's basket, to send again if they still want them."""
    with transaction.atomic():
        moved = Batch.objects.filter(pk=batch_id, state=BatchState.PENDING).update(
            state=BatchState.FAILED,
            answered_at=timezone.now(),
            rejection_reason=reason,
            claimed_until=None,
        )
        if moved:
            BasketLine.objects.filter(batch_id=batch_id).update(batch=None, problem=NOT_SENT)
            _announce(batch_id)
    if moved:
        log.warning("batch=%s state=failed reason=%s", batch_id, reason)
        _floor(batch_id)
    return bool(moved)


def record_unconfirmed(batch_id: uuid.UUID) -> bool:
    """Sent, never answered, and too old to resend: the POS may hold it or not. Its lines
    are not offered back (that could cook it twice); the diner is asked to check with staff."""
    moved = Batch.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now()),
        pk=batch_id,
        state=BatchState.SENT,
    ).update(state=BatchState.UNCONFIRMED, rejection_reason=Reason.UNCONFIRMED, claimed_until=None)
    if moved:
        _announce(batch_id)
        log.warning("batch=%s state=unconfirmed: sent, never answered", batch_id)
        _floor(batch_id)
    return bool(moved)
