"""Start a new content version whenever something the public pages show changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from wagtail.signals import page_published, page_unpublished, post_page_move

from archive.signals import record_derived_data_changed, records_bulk_created, records_visibility_changed
from cms import page_cache
from cms.setup import refresh_planner_statistics

# Models whose rows appear on public pages besides the pages themselves.
SHOWN_MODELS = (
    "archive.EthnicGroup",
    "archive.Place",
    "archive.Language",
    "archive.Subject",
    "archive.ArchiveImage",
    "cms.SiteSettings",
    "wagtailcore.Locale",
    "wagtailcore.Site",
    # A view restriction added, changed or removed: a cached page may now be someone's secret.
    "wagtailcore.PageViewRestriction",
    # The statistics pages show figures and the catalogue's words.
    "stats.Observation",
    "stats.Indicator",
    "stats.IndicatorGroup",
    "stats.Unit",
)


def _content_changed(**kwargs):
    page_cache.invalidate()


def _records_bulk_created(**kwargs):
    # Thousands of rows arrived at once: new content, and a new shape for the query planner.
    page_cache.invalidate()
    refresh_planner_statistics()


def connect():
    records_bulk_created.connect(_records_bulk_created, dispatch_uid="cms.content.bulk")
    # Media finished processing, was reprocessed, attached or detached: record pages show it.
    record_derived_data_changed.connect(_content_changed, dispatch_uid="cms.content.derived")
    # Records became visible or hidden (a restriction's groups changed, a section moved...).
    records_visibility_changed.connect(_content_changed, dispatch_uid="cms.content.visibility")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_content_changed, dispatch_uid=f"cms.content.{id(signal)}")
    post_delete.connect(_content_changed, sender="wagtailcore.Page", dispatch_uid="cms.content.page-delete")
    m2m_changed.connect(_content_changed, sender="wagtailcore.PageViewRestriction_groups", dispatch_uid="cms.groups")
    for model in SHOWN_MODELS:
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"cms.content.save.{model}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"cms.content.delete.{model}")
