"""Every diner page, set up once per test module against the demo: the menu, a product, a
basket with lines in it, a bill with the seed order on it, and a closed visit. Names are
made long on purpose (a restaurant's and a product's), as real menus have them."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser import ACTION_TIMEOUT_MS, PHONE
from tests.diner_pages import (
    POS_TIMEOUT_MS,
    add_to_basket,
    open_basket,
    open_product,
    order_the_seed_order,
    send_to_kitchen,
)
from tests.live_demo import live_demo
from tests.pos_console import PosConsole

LONG_PLACE = "The Old Harbourmaster's Riverside Brasserie, Oyster Bar and Grill"
LONG_PRODUCT = "Wood-fired Sourdough Garlicbreadwithroastedrosemaryandseasalt"
RENAME = (
    "from tables.models import Location; from ordering.models import Product; "
    f"Location.objects.update(name={LONG_PLACE!r}); "
    f"Product.objects.filter(name='Garlic Bread').update(name={LONG_PRODUCT!r})"
)
SESSION = re.compile(r"/s/[0-9a-f-]{36}/")


@dataclass
class PhonePages:
    page: Page  # a phone at Table 10 (open) that also holds Table 11's closed visit
    urls: dict[str, str]  # page name -> address


@contextlib.contextmanager
def phone_pages(browser: Browser, tmp_path) -> Iterator[PhonePages]:
    with live_demo(tmp_path) as demo, PosConsole(demo.console_url) as pos:
        demo.manage("shell", "-c", RENAME)
        context: BrowserContext = browser.new_context(**PHONE)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            page = context.new_page()
            # Table 11: order, then the till closes the bill.
            page.goto(demo.table_url(11))
            open_product(page, "Corona")
            page.get_by_role("radio", name=re.compile(r"^PINT")).check()
            add_to_basket(page, "Corona", 1)
            open_basket(page)
            send_to_kitchen(page)
            expect(page.get_by_text("✓ Sent to the kitchen")).to_be_visible(timeout=POS_TIMEOUT_MS)
            closed = SESSION.search(page.url).group(0)
            pos.close_order("11")
            expect(page.locator("#session-banner")).to_contain_text(
                "closed", timeout=POS_TIMEOUT_MS
            )
            # Table 10: the seed order sent, one more thing in the basket.
            page.goto(demo.table_url(10))
            order_the_seed_order(page)
            open_basket(page)
            send_to_kitchen(page)
            expect(page.get_by_text("✓ Sent to the kitchen")).to_be_visible(timeout=POS_TIMEOUT_MS)
            base = demo.base_url.rstrip("/") + SESSION.search(page.url).group(0)
            page.goto(base)
            open_product(page, LONG_PRODUCT)
            product = page.url
            add_to_basket(page, LONG_PRODUCT, 2)
            urls = {
                "menu": base,
                "product": product,
                "basket": base + "basket/",
                "bill": base + "bill/",
                "share": base + "bill/share/",
                "closed visit": demo.base_url.rstrip("/") + closed,
                "closed bill": demo.base_url.rstrip("/") + closed + "bill/",
            }
            yield PhonePages(page, urls)
        finally:
            context.close()
