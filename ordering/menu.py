"""The menu a diner browses: categories of available-or-not products, searchable and filterable."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ordering import menu_version
from ordering.menu_languages import current_language, in_language, with_words
from ordering.models import Allergen, Category, DietaryTag, Product
from tables.models import Location, TableSession


@dataclass
class MenuSection:
    category: Category
    products: list[Product]


def _products(
    location: Location, query: str, diets: list[str] | None, language: str
) -> QuerySet[Product]:
    products: QuerySet[Product] = Product.objects.filter(location=location).order_by(
        "category__position", "category__name", "position", "name"
    )
    query = query.strip()[:80]
    if query:
        # The diner searches the words they read: the location's, or their language's.
        in_their_language = Q(translations__language=language) & (
            Q(translations__name__icontains=query) | Q(translations__description__icontains=query)
        )
        products = products.filter(
            Q(name__icontains=query) | Q(description__icontains=query) | in_their_language
        )
    for diet in diets or []:
        products = products.filter(dietary_tags__code=diet)
    return products.distinct()


def menu_for(
    location: Location,
    query: str = "",
    diets: list[str] | None = None,
    language: str | None = None,
) -> list[MenuSection]:
    """The menu in `language` (default: the active one)."""
    language = language or current_language()
    products = with_words(
        _products(location, query, diets, language)
        .select_related("category")
        .prefetch_related("variants", "dietary_tags", "allergens"),  # what the menu list shows
        language,
    )
    products = list(products)
    in_language(products, language)
    sections: dict[int, MenuSection] = {}
    for product in products:
        section = sections.setdefault(
            product.category_id, MenuSection(category=product.category, products=[])
        )
        section.products.append(product)
    return list(sections.values())


# The rendered menu list, kept in the shared cache under the location's menu version
# (ordering.menu_version, renewed by every change to what it shows) and the language, so a
# page is rendered once per version and language, not per diner. Nothing of one diner or
# table is in it: the table session's id (in each product's link) is put in on the way out.
_SESSION_MARK = "\x00session\x00"
_RENDERED_FOR = 3600  # seconds; a version's renders are never read once it is renewed


def _menu_key(location: Location, query: str, diets: list[str] | None, language: str) -> str:
    wanted = hashlib.sha256(repr((query.strip()[:80], sorted(diets or []))).encode()).hexdigest()
    version = menu_version.current(location.pk)
    return f"menu-list:{location.pk}:{version}:{language}:{wanted[:32]}"


def menu_list_html(
    session: TableSession, location: Location, query: str = "", diets: list[str] | None = None
) -> SafeString:
    """The menu list fragment (ordering/_menu_list.html) for this session's diners."""
    language = current_language()
    key = _menu_key(location, query, diets, language)
    html = cache.get(key)
    if html is None:
        context = {
            "sections": menu_for(location, query, diets, language),
            "session": session,
            "currency": location.currency,
        }
        html = render_to_string("ordering/_menu_list.html", context)
        html = html.replace(str(session.public_id), _SESSION_MARK)
        cache.set(key, html, _RENDERED_FOR)
    return mark_safe(html.replace(_SESSION_MARK, str(session.public_id)))


def dietary_tags_in_use(location: Location) -> list[DietaryTag]:
    """The tags the menu's filters offer, kept with the menu's renders."""
    key = f"menu-tags:{location.pk}:{menu_version.current(location.pk)}:{get_language()}"
    tags = cache.get(key)
    if tags is None:
        tags = sorted(
            DietaryTag.objects.filter(product__location=location).distinct(),
            key=lambda tag: tag.label.casefold(),  # in the diner's language
        )
        cache.set(key, tags, _RENDERED_FOR)
    return tags


def allergens_in_use(location: Location) -> list[Allergen]:
    """The allergens some dish at the location contains: what a diner may hide dishes by
    (kept with the menu's renders)."""
    key = f"menu-allergens:{location.pk}:{menu_version.current(location.pk)}:{get_language()}"
    allergens = cache.get(key)
    if allergens is None:
        allergens = sorted(
            Allergen.objects.filter(product__location=location).distinct(),
            key=lambda allergen: allergen.label.casefold(),
        )
        cache.set(key, allergens, _RENDERED_FOR)
    return allergens
