"""The standard dietary tags and allergens (the EU's fourteen): their codes, their English
names as stored, and those names in the diner's language.

The menu import creates missing rows from here (migration 0002 keeps its own frozen copy).
A manager may add tags and allergens of their own, or rename a standard one; those read as
the manager wrote them.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

STANDARD_DIETARY_TAGS = {
    "vegetarian": gettext_noop("Vegetarian"),
    "vegan": gettext_noop("Vegan"),
    "gluten-free": gettext_noop("Gluten-free"),
    "dairy-free": gettext_noop("Dairy-free"),
    "spicy": gettext_noop("Spicy"),
    "halal": gettext_noop("Halal"),
}
STANDARD_ALLERGENS = {
    "celery": gettext_noop("Celery"),
    "gluten": gettext_noop("Gluten"),
    "crustaceans": gettext_noop("Crustaceans"),
    "eggs": gettext_noop("Eggs"),
    "fish": gettext_noop("Fish"),
    "lupin": gettext_noop("Lupin"),
    "milk": gettext_noop("Milk"),
    "molluscs": gettext_noop("Molluscs"),
    "mustard": gettext_noop("Mustard"),
    "nuts": gettext_noop("Tree nuts"),
    "peanuts": gettext_noop("Peanuts"),
    "sesame": gettext_noop("Sesame"),
    "soya": gettext_noop("Soya"),
    "sulphites": gettext_noop("Sulphites"),
}


def label(standard: dict[str, str], code: str, name: str) -> str:
    """What the diner reads: a standard name in their language, a manager's own as written."""
    english = standard.get(code)
    return gettext(english) if english is not None and name == english else name
