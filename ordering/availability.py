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
from ordering.models import Modifier, Product
from tables.models import TableSession

log = logging.getLogger("openapp.availability")


def remember_availability(sender, instance: Product, **kwargs) -> None:
    instance._was_available = instance.is_available if instance.pk else None


def product_saved(sender, instance: Product, created: bool, **kwargs) -> None:
    if created or getattr(instance, "_was_available", None) in (None, instance.is_available):
        return
    instance._was_available = instance.is_available
    product_id = instance.pk
    transaction.on_commit(lambda: broadcast_availability(product_id))


def broadcast_availability(product_id: int) -> None:
    """Every open table of the product's location re-renders its menu entry (on the menu
    pages' sockets, in the web processes) and hears why it changed."""
    layer = get_channel_layer()
    product = Product.objects.filter(pk=product_id).only("location_id", "name", "is_available")
    product = product.first()
    if layer is None or product is None:
        return
    # As data (ordering.notices): each phone's socket words it in that phone's language.
    notice = [] if product.is_available else [["no_longer_available", {"name": product.name}]]
    sessions = TableSession.objects.filter(
        table__location_id=product.location_id, closed_at__isnull=True
    )
    for session in sessions:
        async_to_sync(layer.group_send)(
            group_for(session), {"type": "menu.update", "product_id": product_id, "notice": notice}
        )
    log.info("product=%s available=%s pushed to open tables", product_id, product.is_available)


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
