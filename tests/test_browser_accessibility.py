"""Accessibility on every diner page: axe-core (from the npm registry, pinned, checksum
verified by scripts/fetch_vendor.py into tests/vendor/) finds no serious or critical
violation, every control has a name, and every touch target is at least 44 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.phone_pages import PhonePages, phone_pages

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PAGES = ["menu", "product", "basket", "bill", "share", "closed visit", "closed bill"]
# What a finger taps: buttons, fields, links that are not words inside a sentence.
TARGETS = (
    "button, input:not([type=radio]):not([type=checkbox]), textarea, select, label.chip, "
    "label.choice, .topbar a, a.back, .category-tabs a, .product > a, .bill-link, a.button"
)


@pytest.fixture(scope="module")
def pages(browser: Browser, tmp_path_factory) -> Iterator[PhonePages]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make vendor` (scripts/fetch_vendor.py)")
    with phone_pages(browser, tmp_path_factory.mktemp("a11y")) as pages:
        yield pages


def axe_violations(page: Page) -> list[str]:
    # Evaluated through the browser's DevTools protocol: the page's Content-Security-Policy
    # (scripts from the site only) rightly refuses an injected <script>.
    page.evaluate(AXE.read_text() + "\n;undefined")
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 390])
def test_axe_finds_nothing_serious(pages: PhonePages, name: str, scheme: str, width: int) -> None:
    page = pages.page
    page.set_viewport_size({"width": width, "height": 844})
    page.emulate_media(color_scheme=scheme)
    page.goto(pages.urls[name])
    assert axe_violations(page) == []


@pytest.mark.parametrize("name", PAGES)
def test_touch_targets_are_at_least_44_px(pages: PhonePages, name: str) -> None:
    page = pages.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme="light")
    page.goto(pages.urls[name])
    small = page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector))
            .filter(el => el.offsetParent !== null && !el.closest('.visually-hidden'))
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, box]) => box.width < 44 || box.height < 44)
            .map(([el, box]) =>
                `${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}×${Math.round(box.height)}`)
        """,
        TARGETS,
    )
    assert small == [], "\n".join(small)
