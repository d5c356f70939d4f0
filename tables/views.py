from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tables.diners import new_phone_id, phone_id, remember_phone
from tables.models import Table
from tables.signals import table_scanned

# A diner back at the table this soon after its visit ended keeps what it had not sent.
CARRY_OVER_WITHIN = timedelta(hours=3)


def scan(request: HttpRequest, token: str) -> HttpResponse:
    """A diner scanned a table's QR code: open or join the table's session."""
    table = Table.objects.select_related("location").filter(qr_token=token).first()
    if table is None:
        return render(request, "tables/unknown_code.html", status=404)
    return enter_table(request, table)


def enter_table(request: HttpRequest, table: Table) -> HttpResponse:
    """What scanning the table's current code does: this phone joins the table's open
    session (a new one if the last closed) and goes to its menu. Call it only for a phone
    that has the table's current code."""
    session = table.open_session()
    phone = phone_id(request) or new_phone_id()
    diner, joined_now = session.join(phone, table.qr_token)
    previous = session.earlier_visit_of(phone, CARRY_OVER_WITHIN) if joined_now else None
    table_scanned.send(
        sender=Table, session=session, diner=diner, previous=previous, request=request
    )
    response = redirect("menu", session_id=session.public_id)
    remember_phone(response, phone)
    return response
