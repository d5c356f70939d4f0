"""The basket page shows the diner's newest batches, each whole: what was sent in each and
how it stands, newest first (at most five, of the last half hour)."""

from __future__ import annotations

import re

from django.test import override_settings

from ordering.models import Batch
from tests.phones import Phone


def shown_batches(phone: Phone) -> list[tuple[str, list[str]]]:
    """Each batch on the basket page: its id and the lines listed under it."""
    page = phone.basket_text()
    sections = re.findall(
        r'id="batch-([0-9a-f-]+)".*?<ul class="batch-lines"[^>]*>(.*?)</ul>', page, re.S
    )
    return [(batch_id, re.findall(r"<li>(.*?)</li>", lines)) for batch_id, lines in sections]


def send(phone: Phone, *quantities: int) -> None:
    for quantity in quantities:
        assert phone.add("Garlic Bread", quantity=quantity).status_code == 302
    phone.send()


@override_settings(SENDS_PER_MINUTE=10)
def test_the_newest_five_batches_are_shown_newest_first_each_with_its_lines(phone):
    for n in range(1, 8):
        send(phone, n % 5 + 1)

    newest = Batch.objects.filter(diner=phone.diner).order_by("-created_at")[:5]
    assert shown_batches(phone) == [
        (str(batch.pk), [f"{batch.lines.get().quantity} × Garlic Bread"]) for batch in newest
    ]


def test_no_batch_is_shown_in_part(phone):
    for _ in range(4):
        send(phone, 1, 2, 3)

    # Batches of three lines, written before the most lines a batch may have came down to
    # two: the newest five would be more lines than five batches may have now.
    with override_settings(BASKET_MAX_LINES=2):
        shown = shown_batches(phone)

    newest = [str(pk) for pk in Batch.objects.order_by("-created_at").values_list("pk", flat=True)]
    whole = ["1 × Garlic Bread", "2 × Garlic Bread", "3 × Garlic Bread"]
    assert [batch_id for batch_id, _ in shown] == newest[: len(shown)]
    assert len(shown) >= 3
    assert all(lines == whole for _, lines in shown)
