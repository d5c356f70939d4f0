from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    """A tax rate as the POS gives it (10.000) as a diner reads it (10%)."""
    if value is None:
        return ""
    digits = format(Decimal(value).normalize(), "f")
    return f"{digits}%"
