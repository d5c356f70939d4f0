"""A location's menu in the admin: import from a file, export as JSON or CSV. Reached
through the location's admin (openapp_site.admin), so another location's menu is a 404
before anything is read or written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
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
from tables.admin_views import admin_context, download, scoped_object
from tables.qr_sheet import PAPER_NAMES

MAX_MENU_FILE_BYTES = 5 * 1024 * 1024


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


def location_menu(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    location = scoped_object(model_admin, request, object_id)
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
                for warning in result.warnings:
                    messages.warning(request, warning)
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
        admin_context(
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
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, file_format: str
) -> HttpResponse:
    location = scoped_object(model_admin, request, object_id)
    if file_format not in FORMATS:
        raise Http404("Unknown file type.")
    if not (
        model_admin.has_view_permission(request, location)
        and request.user.has_perm("ordering.view_product")
    ):
        raise PermissionDenied
    name = f"{slugify(location.slug)}-menu.{file_format}"
    if file_format == "json":
        return download(export_menu_json(location), "application/json", name)
    # With a byte order mark, Excel reads the file as UTF-8 (é, ü, € in names survive).
    content = export_menu_csv(location).encode("utf-8-sig")
    return download(content, "text/csv; charset=utf-8", name)
