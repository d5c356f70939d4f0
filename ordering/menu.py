"""The menu a diner browses: categories of available-or-not products, searchable and filterable."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ordering.models import Category, DietaryTag, Product
from tables.models import Location


@dataclass
class MenuSection:
    category: Category
    products: list[Product]


def menu_for(
    location: Location, query: str = "", diets: list[str] | None = None
) -> list[MenuSection]:
    products: QuerySet[Product] = (
        Product.objects.filter(location=location)
        .select_related("category")
        .prefetch_related("variants", "dietary_tags", "allergens", "modifier_groups")
        .order_by("category__position", "category__name", "position", "name")
    )
    query = query.strip()[:80]
    if query:
        products = products.filter(Q(name__icontains=query) | Q(description__icontains=query))
    for diet in diets or []:
        products = products.filter(dietary_tags__code=diet)
    sections: dict[int, MenuSection] = {}
    for product in products.distinct():
        section = sections.setdefault(
            product.category_id, MenuSection(category=product.category, products=[])
        )
        section.products.append(product)
    return list(sections.values())


def dietary_tags_in_use(location: Location) -> list[DietaryTag]:
    return list(DietaryTag.objects.filter(product__location=location).distinct().order_by("name"))
