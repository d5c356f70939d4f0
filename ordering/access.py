"""Diners see only their own table's session: every diner page goes through here."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from ordering.languages import phone_language
from ordering.models import BasketLine
from tables.diners import phone_id, session_and_diner

View = Callable[..., HttpResponse]


def _header_reads() -> dict:
    """What a page's header shows, read with the diner: `basket_items`, the unsent items
    in their basket, and `bill_owing`, the amount owing on the table's check (None before
    the POS has told one)."""
    unsent = (
        BasketLine.objects.filter(diner=OuterRef("pk"), batch__isnull=True)
        .order_by()
        .values("diner")
        .annotate(items=Sum("quantity"))
        .values("items")
    )
    return {
        "basket_items": Coalesce(Subquery(unsent[:1]), 0),
        "bill_owing": KeyTextTransform("amount_owing", "session__live_check__state"),
    }


def diner_page(*, allow_closed: bool = False, header: bool = False) -> Callable[[View], View]:
    """Resolve /s/<session_id>/… to the session and this phone's diner, or refuse politely.
    A page with the header (`header=True`) reads what it shows along with the diner, when
    it is shown (GET)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, session_id: uuid.UUID, *args, **kwargs) -> HttpResponse:
            # A form's POST answers with a redirect or a partial, without the header (a
            # refused form is shown again, and reads its header then: views.basket_count).
            reads = _header_reads() if header and request.method in ("GET", "HEAD") else {}
            session, diner = session_and_diner(session_id, phone_id(request), **reads)
            stale = diner is not None and not diner.holds_current_code()
            refused = (
                session is None or diner is None or stale or not (session.is_open or allow_closed)
            )
            if refused and getattr(request, "htmx", False):
                # A partial cannot say "this is not your table": reload into the full page.
                return HttpResponse(status=204, headers={"HX-Refresh": "true"})
            if session is None or diner is None:
                return render(request, "ordering/not_your_table.html", status=403)
            if stale:
                # The table's code was rotated after this phone joined through the old one.
                return render(request, "ordering/scan_again.html", status=403)
            if not session.is_open and not allow_closed:
                return render(
                    request, "ordering/bill_closed.html", {"session": session}, status=410
                )
            if not phone_language(request.COOKIES, request.headers.get("Accept-Language", "")):
                # A phone asking for no language the site speaks reads the menu's own.
                translation.activate(session.table.location.language)
                request.LANGUAGE_CODE = translation.get_language()
            request.table_session = session
            request.diner = diner
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
