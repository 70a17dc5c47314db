"""The catalogue follows the archive: anything that could change what it shows, or who may see it,
schedules a rebuild on commit (``services.schedule_build``: one build for many changes)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from archive.models import (
    CollectionPage,
    EthnicGroup,
    EthnicGroupName,
    Language,
    Person,
    Place,
    RecordPage,
    Subject,
    record_types,
)
from archive.signals import records_bulk_created, records_visibility_changed
from opendata import services
from opendata.models import OpenDataSettings


def changed(sender, **kwargs):
    services.schedule_on_commit()


def licence_changed(sender, created=False, **kwargs):
    """The licence was changed (``for_site`` creating the row on first reading it, with the default, is not a
    change)."""
    if not created:
        services.schedule_on_commit()


def relations_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        services.schedule_on_commit()


def connect():
    models = [RecordPage, *record_types(), CollectionPage, EthnicGroup, EthnicGroupName, Place, Language, Subject]
    for model in [*models, Person]:
        post_save.connect(changed, sender=model, dispatch_uid=f"opendata-save-{model._meta.label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"opendata-delete-{model._meta.label}")
    post_save.connect(licence_changed, sender=OpenDataSettings, dispatch_uid="opendata-licence")
    for through in (
        RecordPage.ethnic_groups.through,
        RecordPage.places.through,
        RecordPage.subjects.through,
        RecordPage.languages.through,
    ):
        m2m_changed.connect(relations_changed, sender=through, dispatch_uid=f"opendata-m2m-{through._meta.label}")
    records_visibility_changed.connect(changed, dispatch_uid="opendata-visibility")
    records_bulk_created.connect(changed, dispatch_uid="opendata-bulk-created")
