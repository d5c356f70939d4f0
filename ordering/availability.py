"""A product switched off (by staff, or found sold out or delisted by the POS) shows as
unavailable at once, also on phones that already have the menu open."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.template.loader import render_to_string

from ordering.live import group_for
from ordering.menu_languages import current_language, in_language
from ordering.models import Modifier, Product, ProductTranslation
from tables.models import TableSession

log = logging.getLogger("openapp.availability")


def remember_availability(sender, instance: Product | Modifier, **kwargs) -> None:
    instance._was_available = instance.is_available if instance.pk else None


def _availability_changed(instance: Product | Modifier, created: bool) -> bool:
    if created or getattr(instance, "_was_available", None) in (None, instance.is_available):
        return False
    instance._was_available = instance.is_available
    return True


def product_saved(sender, instance: Product, created: bool, **kwargs) -> None:
    if _availability_changed(instance, created):
        product_id = instance.pk
        transaction.on_commit(lambda: broadcast_availability(product_id))


def modifier_saved(sender, instance: Modifier, created: bool, **kwargs) -> None:
    """An option sold out (or back): baskets holding it are flagged (or cleared) at once."""
    if _availability_changed(instance, created):
        modifier_id = instance.pk
        transaction.on_commit(lambda: broadcast_option_availability(modifier_id))


def broadcast_availability(product_id: int) -> None:
    """Every open table of the product's location re-renders its menu entry (on the menu
    pages' sockets, in the web processes) and hears why it changed."""
    product = Product.objects.filter(pk=product_id).only("location_id", "name", "is_available")
    product = product.first()
    if product is None:
        return
    # As data (ordering.notices): each phone's socket words it in that phone's language,
    # with the product's name in that language where the manager gave one.
    notice = []
    if not product.is_available:
        names = dict(
            ProductTranslation.objects.filter(product_id=product_id)
            .exclude(name="")
            .values_list("language", "name")
        )
        notice = [["no_longer_available", {"name": product.name, "names": names}]]
    _tell_open_tables(product.location_id, product_id, notice, menu_item=True)
    log.info("product=%s available=%s pushed to open tables", product_id, product.is_available)


def broadcast_option_availability(modifier_id: int) -> None:
    modifier = (
        Modifier.objects.filter(pk=modifier_id)
        .select_related("group__product")
        .only("name", "is_available", "group__product__id", "group__product__location_id")
        .first()
    )
    if modifier is None:
        return
    product = modifier.group.product
    notice = [] if modifier.is_available else [["no_longer_available", {"name": modifier.name}]]
    # The menu's entry for the product shows no options: only baskets change.
    _tell_open_tables(product.location_id, product.pk, notice, menu_item=False)
    log.info("modifier=%s available=%s pushed to open tables", modifier_id, modifier.is_available)


def _tell_open_tables(location_id: int, product_id: int, notice: list, *, menu_item: bool) -> None:
    """menu_item: whether the product's entry on the menu changed (menu pages re-render it)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "menu.update",
        "product_id": product_id,
        "notice": notice,
        "menu_item": menu_item,
    }
    sessions = TableSession.objects.filter(table__location_id=location_id, closed_at__isnull=True)
    for session in sessions:
        async_to_sync(layer.group_send)(group_for(session), message)


def render_menu_item(product_id: int, session: TableSession) -> str:
    product = (
        Product.objects.select_related("location")
        .prefetch_related("variants", "dietary_tags", "allergens")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        return ""
    in_language([product], current_language())
    return render_to_string(
        "ordering/_menu_item.html",
        {"product": product, "session": session, "currency": product.location.currency},
    )


def mark_unavailable(location_id: int, plu: str, modifier_name: str | None) -> None:
    """The POS said it is sold out or delisted: stop offering it until staff switch it back."""
    if modifier_name:
        for modifier in Modifier.objects.filter(
            group__product__location_id=location_id, name=modifier_name, is_available=True
        ):
            modifier.is_available = False
            modifier.save(update_fields=["is_available"])
        return
    for product in Product.objects.filter(location_id=location_id, plu=plu, is_available=True):
        product.is_available = False
        product.save(update_fields=["is_available"])
