from django.db import migrations, models


def declared_where_listed(apps, schema_editor):
    """A product with allergens listed was declared; one with none listed is left as not
    declared, since nothing said whether the list was complete."""
    Product = apps.get_model("ordering", "Product")
    Product.objects.filter(allergens__isnull=False).update(allergens_declared=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ordering", "0008_batch_resent_and_handled"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="allergens_declared",
            field=models.BooleanField(
                default=False,
                help_text="Tick when the allergens ticked above are the full list (none ticked "
                "then reads “No allergens”); unticked, diners read “Allergens not declared”.",
            ),
        ),
        migrations.RunPython(declared_where_listed, migrations.RunPython.noop),
    ]
