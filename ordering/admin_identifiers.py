"""The admin's help with the POS's identifiers: fields offer the PLUs and sales modifier
identifiers the POS has reported for the location (ordering.identifiers) to pick from,
refuse a value that cannot be an identifier, and warn on saving one the POS has not
reported yet (it may be a new product, or a typing mistake)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ordering.identifiers import Reported, identifier_problem, reported_identifiers
from tables.models import Location
from tables.scoping import location_id_of, locations_for

# Which fields hold which kind of identifier, per model.
PLU_FIELDS = {"product": ["plu"], "modifier": ["plu"]}
MODIFIER_FIELDS = {"variant": ["pos_identifier"]}


class IdentifierInput(forms.TextInput):
    """A text box with the POS's reported identifiers as suggestions (an HTML datalist)."""

    def __init__(self, options: dict[str, str] | None = None, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.options = options or {}

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer=None) -> SafeString:
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or 'id_' + name}-reported"
        attrs["list"] = list_id
        attrs.setdefault("autocomplete", "off")
        box = super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            sorted(self.options.items(), key=lambda item: (item[1].lower(), item[0])),
        )
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class IdentifierFormMixin:
    """Mix into a ModelForm: its identifier fields must look like identifiers."""

    identifier_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        for name in self.identifier_fields:
            value = data.get(name)
            if isinstance(value, str):
                value = value.strip()
                data[name] = value
                problem = identifier_problem(value) if value else ""
                if problem:
                    self.add_error(name, problem)  # type: ignore[attr-defined]
        return data


def location_for_form(request: HttpRequest, location: Location | None) -> Location | None:
    """The location whose identifiers a form offers: the row's, or the user's only one."""
    if location is not None:
        return location
    locations = list(locations_for(request.user)[:2])
    return locations[0] if len(locations) == 1 else None


def reported_for(location: Location | None) -> Reported:
    return reported_identifiers(location.pk) if location is not None else Reported()


def offer(form_class: type[forms.BaseForm], reported: Reported, plu=(), modifier=()) -> None:
    """Give the form class's identifier fields their suggestions."""
    for name in plu:
        if name in form_class.base_fields:
            form_class.base_fields[name].widget = IdentifierInput(reported.plus, {"size": 40})
    for name in modifier:
        if name in form_class.base_fields:
            form_class.base_fields[name].widget = IdentifierInput(reported.modifiers, {"size": 40})


def warn_unreported(
    request: HttpRequest, location: Location | None, values: list[tuple[str, str]]
) -> None:
    """After saving: say which identifiers (kind, value) the POS has not reported yet."""
    if location is None:
        return
    reported = reported_identifiers(location.pk)
    for kind, value in values:
        known = reported.plus if kind == "PLU" else reported.modifiers
        if value and known and value not in known:
            messages.warning(
                request,
                f"The POS at {location} has not reported {kind} {value} yet: saved, but check "
                "it is right on the till (it may be a new product).",
            )
        elif value and not known:
            messages.warning(
                request,
                f"The POS at {location} has not reported any {kind}s yet, so {value} could not "
                "be checked: saved.",
            )


KIND_OF_FIELD = {"plu": "PLU", "pos_identifier": "sales modifier identifier"}


class IdentifierAdminMixin:
    """Mix into a ModelAdmin (before admin.ModelAdmin): its form's and its inlines' identifier
    fields offer what the POS reported; saving one it has not reported warns."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        _offer_for(form, request, obj)
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        _warn_for(request, obj, form)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk is not None and not getattr(inline_form, "cleaned_data", {}).get(
                "DELETE"
            ):
                _warn_for(request, instance, inline_form)


class IdentifierInlineMixin:
    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        _offer_for(formset.form, request, obj)
        return formset


def _location_of(obj: Any) -> Location | None:
    if obj is None:
        return None
    try:
        location_id = location_id_of(obj)
    except Exception:  # a row not yet tied to a location
        return None
    return Location.objects.filter(pk=location_id).first() if location_id else None


def _offer_for(form_class: Any, request: HttpRequest, obj: Any) -> None:
    fields = getattr(form_class, "identifier_fields", ())
    if not fields:
        return
    location = location_for_form(request, _location_of(obj))
    reported = reported_for(location)
    offer(
        form_class,
        reported,
        plu=[f for f in fields if KIND_OF_FIELD.get(f) == "PLU"],
        modifier=[f for f in fields if KIND_OF_FIELD.get(f) != "PLU"],
    )


def _warn_for(request: HttpRequest, obj: Any, form: Any) -> None:
    changed = [
        (KIND_OF_FIELD.get(name, name), getattr(obj, name, ""))
        for name in getattr(form, "identifier_fields", ())
        if name in getattr(form, "changed_data", [])
    ]
    if changed:
        warn_unreported(request, _location_of(obj), changed)
