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


def in_language(products: Iterable[Product], language: str) -> None:
    """Give each product (read through with_words, or not: then one query here) its name
    and description in `language`."""
    products = list(products)
    missing = [product for product in products if not hasattr(product, _WORDS)]
    if missing:
        found: dict[int, list[ProductTranslation]] = {}
        for words in ProductTranslation.objects.filter(
            language=language, product__in=[product.pk for product in missing]
        ):
            found.setdefault(words.product_id, []).append(words)
        for product in missing:
            setattr(product, _WORDS, found.get(product.pk, []))
    for product in products:
        for words in getattr(product, _WORDS):
            product.name = words.name or product.name
            product.description = words.description or product.description
