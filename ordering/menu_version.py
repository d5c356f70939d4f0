"""Which version of a location's menu is current, so that a menu rendered once can be shown
again until something on it changes.

The version is a random token in the shared cache (Redis in production, where the web
processes and the bridge each write menus; in process in the embedded default), replaced
once every change to what the menu shows has committed: a save or delete of any model in
MENU_MODELS (the admin, the menu import, staff switching a product off, the bridge marking
one sold out), a change to a product's tags or allergens, and the few bulk updates that
send no signal, which call `changed` themselves. A token, not a counter: a version lost
from the cache is replaced by a new one, never by an old one that a stale render was kept
under.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from ordering.models import (
    Allergen,
    Category,
    DietaryTag,
    Modifier,
    ModifierGroup,
    Product,
    ProductTranslation,
    Variant,
)
from tables.models import Location

# The tags and allergens are shared by every location: a change to one renews every menu.
_EVERY_LOCATION = "menu-version:all"


def _key(location_id: int) -> str:
    return f"menu-version:{location_id}"


def current(location_id: int) -> str:
    """The location's menu version now (one read of the shared cache)."""
    versions = cache.get_many([_EVERY_LOCATION, _key(location_id)])
    shared = versions.get(_EVERY_LOCATION) or _new(_EVERY_LOCATION)
    own = versions.get(_key(location_id)) or _new(_key(location_id))
    return f"{shared}.{own}"


def _new(key: str) -> str:
    token = uuid.uuid4().hex
    # add, not set: two processes finding it missing at once agree on one of their tokens.
    if not cache.add(key, token, timeout=None):
        token = cache.get(key) or token
    return token


def changed(location_id: int | None) -> None:
    """Something on the location's menu (None: on every location's) changes in the current
    transaction: a new version now, for whoever reads inside this transaction, and again
    once it commits, since between the two another page may have read the rows as they
    were before and kept them under the first."""
    key = _EVERY_LOCATION if location_id is None else _key(location_id)

    def renew() -> None:
        cache.set(key, uuid.uuid4().hex, timeout=None)

    renew()
    transaction.on_commit(renew)


def _location_of(instance: models.Model) -> int | None:
    """Which location's menu a row is on; None for the shared tags and allergens."""
    if isinstance(instance, Location):
        return instance.pk
    if isinstance(instance, Category | Product):
        return instance.location_id
    if isinstance(instance, Variant | ModifierGroup | ProductTranslation):
        return _product_location(instance.product_id)
    if isinstance(instance, Modifier):
        return (
            ModifierGroup.objects.filter(pk=instance.group_id)
            .values_list("product__location_id", flat=True)
            .first()
        )
    return None


def _product_location(product_id: int) -> int | None:
    return Product.objects.filter(pk=product_id).values_list("location_id", flat=True).first()


# Every model whose rows a diner's menu or product page shows. tests/test_menu_cache.py
# fails when a model of the ordering app that refers to a product or a location is in
# neither this list nor its list of models the menu does not show.
MENU_MODELS: tuple[type[models.Model], ...] = (
    Location,
    Category,
    Product,
    Variant,
    ModifierGroup,
    Modifier,
    ProductTranslation,
    DietaryTag,
    Allergen,
)


def _row_changed(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    location_id = _location_of(instance)
    if location_id is None and not isinstance(instance, DietaryTag | Allergen):
        return  # a row whose product is already gone: that deletion renewed the version
    changed(location_id)


def _tags_changed(
    sender: type[models.Model], instance: models.Model, action: str, reverse: bool, **kwargs
) -> None:
    if action.startswith("post_"):
        changed(None if reverse else instance.location_id)


def connect() -> None:
    for model in MENU_MODELS:
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"menu-version-save-{model}")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"menu-version-del-{model}")
    for through in (Product.dietary_tags.through, Product.allergens.through):
        m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"menu-version-{through}")
