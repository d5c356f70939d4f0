"""Money is Decimal with two places, everywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def format_money(value: Decimal, currency: str) -> str:
    amount = money(value)
    symbol = CURRENCY_SYMBOLS.get(currency)
    sign = "−" if amount < 0 else ""
    if symbol:
        return f"{sign}{symbol}{abs(amount):,.2f}"
    return f"{sign}{abs(amount):,.2f} {currency}"


def money_affixes(currency: str) -> tuple[str, str]:
    """What format_money writes before and after the amount ("£", "" or "", " CHF"), for a
    script that shows amounts the same way."""
    before, _, after = format_money(Decimal("0"), currency).partition("0.00")
    return before, after
