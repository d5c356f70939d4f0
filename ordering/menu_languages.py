"""A product's name and description in the diner's language: the manager's translation for
that language where there is one (each of name and description on its own), else the
location's own words (written in Location.language).

Products are given their words in place, on instances read for showing only: what a page
shows stays a pure function of the location's menu and the language.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from ordering import menu_version
from ordering.kept import Kept
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
_kept: Kept[dict[int, list[ProductTranslation]]] = Kept(64)  # locations × languages


def _translations(location_id: int, language: str) -> dict[int, list[ProductTranslation]]:
    """Product id → its words in `language`, for the location's whole menu."""

    def read() -> dict[int, list[ProductTranslation]]:
        found: dict[int, list[ProductTranslation]] = {}
        for words in ProductTranslation.objects.filter(
            language=language, product__location_id=location_id
        ):
            found.setdefault(words.product_id, []).append(words)
        return found

    return _kept.get_or_make((location_id, language, menu_version.current(location_id)), read)


def in_language(products: Iterable[Product], language: str) -> None:
    """Give each product (read through with_words, or not: then from the location's
    translations, read once per menu version) its name and description in `language`."""
    products = list(products)
    locations: dict[int, dict[int, list[ProductTranslation]]] = {}  # one version read each
    for product in products:
        if not hasattr(product, _WORDS):
            if product.location_id not in locations:
                locations[product.location_id] = _translations(product.location_id, language)
            setattr(product, _WORDS, locations[product.location_id].get(product.pk, []))
    for product in products:
        for words in getattr(product, _WORDS):
            product.name = words.name or product.name
            product.description = words.description or product.description
