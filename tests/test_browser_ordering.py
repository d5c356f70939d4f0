"""A diner on a phone, in a real browser, against the product run as `make demo` runs it:
migrate, seed_demo, then run_embedded with the POS simulator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.live_demo import LiveDemo, live_demo

if TYPE_CHECKING:  # imported at run time by pytest_plugins, so pytest rewrites its asserts
    from tests.browser import NewPhone

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

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


def test_a_diner_scans_table_10_orders_the_seed_order_and_sees_it_accepted(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    with live_demo(tmp_path) as demo:
        page = scan_table(new_phone, demo, 10)
        expect(page).to_have_title("Menu · Table 10")

        order_the_seed_order(page)
        expect(badge(page)).to_have_text("3")
        open_basket(page)

        expect(basket_line(page, "Corona")).to_contain_text("PINT")
        expect(basket_line(page, "T-Bone Steak")).to_contain_text(
            "Medium, Pepper Sauce, Side Salad, Balsamic"
        )
        expect(basket_line(page, "T-Bone Steak")).to_contain_text("“sauce on side”")
        # 2 × £7.00 + £29.95 + £1.00 for the side salad
        expect(page.get_by_text("Estimated total")).to_have_text("Estimated total £44.95")

        send_to_kitchen(page)

        expect(page.get_by_text("✓ Sent to the kitchen")).to_be_visible(timeout=POS_TIMEOUT_MS)
        expect(page.get_by_text("Your basket is empty")).to_be_visible()
        expect(badge(page)).to_have_text("0")


def test_corona_out_of_stock_is_rejected_with_its_reason_and_the_basket_is_kept(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    with live_demo(tmp_path, stock={CORONA_PLU: 1}) as demo:
        page = scan_table(new_phone, demo, 10)
        order_the_seed_order(page)
        open_basket(page)

        send_to_kitchen(page)

        expect(page.get_by_text("The kitchen couldn't take this order")).to_be_visible(
            timeout=POS_TIMEOUT_MS
        )
        corona = basket_line(page, "Corona")
        expect(corona).to_contain_text("Only 1 left")
        expect(page.locator("li.basket-line")).to_have_count(2)
        expect(basket_line(page, "T-Bone Steak")).to_be_visible()
        expect(corona.locator(".qty")).to_have_text("Quantity 2")

        corona.get_by_role("button", name="One fewer").click()

        expect(corona.locator(".qty")).to_have_text("Quantity 1")
        expect(corona).not_to_contain_text("Only 1 left")
        send_to_kitchen(page)

        expect(page.get_by_text("✓ Sent to the kitchen")).to_be_visible(timeout=POS_TIMEOUT_MS)
        expect(page.get_by_text("Your basket is empty")).to_be_visible()


def test_a_bad_quantity_gets_a_clear_message_in_the_browser(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    with live_demo(tmp_path) as demo:
        page = scan_table(new_phone, demo, 10)
        open_product(page, "Garlic Bread")

        # The form is novalidate, so the browser sends 0 and the server answers.
        page.get_by_label("Quantity").fill("0")
        page.get_by_role("button", name="Add to basket").click()

        expect(page.get_by_role("alert")).to_contain_text("Quantity must be at least 1")
        expect(page.get_by_role("heading", level=1)).to_have_text("Garlic Bread")
        expect(badge(page)).to_have_text("0")


def test_an_old_or_forged_code_shows_the_friendly_page(tmp_path: Path, new_phone: NewPhone) -> None:
    with live_demo(tmp_path) as demo:
        page = new_phone()
        response = page.goto(demo.base_url + "/t/forged-token-123")

        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="This code doesn't work any more")).to_be_visible()
        expect(page.get_by_text("ask a member of staff")).to_be_visible()
