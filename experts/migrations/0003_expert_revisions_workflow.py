"""Profiles get revisions, drafts and Wagtail's workflow (the records' review) in place of the experts'
own review step: existing profiles are live (published when they were created), the editorial groups that
already exist get the new publish permission, and ``ProfileChange`` goes; so do the folded search texts
(``search_public``, ``search_registered``, ``search_staff``) the directory no longer reads.

A proposal still waiting in ``ProfileChange`` would be lost: the migration stops and says so, so that
staff approve or reject it first with the previous version."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F

PUBLISHERS = ("Reviewers", "Administrators")


def refuse_pending_changes(apps, schema_editor):
    ProfileChange = apps.get_model("experts", "ProfileChange")
    pending = ProfileChange.objects.filter(status="pending").count()
    if pending:
        raise RuntimeError(
            f"{pending} proposed profile change(s) are waiting for review: approve or reject them "
            "(admin → Experts → Profile changes) before this upgrade."
        )


def publish_existing(apps, schema_editor):
    Expert = apps.get_model("experts", "Expert")
    Expert.objects.update(
        live=True, has_unpublished_changes=False, first_published_at=F("created_at"), last_published_at=F("updated_at")
    )


def grant_publish(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    groups = Group.objects.filter(name__in=PUBLISHERS)
    if not groups.exists():
        return  # a new site: cms.setup creates the groups with their permissions
    content_type, _created = ContentType.objects.get_or_create(app_label="experts", model="expert")
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename="publish_expert", defaults={"name": "Can publish expert"}
    )
    for group in groups:
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0002_editorial_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(refuse_pending_changes, migrations.RunPython.noop),
        migrations.AddField(
            model_name="expert",
            name="expire_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="expiry date/time"),
        ),
        migrations.AddField(
            model_name="expert",
            name="expired",
            field=models.BooleanField(default=False, editable=False, verbose_name="expired"),
        ),
        migrations.AddField(
            model_name="expert",
            name="first_published_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="first published at"),
        ),
        migrations.AddField(
            model_name="expert",
            name="go_live_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="go live date/time"),
        ),
        migrations.AddField(
            model_name="expert",
            name="has_unpublished_changes",
            field=models.BooleanField(default=False, editable=False, verbose_name="has unpublished changes"),
        ),
        migrations.AddField(
            model_name="expert",
            name="last_published_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="last published at"),
        ),
        migrations.AddField(
            model_name="expert",
            name="latest_revision",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wagtailcore.revision",
                verbose_name="latest revision",
            ),
        ),
        migrations.AddField(
            model_name="expert",
            name="live",
            field=models.BooleanField(default=True, editable=False, verbose_name="live"),
        ),
        migrations.AddField(
            model_name="expert",
            name="live_revision",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wagtailcore.revision",
                verbose_name="live revision",
            ),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
        migrations.RunPython(grant_publish, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="ProfileChange",
        ),
        # The directory searches the engines' people index now (experts/search.py): the database's folded
        # texts go.
        migrations.RemoveField(model_name="expert", name="search_public"),
        migrations.RemoveField(model_name="expert", name="search_registered"),
        migrations.RemoveField(model_name="expert", name="search_staff"),
    ]
