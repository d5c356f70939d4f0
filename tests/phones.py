"""A diner's phone, driven through Django's test client: scan, pick, send."""

from __future__ import annotations

import re

from django.test import Client

from ordering.models import Modifier, Product
from tables.models import Diner, Table, TableSession


class Phone:
    def __init__(self, *, enforce_csrf: bool = False) -> None:
        self.client = Client(enforce_csrf_checks=enforce_csrf)
        self.session: TableSession | None = None

    def scan(self, table: Table):
        response = self.client.get(f"/t/{table.qr_token}")
        if response.status_code == 302:
            match = re.search(r"/s/([0-9a-f-]{36})/", response["Location"])
            assert match, response["Location"]
            self.session = TableSession.objects.get(public_id=match.group(1))
        return response

    @property
    def base(self) -> str:
        assert self.session is not None, "scan a table first"
        return f"/s/{self.session.public_id}/"

    @property
    def diner(self) -> Diner:
        assert self.session is not None
        return Diner.objects.get(session=self.session, phone_id=self.phone_id)

    @property
    def phone_id(self) -> str:
        from tables.diners import PHONE_COOKIE

        cookie = self.client.cookies[PHONE_COOKIE].value
        return cookie.split(":")[0]

    def get(self, path: str = "", **params):
        return self.client.get(self.base + path, params)

    def post(self, path: str, data: dict | None = None, **extra):
        return self.client.post(self.base + path, data or {}, **extra)

    def add(
        self,
        name: str,
        *,
        quantity: object = 1,
        variant: str | None = None,
        choices: list[str] = (),
        instruction: str = "",
        extra: dict | None = None,
    ):
        """Pick a product by name, its variant and modifier choices by name."""
        assert self.session is not None
        product = Product.objects.get(location=self.session.table.location, name=name)
        data: dict[str, object] = {"quantity": quantity, "instruction": instruction}
        if variant:
            data["variant"] = product.variants.get(name=variant).pk
        for choice in choices:
            modifier = Modifier.objects.get(group__product=product, name=choice)
            data.setdefault(f"group_{modifier.group_id}", []).append(modifier.pk)
        data.update(extra or {})
        return self.client.post(f"{self.base}products/{product.pk}/", data)

    def send(self):
        return self.post("basket/send")

    def basket_text(self) -> str:
        return self.get("basket/").content.decode()
