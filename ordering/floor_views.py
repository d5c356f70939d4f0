"""The floor page and a table's visit, in the admin. Reached through the location's admin
(openapp_site.admin), so another location's floor is a 404 before anything is read; a
person of the location without the right to see its orders and visits gets a 403."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import reverse

from ordering import checks, staff_actions
from ordering.floor import batch_answer, bill_of, table_rows
from ordering.models import Batch, TableCheck
from ordering.staff_consumers import FLOOR_PERMISSIONS
from ordering.till import reachable
from tables.admin_views import admin_context, scoped_object
from tables.models import Location, TableSession


def _location(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Location:
    location = scoped_object(model_admin, request, object_id)
    if not request.user.has_perms(FLOOR_PERMISSIONS):
        raise PermissionDenied
    return location


def floor_page(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    location = _location(model_admin, request, object_id)
    context = admin_context(
        model_admin,
        request,
        title=f"Floor: {location.name}",
        location=location,
        rows=table_rows(location.pk),
        till_reachable=reachable(location.pk),
        socket_path=f"/ws/floor/{location.pk}/",
    )
    return TemplateResponse(request, "admin/ordering/floor/floor.html", context)


def visit_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, table_id: int
) -> HttpResponse:
    """The table's open visit, or its last one: diners, every batch and the POS's answer,
    the bill as the POS last gave it."""
    location = _location(model_admin, request, object_id)
    table = location.tables.filter(pk=table_id).first()
    if table is None:
        raise Http404("No such table here.")
    session = (
        TableSession.objects.filter(table=table)
        .select_related("table__location")
        .order_by("closed_at", "-opened_at")  # the open one (NULL first), else the latest
        .first()
    )
    context: dict[str, Any] = {
        "title": f"{table.name}: visit",
        "location": location,
        "table": table,
        "session": session,
        "floor_url": reverse("admin:tables_location_floor", args=[location.pk]),
    }
    if session is not None:
        check = TableCheck.objects.filter(session=session).first()
        batches = list(
            Batch.objects.filter(session=session)
            .select_related("diner")
            .prefetch_related("lines")
            .order_by("created_at")
        )
        diners = list(session.diners.order_by("joined_at", "pk"))
        numbers = {diner.pk: number for number, diner in enumerate(diners, 1)}
        for batch in batches:
            batch.answer = batch_answer(batch)  # type: ignore[attr-defined]
            batch.diner_number = numbers.get(batch.diner_id)  # type: ignore[attr-defined]
        context.update(
            diners=diners,
            batches=batches,
            check=check,
            state=checks.state_of(check) if check else None,
            bill=bill_of(session, check),
            resendable=staff_actions.RESENDABLE,
            handleable=staff_actions.HANDLEABLE,
            can_act=request.user.has_perm("ordering.resend_batch"),
        )
    return TemplateResponse(
        request,
        "admin/ordering/floor/visit.html",
        admin_context(model_admin, request, **context),
    )


def batch_action(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    object_id: str,
    table_id: int,
    batch_id: str,
    action: str,
) -> HttpResponse:
    """POST: resend the batch (same RequestID) or mark it handled; back to the visit."""
    location = _location(model_admin, request, object_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm("ordering.resend_batch"):
        raise PermissionDenied
    batch = Batch.objects.filter(
        pk=batch_id, session__table_id=table_id, session__table__location=location
    ).first()
    if batch is None or action not in ("resend", "handled"):
        raise Http404("No such batch here.")
    short = str(batch.pk)[:8]
    if action == "resend":
        try:
            staff_actions.resend(batch.pk, request.user)
        except staff_actions.CannotResend as problem:
            messages.error(request, f"Batch {short} was not resent: {problem}")
        else:
            messages.success(
                request,
                f"Batch {short} goes to the POS again with the same RequestID "
                f"({batch.request_id}): a POS that has it already will not book it twice.",
            )
    elif staff_actions.mark_handled(batch.pk, request.user):
        messages.success(request, f"Batch {short} is marked handled.")
    else:
        messages.error(request, f"Batch {short} is not one to mark handled (or already is).")
    return HttpResponseRedirect(
        reverse("admin:tables_location_floor_visit", args=[location.pk, table_id])
    )
