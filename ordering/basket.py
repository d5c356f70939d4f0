"""What one diner has picked, what is on its way to the kitchen, and what came back."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordering import limits, menu_version, till
from ordering.forms import ProductChoiceForm
from ordering.kept import Kept
from ordering.menu_languages import current_language, in_language
from ordering.models import (
    BasketLine,
    Batch,
    BatchLine,
    BatchState,
    Modifier,
    Product,
)
from ordering.money import money
from ordering.reasons import describe_batch_problem, line_problem_in_language
from tables.models import Diner
from tables.reads import one_row

RECENT_BATCHES = timedelta(minutes=30)
SHOWN_BATCHES = 5


@dataclass
class BasketView:
    lines: list[BasketLine]  # not yet sent, or turned down and given back
    batches: list[Batch]  # this diner's recent batches, newest first
    total: Decimal
    kitchen_reachable: bool = True  # a bridge holds the POS connection and is connected
    # When it was read (µs since the epoch): the page keeps the newest of an HTTP answer and
    # a push that cross on the way (static/js/diner.js).
    read_at: int = 0

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def in_flight(self) -> bool:
        return any(not batch.is_final for batch in self.batches)


# What the basket shows of a batch and its lines (_basket.html, reasons): the rest of their
# rows is not read.
_SHOWN_OF_A_BATCH = ("state", "attempts", "rejection_reason", "created_at", "diner_id")
_SHOWN_OF_A_SENT_LINE = (
    "batch_id",
    "basket_line_id",
    "name",
    "variant_name",
    "quantity",
    "rejection_reason",
    "available",
    "current_price",
)


def _recent_batches(diner: Diner) -> list[Batch]:
    """The diner's last five batches of the last half hour, newest first, each with its
    lines as sent (`sent_lines`): one read, a row per line carrying its batch.

    A batch has at most max_lines() lines (limits.check_batch), so the newest five batches
    are within five times that many rows; when the read stops at that limit, the last batch
    in it may be cut short and is left out.
    """
    most = SHOWN_BATCHES * limits.max_lines()
    rows = list(
        BatchLine.objects.filter(
            batch__diner=diner, batch__created_at__gte=timezone.now() - RECENT_BATCHES
        )
        .select_related("batch")
        .only(*_SHOWN_OF_A_SENT_LINE, *(f"batch__{field}" for field in _SHOWN_OF_A_BATCH))
        .order_by("-batch__created_at", "batch_id", "pk")[:most]
    )
    batches: dict[uuid.UUID, Batch] = {}
    for line in rows:
        batch = batches.get(line.batch_id)
        if batch is None:
            batch = batches[line.batch_id] = line.batch
            batch.sent_lines = []
        batch.sent_lines.append(line)
    found = list(batches.values())
    if len(rows) == most and len(found) > 1:
        found.pop()  # perhaps cut short
    return found[:SHOWN_BATCHES]


def basket_of(diner: Diner) -> BasketView:
    read_at = time.time_ns() // 1000
    # Lines sent are shown under their batch, as the batch's own copy (what came of it).
    unsent = list(
        diner.basket_lines.filter(batch__isnull=True).select_related("product", "variant")
    )
    modifiers_in_menu_order = Modifier.objects.order_by("group__position", "position")
    prefetch_related_objects(unsent, Prefetch("modifiers", queryset=modifiers_in_menu_order))
    # Shown in the diner's language (the batch sent to the POS keeps the location's).
    in_language([line.product for line in unsent], current_language())
    batches = _recent_batches(diner)
    # Each line's problem in the diner's language, from what the POS last said of it.
    refused = {}
    for batch in batches:  # newest first
        for sent in batch.sent_lines:
            if sent.rejection_reason and sent.basket_line_id:
                refused.setdefault(sent.basket_line_id, sent)
    currency = diner.session.table.location.currency
    for line in unsent:
        line.problem = line_problem_in_language(line.problem, refused.get(line.pk), currency)
    # A turn-down the diner has answered by sending again is history: only the newest
    # batch may show a red box.
    batches = [
        batch
        for index, batch in enumerate(batches)
        if index == 0 or batch.state not in (BatchState.REJECTED, BatchState.FAILED)
    ]
    for batch in batches:
        batch.problem = (
            describe_batch_problem(batch.rejection_reason) if batch.rejection_reason else ""
        )
    total = money(sum((line.total() for line in unsent), Decimal("0")))
    waiting = any(batch.state == BatchState.PENDING for batch in batches)
    return BasketView(
        lines=unsent,
        batches=batches,
        total=total,
        kitchen_reachable=not waiting or till.reachable(diner.session.table.location_id),
        read_at=read_at,
    )


# Away from the basket, a batch that came to nothing is worth a note; an accepted one is
# already told by the check's own note ("Your order is in: …").
OUTCOME_NOTES = {
    BatchState.REJECTED: gettext_lazy("The kitchen couldn't take your order — see your basket"),
    BatchState.FAILED: gettext_lazy("Your order could not be sent — see your basket"),
    BatchState.UNCONFIRMED: gettext_lazy(
        "The kitchen never confirmed your order — see your basket"
    ),
}


def render_basket_push(diner: Diner, state: str, *, on_basket_page: bool) -> str:
    """What a batch.update brings the phone of the diner who sent the batch: on the basket
    page the whole basket (it carries the header's count); elsewhere the count and a note
    when the batch came to an end."""
    basket = basket_of(diner)
    html = f'<span class="badge" id="basket-count">{basket.count}</span>'
    if on_basket_page:
        context = {
            "basket": basket,
            "diner": diner,  # the order note, above the Send button
            "session": diner.session,
            "currency": diner.session.table.location.currency,
        }
        return render_to_string("ordering/_basket.html", context) + html
    if note := OUTCOME_NOTES.get(state):
        html += render_to_string("ordering/_notice.html", {"notice": note})
    return html


def render_accepted_head(batch_id: str) -> str:
    """The head of a batch the POS accepted, to replace the one on the basket page: what
    an acceptance changes there, read from nothing. The lines it lists were sent as they
    are, the count of unsent lines does not move, and a yes is final, so diner.js puts
    this head back when it reaches the phone before the basket that lists the batch."""
    batch = Batch(pk=uuid.UUID(batch_id), state=BatchState.ACCEPTED)
    return render_to_string("ordering/_batch_head.html", {"batch": batch, "pushed": True})


def render_basket_if_holding(diner: Diner, product_id: int) -> str:
    """The basket page again when one of its unsent lines holds a product whose
    availability just changed (it is flagged, or its flag goes); otherwise nothing."""
    if not diner.basket_lines.filter(product_id=product_id, batch__isnull=True).exists():
        return ""
    return render_basket_push(diner, "", on_basket_page=True)


def add_to_basket(diner: Diner, form: ProductChoiceForm) -> BasketLine:
    """A new line in the diner's basket; limits.LimitReached when the basket is full."""
    data = form.cleaned_data
    with transaction.atomic():
        # Two adds at once from one diner are counted one after the other: a row lock, or
        # on SQLite the write lock its transactions take as they begin (BEGIN IMMEDIATE),
        # where SELECT … FOR UPDATE would be a plain read.
        if connection.features.has_select_for_update:
            one_row(Diner.objects.select_for_update().filter(pk=diner.pk))
        limits.check_room_for_a_line(diner)
        line = BasketLine.objects.create(
            diner=diner,
            product=form.product,
            variant=data.get("variant"),
            instruction=data["instruction"],
            quantity=data["quantity"],
        )
        if chosen := form.chosen_modifiers():
            line.modifiers.add(*chosen)
    return line


# Products with their choices, kept per menu version in each process (menu_version renews
# it with every change to what a product page shows, availability included): each is read
# once, not on every product page and every add to the basket.
_kept: Kept[Product | None] = Kept(512)  # products × languages × (shown, only ordered)


def product_with_choices(
    location_id: int, product_id: int, *, to_show: bool = True, language: str = ""
) -> Product | None:
    """The product with what a diner chooses from, its name and description in `language`
    (current_language() when not given); with its tags and allergens when it is to be shown
    (a valid order form goes straight back to the menu). Shared between requests: read it,
    never change it."""
    language = language or current_language()
    key = (location_id, product_id, to_show, language, menu_version.current(location_id))

    def read() -> Product | None:
        extras = ["dietary_tags", "allergens"] if to_show else []
        item = (
            Product.objects.filter(location_id=location_id, pk=product_id)
            .prefetch_related("variants", *extras, Prefetch("modifier_groups__modifiers"))
            .first()
        )
        if item is not None:
            in_language([item], language)
        return item

    return _kept.get_or_make(key, read)
