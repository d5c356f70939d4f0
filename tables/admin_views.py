"""Admin pages that are not a model's list or form: QR downloads, rotating a QR code, the
printable sheet and a location's menu import and export. Each is reached through its
ModelAdmin's get_urls, so the row is looked up through the admin's scoped queryset: another
location's table or menu is a 404 before anything is read or written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify

from ordering.menu_files import (
    FORMATS,
    export_menu_csv,
    export_menu_json,
    guess_format,
    import_menu_file,
)
from ordering.menu_import import MenuImportError
from tables.models import Location, Table
from tables.qr import file_stem, public_base_url, qr_png, qr_svg, qr_zip, table_url
from tables.qr_sheet import PAPER_NAMES, PAPER_SIZES, qr_sheet_pdf, sheet_filename
from tables.scoping import scope

if TYPE_CHECKING:
    from tables.admin import LocationAdmin, TableAdmin

MAX_MENU_FILE_BYTES = 5 * 1024 * 1024
QR_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _scoped_object(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Any:
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404("Not found.")
    return obj


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra: Any) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


def _download(
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
    model_admin: TableAdmin, request: HttpRequest, object_id: str, kind: str
) -> HttpResponse:
    table = _scoped_object(model_admin, request, object_id)
    if kind not in QR_TYPES:
        raise Http404("Unknown image type.")
    if not model_admin.has_view_permission(request, table):
        raise PermissionDenied
    url = table_url(table, public_base_url(request))
    content = qr_svg(url) if kind == "svg" else qr_png(url)
    inline = request.GET.get("inline") == "1"
    return _download(content, QR_TYPES[kind], f"{file_stem(table)}.{kind}", inline=inline)


def rotate_table_qr_code(
    model_admin: TableAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    table = _scoped_object(model_admin, request, object_id)
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
        _context(
            model_admin,
            request,
            title=f"Rotate the QR code of {table.name}?",
            table=table,
            original=table,
            change_url=change_url,
        ),
    )


def rotate_tokens(model_admin: TableAdmin, request: HttpRequest, tables: list[Table]) -> None:
    for table in tables:
        table.rotate_token(by=request.user)
        model_admin.log_change(request, table, "Rotated the QR code: the old code stopped working.")


def rotate_selected_action(
    model_admin: TableAdmin, request: HttpRequest, queryset: models.QuerySet[Table]
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
        _context(
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
    return _download(content, "application/zip", f"{name}.zip")


def qr_sheet_response(
    request: HttpRequest, tables: list[Table], paper: str, location: Location | None = None
) -> HttpResponse:
    title = f"QR codes for {location.name}" if location else "Table QR codes"
    pdf = qr_sheet_pdf(tables, public_base_url(request), paper, title=title)
    # Inline: it opens in the browser's PDF viewer, ready to print.
    return _download(pdf, "application/pdf", sheet_filename(location, paper), inline=True)


# Locations.


def location_qr_sheet(
    model_admin: LocationAdmin, request: HttpRequest, object_id: str, paper: str
) -> HttpResponse:
    location = _scoped_object(model_admin, request, object_id)
    if paper not in PAPER_SIZES:
        raise Http404("Unknown paper size.")
    if not (
        model_admin.has_view_permission(request, location)
        and request.user.has_perm("tables.view_table")
    ):
        raise PermissionDenied
    tables = scope(location.tables.select_related("location"), request.user)
    return qr_sheet_response(request, list(tables.order_by("position", "name")), paper, location)


class MenuUploadForm(forms.Form):
    file = forms.FileField(
        label="Menu file",
        help_text="JSON (the whole menu, as exported) or CSV (the product list).",
    )
    file_format = forms.ChoiceField(
        label="File type",
        choices=[("", "Tell from the file name"), ("json", "JSON"), ("csv", "CSV")],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > MAX_MENU_FILE_BYTES:
            self.add_error("file", "The file is larger than 5 MB: is it the right file?")
        file_format = data.get("file_format") or guess_format(upload.name or "")
        if file_format not in FORMATS:
            self.add_error(
                "file_format", "Choose the file type: the file name doesn't end in .json or .csv."
            )
        data["file_format"] = file_format
        return data


def can_import_menu(request: HttpRequest) -> bool:
    return request.user.has_perms(["ordering.add_product", "ordering.change_product"])


def location_menu(model_admin: LocationAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    location = _scoped_object(model_admin, request, object_id)
    if not (
        model_admin.has_view_permission(request, location)
        and request.user.has_perm("ordering.view_product")
    ):
        raise PermissionDenied
    can_import = can_import_menu(request) and model_admin.has_view_permission(request, location)
    errors: list[str] = []
    form = MenuUploadForm()
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        form = MenuUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_menu_file(location, upload.read(), form.cleaned_data["file_format"])
            except MenuImportError as error:
                errors = error.errors
            else:
                model_admin.log_change(request, location, f"Imported the menu from {upload.name}")
                if result.changed:
                    messages.success(
                        request, f"Menu imported from {upload.name}. {result.summary()}"
                    )
                else:
                    messages.info(request, f"{upload.name} matches the menu: nothing changed.")
                return HttpResponseRedirect(request.path)
    products = location.products.all()
    return TemplateResponse(
        request,
        "admin/tables/location/menu.html",
        _context(
            model_admin,
            request,
            title=f"Menu of {location.name}",
            location=location,
            original=location,
            form=form,
            errors=errors,
            can_import=can_import,
            category_count=location.categories.count(),
            product_count=products.count(),
            sold_out_count=products.filter(is_available=False).count(),
            json_url=reverse("admin:tables_location_menu_export", args=[location.pk, "json"]),
            csv_url=reverse("admin:tables_location_menu_export", args=[location.pk, "csv"]),
            paper_names=PAPER_NAMES,
        ),
    )


def location_menu_export(
    model_admin: LocationAdmin, request: HttpRequest, object_id: str, file_format: str
) -> HttpResponse:
    location = _scoped_object(model_admin, request, object_id)
    if file_format not in FORMATS:
        raise Http404("Unknown file type.")
    if not (
        model_admin.has_view_permission(request, location)
        and request.user.has_perm("ordering.view_product")
    ):
        raise PermissionDenied
    name = f"{slugify(location.slug)}-menu.{file_format}"
    if file_format == "json":
        return _download(export_menu_json(location), "application/json", name)
    # With a byte order mark, Excel reads the file as UTF-8 (é, ü, € in names survive).
    content = export_menu_csv(location).encode("utf-8-sig")
    return _download(content, "text/csv; charset=utf-8", name)
