"""The dietary tags and the 14 UK/EU allergens that menus refer to by code."""

from django.db import migrations

DIETARY_TAGS = {
    "vegetarian": "Vegetarian",
    "vegan": "Vegan",
    "gluten-free": "Gluten-free",
    "dairy-free": "Dairy-free",
    "spicy": "Spicy",
    "halal": "Halal",
}

# The 14 allergens UK and EU food law requires restaurants to declare.
ALLERGENS = {
    "celery": "Celery",
    "gluten": "Gluten",
    "crustaceans": "Crustaceans",
    "eggs": "Eggs",
    "fish": "Fish",
    "lupin": "Lupin",
    "milk": "Milk",
    "molluscs": "Molluscs",
    "mustard": "Mustard",
    "nuts": "Tree nuts",
    "peanuts": "Peanuts",
    "sesame": "Sesame",
    "soya": "Soya",
    "sulphites": "Sulphites",
}


def create_tags_and_allergens(apps, schema_editor):
    DietaryTag = apps.get_model("ordering", "DietaryTag")
    Allergen = apps.get_model("ordering", "Allergen")
    for code, name in DIETARY_TAGS.items():
        DietaryTag.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in ALLERGENS.items():
        Allergen.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("ordering", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the rows: products may still refer to them.
        migrations.RunPython(create_tags_and_allergens, migrations.RunPython.noop),
    ]
