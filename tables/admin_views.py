"""Admin pages that are not a model's list or form: QR downloads, rotating a QR code, the
printable sheet. Each is reached through its
ModelAdmin's get_urls, so the row is looked up through the admin's scoped queryset: another
location's table or menu is a 404 before anything is read or written."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from tables.models import Location, Table
from tables.qr import (
    file_stem,
    public_base_url,
    qr_png,
    qr_svg,
    qr_zip,
    table_label,
    table_url,
)
from tables.qr_sheet import PAPER_NAMES, PAPER_SIZES, qr_sheet_pdf, sheet_filename
from tables.scoping import scope

QR_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def scoped_object(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Any:
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404("Not found.")
    return obj


def admin_context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra: Any) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


def download(
    content: bytes | str, content_type: str, filename: str, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # A code rotated a moment ago must not come back from a cache.
    response["Cache-Control"] = "private, no-store"
    return response


# Tables.


def table_qr_code(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, kind: str
) -> HttpResponse:
    table = scoped_object(model_admin, request, object_id)
    if kind not in QR_TYPES:
        raise Http404("Unknown image type.")
    if not model_admin.has_view_permission(request, table):
        raise PermissionDenied
    url = table_url(table, public_base_url(request))
    label = table_label(table)
    content = qr_svg(url, label) if kind == "svg" else qr_png(url, label=label)
    inline = request.GET.get("inline") == "1"
    return download(content, QR_TYPES[kind], f"{file_stem(table)}.{kind}", inline=inline)


def rotate_table_qr_code(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    table = scoped_object(model_admin, request, object_id)
    if not model_admin.has_change_permission(request, table):
        raise PermissionDenied
    change_url = reverse("admin:tables_table_change", args=[table.pk])
    if request.method == "POST":
        rotate_tokens(model_admin, request, [table])
        messages.success(
            request,
            f"{table.name} has a new QR code. The old code stopped working just now: "
            "download the new one, print it and put it on the table.",
        )
        return HttpResponseRedirect(change_url)
    return TemplateResponse(
        request,
        "admin/tables/table/rotate_qr_code.html",
        admin_context(
            model_admin,
            request,
            title=f"Rotate the QR code of {table.name}?",
            table=table,
            original=table,
            change_url=change_url,
        ),
    )


def rotate_tokens(model_admin: admin.ModelAdmin, request: HttpRequest, tables: list[Table]) -> None:
    for table in tables:
        table.rotate_token(by=request.user)
        model_admin.log_change(request, table, "Rotated the QR code: the old code stopped working.")


def rotate_selected_action(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet[Table]
) -> HttpResponse | None:
    tables = list(queryset.select_related("location"))
    if request.POST.get("post") == "yes":
        rotate_tokens(model_admin, request, tables)
        if len(tables) == 1:
            text = (
                f"{tables[0].name} has a new QR code; the old one stopped working. "
                "Print the new one and put it on the table."
            )
        else:
            text = (
                f"{len(tables)} tables have new QR codes; the old ones stopped working. "
                "Print the new ones and put them on the tables."
            )
        model_admin.message_user(request, text, messages.SUCCESS)
        return None
    return TemplateResponse(
        request,
        "admin/tables/table/rotate_selected_qr_codes.html",
        admin_context(
            model_admin,
            request,
            title="Rotate the QR codes of these tables?",
            tables=tables,
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        ),
    )


def qr_codes_zip(
    request: HttpRequest, queryset: models.QuerySet[Table], name: str = "table-qr-codes"
) -> HttpResponse:
    tables = queryset.select_related("location").order_by("location__name", "position", "name")
    content = qr_zip(tables, public_base_url(request))
    return download(content, "application/zip", f"{name}.zip")


def qr_sheet_response(
    request: HttpRequest, tables: list[Table], paper: str, location: Location | None = None
) -> HttpResponse:
    title = f"QR codes for {location.name}" if location else "Table QR codes"
    pdf = qr_sheet_pdf(tables, public_base_url(request), paper, title=title)
    # Inline: it opens in the browser's PDF viewer, ready to print.
    return download(pdf, "application/pdf", sheet_filename(location, paper), inline=True)


# Locations.


def location_qr_sheet(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, paper: str
) -> HttpResponse:
    location = scoped_object(model_admin, request, object_id)
    if paper not in PAPER_SIZES:
        raise Http404("Unknown paper size.")
    if not (
        model_admin.has_view_permission(request, location)
        and request.user.has_perm("tables.view_table")
    ):
        raise PermissionDenied
    tables = scope(location.tables.select_related("location"), request.user)
    return qr_sheet_response(request, list(tables.order_by("position", "name")), paper, location)


def location_qr_set(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """A location's whole set in one download: every table's labelled PNG and SVG, and the
    cut-ready card sheets for A4 and Letter."""
    location = scoped_object(model_admin, request, object_id)
    if not (
        model_admin.has_view_permission(request, location)
        and request.user.has_perm("tables.view_table")
    ):
        raise PermissionDenied
    tables = list(
        scope(location.tables.select_related("location"), request.user).order_by("position", "name")
    )
    base_url = public_base_url(request)
    title = f"QR codes for {location.name}"
    sheets = {
        sheet_filename(location, paper): qr_sheet_pdf(tables, base_url, paper, title=title)
        for paper in PAPER_NAMES
    }
    content = qr_zip(tables, base_url, extra=sheets)
    return download(content, "application/zip", f"{location.slug}-qr-codes.zip")
