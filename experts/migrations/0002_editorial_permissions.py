"""Give the editorial groups of a site set up before the expert database their experts permissions
(a new site's groups get them from cms.setup.MODEL_PERMISSIONS)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Curators": ["view_expert"],
    "Reviewers": [
        "view_expert",
        "add_expert",
        "change_expert",
        "add_expertisefield",
        "change_expertisefield",
        "view_profilechange",
        "change_profilechange",
        "view_contactmessage",
    ],
    "Administrators": [
        *[
            f"{action}_{model}"
            for model in ("expert", "expertisefield", "profilechange")
            for action in ("view", "add", "change", "delete")
        ],
        "view_contactmessage",
        "delete_contactmessage",
        "view_erasurelog",
    ],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    if not Group.objects.filter(name__in=GRANTS).exists():
        return  # a new site: cms.setup creates the groups with these permissions
    # The permissions of a just-migrated app exist only after post_migrate: made now (a migration's app
    # config is a stub without its models module, which create_permissions needs set).
    app_config = apps.get_app_config("experts")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="experts", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("experts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
