"""A member of staff keeps the floor page open in the admin while a diner at Table 10
orders and a waiter rings items up on the POS (the simulator's staff console): the
table's row changes live, without a reload, and its visit shows what the POS said."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.diner_pages import add_to_basket, open_basket, open_product, scan_table, send_to_kitchen
from tests.live_demo import live_demo
from tests.pos_console import PosConsole
from tests.test_browser_admin import (
    CREATE_STAFF_MEMBER,
    STAFF_PASSWORD,
    STAFF_USERNAME,
    desktop,  # noqa: F401 -- the fixture
    log_in_to_the_admin,
)

if TYPE_CHECKING:  # imported at run time by pytest_plugins, so pytest rewrites its asserts
    from tests.browser import NewPhone

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

LIVE_TIMEOUT_MS = 15_000  # simulator → bridge → channel layer → the staff socket
MONEY = re.compile(r"^£\d+\.\d\d$")


def test_the_floor_page_follows_a_diner_ordering_and_the_pos_changing_the_check(
    tmp_path: Path,
    new_phone: NewPhone,
    desktop: Page,  # noqa: F811
) -> None:
    with live_demo(tmp_path) as demo, PosConsole(demo.console_url) as pos:
        assert "created sam" in demo.manage("shell", "-c", CREATE_STAFF_MEMBER)
        log_in_to_the_admin(desktop, demo, STAFF_USERNAME, STAFF_PASSWORD)
        desktop.goto(demo.base_url + "/admin/tables/location/")
        desktop.get_by_role("link", name="The Corona & Steak").first.click()
        desktop.get_by_role("link", name="Floor", exact=True).first.click()
        expect(desktop.locator("#floor-status")).to_have_text(re.compile("^Live"))
        desktop.evaluate("window.notReloaded = true")
        row = desktop.locator("tr.floor-row").filter(
            has=desktop.get_by_role("link", name="Table 10", exact=True)
        )
        expect(row.locator(".floor-state")).to_have_text("Free")

        # A diner scans the table: the visit opens.
        phone = scan_table(new_phone, demo, 10)
        expect(row.locator(".floor-state")).to_contain_text("Visit open", timeout=LIVE_TIMEOUT_MS)
        expect(row.locator(".floor-diners")).to_have_text("1 diner")

        # They order; the POS accepts; the bill is the POS's check.
        open_product(phone, "Garlic Bread")
        add_to_basket(phone, "Garlic Bread", 2)
        open_basket(phone)
        send_to_kitchen(phone)
        expect(row.locator(".floor-latest")).to_contain_text("Accepted", timeout=LIVE_TIMEOUT_MS)
        expect(row.locator(".floor-bill")).to_have_text(MONEY, timeout=LIVE_TIMEOUT_MS)
        expect(row.locator(".floor-problems")).to_be_empty()
        first_bill = row.locator(".floor-bill").inner_text()

        # A waiter rings up a pasta at the till: the bill grows on the floor page.
        pos.add_items("10", {"Creamy Pasta": 1})
        expect(row.locator(".floor-bill")).not_to_have_text(first_bill, timeout=LIVE_TIMEOUT_MS)
        expect(row.locator(".floor-bill")).to_have_text(MONEY)
        assert desktop.evaluate("window.notReloaded") is True

        # The table's visit: the diner, the batch with the POS's answer, the bill's lines.
        row.get_by_role("link", name="Table 10", exact=True).click()
        expect(desktop.get_by_text("Diner 1, joined")).to_be_visible()
        expect(desktop.get_by_text("ResultCode 0: accepted")).to_be_visible()
        expect(desktop.locator(".visit-check")).to_contain_text("Creamy Pasta")
        expect(desktop.locator(".visit-check")).to_contain_text("Garlic Bread")
