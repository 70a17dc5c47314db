"""The provider follows the archive: every change that could alter what a harvester receives, or
whether it may receive it at all, queues the records it touches for ``services.sync`` once the
transaction commits (one task for all the records a transaction touched, however many signals it sent)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from archive.models import CollectionPage, EthnicGroup, Language, Place, RecordPage, Subject, record_types
from archive.signals import record_derived_data_changed, records_bulk_created, records_visibility_changed
from oai import services

PENDING = "_oai_pending_keys"
TASK_CHUNK = 1000


def schedule(keys) -> None:
    keys = {str(key) for key in keys if key}
    if not keys:
        return
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault(PENDING, set())
    pending |= keys
    # Every call asks for a flush: the first to run takes every key waiting (those of a rolled-back
    # transaction too: syncing them again changes nothing), the others find none.
    transaction.on_commit(flush)


def flush() -> None:
    from oai.tasks import sync_records

    keys = sorted(transaction.get_connection().__dict__.pop(PENDING, set()))
    for start in range(0, len(keys), TASK_CHUNK):
        sync_records.enqueue(keys[start : start + TASK_CHUNK])


def record_changed(sender, instance, **kwargs):
    schedule([instance.translation_key])


def pages_changed(sender, page_ids=(), **kwargs):
    schedule(services.keys_of_pages(page_ids))


def collection_changed(sender, instance, **kwargs):
    """A collection renamed, moved or removed: the sets of the records below it."""
    keys = RecordPage.objects.filter(path__startswith=instance.path).values_list("translation_key", flat=True)
    schedule(keys.distinct())


def taxonomy_changed(sender, instance, **kwargs):
    related = RecordPage.objects.filter(**{f"{_relation(instance)}": instance})
    schedule(related.values_list("translation_key", flat=True).distinct())


def _relation(instance) -> str:
    return {EthnicGroup: "ethnic_groups", Place: "places", Subject: "subjects", Language: "languages"}[type(instance)]


def relations_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, RecordPage):
        record_changed(sender, instance)


def connect():
    for model in [RecordPage, *record_types()]:
        post_save.connect(record_changed, sender=model, dispatch_uid=f"oai-save-{model._meta.label}")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"oai-delete-{model._meta.label}")
    for signal in (records_visibility_changed, record_derived_data_changed, records_bulk_created):
        signal.connect(pages_changed, dispatch_uid=f"oai-pages-{id(signal)}")
    post_save.connect(collection_changed, sender=CollectionPage, dispatch_uid="oai-collection-save")
    pre_delete.connect(collection_changed, sender=CollectionPage, dispatch_uid="oai-collection-delete")
    for model in (EthnicGroup, Place, Subject, Language):
        post_save.connect(taxonomy_changed, sender=model, dispatch_uid=f"oai-{model._meta.label}-save")
        pre_delete.connect(taxonomy_changed, sender=model, dispatch_uid=f"oai-{model._meta.label}-delete")
    for through in (
        RecordPage.ethnic_groups.through,
        RecordPage.places.through,
        RecordPage.subjects.through,
        RecordPage.languages.through,
    ):
        m2m_changed.connect(relations_changed, sender=through, dispatch_uid=f"oai-m2m-{through._meta.label}")
