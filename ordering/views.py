"""Diner pages. Each renders a full page, or just its partial when htmx asks for it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ordering import batches, checks, limits, live, menu_page, share_page
from ordering.access import diner_page
from ordering.basket import add_to_basket, basket_of, product_with_choices
from ordering.forms import DinerNameForm, NoteForm, ProductChoiceForm, QuantityForm
from ordering.limits import LimitReached
from ordering.menu import allergens_in_use, dietary_tags_in_use, menu_list_html
from ordering.models import BasketLine
from tables.models import Location
from tables.views import enter_table

ON_ITS_WAY = gettext_lazy("That item is on its way to the kitchen and can't change.")


@dataclass(frozen=True)
class _Owing:
    """What the header's bill link shows of the check."""

    amount_owing: Decimal


def _bill_state(request: HttpRequest) -> Callable[[], _Owing | checks.CheckState | None]:
    """The check for the header's bill link: as read with the diner on a page with the
    header (access.diner_page(header=True)), else read when a template first shows it (a
    partial such as the basket after Send has no header, and reads nothing)."""
    if hasattr(request.diner, "bill_owing"):
        owing = request.diner.bill_owing
        bill = None if owing is None else _Owing(Decimal(str(owing)))
        return lambda: bill

    @functools.cache
    def read() -> checks.CheckState | None:
        return checks.state_of(checks.check_of(request.table_session))

    return read


def _basket_count(request: HttpRequest) -> int:
    """The header's basket count: read with the diner for a page (access.diner_page), else
    read now (a refused form shown again)."""
    if hasattr(request.diner, "basket_items"):
        return request.diner.basket_items
    unsent = BasketLine.objects.filter(diner=request.diner, batch__isnull=True)
    return unsent.aggregate(items=Coalesce(Sum("quantity"), 0))["items"]


def _context(request: HttpRequest, **extra) -> dict:
    session = request.table_session
    return {
        "session": session,
        "table": session.table,
        "location": session.table.location,
        "currency": session.table.location.currency,
        "diner": request.diner,
        "state": _bill_state(request),  # templates call it
        **extra,
    }


def _menu_context(
    request: HttpRequest, location: Location, query: str, diets: list[str], **extra
) -> dict:
    return _context(
        request,
        **{
            "menu_list": menu_list_html(request.table_session, location, query, diets),
            "query": query,
            "diets": diets,
            "dietary_tags": dietary_tags_in_use(location),
            "allergens": allergens_in_use(location),
            "live_page": "menu",
            **extra,
        },
    )


@require_GET
@diner_page(header=True)
def menu(request: HttpRequest) -> HttpResponse:
    location = request.table_session.table.location
    if menu_page.is_plain(request):
        return HttpResponse(
            menu_page.page(
                request,
                lambda **extra: _menu_context(request, location, "", [], **extra),
                basket_count=request.diner.basket_items,
                bill_state=_bill_state(request),
            )
        )
    query = request.GET.get("q", "")
    diets = [d for d in request.GET.getlist("diet") if d][:6]
    context = _menu_context(
        request, location, query, diets, basket_count=request.diner.basket_items
    )
    if request.htmx and request.htmx.target == "menu-list":
        return HttpResponse(context["menu_list"])
    return render(request, "ordering/menu.html", context)


@diner_page(header=True)
def product(request: HttpRequest, product_id: int) -> HttpResponse:
    location = request.table_session.table.location
    item = product_with_choices(location.pk, product_id, to_show=request.method != "POST")
    if item is None:
        raise Http404("No such product on this menu")
    form = ProductChoiceForm(item, request.POST or None)
    if request.method == "POST":
        try:
            line = add_to_basket(request.diner, form) if form.is_valid() else None
        except LimitReached as refusal:
            form.add_error(None, str(refusal))
        else:
            if line is not None:
                messages.success(
                    request,
                    gettext("Added %(quantity)s × %(product)s to your basket.")
                    % {"quantity": line.quantity, "product": item.name},
                )
                return redirect("menu", session_id=request.table_session.public_id)
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "ordering/product.html",
        _context(request, product=item, form=form, basket_count=_basket_count(request)),
    )


def _basket_response(request: HttpRequest, **extra) -> HttpResponse:
    context = _context(request, basket=basket_of(request.diner), live_page="basket", **extra)
    if request.htmx:
        return render(request, "ordering/_basket.html", context)
    return render(request, "ordering/basket.html", context)


@require_GET
@diner_page(header=True)
def basket(request: HttpRequest) -> HttpResponse:
    return _basket_response(request)


def _own_unsent_line(request: HttpRequest, line_id: int) -> BasketLine | None:
    return BasketLine.objects.filter(pk=line_id, diner=request.diner, batch__isnull=True).first()


def _after_change(request: HttpRequest, error: str = "") -> HttpResponse:
    if request.htmx:
        return _basket_response(request, error=error)
    if error:
        messages.error(request, error)
    return redirect("basket", session_id=request.table_session.public_id)


@require_POST
@diner_page()
def change_quantity(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _own_unsent_line(request, line_id)
    if line is None:
        return _after_change(request, str(ON_ITS_WAY))
    form = QuantityForm(request.POST)
    if not form.is_valid():
        return _after_change(request, form.errors["quantity"][0])
    line.quantity = form.cleaned_data["quantity"]
    line.problem = ""
    line.save(update_fields=["quantity", "problem"])
    return _after_change(request)


@require_POST
@diner_page()
def remove_line(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _own_unsent_line(request, line_id)
    if line is None:
        return _after_change(request, str(ON_ITS_WAY))
    line.delete()
    return _after_change(request)


@require_POST
@diner_page()
def save_note(request: HttpRequest) -> HttpResponse:
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _after_change(request, gettext("The note can be at most 500 characters."))
    request.diner.order_note = form.cleaned_data["note"]
    request.diner.save(update_fields=["order_note"])
    return _after_change(request)


@require_POST
@diner_page()
def send(request: HttpRequest) -> HttpResponse:
    """Send to kitchen: the unsent basket becomes one batch, exactly once."""
    note = NoteForm(request.POST)
    if (
        "note" in request.POST
        and note.is_valid()
        and note.cleaned_data["note"] != request.diner.order_note
    ):
        request.diner.order_note = note.cleaned_data["note"]
        request.diner.save(update_fields=["order_note"])
    try:
        batches.send_basket(request.diner)
    except batches.NothingToSend:
        return _after_change(request, "")
    except batches.CannotSend as refusal:
        return _after_change(request, str(refusal))
    live.batch_written(request.table_session)
    return _after_change(request)


@require_GET
@diner_page(allow_closed=True, header=True)
def check(request: HttpRequest) -> HttpResponse:
    """The table's whole bill; opening it asks the POS for a fresh snapshot."""
    if request.table_session.is_open:
        checks.want_refresh(request.table_session)
    context = _context(request, basket_count=request.diner.basket_items, live_page="bill")
    context.update(live.check_context(request.table_session, request.diner))
    return render(request, "ordering/check.html", context)


@require_POST
@diner_page()
def refresh_check(request: HttpRequest) -> HttpResponse:
    checks.want_refresh(request.table_session)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("check", session_id=request.table_session.public_id)


@require_POST
@diner_page()
def diner_name(request: HttpRequest) -> HttpResponse:
    """The diner's name for the table (or "Skip"): every phone there sees it at once."""
    diner = request.diner
    where = "bill" if request.POST.get("where") == "bill" else "prompt"
    error = ""
    if request.POST.get("skip"):
        diner.name_asked = True
        diner.save(update_fields=["name_asked"])
    else:
        form = DinerNameForm(request.POST)
        if form.is_valid():
            changed = diner.name != form.cleaned_data["name"]
            diner.name = form.cleaned_data["name"]
            diner.name_asked = True
            diner.save(update_fields=["name", "name_asked"])
            if changed:
                live.name_changed(request.table_session)
        else:
            error = form.errors["name"][0]
    if not request.htmx:
        if error:
            messages.error(request, error)
        back = "check" if where == "bill" else "menu"
        return redirect(back, session_id=request.table_session.public_id)
    template = "ordering/_your_name.html" if where == "bill" else "ordering/_name_prompt.html"
    context = {
        "session": request.table_session,
        "diner": diner,
        "name_error": error,
        "name_max_length": limits.NAME_MAX_LENGTH,
    }
    return render(request, template, context)


@require_GET
@diner_page(header=True)
def share(request: HttpRequest) -> HttpResponse:
    """What each diner's part of the bill comes to. Payment-sensitive: it asks the till for
    the table's check afresh and waits a moment for the answer (pushed if it comes later)."""
    session = request.table_session
    fresh = share_page.fresh_check(session, settings.SHARE_FRESH_WAIT_SECONDS)
    context = _context(request, basket_count=request.diner.basket_items, live_page="share")
    context.update(share_page.share_context(session, request.diner, fresh=fresh))
    return render(request, "ordering/share.html", context)


@require_POST
@diner_page(allow_closed=True)
def new_order(request: HttpRequest) -> HttpResponse:
    """Start a new order once the bill is closed: the phone re-enters through the table's
    code it scanned, as a new scan would. A phone whose code has since been rotated was
    already asked to scan again (diner_page)."""
    session = request.table_session
    if session.is_open:
        response = redirect("menu", session_id=session.public_id)
    else:
        response = enter_table(request, session.table)
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
    return response
