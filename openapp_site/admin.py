"""The admin where it spans apps: a location's page offers its tables' QR codes (tables)
and its menu (ordering). The apps' own admin modules are imported first so that what they
register exists before it is extended here."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

import ordering.admin  # noqa: F401 -- registers the menu, orders and visits
import pos_bridge.admin  # noqa: F401 -- registers the POS connections
import tables.admin
from ordering import admin_views as menu_views
from ordering import floor_views, report
from tables.models import Location


class LocationAdmin(tables.admin.LocationAdmin):
    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/menu/", wrap(self.menu_view), name="tables_location_menu"),
            path(
                "<path:object_id>/menu/export.<str:file_format>",
                wrap(self.menu_export_view),
                name="tables_location_menu_export",
            ),
            path("<path:object_id>/floor/", wrap(self.floor_view), name="tables_location_floor"),
            path(
                "<path:object_id>/floor/<int:table_id>/",
                wrap(self.visit_view),
                name="tables_location_floor_visit",
            ),
            path(
                "<path:object_id>/floor/<int:table_id>/batch/<uuid:batch_id>/<str:action>/",
                wrap(self.batch_action_view),
                name="tables_location_floor_batch",
            ),
            *super().get_urls(),
        ]

    def menu_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return menu_views.location_menu(self, request, object_id)

    def menu_export_view(
        self, request: HttpRequest, object_id: str, file_format: str
    ) -> HttpResponse:
        return menu_views.location_menu_export(self, request, object_id, file_format)

    def floor_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return floor_views.floor_page(self, request, object_id)

    def visit_view(self, request: HttpRequest, object_id: str, table_id: int) -> HttpResponse:
        return floor_views.visit_page(self, request, object_id, table_id)

    def batch_action_view(
        self, request: HttpRequest, object_id: str, table_id: int, batch_id: str, action: str
    ) -> HttpResponse:
        return floor_views.batch_action(self, request, object_id, table_id, batch_id, action)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """The location's page, with its day's report for those who may see its orders."""
        extra = dict(extra_context or {})
        location = self.get_object(request, object_id)
        if location is not None and request.user.has_perm("ordering.view_batch"):
            today = timezone.localdate()
            try:
                day = (
                    date.fromisoformat(request.GET.get("day", ""))
                    if "day" in request.GET
                    else today
                )
            except ValueError:
                day = today
            day = min(day, today)
            extra.update(
                day_report=report.day_report(location.pk, day),
                previous_day=day - timedelta(days=1),
                next_day=day + timedelta(days=1) if day < today else None,
            )
        return super().change_view(request, object_id, form_url, extra)

    def link_list(self, location: Location) -> list[tuple[str, str]]:
        menu = (reverse("admin:tables_location_menu", args=[location.pk]), "Menu")
        floor = (reverse("admin:tables_location_floor", args=[location.pk]), "Floor")
        return [floor, *super().link_list(location), menu]


admin.site.unregister(Location)
admin.site.register(Location, LocationAdmin)
