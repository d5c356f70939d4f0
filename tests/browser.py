"""Playwright fixtures: Debian's chromium (Playwright's own download is not used) and
phones. Register with `pytest_plugins = ["tests.browser"]` in a test module."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "en-GB",
}
ACTION_TIMEOUT_MS = 15_000

NewPhone = Callable[[], Page]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: a live sync Playwright would leave an event loop running under the
    # async tests of the modules after it.
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `make browser` (Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_phone(browser: Browser) -> Iterator[NewPhone]:
    """Call it for a phone: a fresh browser context (its own cookies) with one page."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(**PHONE)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
