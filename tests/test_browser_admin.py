"""A member of staff, in the admin on a desktop browser, rotates a table's QR code and
downloads the new one: the new code opens the table, the printed old one no longer does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.live_demo import LiveDemo, live_demo

if TYPE_CHECKING:  # imported at run time by pytest_plugins, so pytest rewrites its asserts
    from tests.browser import NewPhone

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}
ACTION_TIMEOUT_MS = 15_000  # as on the phones (tests.browser)
STAFF_USERNAME = "sam"
STAFF_PASSWORD = "correct-horse-battery-staple"

CREATE_STAFF_MEMBER = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from tables.models import Location, LocationMembership

user = get_user_model().objects.create_user(
    {STAFF_USERNAME!r}, password={STAFF_PASSWORD!r}, is_staff=True
)
user.groups.add(Group.objects.get(name="Staff"))
LocationMembership.objects.create(user=user, location=Location.objects.get(slug="demo"))
print("created", user.username)
"""


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in_to_the_admin(page: Page, demo: LiveDemo, username: str, password: str) -> None:
    page.goto(demo.base_url + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_staff_rotate_a_tables_qr_code_and_only_the_downloaded_new_code_opens_the_table(
    tmp_path: Path, new_phone: NewPhone, desktop: Page
) -> None:
    with live_demo(tmp_path) as demo:
        assert "created sam" in demo.manage("shell", "-c", CREATE_STAFF_MEMBER)
        old_url = demo.table_url(10)

        log_in_to_the_admin(desktop, demo, STAFF_USERNAME, STAFF_PASSWORD)
        desktop.goto(demo.base_url + "/admin/tables/table/")
        desktop.get_by_role("link", name="Table 10", exact=True).click()
        expect(desktop.get_by_role("heading", name="Table 10", level=2)).to_be_visible()

        desktop.get_by_role("link", name="Rotate QR code").click()
        expect(
            desktop.get_by_text("The code printed on the table stops working at once")
        ).to_be_visible()
        desktop.get_by_role("button", name="Rotate QR code").click()
        expect(desktop.get_by_text("Table 10 has a new QR code.")).to_be_visible()

        with desktop.expect_download() as download_info:
            desktop.get_by_role("link", name="Download PNG").click()
        png = tmp_path / "table-10.png"
        download_info.value.save_as(png)
        codes = zxingcpp.read_barcodes(Image.open(png))
        assert len(codes) == 1, f"expected one QR code in the PNG, found {len(codes)}"
        new_url = codes[0].text
        assert new_url.startswith(demo.base_url + "/t/") and new_url != old_url

        phone = new_phone()
        phone.goto(new_url)
        expect(phone.get_by_role("banner")).to_contain_text("Table 10")
        expect(phone).to_have_title("Menu · Table 10")

        old_code = new_phone()
        response = old_code.goto(old_url)
        assert response is not None and response.status == 404
        expect(
            old_code.get_by_role("heading", name="This code doesn't work any more")
        ).to_be_visible()
