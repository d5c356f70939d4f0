"""Which location's rows a person may see in the admin, decided in one place.

A superuser sees every location. Anyone else sees only the locations they have a
LocationMembership for: lists, change and delete pages, the choices in a form's drop-downs,
autocompletes, downloads and exports all go through `scope` or `can_see`. A model the map
below does not know is an error, not a leak: there is no unscoped fallback.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.forms import Form
from django.http import Http404, HttpRequest

from tables.models import Location, LocationMembership

User = AbstractBaseUser | AnonymousUser

# How to get from each model to its location, as a queryset lookup ("" is the location).
LOCATION_PATHS: dict[str, str] = {
    "tables.location": "",
    "tables.table": "location",
    "tables.tablesession": "table__location",
    "tables.diner": "session__table__location",
    "tables.locationmembership": "location",
    "ordering.category": "location",
    "ordering.product": "location",
    "ordering.variant": "product__location",
    "ordering.modifiergroup": "product__location",
    "ordering.modifier": "group__product__location",
    "ordering.producttranslation": "product__location",
    "ordering.basketline": "diner__session__table__location",
    "ordering.batch": "session__table__location",
    "ordering.batchline": "batch__session__table__location",
    "ordering.tablecheck": "session__table__location",
    "pos_bridge.posconnection": "location",
    "pos_bridge.posmessage": "connection__location",
}

_CACHE_ATTRIBUTE = "_openapp_location_ids"


def register_location_path(model_label: str, path: str) -> None:
    """For a model added later (e.g. the POS message log): how it reaches its location."""
    LOCATION_PATHS[model_label.lower()] = path


def is_scoped(model: type[models.Model]) -> bool:
    return model._meta.label_lower in LOCATION_PATHS


def location_path(model: type[models.Model]) -> str:
    try:
        return LOCATION_PATHS[model._meta.label_lower]
    except KeyError:
        raise ImproperlyConfigured(
            f"{model._meta.label} has no location path in tables.scoping.LOCATION_PATHS"
        ) from None


def sees_everything(user: User) -> bool:
    return bool(user.is_active and user.is_superuser)


def location_ids(user: User) -> frozenset[int] | None:
    """The ids of the locations the user works at; None for a superuser (all of them)."""
    if sees_everything(user):
        return None
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(
            LocationMembership.objects.filter(user=user).values_list("location_id", flat=True)
        )
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_location_ids(user: User) -> None:
    """After changing a user's memberships within one request."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def locations_for(user: User) -> models.QuerySet[Location]:
    return scope(Location.objects.all(), user)


def scope(queryset: models.QuerySet[Any], user: User) -> models.QuerySet[Any]:
    """The rows of `queryset` that belong to the user's locations."""
    ids = location_ids(user)
    if ids is None:
        return queryset
    path = location_path(queryset.model)
    return queryset.filter(**{f"{path}__in" if path else "pk__in": ids})


def location_id_of(obj: models.Model) -> int | None:
    """The id of the location a row belongs to, following its foreign keys."""
    path = location_path(type(obj))
    if not path:
        return obj.pk
    *hops, last = path.split("__")
    current: Any = obj
    for hop in hops:
        current = getattr(current, hop, None)
        if current is None:
            return None
    return getattr(current, f"{last}_id", None)


def can_see(user: User, obj: models.Model) -> bool:
    ids = location_ids(user)
    return ids is None or location_id_of(obj) in ids


def check_can_see(user: User, obj: models.Model) -> None:
    if not can_see(user, obj):
        raise PermissionDenied("That belongs to another location.")


class _ScopedChoices:
    """Lists and drop-downs show only the user's locations' rows."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return scope(super().get_queryset(request), request.user)  # type: ignore[misc]

    def _scoped_choices(
        self, db_field: models.Field, request: HttpRequest
    ) -> models.QuerySet[Any] | None:
        related = db_field.related_model
        if not isinstance(related, type) or not is_scoped(related):
            return None
        # The related admin's ordering, as Django would use; limit_choices_to still applies.
        queryset = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]
        return scope(related._default_manager.all() if queryset is None else queryset, request.user)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "queryset" not in kwargs:
            queryset = self._scoped_choices(db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "queryset" not in kwargs:
            queryset = self._scoped_choices(db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class LocationScopedAdmin(_ScopedChoices):
    """Mix into every ModelAdmin of a location's rows, before admin.ModelAdmin."""

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        allowed = super().has_view_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or can_see(request.user, obj))

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or can_see(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or can_see(request.user, obj))

    def save_model(self, request: HttpRequest, obj: models.Model, form: Form, change: bool) -> None:
        # The form's choices are scoped already; this stops a row being moved or created
        # outside the user's locations by any other route.
        check_can_see(request.user, obj)
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        check_can_see(request.user, obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        super().delete_queryset(request, scope(queryset, request.user))  # type: ignore[misc]

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> Any:
        # Django redirects to the index ("perhaps it was deleted?"); another location's row
        # is simply not there for this user, so its change, delete and history pages are 404s.
        raise Http404("Not found.")


class LocationScopedInline(_ScopedChoices):
    """Mix into every inline, before admin.TabularInline / StackedInline. Permission on the
    row itself is the parent admin's: an inline's `obj` is the parent."""


class LocationFilter(admin.RelatedOnlyFieldListFilter):
    """A filter by location that lists only locations the user has rows in."""


def works_at_several_locations(request: HttpRequest) -> bool:
    """Whether a location column and filter are worth showing to this user."""
    ids = location_ids(request.user)
    return ids is None or len(ids) > 1
