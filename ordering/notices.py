"""Short notes of what changed on the check, in plain words, for each diner at the table.

The POS never targets diners: it says which lines a change touched; OpenApp works out
whose they are (a diner's own batch, another diner's, or staff's) and words it for them.
The bridge works the note out as data (`note_for`: which phrase, about which items); each
phone's socket words it in that phone's language (`words`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.utils.translation import get_language, gettext, gettext_lazy

from ordering.checks import ChangeType, CheckLine, CheckState

# A note: its phrases, each a key of PHRASES and that phrase's values. Items are
# [quantity, name] pairs, the names as the POS gave them. JSON-safe: it crosses Redis.
Note = list[list]

PHRASES = {
    "closed": gettext_lazy("Your table's bill is closed. Thank you!"),
    "discount_named": gettext_lazy("%(name)s applied"),
    "discount": gettext_lazy("A discount was applied"),
    "updated": gettext_lazy("Your table's bill was updated"),
    "yours_in": gettext_lazy("Your order is in: %(items)s"),
    "someone_ordered": gettext_lazy("Someone at your table ordered %(items)s"),
    "waiter_added": gettext_lazy("A waiter added %(items)s"),
    "cancelled_yours": gettext_lazy("Staff cancelled your %(items)s"),
    "cancelled": gettext_lazy("Staff cancelled %(items)s"),
    "delivered": gettext_lazy("%(items)s delivered"),
    "removed_yours": gettext_lazy("Your %(items)s was taken off the bill"),
    "removed": gettext_lazy("%(items)s taken off the bill"),
    "no_longer_available": gettext_lazy("Sorry, %(name)s is no longer available"),
}


def _items(lines: Iterable[CheckLine]) -> list[list]:
    return [[line.quantity, line.name] for line in lines]


def _phrase(key: str, **values: object) -> list:
    return [key, values]


def item_words(quantity: int, name: str) -> str:
    return name if quantity == 1 else f"{quantity} × {name}"


def items_words(items: list[list]) -> str:
    names = [item_words(quantity, name) for quantity, name in items]
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(names[:-1]), "last": names[-1]}


def words(note: Note) -> str:
    """The note in the active language."""
    parts = []
    for key, values in note:
        values = dict(values)
        if "names" in values:  # a product's name in other languages: this one's, if given
            values["name"] = values.pop("names").get(get_language(), values["name"])
        if "items" in values:
            values["items"] = items_words(values["items"])
        parts.append(str(PHRASES[key]) % values)
    return ". ".join(parts)


def note_for(
    change_type: str,
    line_ids: list[str],
    before: CheckState | None,
    after: CheckState | None,
    my_batches: set[str],
) -> Note:
    """The note one diner reads, as data; my_batches are the ids of that diner's own batches."""
    if change_type == ChangeType.ORDER_CLOSED:
        return [_phrase("closed")]
    if change_type == ChangeType.DISCOUNT_APPLIED:
        # Counted, not a set: a second discount may have the same name and amount as one
        # already on the bill (the POS's automatic 10% and a waiter's 10%, say).
        known = Counter((a.name, a.amount) for a in before.adjustments) if before else Counter()
        now = Counter((a.name, a.amount) for a in after.adjustments) if after else Counter()
        new = list((now - known).elements())
        return [_phrase("discount_named", name=new[-1][0])] if new else [_phrase("discount")]
    source = before if change_type == ChangeType.LINES_REMOVED else after
    touched = [line for line in (source.lines if source else []) if line.line_id in line_ids]
    if not touched:
        return [_phrase("updated")]
    mine = [line for line in touched if line.batch_id in my_batches]
    theirs = [line for line in touched if line.batch_id not in my_batches]
    if change_type == ChangeType.ITEMS_ADDED:
        staff = [line for line in theirs if line.by_staff]
        diners = [line for line in theirs if not line.by_staff]
        parts = []
        if mine:
            parts.append(_phrase("yours_in", items=_items(mine)))
        if diners:
            parts.append(_phrase("someone_ordered", items=_items(diners)))
        if staff:
            parts.append(_phrase("waiter_added", items=_items(staff)))
        return parts
    if change_type == ChangeType.ITEMS_CANCELLED:
        if mine and not theirs:
            return [_phrase("cancelled_yours", items=_items(mine))]
        return [_phrase("cancelled", items=_items(touched))]
    if change_type == ChangeType.ITEMS_DELIVERED:
        return [_phrase("delivered", items=_items(touched))]
    if change_type == ChangeType.LINES_REMOVED:
        if mine and not theirs:
            return [_phrase("removed_yours", items=_items(mine))]
        return [_phrase("removed", items=_items(touched))]
    return [_phrase("updated")]


def notice_for(
    change_type: str,
    line_ids: list[str],
    before: CheckState | None,
    after: CheckState | None,
    my_batches: set[str],
) -> str:
    """The note one diner reads, in the active language."""
    return words(note_for(change_type, line_ids, before, after, my_batches))
