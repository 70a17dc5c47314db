"""What media each record holds, for discovery search (registered with ``archive.media``)."""

from archive.media import MediaSummary
from archive.models import RecordPage
from ingest.models import JobState, RecordMedia
from ingest.models.originals import SEARCH_KINDS


def record_media(page_ids) -> dict[int, MediaSummary]:
    """Kinds of processed media and their texts (document text, captions) per page, in two queries.

    Media attached to a record counts for all its translations.
    """
    page_ids = list(page_ids)
    if not page_ids:
        return {}
    keys = dict(RecordPage.objects.filter(pk__in=page_ids).values_list("pk", "translation_key"))
    rows = (
        RecordMedia.objects.filter(record__translation_key__in=set(keys.values()), original__job__state=JobState.DONE)
        .values_list("record__translation_key", "original_id", "original__kind", "original__derivative_set__text")
        .order_by("sort_order", "pk")
    )
    by_key: dict = {}
    seen = set()
    for key, original_id, kind, text in rows:
        if (key, original_id) in seen:
            continue
        seen.add((key, original_id))
        summary = by_key.setdefault(key, MediaSummary())
        if kind in SEARCH_KINDS:
            summary.kinds.add(SEARCH_KINDS[kind])
        if text:
            summary.texts.append(text)
    return {page_id: by_key[key] for page_id, key in keys.items() if key in by_key}
