"""Administrators of an existing site may see, decide and delete researcher access requests (a new site's
Administrators group gets these from cms.setup when it is created)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_accessrequest", "delete_accessrequest", "decide_accessrequest"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Administrators").first()
    if group is None:
        return
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True  # lets create_permissions run on the migration's app registry
    create_permissions(app_config, apps=apps, verbosity=0)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="accounts", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
