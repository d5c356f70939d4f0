"""What a diner does on a phone, as steps for the browser tests."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

from tests.live_demo import LiveDemo

if TYPE_CHECKING:
    from tests.browser import NewPhone

# Pages and htmx swaps use expect()'s 5 s default; a POS answer may take longer.
POS_TIMEOUT_MS = 15_000  # a round trip through the bridge to the POS simulator
CORONA_PLU = "401"


def scan_table(new_phone: NewPhone, demo: LiveDemo, number: int) -> Page:
    """A new phone scans the table's QR code and lands on its menu."""
    page = new_phone()
    page.goto(demo.table_url(number))
    expect(page.get_by_role("banner")).to_contain_text(f"Table {number}")
    return page


def open_product(page: Page, name: str) -> None:
    page.get_by_role("link", name=re.compile(rf"^{re.escape(name)}\b")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def choose(page: Page, option: str) -> None:
    """Tick a size or choice by its name (its label may add a price: "£7.00", "+£1.00")."""
    page.get_by_role("radio", name=re.compile(rf"^{re.escape(option)}(?: \+?£\S+)?$")).check()


def add_to_basket(page: Page, name: str, quantity: int) -> None:
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to basket").click()
    expect(page.get_by_text(f"Added {quantity} × {name} to your basket.")).to_be_visible()


def order_the_seed_order(page: Page) -> None:
    """2 × Corona (PINT), and a medium T-Bone with pepper sauce and a balsamic side salad."""
    open_product(page, "Corona")
    choose(page, "PINT")
    add_to_basket(page, "Corona", 2)

    open_product(page, "T-Bone Steak")
    for option in ["Medium", "Pepper Sauce", "Side Salad", "Balsamic"]:
        choose(page, option)
    page.get_by_label("Anything the kitchen should know?").fill("sauce on side")
    add_to_basket(page, "T-Bone Steak", 1)


def open_basket(page: Page) -> None:
    basket_link(page).click()
    expect(page.get_by_role("heading", name="Your basket", level=1)).to_be_visible()


def basket_link(page: Page) -> Locator:
    return page.get_by_role("link", name=re.compile(r"^Basket"))


def badge(page: Page) -> Locator:
    return basket_link(page).locator("#basket-count")


def basket_line(page: Page, name: str) -> Locator:
    return page.locator("li.basket-line").filter(has_text=name)


def send_to_kitchen(page: Page) -> None:
    page.get_by_role("button", name="Send to kitchen").click()
