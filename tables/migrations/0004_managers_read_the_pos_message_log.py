"""Managers may read their locations' POS message log (read-only, like orders)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="pos_bridge", codename="view_posmessage"
    )
    Group.objects.get(name="Managers").permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="pos_bridge", codename="view_posmessage"
    ).first()
    group = Group.objects.filter(name="Managers").first()
    if permission and group:
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("tables", "0003_manager_and_staff_groups"),
        ("pos_bridge", "0002_connection_state_and_message_log"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
