"""The menu a diner browses: categories of available-or-not products, searchable and filterable."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ordering.menu_languages import current_language, in_language, translations_key, with_words
from ordering.models import Allergen, Category, DietaryTag, Product, Variant
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


# The rendered menu list, kept per process and keyed by everything it shows, so that a
# page is rendered again only when something on it changed. The table session's id (in
# each product's link) is put in on the way out.
_SESSION_MARK = "\x00session\x00"
_RENDERED_MAX = 64
_rendered: OrderedDict[tuple, str] = OrderedDict()
_rendered_lock = threading.Lock()


def _menu_key(location: Location, query: str, diets: list[str] | None, language: str) -> tuple:
    """Every value the menu list shows, in the order it shows them, and the language it is
    in (its words and the menu's translations into it): cheap to read."""
    products = _products(location, query, diets, language).values_list(
        "pk",
        "category_id",
        "category__name",
        "name",
        "description",
        "image",
        "price",
        "is_available",
        "allergens_declared",
    )
    variants = Variant.objects.filter(product__location=location).values_list(
        "product_id", "pk", "price"
    )
    tags = (
        Product.dietary_tags.through.objects.filter(product__location=location)
        .order_by("product_id", "dietarytag__name", "dietarytag_id")
        .values_list("product_id", "dietarytag_id", "dietarytag__name")
    )
    allergens = (
        Product.allergens.through.objects.filter(product__location=location)
        .order_by("product_id", "allergen__name", "allergen_id")
        .values_list("product_id", "allergen_id", "allergen__name")
    )
    return (
        location.pk,
        location.currency,
        language,
        tuple(products),
        tuple(variants),
        tuple(tags),
        tuple(allergens),
        translations_key(location.pk, language),
    )


def menu_list_html(
    session: TableSession, location: Location, query: str = "", diets: list[str] | None = None
) -> SafeString:
    """The menu list fragment (ordering/_menu_list.html) for this session's diners."""
    language = current_language()
    key = _menu_key(location, query, diets, language)
    with _rendered_lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
    if html is None:
        context = {
            "sections": menu_for(location, query, diets, language),
            "session": session,
            "currency": location.currency,
        }
        html = render_to_string("ordering/_menu_list.html", context)
        html = html.replace(str(session.public_id), _SESSION_MARK)
        with _rendered_lock:
            _rendered[key] = html
            while len(_rendered) > _RENDERED_MAX:
                _rendered.popitem(last=False)
    return mark_safe(html.replace(_SESSION_MARK, str(session.public_id)))


def dietary_tags_in_use(location: Location) -> list[DietaryTag]:
    return list(DietaryTag.objects.filter(product__location=location).distinct().order_by("name"))


def allergens_in_use(location: Location) -> list[Allergen]:
    """The allergens some dish at the location contains: what a diner may hide dishes by."""
    return list(Allergen.objects.filter(product__location=location).distinct().order_by("name"))
