"""Ingest follows its own links: a record gaining or losing processed media changes what search knows of it."""

from django.db.models.signals import post_delete, post_save

from archive.models import RecordPage
from archive.signals import record_derived_data_changed
from ingest.models import JobState, ProcessingJob, RecordMedia


def _translations(record_id: int) -> list[int]:
    keys = RecordPage.objects.filter(pk=record_id).values("translation_key")
    return list(RecordPage.objects.filter(translation_key__in=keys).values_list("pk", flat=True))


def link_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    if ProcessingJob.objects.filter(original_id=instance.original_id, state=JobState.DONE).exists():
        record_derived_data_changed.send(sender=RecordMedia, page_ids=_translations(instance.record_id))


def link_deleted(sender, instance, **kwargs):
    record_derived_data_changed.send(sender=RecordMedia, page_ids=_translations(instance.record_id))


def connect():
    post_save.connect(link_saved, sender=RecordMedia, dispatch_uid="ingest-link-saved")
    post_delete.connect(link_deleted, sender=RecordMedia, dispatch_uid="ingest-link-deleted")
