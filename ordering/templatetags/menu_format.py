from decimal import Decimal

from django import template

from ordering.money import format_money, money_affixes

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = "GBP") -> str:
    if value is None:
        return ""
    return format_money(Decimal(value), currency)


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
