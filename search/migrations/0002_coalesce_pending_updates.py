"""One waiting row per record: the queue's duplicates merged, then a unique constraint on the waiting rows."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Count, F, Max, Min


def merge_waiting_duplicates(apps, schema_editor):
    """Keep the first waiting row of each page, counting the others on it, and delete them; every row's
    ``last_queued_at`` is when it was last queued (its ``created_at`` until now)."""
    PendingUpdate = apps.get_model("search", "PendingUpdate")
    PendingUpdate.objects.update(last_queued_at=F("created_at"))
    waiting = PendingUpdate.objects.filter(applied_at__isnull=True)
    duplicated = (
        waiting.values("page_id")
        .annotate(rows=Count("pk"), first=Min("pk"), last=Max("created_at"), attempts=Max("attempts"))
        .filter(rows__gt=1)
    )
    # Read in full before deleting: SQLite may walk the page_id index for the grouping, and rows deleted
    # under a running query leave its results undefined.
    for group in list(duplicated):
        PendingUpdate.objects.filter(pk=group["first"]).update(
            changes=group["rows"], last_queued_at=group["last"], attempts=group["attempts"]
        )
        waiting.filter(page_id=group["page_id"]).exclude(pk=group["first"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingupdate",
            name="changes",
            field=models.PositiveIntegerField(default=1, verbose_name="changes"),
        ),
        migrations.AddField(
            model_name="pendingupdate",
            name="last_queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="last queued at"),
        ),
        migrations.RunPython(merge_waiting_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="pendingupdate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("applied_at__isnull", True)),
                fields=("page_id",),
                name="search_pendingupdate_one_waiting_per_page",
            ),
        ),
    ]
