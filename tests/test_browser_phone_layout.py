"""No diner page scrolls sideways on a small phone: 320 and 390 px wide, long names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.phone_pages import LONG_PLACE, PhonePages, phone_pages

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

WIDTHS = [320, 390, 430]


@pytest.fixture(scope="module")
def pages(browser: Browser, tmp_path_factory) -> Iterator[PhonePages]:
    with phone_pages(browser, tmp_path_factory.mktemp("layout")) as pages:
        yield pages


@pytest.mark.parametrize("width", WIDTHS)
def test_no_diner_page_is_wider_than_the_phone(pages: PhonePages, width: int) -> None:
    page = pages.page
    page.set_viewport_size({"width": width, "height": 800})
    too_wide = {}
    for name, url in pages.urls.items():
        page.goto(url)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        # A mobile browser widens its layout viewport to content that is too wide, so
        # innerWidth is checked against the phone's width too.
        if scroll > inner or inner != width:
            too_wide[name] = scroll
    assert too_wide == {}, f"wider than {width} px: {too_wide}"


def test_the_restaurants_long_name_wraps_instead_of_being_cut(pages: PhonePages) -> None:
    page = pages.page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(pages.urls["menu"])
    place = page.locator(".topbar-place")
    assert place.inner_text() == LONG_PLACE
    assert place.evaluate("el => el.scrollWidth <= el.clientWidth")


def test_the_dietary_filters_stay_inside_their_row(pages: PhonePages) -> None:
    page = pages.page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(pages.urls["menu"])
    row = page.locator(".diet-filters")
    assert row.evaluate("el => el.getBoundingClientRect().right") <= 390
    for chip in page.locator(".diet-filters .chip").all():
        box = chip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
