"""A phone back from a dropped connection shows the present: what was pushed while it had
no signal (a batch accepted, a dish sold out) is read again when its connection comes back,
without ever swapping a page part under a request of the diner's own. The phone's network
is taken away for real (tests.phone_network): the browser sees its WebSocket drop and
htmx's ws extension reconnects by itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests.bridge_runner import wait_until
from tests.diner_pages import (
    POS_TIMEOUT_MS,
    add_to_basket,
    basket_line,
    open_basket,
    open_product,
    send_to_kitchen,
)
from tests.live_demo import LiveDemo, live_demo
from tests.phone_network import PhoneNetwork
from tests.test_browser_admin import (
    CREATE_STAFF_MEMBER,
    STAFF_PASSWORD,
    STAFF_USERNAME,
    desktop,  # noqa: F401 -- the fixture
    log_in_to_the_admin,
)
from tests.test_browser_batch_states import ACCEPTED, SENDING, batch_in, batch_state

if TYPE_CHECKING:  # imported at run time by pytest_plugins, so pytest rewrites its asserts
    from tests.browser import NewPhone

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser


def connection(page: Page) -> Locator:
    """The page's body, whose data-live says whether its live connection is open."""
    return page.locator("body")


def a_basket_with_garlic_bread(new_phone: NewPhone, demo: LiveDemo, network: PhoneNetwork) -> Page:
    """A phone on the network that scanned Table 10, with 2 × Garlic Bread in its basket,
    on the basket page with its live connection open."""
    page = new_phone()
    page.goto(network.address(demo.table_url(10)))
    open_product(page, "Garlic Bread")
    add_to_basket(page, "Garlic Bread", 2)
    open_basket(page)
    expect(connection(page)).to_have_attribute("data-live", "open")
    return page


def wait_on_page(page: Page, condition: Callable[[], object]) -> None:
    """Poll while Playwright waits, so the routes' handlers are served meanwhile (a plain
    sleep would hold them back)."""
    for _ in range(POS_TIMEOUT_MS // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("the phone never made the request")


def test_a_phone_away_when_its_order_is_accepted_shows_it_once_back(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    """The yes is pushed while the phone has no signal; nothing pushes it again, so the
    basket page must catch up when its connection comes back."""
    delay = ["--simulator-answer-delay", "2"]
    with live_demo(tmp_path, extra_args=delay) as demo, PhoneNetwork(demo.base_url) as network:
        page = a_basket_with_garlic_bread(new_phone, demo, network)
        live = connection(page)
        send_to_kitchen(page)
        expect(batch_state(page, SENDING)).to_be_visible()

        network.away()
        expect(live).to_have_attribute("data-live", "closed")
        wait_until(
            lambda: "state=accepted" in demo.output(),
            POS_TIMEOUT_MS / 1000,
            what="the server logging the POS's yes",
        )
        expect(batch_state(page, SENDING)).to_be_visible()  # what it showed when it left
        network.back()

        expect(live).to_have_attribute("data-live", "open", timeout=POS_TIMEOUT_MS)
        expect(batch_state(page, ACCEPTED)).to_be_visible()
        expect(batch_in(page, "accepted")).to_contain_text("2 × Garlic Bread")
        expect(page.get_by_text("Your basket is empty")).to_be_visible()


def test_a_basket_read_on_reconnect_never_hides_a_send_on_its_way(
    tmp_path: Path, new_phone: NewPhone
) -> None:
    """Back from a dropped connection, the page reads its basket again; when that read
    (made before the Send) comes back while the Send is on its way, it must not replace
    the basket the Send's answer goes into."""
    with live_demo(tmp_path) as demo, PhoneNetwork(demo.base_url) as network:
        page = a_basket_with_garlic_bread(new_phone, demo, network)
        live = connection(page)
        held: dict[str, list[Route]] = {"GET": [], "POST": []}
        page.route("**/basket/", lambda route: held["GET"].append(route))
        page.route("**/basket/send", lambda route: held["POST"].append(route))

        network.away()
        expect(live).to_have_attribute("data-live", "closed")
        network.back()
        expect(live).to_have_attribute("data-live", "open", timeout=POS_TIMEOUT_MS)
        wait_on_page(page, lambda: held["GET"])
        read_before = held["GET"][0].fetch()  # the basket with its line still unsent
        send_to_kitchen(page)
        wait_on_page(page, lambda: held["POST"])
        held["GET"][0].fulfill(response=read_before)  # back while the Send is on its way
        page.wait_for_timeout(300)
        page.unroute("**/basket/")
        held["POST"][0].fallback()

        expect(page.get_by_text("Your basket is empty")).to_be_visible(timeout=POS_TIMEOUT_MS)
        expect(batch_in(page, "accepted")).to_contain_text("2 × Garlic Bread")
        expect(basket_line(page, "Garlic Bread")).to_have_count(0)


def test_a_dish_sold_out_while_the_phone_was_away_shows_unavailable_once_back(
    tmp_path: Path,
    new_phone: NewPhone,
    desktop: Page,  # noqa: F811
) -> None:
    with live_demo(tmp_path) as demo, PhoneNetwork(demo.base_url) as network:
        assert "created sam" in demo.manage("shell", "-c", CREATE_STAFF_MEMBER)
        log_in_to_the_admin(desktop, demo, STAFF_USERNAME, STAFF_PASSWORD)
        page = new_phone()
        page.goto(network.address(demo.table_url(10)))
        garlic_bread = page.locator("#menu-list li.product").filter(has_text="Garlic Bread")
        expect(garlic_bread).not_to_contain_text("Not available")
        expect(connection(page)).to_have_attribute("data-live", "open")
        product_id = garlic_bread.get_attribute("id").removeprefix("product-")

        network.away()
        expect(connection(page)).to_have_attribute("data-live", "closed")
        desktop.goto(f"{demo.base_url}/admin/ordering/product/{product_id}/change/")
        desktop.get_by_label("Available").uncheck()
        desktop.get_by_role("button", name="Save", exact=True).click()
        expect(desktop.locator(".messagelist")).to_contain_text("was changed successfully")
        expect(garlic_bread).not_to_contain_text("Not available")  # it heard nothing
        network.back()

        expect(connection(page)).to_have_attribute("data-live", "open", timeout=POS_TIMEOUT_MS)
        expect(garlic_bread).to_contain_text("Not available")
