"""A diner's phone over real HTTP (urllib, with cookies), for a demo run as its own process."""

from __future__ import annotations

import html
import http.cookiejar
import re
import time
import urllib.parse
import urllib.request

SESSION_PATH = re.compile(r"/s/[0-9a-f-]{36}/")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class HttpPhone:
    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.session_url = ""

    def get(self, url: str) -> tuple[str, str]:
        """(final address after redirects, page text)."""
        with self.opener.open(url, timeout=10) as response:
            return response.geturl(), response.read().decode()

    def post(self, url: str, form_page: str, data: dict[str, str]) -> str:
        token = CSRF_FIELD.search(form_page)
        assert token, "the page has no CSRF token"
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **data}).encode()
        with self.opener.open(url, data=body, timeout=10) as response:
            return response.read().decode()

    def scan(self, table_url: str) -> str:
        """Open the table's QR link; returns the menu page."""
        url, page = self.get(table_url)
        match = SESSION_PATH.search(url)
        assert match, f"scanning {table_url} landed on {url}"
        self.session_url = url[: match.end()]
        return page

    def add(self, menu: str, name: str, quantity: int) -> None:
        """Add a product with one size and no required choices, by its name on the menu."""
        link = re.search(
            rf'href="(/s/[^"]+/products/\d+/)">\s*(?:<img[^>]*>\s*)?'
            rf'<span class="product-name">{re.escape(html.escape(name))}</span>',
            menu,
        )
        assert link, f"no {name} on the menu"
        url = urllib.parse.urljoin(self.session_url, link.group(1))
        _, page = self.get(url)
        data = {"quantity": str(quantity), "instruction": ""}
        variant = re.search(r'name="variant" value="(\d+)"', page)
        if variant:
            data["variant"] = variant.group(1)
        self.post(url, page, data)

    def send_to_kitchen(self) -> None:
        _, basket = self.get(self.session_url + "basket/")
        self.post(self.session_url + "basket/send", basket, {})

    def wait_for_basket_text(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            _, basket = self.get(self.session_url + "basket/")
            if text in basket or time.monotonic() > deadline:
                return basket
            time.sleep(0.2)
