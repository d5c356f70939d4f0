"""A diner arrived at a table (tables.signals.table_scanned): what ordering does then."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from ordering.checks import has_snapshot, want_refresh
from ordering.models import BasketLine
from tables.models import Diner, TableSession

BASKET_KEPT = gettext_lazy("Your last visit ended; your basket is kept.")


def diner_arrived(
    sender: Any,
    session: TableSession,
    diner: Diner,
    previous: Diner | None,
    request: HttpRequest,
    **kwargs: Any,
) -> None:
    if not has_snapshot(session):
        want_refresh(session)  # a session starts with the POS's snapshot of the table
    if previous is not None and keep_basket(previous, diner):
        messages.info(request, BASKET_KEPT)


def keep_basket(previous: Diner, diner: Diner) -> int:
    """What the diner picked but had not sent when the last visit ended follows them."""
    moved = BasketLine.objects.filter(diner=previous, batch__isnull=True).update(diner=diner)
    if moved and previous.order_note and not diner.order_note:
        Diner.objects.filter(pk=diner.pk).update(order_note=previous.order_note)
    return moved
