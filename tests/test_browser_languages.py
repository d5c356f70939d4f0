"""A phone set to French reads the menu in French; the language switch under the header
(a labelled select and its button, reachable by keyboard) changes it, and the phone keeps
that choice after a reload; `<html lang>` follows. In a real browser at 390 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import ACTION_TIMEOUT_MS, PHONE
from tests.live_demo import live_demo

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser


def test_a_french_phone_switches_to_german_and_keeps_it_after_a_reload(
    tmp_path: Path, browser: Browser
) -> None:
    with live_demo(tmp_path) as demo:
        context = browser.new_context(**{**PHONE, "locale": "fr-FR"})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            page = context.new_page()
            page.goto(demo.table_url(10))
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            expect(page.get_by_role("link", name="Panier")).to_be_visible()

            switch = page.get_by_label("Langue")
            expect(switch).to_have_value("fr")
            # Reachable by keyboard: tabbing from the top of the page gets to it.
            page.locator("body").focus()
            for _ in range(30):
                page.keyboard.press("Tab")
                if switch.evaluate("el => el === document.activeElement"):
                    break
            else:
                pytest.fail("the language switch is not reachable with the Tab key")

            switch.select_option("de")
            page.get_by_role("button", name="Changer").click()

            expect(page.locator("html")).to_have_attribute("lang", "de")
            expect(page.get_by_role("link", name="Warenkorb")).to_be_visible()
            page.reload()
            expect(page.locator("html")).to_have_attribute("lang", "de")
            expect(page.get_by_label("Sprache")).to_have_value("de")
            page.get_by_role("link", name="Rechnung").click()
            expect(page.locator("html")).to_have_attribute("lang", "de")
            expect(page.get_by_role("link", name="Warenkorb")).to_be_visible()
        finally:
            context.close()
