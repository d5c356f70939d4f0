"""What staff may do with a batch that ended without an order: resend it or mark it handled.

A resend keeps the batch's RequestID, so a POS that did take it the first time answers with
that first result instead of booking it twice (docs/pos-protocol.md §4). A batch that never
reached the POS (failed) goes back to the queue with the lines it had, if the diner has not
sent or changed them since; one sent and never answered (unconfirmed) is asked again as
sent. Who did it and when is kept on the batch, and the floor page hears of it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from ordering.models import BasketLine, Batch, BatchLine, BatchState
from ordering.signals import BATCH, announce_floor_change, announce_till_work

log = logging.getLogger("openapp.batches")

RESENDABLE = [BatchState.FAILED, BatchState.UNCONFIRMED]
HANDLEABLE = [BatchState.FAILED, BatchState.UNCONFIRMED, BatchState.REJECTED]


class CannotResend(Exception):
    """Why the batch cannot go again, in a manager's words."""


def resend(batch_id: uuid.UUID, user: Any) -> Batch:
    """Put a failed or unconfirmed batch back for the bridge, with the same RequestID."""
    with transaction.atomic():
        batch = Batch.objects.select_for_update().select_related("session").get(pk=batch_id)
        if batch.state not in RESENDABLE:
            raise CannotResend(
                "Only a batch not sent or not confirmed can be resent, not one "
                f"{batch.get_state_display().lower()}."
            )
        if not batch.session.is_open:
            raise CannotResend("The table's bill is closed: the POS would turn this batch down.")
        now = timezone.now()
        changes: dict[str, Any] = {
            "resent_at": now,
            "resent_by": user,
            "handled_at": None,
            "handled_by": None,
            "answered_at": None,
            "rejection_reason": "",
            "claimed_until": None,
        }
        if batch.state == BatchState.FAILED:
            # Its lines went back to the diner's basket: they travel in this batch again,
            # unless the diner has sent or removed them since (that would cook them twice).
            basket_ids = list(
                BatchLine.objects.filter(batch=batch).values_list("basket_line_id", flat=True)
            )
            waiting = BasketLine.objects.filter(pk__in=basket_ids, batch__isnull=True)
            if None in basket_ids or waiting.count() != len(basket_ids):
                raise CannotResend(
                    "The diner has sent or changed these items since: resending could cook "
                    "them twice. Mark it handled instead."
                )
            waiting.update(batch=batch, problem="")
            changes["state"] = BatchState.PENDING
        else:
            changes["state"] = BatchState.SENT  # asked again with its RequestID
        Batch.objects.filter(pk=batch.pk, state=batch.state).update(**changes)
        announce_floor_change(batch.session_id)
        announce_till_work(BATCH)
    log.info("batch=%s resent by %s request_id=%s", batch_id, user, batch.request_id)
    batch.refresh_from_db()
    return batch


def mark_handled(batch_id: uuid.UUID, user: Any) -> bool:
    """Staff have dealt with it (asked the kitchen, rang it up by hand): off the floor's list."""
    moved = Batch.objects.filter(pk=batch_id, state__in=HANDLEABLE, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=user
    )
    if moved:
        session_id = Batch.objects.values_list("session_id", flat=True).get(pk=batch_id)
        announce_floor_change(session_id)
        log.info("batch=%s marked handled by %s", batch_id, user)
    return bool(moved)
