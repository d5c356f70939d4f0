"""Locations, tables and their QR codes, and (read-only) table sessions."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from tables import admin_views
from tables.models import Location, LocationMembership, Table, TableSession
from tables.qr import NoBaseUrl, public_base_url, table_url
from tables.qr_sheet import PAPER_NAMES
from tables.scoping import (
    LocationFilter,
    LocationScopedAdmin,
    locations_for,
    works_at_several_locations,
)

# The admin is one object shared by every request; this is the one being answered.
_current_request: ContextVar[HttpRequest | None] = ContextVar("admin_request", default=None)

PRICE_AUTHORITY = [
    (True, "POS prices: the POS charges its own prices for each item"),
    (False, "Menu prices: the POS is asked to charge the prices on this menu"),
]


class LocationForm(forms.ModelForm):
    use_pos_prices = forms.TypedChoiceField(
        label="Prices charged",
        choices=PRICE_AUTHORITY,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        help_text="Sent to the POS with every order (UseProviderPrices).",
    )

    class Meta:
        model = Location
        fields = [
            "name",
            "slug",
            "currency",
            "table_service_mode_id",
            "use_pos_prices",
            "is_training",
            "max_batch_value",
        ]

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError("Use the three-letter ISO 4217 code, e.g. GBP or EUR.")
        return currency


class MembershipInline(admin.TabularInline):
    """Who works here. Only superusers hand out access to a location."""

    model = LocationMembership
    extra = 0
    autocomplete_fields = ["user"]

    def _superuser(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)


@admin.register(Location)
class LocationAdmin(LocationScopedAdmin, admin.ModelAdmin):
    form = LocationForm
    list_display = ["name", "currency", "prices", "is_training", "table_count", "links"]
    list_filter = ["use_pos_prices", "is_training"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "language"]}),
        (
            "Orders sent to the POS",
            {
                "fields": [
                    "currency",
                    "table_service_mode_id",
                    "use_pos_prices",
                    "is_training",
                    "max_batch_value",
                ]
            },
        ),
    ]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Location]:
        return super().get_queryset(request).annotate(table_count=Count("tables"))

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/qr-codes/<str:paper>.pdf",
                wrap(self.qr_sheet_view),
                name="tables_location_qr_sheet",
            ),
            path(
                "<path:object_id>/qr-codes.zip",
                wrap(self.qr_set_view),
                name="tables_location_qr_set",
            ),
            *super().get_urls(),
        ]

    def qr_sheet_view(self, request: HttpRequest, object_id: str, paper: str) -> HttpResponse:
        return admin_views.location_qr_sheet(self, request, object_id, paper)

    def qr_set_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return admin_views.location_qr_set(self, request, object_id)

    @admin.display(description="prices", ordering="use_pos_prices")
    def prices(self, location: Location) -> str:
        return "POS prices" if location.use_pos_prices else "Menu prices"

    @admin.display(description="tables", ordering="table_count")
    def table_count(self, location: Location) -> int:
        return location.table_count  # type: ignore[attr-defined]

    def link_list(self, location: Location) -> list[tuple[str, str]]:
        """The pages of a location beyond its form; apps above add theirs (openapp_site)."""
        return [
            *(
                (
                    reverse("admin:tables_location_qr_sheet", args=[location.pk, paper]),
                    f"Print QR codes ({name})",
                )
                for paper, name in PAPER_NAMES.items()
            ),
            (reverse("admin:tables_location_qr_set", args=[location.pk]), "All QR codes (zip)"),
        ]

    @admin.display(description="QR codes and menu")
    def links(self, location: Location) -> SafeString:
        return format_html_join(" · ", '<a href="{}">{}</a>', self.link_list(location))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        extra = {"paper_names": PAPER_NAMES, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)


class OpenSessionFilter(admin.SimpleListFilter):
    title = "diners at the table now"
    parameter_name = "occupied"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        occupied = TableSession.objects.filter(closed_at__isnull=True).values("table_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=occupied)
        if self.value() == "no":
            return queryset.exclude(pk__in=occupied)
        return queryset


@admin.register(Table)
class TableAdmin(LocationScopedAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "location",
        "pos_table_id",
        "qr_downloads",
        "rotated_at",
        "token_rotated_by",
    ]
    list_select_related = ["location", "token_rotated_by"]
    list_filter = [OpenSessionFilter]
    search_fields = ["name", "pos_table_id"]
    ordering = ["location__name", "position", "name"]
    fieldsets = [
        (None, {"fields": ["location", "name", "pos_table_id", "position"]}),
        ("QR code", {"fields": ["qr_code", "scan_address", "last_rotated"]}),
    ]
    readonly_fields = ["qr_code", "scan_address", "last_rotated"]
    actions = [
        "download_qr_codes",
        "print_qr_codes_a4",
        "print_qr_codes_letter",
        "rotate_qr_codes",
    ]

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/qr.<str:kind>", wrap(self.qr_code_view), name="tables_table_qr"),
            path(
                "<path:object_id>/rotate-qr-code/",
                wrap(self.rotate_view),
                name="tables_table_rotate",
            ),
            *super().get_urls(),
        ]

    def qr_code_view(self, request: HttpRequest, object_id: str, kind: str) -> HttpResponse:
        return admin_views.table_qr_code(self, request, object_id, kind)

    def rotate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return admin_views.rotate_table_qr_code(self, request, object_id)

    def get_list_display(self, request: HttpRequest) -> list[str]:
        columns = list(super().get_list_display(request))
        if not works_at_several_locations(request):
            columns.remove("location")
        return columns

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters = list(super().get_list_filter(request))
        if works_at_several_locations(request):
            filters.insert(0, ("location", LocationFilter))
        return filters

    def get_readonly_fields(self, request: HttpRequest, obj: Table | None = None) -> list[str]:
        # A new table has no code yet: it gets one when it is saved.
        return list(super().get_readonly_fields(request, obj)) if obj else []

    def get_fieldsets(self, request: HttpRequest, obj: Table | None = None) -> list[Any]:
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj else fieldsets[:1]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        locations = list(locations_for(request.user)[:2])
        if len(locations) == 1:
            initial.setdefault("location", locations[0].pk)
        return initial

    @admin.display(description="QR code rotated", ordering="token_rotated_at")
    def rotated_at(self, table: Table) -> datetime:
        return table.token_rotated_at

    @admin.display(description="QR code")
    def qr_downloads(self, table: Table) -> SafeString:
        return format_html(
            '<a href="{}">PNG</a> · <a href="{}">SVG</a>',
            reverse("admin:tables_table_qr", args=[table.pk, "png"]),
            reverse("admin:tables_table_qr", args=[table.pk, "svg"]),
        )

    @admin.display(description="QR code")
    def qr_code(self, table: Table) -> SafeString:
        src = reverse("admin:tables_table_qr", args=[table.pk, "svg"])
        return format_html(
            '<img src="{}?inline=1&amp;v={}" alt="QR code for {}" width="180" height="180">',
            src,
            table.qr_token[:8],
            table.name,
        )

    @admin.display(description="opens")
    def scan_address(self, table: Table) -> str:
        try:
            return table_url(table, public_base_url(_current_request.get()))
        except NoBaseUrl:
            return table_url(table, "")

    @admin.display(description="last rotated")
    def last_rotated(self, table: Table) -> str:
        by = table.token_rotated_by
        when = localtime(table.token_rotated_at).strftime("%d %b %Y, %H:%M")
        return f"{when} by {by}" if by else f"{when} (when the table was added)"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # scan_address needs the site's address when PUBLIC_BASE_URL is not set.
        token = _current_request.set(request)
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()  # while the request is known
            return response
        finally:
            _current_request.reset(token)

    @admin.action(
        description="Download QR codes of the selected tables (zip)", permissions=["view"]
    )
    def download_qr_codes(
        self, request: HttpRequest, queryset: models.QuerySet[Table]
    ) -> HttpResponse:
        return admin_views.qr_codes_zip(request, queryset)

    @admin.action(
        description="Print QR codes of the selected tables (A4 PDF)", permissions=["view"]
    )
    def print_qr_codes_a4(
        self, request: HttpRequest, queryset: models.QuerySet[Table]
    ) -> HttpResponse:
        return admin_views.qr_sheet_response(request, self._in_order(queryset), "a4")

    @admin.action(
        description="Print QR codes of the selected tables (Letter PDF)", permissions=["view"]
    )
    def print_qr_codes_letter(
        self, request: HttpRequest, queryset: models.QuerySet[Table]
    ) -> HttpResponse:
        return admin_views.qr_sheet_response(request, self._in_order(queryset), "letter")

    @admin.action(description="Rotate QR codes of the selected tables", permissions=["change"])
    def rotate_qr_codes(
        self, request: HttpRequest, queryset: models.QuerySet[Table]
    ) -> HttpResponse | None:
        return admin_views.rotate_selected_action(self, request, queryset)

    @staticmethod
    def _in_order(queryset: models.QuerySet[Table]) -> list[Table]:
        return list(
            queryset.select_related("location").order_by("location__name", "position", "name")
        )
