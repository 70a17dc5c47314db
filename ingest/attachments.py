"""A record's media list as published and as drafted, and the changes made to it.

The list is part of the record's content: ``RecordMedia`` is a child of the page (a ParentalKey), stored
in every revision and written to the database when a revision is published, like the record's other
inline lists. So there are two lists:

* the **published** list: the rows of a live page. Visitors, ``/media/`` (``ingest.access``) and search
  (``ingest.summaries``) only ever read rows;
* the **drafted** list: the one in the page's latest revision (its rows, when it has no unpublished
  changes), which the editor, the preview and the record's media page show.

A person attaching or detaching media (:func:`attach` with ``review=True``, :func:`detach`) changes the
draft: a new revision, in the page's history as ``ingest.attach`` or ``ingest.detach`` with who did it.
A caption changed by a person (:func:`caption_draft`, logged as ``ingest.caption``) is part of the same
list and waits in the draft likewise. The public page keeps showing what was approved until the workflow
publishes that draft, as with any text edit. A page that is not live has nothing approved to keep: its
rows follow its draft at once, as Wagtail's editor saves a draft page.

Code that publishes records itself (an import with ``--publish``, the demo) attaches with
``review=False``: the link goes into the rows and into the page's live and latest revisions as they stand,
without a new revision, so that a later publish keeps it.

An alias has no revisions of its own: changes go to the page it copies, and Wagtail copies the list to
the alias when that page is published. Media on a record count for all its translations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from wagtail.log_actions import log
from wagtail.models import Page, Revision

from archive.models import RecordPage
from ingest.models import Original, RecordMedia

RELATION = "media_links"  # RecordMedia.record's related name: the list on the page
ATTACH, DETACH, REPROCESS = "ingest.attach", "ingest.detach", "ingest.reprocess"
CAPTION = "ingest.caption"
CAPTION_MAX_LENGTH = RecordMedia._meta.get_field("caption").max_length


class NotAttached(LookupError):
    """The original is in no draft list of the record's pages: there is no link to give a caption."""


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


def describe(original: Original) -> dict[str, Any]:
    """What a log entry keeps of an original: enough to tell which file it was once it is gone."""
    return {"id": original.pk, "filename": original.filename, "kind": original.kind, "sha256": original.sha256}


def source_page(record) -> RecordPage:
    """The page whose revisions hold ``record``'s list: the record itself, or the page an alias copies."""
    page = record.specific
    seen = set()
    while page.alias_of_id and page.pk not in seen:
        seen.add(page.pk)
        page = Page.objects.get(pk=page.alias_of_id).specific
    return page


def own_pages(record) -> list[RecordPage]:
    """The pages with a list of their own among ``record`` and its translations (aliases left out, the
    pages they copy put in), specific."""
    pages = RecordPage.objects.filter(translation_key=record.translation_key)
    sources = pages.filter(alias_of__isnull=False).values("alias_of")
    found = Page.objects.filter(pk__in=pages.filter(alias_of__isnull=True).values("pk")) | Page.objects.filter(
        pk__in=sources, alias_of__isnull=True
    )
    return [page for page in found.order_by("pk").specific() if isinstance(page, RecordPage)]


def _ordered(links: Iterable[RecordMedia]) -> list[RecordMedia]:
    return sorted(links, key=lambda link: (link.sort_order, link.pk is None, link.pk or 0))


def _locked(page) -> RecordPage:
    """``page`` read again inside the transaction, its row locked (on PostgreSQL; SQLite has no row locks)
    so that two people's changes to one list follow each other instead of one losing the other's."""
    Page.objects.select_for_update().filter(pk=page.pk).first()
    return Page.objects.get(pk=page.pk).specific


def draft_links(page) -> list[RecordMedia]:
    """The list of ``page`` as its latest revision has it now (read again: ``page`` may be an older copy),
    in order."""
    current = Page.objects.get(pk=page.pk).specific
    return _ordered(current.get_latest_revision_as_object().media_links.all())


# --- a person's changes: drafts -------------------------------------------------------------


def log_change(page, action: str, originals: Iterable[Original], user=None, revision=None, extra=None) -> None:
    """One history entry of ``page`` per original attached, detached or captioned (``action``), with who did
    it (and ``extra`` data, such as the new caption)."""
    for original in originals:
        log(
            instance=page,
            action=action,
            user=_person(user),
            revision=revision,
            content_changed=revision is not None,
            data={"original": describe(original), "live": page.live, **(extra or {})},
        )


def add_to(draft, originals: Iterable[Original], user=None) -> list[Original]:
    """Append to ``draft``'s list (a page object about to be saved as a revision, such as its latest revision
    as an object) the ``originals`` it lacks, in memory; returns those added. The caller saves the revision
    and logs the change (:func:`log_change`)."""
    links = _ordered(draft.media_links.all())
    listed = {link.original_id for link in links}
    position = max((link.sort_order for link in links), default=-1) + 1
    added = []
    for original in originals:
        if original.pk in listed:
            continue
        listed.add(original.pk)
        links.append(
            RecordMedia(original=original, sort_order=position, added_by=_person(user), added_at=timezone.now())
        )
        position += 1
        added.append(original)
    draft.media_links = links
    return added


def _save_draft(page, draft, user, action: str, original: Original, extra=None):
    """Save ``draft`` (its list changed) as a new revision of ``page``, logged as ``action``."""
    revision = draft.save_revision(user=_person(user), clean=False, changed=True)
    if not page.live:
        draft.media_links.commit()  # nothing approved to keep: the rows follow the draft
    log_change(page, action, [original], user, revision, extra)
    return revision


def attach_to_draft(original: Original, record, user=None) -> bool:
    """Add ``original`` to the end of the draft list of ``record`` (the page holding its list); True when
    added, False when the draft of one of the record's pages has it already."""
    target = source_page(record)
    with transaction.atomic():
        page = _locked(target)
        others = [other for other in own_pages(page) if other.pk != page.pk]
        if any(original.pk in {link.original_id for link in draft_links(other)} for other in others):
            return False
        draft = page.get_latest_revision_as_object()
        if not add_to(draft, [original], user):
            return False
        _save_draft(page, draft, user, ATTACH, original)
    return True


def detach(original: Original, record, user=None) -> list[RecordPage]:
    """Take ``original`` out of the draft list of each of ``record``'s pages (its translations too) that
    holds it; the original stays in the archive. Returns the pages changed (none if no draft had it).

    On a live page the rows stay until the draft is published: visitors still see the media meanwhile.
    """
    changed = []
    for candidate in own_pages(record):
        with transaction.atomic():
            page = _locked(candidate)
            draft = page.get_latest_revision_as_object()
            links = _ordered(draft.media_links.all())
            kept = [link for link in links if link.original_id != original.pk]
            if len(kept) == len(links):
                continue
            draft.media_links = kept
            _save_draft(page, draft, user, DETACH, original)
            changed.append(page)
    return changed


def caption_draft(original: Original, record, caption: str, user=None) -> bool:
    """Give ``original``'s link in the draft list of ``record`` (the page holding its list) the caption
    ``caption``, in that page's language; True when the caption changed, False when it was so already.

    Like attaching, this changes the draft (a new revision, logged as ``ingest.caption``): visitors of a live
    record keep the approved caption until the draft is published. Media attached through a translation get
    a link on this page too, in the same place, to carry this language's caption. Raises :class:`NotAttached`
    when no draft of the record's pages lists ``original``; ``caption`` is expected clean (plain text, NFC,
    at most ``CAPTION_MAX_LENGTH`` characters).
    """
    target = source_page(record)
    with transaction.atomic():
        page = _locked(target)
        draft = page.get_latest_revision_as_object()
        links = _ordered(draft.media_links.all())
        link = next((link for link in links if link.original_id == original.pk), None)
        if link is None:
            elsewhere = [
                link
                for other in own_pages(page)
                if other.pk != page.pk
                for link in draft_links(other)
                if link.original_id == original.pk
            ]
            if not elsewhere:
                raise NotAttached(original.pk)
            if not caption:
                return False
            link = RecordMedia(
                original=original,
                sort_order=elsewhere[0].sort_order,
                added_by=_person(user),
                added_at=timezone.now(),
            )
            links.append(link)
        elif link.caption == caption:
            return False
        link.caption = caption
        draft.media_links = _ordered(links)
        _save_draft(page, draft, user, CAPTION, original, {"caption": caption})
    return True


# --- code that publishes records itself ------------------------------------------------------


def attach_published(original: Original, record, user=None) -> bool:
    """Show ``original`` on ``record`` at once: a row, and the same link in the page's live and latest
    revisions (those that carry a list), without a new revision. True when the row is new.

    For code that publishes the record itself (imports with ``--publish``, the demo), never for a person's
    change to a live record, which goes through :func:`attach_to_draft`. Logged as ``ingest.attach`` when
    it is done as someone (an import's ``--user``).
    """
    page = record.specific
    with transaction.atomic():
        position = RecordMedia.objects.filter(record_id=page.pk).count()
        link, created = RecordMedia.objects.get_or_create(
            record_id=page.pk,
            original=original,
            defaults={"added_by": _person(user), "sort_order": position},
        )
        if created:
            _amend_revisions(page, link)
            if _person(user) is not None:  # an import run as someone; the demo acts for nobody
                log_change(page, ATTACH, [original], user)
    return created


def caption_published(original: Original, record, caption: str) -> bool:
    """Give ``original``'s link on ``record`` the caption ``caption`` (in ``record``'s language) at once: the
    row and the page's live and latest revisions. Like :func:`attach_published`, for code that publishes the
    record itself (the demo, an import); False when the record does not show ``original``."""
    page = record.specific
    with transaction.atomic():
        if not RecordMedia.objects.filter(record_id=page.pk, original=original).update(caption=caption):
            return False
        ids = {page.live_revision_id, page.latest_revision_id} - {None}
        for revision in Revision.objects.filter(pk__in=ids):
            listed = revision.content.get(RELATION) or []
            for item in listed:
                if item.get("original") == original.pk:
                    item["caption"] = caption
            revision.save(update_fields=["content"])
    return True


def _amend_revisions(page, link: RecordMedia) -> None:
    from modelcluster.models import get_serializable_data_for_fields

    ids = {page.live_revision_id, page.latest_revision_id} - {None}
    for revision in Revision.objects.filter(pk__in=ids):
        listed = revision.content.get(RELATION)
        if listed is None or any(item.get("original") == link.original_id for item in listed):
            continue  # a revision from before lists were revisioned reads the rows
        listed.append(get_serializable_data_for_fields(link))
        revision.save(update_fields=["content"])


# --- what the admin shows --------------------------------------------------------------------


@dataclasses.dataclass
class Entry:
    """One original on a record's media page, with where it stands."""

    original: Original
    published: bool  # in the list visitors see now
    drafted: bool  # in the list of the draft

    @property
    def status(self) -> str:
        """``shown``; ``added`` (in the draft, shown once it is published); ``removed`` (detached in the draft,
        shown until it is published)."""
        if self.drafted:
            return "shown" if self.published else "added"
        return "removed"


def _draft_lists(pages: list[RecordPage]) -> dict[int, list[tuple[int, int]] | None]:
    """``{page id: [(sort order, original id)…]}`` from the latest revisions of pages with unpublished
    changes; None for a page whose draft is its rows."""
    revision_ids = {page.latest_revision_id: page.pk for page in pages if page.has_unpublished_changes}
    found: dict[int, list[tuple[int, int]] | None] = {page.pk: None for page in pages}
    for revision_id, content in Revision.objects.filter(pk__in=[pk for pk in revision_ids if pk]).values_list(
        "pk", "content"
    ):
        listed = content.get(RELATION)
        if listed is not None:
            found[revision_ids[revision_id]] = [(item.get("sort_order") or 0, item["original"]) for item in listed]
    return found


def media_of(record) -> list[Entry]:
    """The media of ``record`` and its translations for its media page: the draft's, in its order, then
    those detached in the draft that visitors still see."""
    group = list(RecordPage.objects.filter(translation_key=record.translation_key))
    rows = list(
        RecordMedia.objects.filter(record__in=[page.pk for page in group]).values_list(
            "record_id", "sort_order", "original_id"
        )
    )
    live = {page.pk for page in group if page.live}
    published = {original_id for record_id, _order, original_id in rows if record_id in live}
    owners = own_pages(record)
    drafts = _draft_lists(owners)
    drafted: list[tuple[int, int]] = []
    for page in owners:
        listed = drafts[page.pk]
        if listed is None:
            listed = [(order, original_id) for record_id, order, original_id in rows if record_id == page.pk]
        drafted += listed
    order = [original_id for _order, original_id in sorted(drafted, key=lambda pair: pair[0])]
    in_draft = set(order)
    order += sorted(published - in_draft)
    originals = Original.objects.filter(pk__in=order).select_related("job").prefetch_related("records").in_bulk()
    entries, seen = [], set()
    for original_id in order:
        if original_id in seen or original_id not in originals:
            continue
        seen.add(original_id)
        entries.append(Entry(originals[original_id], original_id in published, original_id in in_draft))
    return entries


def drafts_holding(original: Original) -> list[RecordPage]:
    """Live records whose waiting draft lists ``original`` (their rows may not: not approved yet)."""
    pages = RecordPage.objects.filter(live=True, has_unpublished_changes=True, alias_of__isnull=True)
    holding = []
    for pk, content in pages.values_list("pk", "latest_revision__content").iterator():
        listed = (content or {}).get(RELATION) or []
        if any(item.get("original") == original.pk for item in listed):
            holding.append(pk)
    return list(RecordPage.objects.filter(pk__in=holding))


def holds(record, original: Original) -> bool:
    """Whether ``record`` (or a translation) shows ``original`` or its draft lists it."""
    return any(entry.original.pk == original.pk for entry in media_of(record))


def log_reprocess(original: Original, user=None) -> None:
    """Record a reprocess in the history of every page showing ``original`` (live list or draft) and of the
    original itself: the access copies are made again, what the records show does not change."""
    pages = {page.pk: page for page in RecordPage.objects.filter(media_links__original=original)}
    pages.update({page.pk: page for page in drafts_holding(original)})
    data = {"original": describe(original)}
    for page in pages.values():
        log(instance=page, action=REPROCESS, user=_person(user), data=data)
    log(instance=original, action=REPROCESS, user=_person(user), data=data)
