"""Two diners at Table 10 watch the table's bill live while a waiter and the kitchen work
the order on the POS (driven through the simulator's staff console), until the bill is
closed and the next scan starts a new sitting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.diner_pages import (
    POS_TIMEOUT_MS,
    add_to_basket,
    open_basket,
    open_product,
    scan_table,
    send_to_kitchen,
)
from tests.live_demo import LiveDemo, live_demo
from tests.pos_console import PosConsole

if TYPE_CHECKING:  # imported at run time by pytest_plugins, so pytest rewrites its asserts
    from tests.browser import NewPhone

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

TABLE = "10"
DISCOUNT = "Birthday 10% off"
LIVE_TIMEOUT_MS = 15_000  # a POS change travels simulator → bridge → channel layer → phone
SESSION_PAGE = re.compile(r"/s/([0-9a-f-]{36})/")

# Counts the messages the diner WebSocket delivered, so a test knows the page is live.
COUNT_LIVE_MESSAGES = """
document.addEventListener("htmx:wsAfterMessage", function () {
  var root = document.documentElement;
  root.dataset.liveMessages = String(Number(root.dataset.liveMessages || 0) + 1);
});
"""


def diner_at_table(new_phone: NewPhone, demo: LiveDemo) -> Page:
    page = scan_table(new_phone, demo, int(TABLE))
    page.context.add_init_script(COUNT_LIVE_MESSAGES)
    return page


def open_bill(page: Page) -> None:
    """Follow the header's Bill link and wait until the page's live connection has sent
    the current check, so nothing pushed from now on can be missed."""
    page.get_by_role("link", name=re.compile(r"^Bill\b")).click()
    expect(page.get_by_role("heading", name="Your table's bill", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-live-messages", re.compile(r"^\d+$"))


def note(page: Page, text: str) -> Locator:
    """A short note of what changed (it fades after a few seconds: assert it at once)."""
    return page.locator("#notices").get_by_text(text, exact=True)


def bill_line(page: Page, name: str) -> Locator:
    return page.locator("#live-check li.check-line").filter(has_text=name)


def session_id(page: Page) -> str:
    match = SESSION_PAGE.search(page.url)
    assert match, f"not a table session's page: {page.url}"
    return match.group(1)


def test_two_diners_see_each_order_and_every_staff_change_live_until_the_bill_closes(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    with live_demo(tmp_path) as demo, PosConsole(demo.console_url) as pos:
        phone_a = diner_at_table(new_phone, demo)
        phone_b = diner_at_table(new_phone, demo)
        first_session = session_id(phone_a)
        assert session_id(phone_b) == first_session
        open_bill(phone_b)
        expect(phone_b.get_by_text("Nothing on your table's bill yet.")).to_be_visible()

        # Phone A orders; phone B's bill shows it without a reload.
        open_product(phone_a, "Garlic Bread")
        add_to_basket(phone_a, "Garlic Bread", 2)
        open_basket(phone_a)
        send_to_kitchen(phone_a)

        expect(note(phone_b, "Someone at your table ordered 2 × Garlic Bread")).to_be_visible(
            timeout=LIVE_TIMEOUT_MS
        )
        expect(bill_line(phone_b, "Garlic Bread")).to_contain_text("2 × Garlic Bread")
        expect(bill_line(phone_b, "Garlic Bread")).to_contain_text("Ordered by another diner")
        expect(phone_a.get_by_text("✓ Sent to the kitchen")).to_be_visible(timeout=POS_TIMEOUT_MS)
        open_bill(phone_a)
        expect(bill_line(phone_a, "Garlic Bread")).to_contain_text("Ordered by you")
        phones = [phone_a, phone_b]

        # A waiter rings up two items on the till.
        pos.add_items(TABLE, {"Creamy Pasta": 1, "Coca-Cola": 1})
        for phone in phones:
            expect(note(phone, "A waiter added Creamy Pasta and Coca-Cola")).to_be_visible(
                timeout=LIVE_TIMEOUT_MS
            )
        for phone in phones:
            expect(bill_line(phone, "Creamy Pasta")).to_contain_text("Added by staff")
            expect(bill_line(phone, "Coca-Cola")).to_contain_text("Added by staff")

        # The kitchen cancels phone A's Garlic Bread.
        pos.cancel_lines(TABLE, pos.line_ids(TABLE, "Garlic Bread"))
        expect(note(phone_a, "Staff cancelled your 2 × Garlic Bread")).to_be_visible(
            timeout=LIVE_TIMEOUT_MS
        )
        expect(note(phone_b, "Staff cancelled 2 × Garlic Bread")).to_be_visible(
            timeout=LIVE_TIMEOUT_MS
        )
        for phone in phones:
            expect(bill_line(phone, "Garlic Bread")).to_contain_text("Cancelled")

        # The pasta is served.
        pos.deliver_lines(TABLE, pos.line_ids(TABLE, "Creamy Pasta"))
        for phone in phones:
            expect(note(phone, "Creamy Pasta delivered")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        for phone in phones:
            expect(bill_line(phone, "Creamy Pasta")).to_contain_text("Delivered")

        # 10% off the check. Not named "10% Discount": the simulator already shows its
        # automatic "10% Discount" of the same amount, and a note can't tell the two apart.
        pos.apply_discount(TABLE, DISCOUNT, 10)
        for phone in phones:
            expect(note(phone, f"{DISCOUNT} applied")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        for phone in phones:
            # 10% of £13.99 + £3.50 (the cancelled Garlic Bread is not charged)
            adjustment = phone.locator(".check-totals div").filter(has_text=DISCOUNT)
            expect(adjustment).to_have_text(re.compile(rf"^{DISCOUNT}\s*−£1\.75$"))
            expect(phone.locator("#amount-owing")).to_have_text("£16.61")

        # The Coca-Cola comes off the bill.
        pos.remove_lines(TABLE, pos.line_ids(TABLE, "Coca-Cola"))
        for phone in phones:
            expect(note(phone, "Coca-Cola taken off the bill")).to_be_visible(
                timeout=LIVE_TIMEOUT_MS
            )
        for phone in phones:
            # Shown struck through rather than silently gone.
            expect(bill_line(phone, "Coca-Cola")).to_contain_text("Removed from the bill")
            expect(bill_line(phone, "Coca-Cola")).to_have_class(re.compile(r"status-removed"))
            expect(bill_line(phone, "Creamy Pasta")).to_have_count(1)

        # The bill is closed at the till.
        pos.close_order(TABLE)
        for phone in phones:
            expect(note(phone, "Your table's bill is closed. Thank you!")).to_be_visible(
                timeout=LIVE_TIMEOUT_MS
            )
        for phone in phones:
            expect(phone.locator("#session-banner").get_by_role("alert")).to_contain_text(
                "Your table's bill is closed — nothing more can be sent"
            )

        # Scanning the table's code again starts a new sitting with an empty bill.
        phone_a.goto(demo.table_url(int(TABLE)))
        expect(phone_a.get_by_role("banner")).to_contain_text("Table 10")
        assert session_id(phone_a) != first_session
        open_bill(phone_a)
        expect(phone_a.get_by_text("Nothing on your table's bill yet.")).to_be_visible()
