"""A diner on a phone, in a real browser, against the product run as `make demo` runs it:
migrate, seed_demo, then run_embedded with the POS simulator."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.diner_pages import (
    CORONA_PLU,
    POS_TIMEOUT_MS,
    badge,
    basket_line,
    open_basket,
    open_product,
    order_the_seed_order,
    scan_table,
    send_to_kitchen,
)
from tests.live_demo import live_demo

if TYPE_CHECKING:  # imported at run time by pytest_plugins, so pytest rewrites its asserts
    from tests.browser import NewPhone

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser


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
