"""The plain menu page, as a scan lands on it, rendered once and kept.

A page is kept in each process per location, menu version (ordering.menu_version, renewed by
every change to what the menu shows), language and whether the diner is still to be asked
their name. What is one diner's is put in on the way out: their table's name, the bill and
the basket count in the header, their session in every link and their form token. A page
with a search, a filter, a query string or a message for the diner is rendered in full
(ordering.views.menu).

In each process, not in the shared cache: a render costs a few milliseconds, a key names
its version, so a kept page is never shown once the menu changed, and reading 40 kB from
Redis for every page would cost more than keeping it here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape

from ordering import menu_version
from ordering.kept import Kept
from ordering.menu_languages import current_language

_SESSION = "\x00session\x00"
_TOKEN = "\x00token\x00"
_TABLE = "\x00table\x00"
_COUNT = "\x00count\x00"
_BILL = "\x00bill\x00"
_BILL_LINK = "ordering/_bill_link.html"

_kept: Kept[str] = Kept(64)  # locations × languages × (asked, not asked) in one process


@dataclass(frozen=True)
class _AnyTable:
    """Stands for the diner's table while the page is rendered for every table."""

    name: str = _TABLE


def is_plain(request: HttpRequest) -> bool:
    """Whether this request is for the page as every diner sees it first."""
    return (
        not request.GET
        and not getattr(request, "htmx", False)
        and not len(messages.get_messages(request))
    )


def page(
    request: HttpRequest,
    context: Callable[..., dict],
    *,
    basket_count: int,
    bill_state: Callable[[], object],
) -> str:
    """The plain menu page for this diner. `context(**extra)` is the view's template
    context, asked for only when the page has to be rendered; `bill_state` reads the check
    for the header's bill link."""
    session = request.table_session
    location = session.table.location
    asked = bool(request.diner.name_asked)
    key = f"{location.pk}:{menu_version.current(location.pk)}:{current_language()}:{asked}"
    html = _kept.get_or_make(key, lambda: _render(request, context))
    bill_link = render_to_string(
        _BILL_LINK,
        {"session": session, "state": bill_state, "currency": location.currency},
    )
    for mark, value in (
        (_SESSION, str(session.public_id)),
        (_TOKEN, get_token(request)),  # sets the form-token cookie when the phone has none
        (_TABLE, escape(session.table.name)),
        (_COUNT, str(basket_count)),
        (_BILL, bill_link),
    ):
        html = html.replace(mark, value)
    return html


def _render(request: HttpRequest, context: Callable[..., dict]) -> str:
    """The page with a mark wherever one diner's value goes."""
    values = context(table=_AnyTable(), basket_count=_COUNT, state=lambda: None, csrf_token=_TOKEN)
    html = render_to_string("ordering/menu.html", values, request)
    plain_bill_link = render_to_string(_BILL_LINK, values)
    if html.count(plain_bill_link) != 1:
        raise RuntimeError(f"the menu page must show {_BILL_LINK} once")
    html = html.replace(plain_bill_link, _BILL)
    return html.replace(str(request.table_session.public_id), _SESSION)
