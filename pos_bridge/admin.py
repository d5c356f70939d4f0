"""How each location reaches its POS. The access token is write-only: once saved it is
never sent back to a browser, only replaced or cleared."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from pos_bridge.models import PosConnection, PosMessage, pos_origin
from pos_bridge.protocol import MessageType
from tables.scoping import LocationFilter, LocationScopedAdmin, works_at_several_locations


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


@admin.register(PosMessage)
class PosMessageAdmin(LocationScopedAdmin, admin.ModelAdmin):
    """What went over the wire, for support: read-only, like every order record."""

    list_display = ["at", "direction", "kind", "message", "reference", "result_code", "size"]
    list_filter = ["direction", "kind", "at"]
    list_select_related = ["connection__location"]
    search_fields = ["reference", "text"]
    date_hierarchy = "at"
    fields = [
        "connection",
        "at",
        "direction",
        "kind",
        "message",
        "reference",
        "result_code",
        "size",
        "frame",
    ]
    readonly_fields = fields

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

    @admin.display(description="message type", ordering="message_type")
    def message(self, message: PosMessage) -> str:
        return _message_type_name(message.message_type)

    @admin.display(description="frame")
    def frame(self, message: PosMessage) -> SafeString:
        try:
            text = json.dumps(json.loads(message.text), indent=2, ensure_ascii=False)
        except ValueError:
            text = message.text
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)
