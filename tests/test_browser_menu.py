"""The menu and product page on a small phone (320 and 390 px): the line's running total,
the three allergen states, hiding dishes by allergen (remembered on the phone), and a visit
the till closes while the phone watches, with its way to a new order."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser import ACTION_TIMEOUT_MS, PHONE
from tests.diner_pages import (
    POS_TIMEOUT_MS,
    add_to_basket,
    choose,
    open_basket,
    open_product,
    send_to_kitchen,
)
from tests.live_demo import LiveDemo, live_demo
from tests.pos_console import PosConsole

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

WIDTHS = [320, 390]
UNDECLARED = "Fresh Orange Juice"
FORGET_ORANGE_JUICES_ALLERGENS = (
    "from ordering.models import Product; "
    f"Product.objects.filter(name={UNDECLARED!r}).update(allergens_declared=False)"
)
SESSION = re.compile(r"/s/([0-9a-f-]{36})/")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[LiveDemo]:
    with live_demo(tmp_path_factory.mktemp("menu")) as demo:
        demo.manage("shell", "-c", FORGET_ORANGE_JUICES_ALLERGENS)
        yield demo


@pytest.fixture
def phone(browser: Browser, request) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        **{**PHONE, "viewport": {"width": request.param, "height": 740}}
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def no_sideways_scroll(page: Page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner


def session_of(page: Page) -> str:
    found = SESSION.search(page.url)
    assert found, page.url
    return found.group(1)


@pytest.mark.parametrize("phone", WIDTHS, indirect=True)
def test_the_running_total_follows_size_choices_and_quantity(demo: LiveDemo, phone: Page) -> None:
    phone.goto(demo.table_url(3))
    open_product(phone, "Thames Pale Ale")
    total = phone.locator("#line-total")
    choose(phone, "HALF")
    expect(total).to_have_text("£3.10")
    phone.get_by_label("Quantity").fill("3")
    expect(total).to_have_text("£9.30")
    choose(phone, "PINT")
    expect(total).to_have_text("£17.40")
    no_sideways_scroll(phone)
    add_to_basket(phone, "Thames Pale Ale", 3)

    open_product(phone, "T-Bone Steak")
    expect(total).to_have_text("£29.95")
    for option in ["Medium", "Béarnaise", "Side Salad"]:
        choose(phone, option)
    expect(total).to_have_text("£32.45")
    phone.get_by_label("Quantity").fill("2")
    expect(total).to_have_text("£64.90")
    add_to_basket(phone, "T-Bone Steak", 2)

    # The basket priced the lines itself, from the menu: the same figures.
    open_basket(phone)
    expect(phone.locator("li.basket-line").filter(has_text="Thames Pale Ale")).to_contain_text(
        "£17.40"
    )
    expect(phone.locator("li.basket-line").filter(has_text="T-Bone Steak")).to_contain_text(
        "£64.90"
    )


@pytest.mark.parametrize("phone", WIDTHS, indirect=True)
def test_allergens_read_three_different_ways(demo: LiveDemo, phone: Page) -> None:
    phone.goto(demo.table_url(4))
    item = phone.locator("li.product")
    expect(item.filter(has_text="Corona").locator(".allergens")).to_have_text("Contains: Gluten")
    expect(item.filter(has_text="Coca-Cola").locator(".allergens")).to_have_text("✓ No allergens")
    expect(item.filter(has_text=UNDECLARED).locator(".allergens")).to_have_text(
        "? Allergens not declared by the restaurant"
    )
    open_product(phone, UNDECLARED)
    expect(phone.locator(".product-page .allergens")).to_have_text(
        "? Allergens not declared by the restaurant"
    )
    phone.go_back()
    open_product(phone, "Coca-Cola")
    expect(phone.locator(".product-page .allergens")).to_have_text("✓ No allergens")


@pytest.mark.parametrize("phone", WIDTHS, indirect=True)
def test_dishes_with_a_chosen_allergen_hide_and_stay_hidden_after_a_reload(
    demo: LiveDemo, phone: Page
) -> None:
    phone.goto(demo.table_url(5))
    filters = phone.get_by_role("group", name="Hide dishes that contain")
    expect(filters).to_be_visible()
    corona = phone.locator("li.product").filter(has_text="Corona")
    expect(corona).to_be_visible()
    filters.get_by_label("Gluten").check()
    expect(corona).to_be_hidden()
    expect(phone.locator("li.product").filter(has_text="Coca-Cola")).to_be_visible()
    status = phone.locator("#allergen-hidden")
    expect(status).to_contain_text(re.compile(r"\d+ dishes hidden"))
    hidden = phone.locator("#menu-list li.product[hidden]").count()
    assert hidden > 1
    assert re.search(rf"\b{hidden} dishes hidden", status.inner_text())
    no_sideways_scroll(phone)
    row = phone.locator(".allergen-chips")
    assert row.evaluate("el => el.getBoundingClientRect().right") <= phone.viewport_size["width"]

    # Remembered on this phone: a reload, and a search, still hide them.
    phone.reload()
    expect(filters.get_by_label("Gluten")).to_be_checked()
    expect(corona).to_be_hidden()
    phone.get_by_role("searchbox", name="Search the menu").fill("Cor")
    expect(phone.locator("li.product")).to_have_count(1)
    expect(phone.locator("li.product").first).to_be_hidden()
    expect(status).to_contain_text("1 dish hidden")

    # The diner can still look at them.
    status.get_by_role("button", name="Show them").click()
    expect(corona).to_be_visible()
    status.get_by_role("button", name="Hide them").click()
    expect(corona).to_be_hidden()
    filters.get_by_label("Gluten").uncheck()
    expect(corona).to_be_visible()
    expect(status.get_by_role("button")).to_be_hidden()

    # A dish whose allergens the restaurant never declared may hold any: hidden on request.
    phone.get_by_role("searchbox", name="Search the menu").fill("")
    juice = phone.locator("li.product").filter(has_text=UNDECLARED)
    expect(juice).to_be_visible()
    filters.get_by_label("Undeclared allergens").check()
    expect(juice).to_be_hidden()
    expect(phone.locator("li.product").filter(has_text="Coca-Cola")).to_be_visible()
    expect(status).to_contain_text("1 dish hidden")


@pytest.mark.parametrize("phone", WIDTHS, indirect=True)
def test_a_closed_visit_arrives_live_with_the_way_to_a_new_order(
    demo: LiveDemo, phone: Page, request
) -> None:
    table = "6" if phone.viewport_size["width"] == 320 else "7"
    with PosConsole(demo.console_url) as pos:
        phone.goto(demo.table_url(int(table)))
        open_product(phone, "Corona")
        choose(phone, "PINT")
        add_to_basket(phone, "Corona", 1)
        open_basket(phone)
        send_to_kitchen(phone)
        expect(phone.get_by_text("✓ Sent to the kitchen")).to_be_visible(timeout=POS_TIMEOUT_MS)
        phone.locator(".topbar-home").click()
        expect(phone.locator("body[data-live=open]")).to_have_count(1)  # the table's socket
        first_visit = session_of(phone)
        pos.close_order(table)

    banner = phone.locator("#session-banner").get_by_role("alert")
    expect(banner).to_contain_text(
        "Your table's bill is closed — nothing more can be sent", timeout=POS_TIMEOUT_MS
    )
    no_sideways_scroll(phone)
    # The last bill stays readable, closed.
    banner.get_by_role("link", name="See the final bill").click()
    expect(phone.locator("#live-check")).to_contain_text("Corona")
    expect(phone.locator("#live-check")).to_contain_text("This bill is closed.")
    start = phone.locator("#session-banner").get_by_role("button", name="Start a new order")
    expect(start).to_be_visible()
    start.click()
    expect(phone.get_by_role("search")).to_be_visible()
    assert session_of(phone) != first_visit
    phone.get_by_role("link", name=re.compile(r"^Bill")).click()
    expect(phone.get_by_text("Nothing on your table's bill yet.")).to_be_visible()
