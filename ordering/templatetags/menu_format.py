from collections.abc import Iterable
from decimal import Decimal

from django import template

from ordering.models import Allergen, DietaryTag
from ordering.money import format_money, money_affixes

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = "GBP") -> str:
    if value is None:
        return ""
    return format_money(Decimal(value), currency)


@register.filter
def by_label(named: Iterable[DietaryTag | Allergen]) -> list[DietaryTag | Allergen]:
    """Tags or allergens in the diner's reading order: by the name they read, in their
    language (as the menu's filters are)."""
    return sorted(named, key=lambda each: each.label.casefold())


@register.filter
def chosen(field_value: object, pk: object) -> bool:
    """Whether a choice was ticked, for radio (one value) and checkbox (a list) fields alike."""
    if field_value is None:
        return False
    values = field_value if isinstance(field_value, list | tuple) else [field_value]
    return str(pk) in {str(v) for v in values}


@register.filter
def money_before(currency: str) -> str:
    return money_affixes(currency)[0]


@register.filter
def money_after(currency: str) -> str:
    return money_affixes(currency)[1]
