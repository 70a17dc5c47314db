"""Tell the other apps when records' visibility changes (``archive.signals.records_visibility_changed``).

The archive owns the rule, so it also works out which records a change touches: everything
under the page, its aliases, and the translations of all of those.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from archive.access import restrictions_changed
from archive.signals import records_visibility_changed


def records_under(prefixes) -> set[int]:
    """Ids of the records under any of the tree paths ``prefixes``, with their translations."""
    from archive.models import RecordPage

    covered = Q()
    for prefix in prefixes:
        covered |= Q(path__startswith=prefix)
    if not covered:
        return set()
    keys = Page.objects.filter(covered).values("translation_key")
    return set(RecordPage.objects.filter(translation_key__in=keys).values_list("pk", flat=True))


def _prefixes(page) -> list[str]:
    return [page.path, *Page.objects.filter(alias_of=page.pk).values_list("path", flat=True)]


def _notify(page_ids) -> None:
    if page_ids:
        from archive.models import RecordPage

        records_visibility_changed.send(sender=RecordPage, page_ids=sorted(page_ids))


def page_changed(sender, instance, **kwargs):
    if isinstance(instance, Page):
        if kwargs.get("signal") is post_page_move:  # the tree paths restrictions cover have moved
            restrictions_changed()
        _notify(records_under(_prefixes(instance)))


def page_saved_or_deleted(sender, instance, **kwargs):
    """A page saved or deleted may be a new or former alias of a restricted page: its subtree's
    coverage changes, and a deleted page's tree path may be given to a new one (the cached
    restrictions are read again on next use: two small queries)."""
    if isinstance(instance, Page):
        restrictions_changed()


def _covered_by(restriction) -> set[int]:
    try:
        page = restriction.page
    except Page.DoesNotExist:  # removed with its page: the page's own deletion is followed
        return set()
    return records_under(_prefixes(page))


def restriction_changed(sender, instance, **kwargs):
    restrictions_changed()
    _notify(_covered_by(instance))


def restriction_deleting(sender, instance, **kwargs):
    # Worked out while the restriction's page can still be read, told once it is gone.
    instance._archive_covered = _covered_by(instance)


def restriction_deleted(sender, instance, **kwargs):
    restrictions_changed()
    _notify(getattr(instance, "_archive_covered", set()))


def restriction_groups_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        restriction_changed(sender, instance)


def connect():
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(page_changed, dispatch_uid=f"archive-visibility-{id(signal)}")
    post_save.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="archive-restriction-save")
    pre_delete.connect(restriction_deleting, sender=PageViewRestriction, dispatch_uid="archive-restriction-deleting")
    post_delete.connect(restriction_deleted, sender=PageViewRestriction, dispatch_uid="archive-restriction-deleted")
    # Any page model: Wagtail sends these with the specific class as sender.
    post_save.connect(page_saved_or_deleted, dispatch_uid="archive-page-saved")
    post_delete.connect(page_saved_or_deleted, dispatch_uid="archive-page-deleted")
    m2m_changed.connect(
        restriction_groups_changed, sender=PageViewRestriction.groups.through, dispatch_uid="archive-restriction-groups"
    )
