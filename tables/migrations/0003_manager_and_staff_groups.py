"""The Managers and Staff groups. Which locations a person sees comes from their
LocationMembership; these groups say what they may do there."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MENU = ["category", "product", "variant", "modifiergroup", "modifier"]
ALL = ["add", "change", "delete", "view"]

MANAGERS = {
    "tables.location": ["view", "change"],
    "tables.table": ALL,
    "tables.tablesession": ["view"],
    "pos_bridge.posconnection": ALL,
    **{f"ordering.{model}": ALL for model in MENU},
    "ordering.dietarytag": ["view"],
    "ordering.allergen": ["view"],
    "ordering.batch": ["view"],
    "ordering.batchline": ["view"],
    "ordering.tablecheck": ["view"],
}
MANAGER_EXTRAS = ["tables.change_availability"]

# Tables and their QR codes, what is sold out, and orders to look at.
STAFF = {
    "tables.location": ["view"],
    "tables.table": ["view", "change"],
    "tables.tablesession": ["view"],
    **{f"ordering.{model}": ["view"] for model in MENU},
    "ordering.dietarytag": ["view"],
    "ordering.allergen": ["view"],
    "ordering.batch": ["view"],
    "ordering.batchline": ["view"],
    "ordering.tablecheck": ["view"],
}
STAFF_EXTRAS = ["tables.change_availability"]


def codenames(spec: dict[str, list[str]], extras: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for label, actions in spec.items():
        app_label, model = label.split(".")
        pairs += [(app_label, f"{action}_{model}") for action in actions]
    return pairs + [tuple(extra.split(".")) for extra in extras]


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations have run; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, spec, extras in [
        ("Managers", MANAGERS, MANAGER_EXTRAS),
        ("Staff", STAFF, STAFF_EXTRAS),
    ]:
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in codenames(spec, extras)
        ]
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Managers", "Staff"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tables", "0002_location_membership"),
        ("ordering", "0003_table_check"),
        ("pos_bridge", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
