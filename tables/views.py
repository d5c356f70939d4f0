from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ordering.checks import has_snapshot, want_refresh
from tables.diners import new_phone_id, phone_id, remember_phone
from tables.models import Table


def scan(request: HttpRequest, token: str) -> HttpResponse:
    """A diner scanned a table's QR code: open or join the table's session."""
    table = Table.objects.select_related("location").filter(qr_token=token).first()
    if table is None:
        return render(request, "tables/unknown_code.html", status=404)
    session = table.open_session()
    phone = phone_id(request) or new_phone_id()
    session.join(phone)
    if not has_snapshot(session):
        want_refresh(session)  # a session starts with the POS's snapshot of the table
    response = redirect("menu", session_id=session.public_id)
    remember_phone(response, phone)
    return response
