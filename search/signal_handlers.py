"""Index updates follow the archive: every change that could alter what a record looks like in
search, or who may find it, queues the records it touches (see ``services.enqueue``)."""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from archive.models import (
    CollectionPage,
    EthnicGroup,
    EthnicGroupName,
    Language,
    Place,
    RecordPage,
    Subject,
    record_types,
)
from archive.signals import record_derived_data_changed, records_bulk_created, records_visibility_changed
from search import labels, services


def _record_ids_with_translations(pages) -> set[int]:
    keys = {page.translation_key for page in pages}
    return set(RecordPage.objects.filter(translation_key__in=keys).values_list("pk", flat=True))


def record_changed(sender, instance, **kwargs):
    # Translations share the access level, which is copied to them without signals.
    services.enqueue(_record_ids_with_translations([instance]) | {instance.pk}, reason="record saved")


def record_deleted(sender, instance, **kwargs):
    services.enqueue([instance.pk], reason="record deleted")


def visibility_changed(sender, page_ids=(), **kwargs):
    """Records were (un)published, moved or restricted: who may find them changed."""
    services.enqueue(page_ids, reason="visibility changed")


def taxonomy_changed(sender, instance, **kwargs):
    labels.clear()
    if isinstance(instance, Place):
        related = RecordPage.objects.filter(Q(places=instance) | Q(places__current_province=instance)).distinct()
    else:
        related = instance.records.all()
    services.enqueue(related.values_list("pk", flat=True), reason=f"{sender._meta.model_name} changed")


def group_name_changed(sender, instance, **kwargs):
    """One of a group's other names was added, changed or removed: its records are found by them."""
    labels.clear()
    related = RecordPage.objects.filter(ethnic_groups__pk=instance.group_id)
    services.enqueue(related.values_list("pk", flat=True), reason="ethnic group name changed")


def collection_changed(sender, instance, **kwargs):
    labels.clear()


def derived_data_changed(sender, page_ids=(), **kwargs):
    services.enqueue(page_ids, reason="media changed")


def bulk_created(sender, page_ids=(), **kwargs):
    services.enqueue(page_ids, reason="bulk created")


def relations_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, RecordPage):
        record_changed(sender, instance)


def connect():
    for model in [RecordPage, *record_types()]:
        post_save.connect(record_changed, sender=model, dispatch_uid=f"search-save-{model._meta.label}")
        post_delete.connect(record_deleted, sender=model, dispatch_uid=f"search-delete-{model._meta.label}")
    records_visibility_changed.connect(visibility_changed, dispatch_uid="search-visibility")
    for signal in (post_save, post_delete):
        for model in (EthnicGroup, Place, Subject, Language):
            signal.connect(taxonomy_changed, sender=model, dispatch_uid=f"search-{model._meta.label}-{id(signal)}")
        signal.connect(collection_changed, sender=CollectionPage, dispatch_uid=f"search-collection-{id(signal)}")
        signal.connect(group_name_changed, sender=EthnicGroupName, dispatch_uid=f"search-group-name-{id(signal)}")
    for through in (RecordPage.ethnic_groups.through, RecordPage.places.through, RecordPage.subjects.through):
        m2m_changed.connect(relations_changed, sender=through, dispatch_uid=f"search-m2m-{through._meta.label}")
    record_derived_data_changed.connect(derived_data_changed, dispatch_uid="search-derived")
    records_bulk_created.connect(bulk_created, dispatch_uid="search-bulk-created")
