"""The diner's bill in full on a small phone (320 and 390 px): names beside lines, a status
per line, the Amount, taxes, a removed line struck through, notes that never cover the
totals, the order note above Send, and "Your share"; axe-core finds nothing serious on the
bill and the share page, and neither scrolls sideways."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.diner_pages import (
    POS_TIMEOUT_MS,
    open_basket,
    order_the_seed_order,
    scan_table,
    send_to_kitchen,
)
from tests.live_demo import live_demo
from tests.pos_console import PosConsole
from tests.test_browser_accessibility import axe_violations

if TYPE_CHECKING:
    from tests.browser import NewPhone

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

TABLE = "10"
LIVE_TIMEOUT_MS = 15_000


def at_width(page: Page, width: int) -> Page:
    page.set_viewport_size({"width": width, "height": 780})
    return page


def no_sideways_scroll(page: Page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url} scrolls sideways: {scroll} > {inner}"


def bill_line(page: Page, name: str):
    return page.locator("#live-check li.check-line").filter(has_text=f"× {name}")


def open_bill(page: Page) -> None:
    page.get_by_role("link", name=re.compile(r"^Bill\b")).click()
    expect(page.get_by_role("heading", name="Your table's bill", level=1)).to_be_visible()


def pounds(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", "").replace("−", "-").strip())


def boxes_overlap(page: Page, first: str, second: str) -> bool:
    return page.evaluate(
        """([a, b]) => {
            const x = document.querySelector(a).getBoundingClientRect();
            const y = document.querySelector(b).getBoundingClientRect();
            return x.height > 0 && y.height > 0 && x.left < y.right && y.left < x.right
                && x.top < y.bottom && y.top < x.bottom;
        }""",
        [first, second],
    )


@pytest.mark.parametrize("width", [320, 390])
def test_the_bill_in_full_with_names_statuses_and_each_diners_share(
    tmp_path: Path, new_phone: NewPhone, width: int
) -> None:
    with live_demo(tmp_path) as demo, PosConsole(demo.console_url) as pos:
        sam = at_width(scan_table(new_phone, demo, int(TABLE)), width)
        sam.get_by_label("What should we call you?").fill("Sam")
        sam.get_by_role("button", name="Save", exact=True).click()
        expect(sam.get_by_label("What should we call you?")).to_have_count(0)
        guest = at_width(scan_table(new_phone, demo, int(TABLE)), width)
        guest.get_by_role("button", name="Skip").click()
        expect(guest.get_by_label("What should we call you?")).to_have_count(0)

        # Sam orders the seed's order; the note for the order sits above Send.
        order_the_seed_order(sam)
        open_basket(sam)
        note = sam.get_by_label("A note for the whole order (optional)")
        send = sam.get_by_role("button", name="Send to kitchen")
        assert note.bounding_box()["y"] < send.bounding_box()["y"]
        no_sideways_scroll(sam)
        send_to_kitchen(sam)
        expect(sam.get_by_text("✓ Sent to the kitchen")).to_be_visible(timeout=POS_TIMEOUT_MS)

        # The guest's bill: Sam's name, a status per line, the seed's figures.
        open_bill(guest)
        corona = bill_line(guest, "Corona")
        expect(corona).to_contain_text("Ordered by Sam", timeout=LIVE_TIMEOUT_MS)
        expect(corona).to_contain_text("Accepted")
        expect(corona).to_contain_text("£7.00 each")
        expect(bill_line(guest, "T-Bone Steak")).to_contain_text("Side Salad£1.00")
        expect(guest.locator("#check-amount")).to_have_text("£40.45")
        totals = guest.locator(".check-totals")
        expect(totals.locator("div").filter(has_text="10% Discount")).to_contain_text("−£4.50")
        expect(totals.locator(".tax")).to_have_text(re.compile(r"Includes VAT \(10%\)\s*£3\.68"))
        expect(guest.locator("#amount-owing")).to_have_text("£47.19")

        # The kitchen serves the steak; a waiter rings up a cola and takes it off again.
        open_bill(sam)
        pos.deliver_lines(TABLE, pos.line_ids(TABLE, "T-Bone Steak"))
        for phone in (sam, guest):
            expect(bill_line(phone, "T-Bone Steak")).to_contain_text(
                "Delivered", timeout=LIVE_TIMEOUT_MS
            )
        pos.add_items(TABLE, {"Coca-Cola": 1})
        expect(bill_line(guest, "Coca-Cola")).to_contain_text(
            "Added by staff", timeout=LIVE_TIMEOUT_MS
        )
        pos.remove_lines(TABLE, pos.line_ids(TABLE, "Coca-Cola"))
        for phone in (sam, guest):
            removed = bill_line(phone, "Coca-Cola")
            expect(removed).to_contain_text("Removed from the bill", timeout=LIVE_TIMEOUT_MS)
            expect(removed.locator(".line-name")).to_have_css(
                "text-decoration-line", "line-through"
            )
            # The note that says so never covers the totals.
            expect(phone.locator("#notices .notice-toast").last).to_be_visible()
            phone.locator("#amount-owing").scroll_into_view_if_needed()
            assert not boxes_overlap(phone, "#notices", ".check-totals")
            no_sideways_scroll(phone)
        assert axe_violations(guest) == []

        # Sam changes their name from the bill: the guest's phone shows it at once.
        sam.locator("#your-name summary").click()
        sam.get_by_label("Your name, shown beside what you order").fill("Samantha")
        sam.get_by_role("button", name="Save name").click()
        expect(bill_line(guest, "Corona")).to_contain_text(
            "Ordered by Samantha", timeout=LIVE_TIMEOUT_MS
        )
        expect(bill_line(sam, "Corona")).to_contain_text("Ordered by you")

        # Your share, asked of the till afresh.
        guest.get_by_role("link", name="Your share").click()
        expect(guest.get_by_role("heading", name="Your share", level=1)).to_be_visible()
        expect(guest.locator(".share-as-of")).to_have_text(
            re.compile(r"As the till gave it at \d\d:\d\d\.")
        )
        expect(guest.get_by_role("heading", name="Samantha", level=2)).to_be_visible()
        expect(guest.get_by_role("heading", name="You", exact=True, level=2)).to_be_visible()
        owing = pounds(guest.locator("#share-owing").inner_text())
        assert owing == Decimal("47.19")
        would_pay = guest.locator(".share-diner .share-total dd").all_inner_texts()
        assert len(would_pay) == 2 and sum(pounds(t) for t in would_pay) == owing
        even = guest.locator(".share-even dd").all_inner_texts()
        assert sorted(pounds(t) for t in even) == [Decimal("23.59"), Decimal("23.60")]
        no_sideways_scroll(guest)
        assert axe_violations(guest) == []
