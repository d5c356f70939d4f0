"""A product's name and description in the diner's language: the manager's translation for
that language where there is one (each of name and description on its own), else the
location's own words (written in Location.language).

Products are given their words in place, on instances read for showing only: what a page
shows stays a pure function of the location's menu and the language.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from ordering import menu_version
from ordering.models import Product, ProductTranslation

_WORDS = "words_in_language"


def current_language() -> str:
    return translation.get_language() or "en"


def with_words(products: QuerySet[Product], language: str) -> QuerySet[Product]:
    """Read each product's translation into `language` along with it (one query for all)."""
    return products.prefetch_related(
        Prefetch(
            "translations",
            queryset=ProductTranslation.objects.filter(language=language),
            to_attr=_WORDS,
        )
    )


# Each location's translations into one language, kept per menu version in each process
# (a translation saved renews the version: menu_version.MENU_MODELS).
_KEEP_AT_MOST = 64  # locations × languages
_kept: OrderedDict[tuple[int, str, str], dict[int, list[ProductTranslation]]] = OrderedDict()
_kept_lock = threading.Lock()


def _translations(location_id: int, language: str) -> dict[int, list[ProductTranslation]]:
    """Product id → its words in `language`, for the location's whole menu."""
    key = (location_id, language, menu_version.current(location_id))
    with _kept_lock:
        if key in _kept:
            return _kept[key]
    found: dict[int, list[ProductTranslation]] = {}
    for words in ProductTranslation.objects.filter(
        language=language, product__location_id=location_id
    ):
        found.setdefault(words.product_id, []).append(words)
    with _kept_lock:
        _kept[key] = found
        while len(_kept) > _KEEP_AT_MOST:
            _kept.popitem(last=False)
    return found


def in_language(products: Iterable[Product], language: str) -> None:
    """Give each product (read through with_words, or not: then from the location's
    translations, read once per menu version) its name and description in `language`."""
    products = list(products)
    for product in products:
        if not hasattr(product, _WORDS):
            words = _translations(product.location_id, language).get(product.pk, [])
            setattr(product, _WORDS, words)
    for product in products:
        for words in getattr(product, _WORDS):
            product.name = words.name or product.name
            product.description = words.description or product.description
