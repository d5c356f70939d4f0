"""The diner's bill is the POS's in full: every line with its price, children and status,
the adjustments, service charge, taxes (name, rate, amount), the order's Amount and the
amount owing, from the seed's Order as the POS sends it (hand-written JSON, not ours)."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ordering import live
from ordering.checks import LineStatus
from ordering.models import Batch
from pos_bridge import codec, protocol
from pos_bridge.snapshots import check_state, record_push
from tests.phones import Phone

SEED_ANSWER = Path(__file__).parent / "seed_examples" / "create_order_response.json"
BATCH = "c8e87068-b926-4220-958e-439ac3733e87"


def seed_order() -> dict:
    """The seed's Order, with the protocol page's own fields on each line (§7)."""
    order = json.loads(SEED_ANSWER.read_text())["Payload"]["Order"]
    corona, steak = order["Products"]
    corona.update(LineID="L1", Status="ORDERED", Source="OPENAPP", ProviderOrderID=BATCH)
    steak.update(LineID="L2", Status="DELIVERED", Source="OPENAPP", ProviderOrderID=BATCH)
    return order


def push(order: dict, version: int, change: str, line_ids: list[str]) -> protocol.Push:
    frame = {
        "EventID": "0b8e3d4c-6f4e-4c55-9d1e-8d2f0e3f5a11",
        "MessageType": 31,
        "Payload": {
            "ServiceModeEntityID": "10",
            "Version": version,
            "ChangeType": change,
            "LineIDs": line_ids,
            "Order": order,
        },
    }
    return codec.decode(json.dumps(frame))


def test_the_seeds_order_becomes_the_whole_bill():
    state = check_state(push(seed_order(), 1, "ITEMS_ADDED", ["L1", "L2"]).payload.order, "EUR")

    assert state.currency == "GBP"  # the POS's currency, not the location's default
    assert (state.amount, state.amount_owing) == (Decimal("40.45"), Decimal("47.19"))
    assert state.service_charge == Decimal("6.74")
    assert [(a.name, a.amount) for a in state.adjustments] == [("10% Discount", Decimal("-4.50"))]
    (vat,) = state.taxes
    assert (vat.name, vat.rate, vat.amount, vat.added_on_top) == (
        "VAT",
        Decimal("10.000"),
        Decimal("3.68"),
        False,
    )
    corona, steak = state.lines
    assert (corona.quantity, corona.price, corona.total, corona.variant) == (
        2,
        Decimal("7.00"),
        Decimal("14.00"),
        "PINT",
    )
    assert (corona.status, steak.status) == (LineStatus.ORDERED, LineStatus.DELIVERED)
    assert steak.total == Decimal("30.95")  # 29.95 and the Side Salad's 1.00
    children = [(c.name, c.total, c.instruction) for c in steak.children]
    assert children == [
        ("Medium", Decimal("0.00"), False),
        ("Pepper Sauce", Decimal("0.00"), False),
        ("Side Salad", Decimal("1.00"), False),
        ("Balsamic", Decimal("0.00"), False),
        ("sauce on side", Decimal("0.00"), True),
    ]


@pytest.fixture
def seated(table_10) -> Phone:
    phone = Phone()
    phone.scan(table_10)
    phone.diner.__class__.objects.filter(pk=phone.diner.pk).update(name="Sam")
    Batch.objects.create(
        id=BATCH, session=phone.session, diner=phone.diner, use_pos_prices=True, state="accepted"
    )
    return phone


def bill_of(phone: Phone) -> str:
    return phone.get("bill/").content.decode()


def bill_lines(page: str) -> list[str]:
    """Each line of the bill, as HTML (its children included)."""
    parts = page.split('<li class="check-line')[1:]
    return [
        '<li class="check-line' + part.split('class="line-meta"')[0] + meta(part) for part in parts
    ]


def meta(part: str) -> str:
    """A line's closing "who" and status paragraph."""
    return part[part.index('class="line-meta"') :].split("</p>")[0]


def line_html(page: str, name: str) -> str:
    found = [li for li in bill_lines(page) if f"× {name}" in li]
    assert len(found) == 1, (name, found)
    return found[0]


def test_the_bill_page_shows_every_figure_the_pos_gave(seated, table_10):
    assert record_push(table_10.location_id, push(seed_order(), 1, "ITEMS_ADDED", ["L1", "L2"]))
    page = bill_of(seated)

    corona, steak = line_html(page, "Corona"), line_html(page, "T-Bone Steak")
    assert "2 × Corona" in corona and "£7.00 each" in corona and "£14.00" in corona
    assert "Accepted" in corona and "Ordered by you" in corona
    assert "Delivered" in steak and "£30.95" in steak
    assert re.search(r"Side Salad</span><span class=\"child-total\">£1.00", steak)
    assert "“sauce on side”" in steak
    totals = re.sub(r"\s+", " ", page[page.index('class="check-totals"') :])
    assert "<dt>10% Discount</dt><dd>−£4.50</dd>" in totals
    assert '<dt>Amount</dt><dd id="check-amount">£40.45</dd>' in totals
    assert "<dt>Service charge</dt><dd>£6.74</dd>" in totals
    assert "<dt>Includes VAT (10%)</dt><dd>£3.68</dd>" in totals
    assert '<dd id="amount-owing">£47.19</dd>' in totals


def test_a_line_the_pos_removed_stays_on_the_bill_struck_through(seated, table_10):
    record_push(table_10.location_id, push(seed_order(), 1, "ITEMS_ADDED", ["L1", "L2"]))
    after = copy.deepcopy(seed_order())
    after["Products"] = after["Products"][1:]  # the Corona line disappears (§7)
    after.update(Amount=26.36, AmountOwing=31.00)
    assert record_push(table_10.location_id, push(after, 2, "LINES_REMOVED", ["L1"]))

    page = bill_of(seated)
    corona = line_html(page, "Corona")
    assert 'class="check-line status-removed"' in corona
    assert "Removed from the bill" in corona
    assert '<dd id="amount-owing">£31.00</dd>' in page
    # A later snapshot of the same check keeps it shown; another check starts afresh.
    snapshot = live.checks.state_of(live.checks.check_of(seated.session))
    assert [line.line_id for line in snapshot.removed_lines] == ["L1"]
    again = copy.deepcopy(after)
    again["SalesTransactionID"] = "another-check"
    record_push(table_10.location_id, push(again, 3, "ITEMS_ADDED", []))
    assert not [li for li in bill_lines(bill_of(seated)) if "Corona" in li]


def test_lines_of_a_batch_the_pos_has_not_answered_show_as_sent(seated):
    seated.add("Garlic Bread", quantity=2)
    assert seated.send().status_code in (200, 302)
    page = bill_of(seated)
    bread = line_html(page, "Garlic Bread")
    assert 'class="check-line status-sent"' in bread
    assert "Sent — waiting for the till" in bread
    assert "£" not in bread  # not on the till's bill yet: no price of its own to show


def test_a_name_is_shown_to_the_others_escaped(seated, table_10):
    record_push(table_10.location_id, push(seed_order(), 1, "ITEMS_ADDED", ["L1", "L2"]))
    seated.diner.__class__.objects.filter(pk=seated.diner.pk).update(name="<b>Sam</b>")
    other = Phone()
    other.scan(table_10)
    corona = line_html(bill_of(other), "Corona")
    assert "Ordered by &lt;b&gt;Sam&lt;/b&gt;" in corona
    assert "<b>" not in corona


def test_a_dish_name_with_a_nul_escape_still_reaches_the_bill(seated, table_10):
    """PostgreSQL stores no U+0000: such a check was never stored, and the bill froze."""
    order = seed_order()
    order["Products"][0]["Name"] = "Corona\u0000Extra"
    assert "\\u0000" in json.dumps(order)  # push() writes the escape, as a POS would
    assert record_push(table_10.location_id, push(order, 1, "ITEMS_ADDED", ["L1"]))
    assert "Corona\ufffdExtra" in bill_of(seated)
