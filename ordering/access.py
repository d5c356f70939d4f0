"""Diners see only their own table's session: every diner page goes through here."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from ordering.languages import phone_language
from tables.diners import phone_id, session_and_diner

View = Callable[..., HttpResponse]


def diner_page(*, allow_closed: bool = False) -> Callable[[View], View]:
    """Resolve /s/<session_id>/… to the session and this phone's diner, or refuse politely."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, session_id: uuid.UUID, *args, **kwargs) -> HttpResponse:
            session, diner = session_and_diner(session_id, phone_id(request))
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
