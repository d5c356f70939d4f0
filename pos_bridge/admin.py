"""How each location reaches its POS. The access token is write-only: once saved it is
never sent back to a browser, only replaced or cleared."""

from __future__ import annotations

import json
import uuid
from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from ordering.models import Batch
from pos_bridge.models import PosConnection, PosMessage, pos_origin
from pos_bridge.protocol import MessageType, ResultCode
from tables.models import Table
from tables.scoping import LocationFilter, LocationScopedAdmin, scope, works_at_several_locations


class PosConnectionForm(forms.ModelForm):
    new_token = forms.CharField(
        label="Access token",
        required=False,
        strip=True,
        max_length=PosConnection._meta.get_field("token").max_length,
        # render_value=False: the saved token never reaches the page, not even hidden.
        # new-password: browsers must not fill in the admin's own password here.
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password", "size": 60}
        ),
        help_text="The bearer token the POS gave you, if it asks for one. Leave blank to keep "
        "the current token; it is never shown again after saving.",
    )
    clear_token = forms.BooleanField(
        label="Remove the saved token", required=False, help_text="For a POS that needs none."
    )

    class Meta:
        model = PosConnection
        fields = [
            "location",
            "url",
            "is_enabled",
            "provider_id",
            "provider_name",
            "device_id",
            "pos_user_id",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The address the saved token was given for (the form changes the instance).
        self.saved_url = self.instance.url if self.instance.pk else None
        self.token_cleared = False

    def clean_url(self) -> str:
        return self.cleaned_data["url"].strip()

    def moves_to_another_pos(self) -> bool:
        if self.saved_url is None or "url" not in self.cleaned_data:
            return False
        return pos_origin(self.saved_url) != pos_origin(self.cleaned_data["url"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_token") and data.get("clear_token"):
            self.add_error("clear_token", "Either type a new token or remove it, not both.")
        return data

    def save(self, commit: bool = True) -> PosConnection:
        if self.cleaned_data.get("clear_token"):
            self.instance.token = ""
        elif self.cleaned_data.get("new_token"):
            self.instance.token = self.cleaned_data["new_token"]
        elif self.instance.token and self.moves_to_another_pos():
            # The token was given by the old POS: never hand it to another host.
            self.instance.token = ""
            self.token_cleared = True
        return super().save(commit)


@admin.register(PosConnection)
class PosConnectionAdmin(LocationScopedAdmin, admin.ModelAdmin):
    form = PosConnectionForm
    list_display = ["location", "url", "is_enabled", "state", "last_message_at", "token_status"]
    list_filter = ["is_enabled"]
    list_select_related = ["location"]
    search_fields = ["location__name", "url", "device_id"]
    readonly_fields = [
        "token_status",
        "state",
        "state_since",
        "last_error",
        "last_message_at",
        "message_log",
    ]
    fieldsets = [
        (None, {"fields": ["location", "url", "is_enabled"]}),
        (
            "Connection now",
            {"fields": ["state", "state_since", "last_error", "last_message_at", "message_log"]},
        ),
        (
            "How OpenApp introduces itself to the POS",
            {"fields": ["provider_id", "provider_name", "device_id", "pos_user_id"]},
        ),
        ("Access token", {"fields": ["token_status", "new_token", "clear_token"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # A connection stays with its location: moving it would hand its token to another.
        return [*fields, "location"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if getattr(form, "token_cleared", False):
            messages.warning(
                request,
                "The POS address now points to another host, scheme or port, so the saved "
                "access token was removed: it was given by the old POS. Type the new POS's "
                "token if it asks for one.",
            )

    @admin.display(description="messages")
    def message_log(self, connection: PosConnection) -> SafeString | str:
        if connection.pk is None:
            return "—"
        url = reverse("admin:pos_bridge_posmessage_changelist")
        return format_html(
            '<a href="{}?connection__id__exact={}">Message log</a>', url, connection.pk
        )

    @admin.display(description="token")
    def token_status(self, connection: PosConnection) -> str:
        return "Saved (hidden)" if connection.token else "None"

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters = list(super().get_list_filter(request))
        if works_at_several_locations(request):
            filters.append(("location", LocationFilter))
        return filters


def _message_type_name(value: int | None) -> str:
    if value is None:
        return "—"
    try:
        return MessageType(value).name.replace("_", " ").capitalize()
    except ValueError:
        return str(value)


# The list page's lookups of batches and tables, per request (the admin object is shared).
_lookups: ContextVar[dict | None] = ContextVar("pos_message_lookups", default=None)


def _result_name(value: int | None) -> str:
    if value is None:
        return "—"
    try:
        return f"{value} {ResultCode(value).name}"
    except ValueError:
        return f"{value} (unknown)"


class ResultFilter(admin.SimpleListFilter):
    title = "result"
    parameter_name = "result"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("none", "No ResultCode (requests, pushes)")] + [
            (str(code.value), f"{code.value} {code.name}") for code in ResultCode
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "none":
            return queryset.filter(result_code__isnull=True)
        if value and value.lstrip("-").isdigit():
            return queryset.filter(result_code=int(value))
        return queryset


class TableFilter(admin.SimpleListFilter):
    """The messages about one table: its requests, pushes and the answers to its batches."""

    title = "table"
    parameter_name = "table"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        tables = scope(Table.objects.select_related("location"), request.user)
        several = works_at_several_locations(request)
        return [(str(t.pk), f"{t.name} ({t.location})" if several else t.name) for t in tables]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not (self.value() or "").isdigit():
            return queryset
        table = scope(Table.objects.all(), request.user).filter(pk=int(self.value())).first()
        if table is None:
            return queryset.none()
        return queryset.filter(connection__location_id=table.location_id, table=table.pos_table_id)


class BatchFilter(admin.SimpleListFilter):
    """The messages of one batch: every CreateOrder sent with its RequestID and the answers."""

    title = "batch"
    parameter_name = "batch"
    RECENT = 30

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        recent = scope(Batch.objects.select_related("session__table"), request.user).order_by(
            "-created_at"
        )[: self.RECENT]
        chosen = self.value()
        batches = list(recent)
        if chosen and all(str(b.pk) != chosen for b in batches):
            batches += list(_batches_in_scope(request, chosen))
        return [
            (
                str(b.pk),
                f"{b.session.table.name} · {localtime(b.created_at):%H:%M:%S} · {str(b.pk)[:8]}",
            )
            for b in batches
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        batch = _batches_in_scope(request, self.value()).first()
        if batch is None:
            return queryset.none()
        return queryset.filter(reference=str(batch.request_id))


def _batches_in_scope(request: HttpRequest, batch_id: str) -> QuerySet[Batch]:
    try:
        pk = uuid.UUID(batch_id)
    except ValueError:
        return Batch.objects.none()
    return scope(Batch.objects.select_related("session__table").filter(pk=pk), request.user)


@admin.register(PosMessage)
class PosMessageAdmin(LocationScopedAdmin, admin.ModelAdmin):
    """What went over the wire, for support: read-only, like every order record."""

    list_display = [
        "at_ms",
        "direction",
        "kind",
        "message",
        "change",
        "table_link",
        "batch_link",
        "result",
        "size",
    ]
    list_filter = [
        ("connection", admin.RelatedOnlyFieldListFilter),
        TableFilter,
        BatchFilter,
        ResultFilter,
        "direction",
        "kind",
        "at",
    ]
    list_select_related = ["connection__location"]
    search_fields = ["reference", "text"]
    date_hierarchy = "at"
    fields = [
        "connection",
        "at_ms",
        "direction",
        "kind",
        "message",
        "change",
        "table_link",
        "batch_link",
        "reference",
        "result",
        "size",
        "frame",
    ]
    readonly_fields = fields

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        token = _lookups.set({})  # this request's: each batch and table looked up once
        try:
            return super().changelist_view(request, extra_context)
        finally:
            _lookups.reset(token)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_list_display(self, request: HttpRequest) -> list[str]:
        columns = list(super().get_list_display(request))
        if works_at_several_locations(request):
            columns.insert(1, "location")
        return columns

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters = list(super().get_list_filter(request))
        if works_at_several_locations(request):
            filters.append(("connection__location", LocationFilter))
        return filters

    @admin.display(description="location")
    def location(self, message: PosMessage) -> str:
        return str(message.connection.location)

    @admin.display(description="at", ordering="at")
    def at_ms(self, message: PosMessage) -> str:
        at = localtime(message.at)
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d}"

    @admin.display(description="message type", ordering="message_type")
    def message(self, message: PosMessage) -> str:
        return _message_type_name(message.message_type)

    @admin.display(description="ChangeType", ordering="change_type")
    def change(self, message: PosMessage) -> str:
        return message.change_type or "—"

    @admin.display(description="result", ordering="result_code")
    def result(self, message: PosMessage) -> str:
        return _result_name(message.result_code)

    @admin.display(description="table", ordering="table")
    def table_link(self, message: PosMessage) -> SafeString | str:
        if not message.table:
            return "—"
        key = (message.connection.location_id, message.table)
        cache = _lookups.get() if _lookups.get() is not None else {}
        if key not in cache:
            cache[key] = Table.objects.filter(
                location_id=key[0], pos_table_id=message.table
            ).first()
        table = cache[key]
        if table is None:
            return f"POS table {message.table}"
        url = reverse("admin:tables_table_change", args=[table.pk])
        return format_html('<a href="{}">{}</a>', url, table.name)

    @admin.display(description="batch")
    def batch_link(self, message: PosMessage) -> SafeString | str:
        """The batch whose RequestID the frame carries, if it is an order's."""
        try:
            request_id = uuid.UUID(message.reference)
        except ValueError:
            return "—"
        cache = _lookups.get() if _lookups.get() is not None else {}
        if message.reference not in cache:
            cache[message.reference] = Batch.objects.filter(request_id=request_id).first()
        batch = cache[message.reference]
        if batch is None:
            return "—"
        url = reverse("admin:ordering_batch_change", args=[batch.pk])
        return format_html('<a href="{}">{} ({})</a>', url, str(batch.pk)[:8], batch.state)

    @admin.display(description="frame")
    def frame(self, message: PosMessage) -> SafeString:
        try:
            text = json.dumps(json.loads(message.text), indent=2, ensure_ascii=False)
        except ValueError:
            text = message.text
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)
