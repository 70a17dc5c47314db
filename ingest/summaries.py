"""What media each record holds, and the text of each page of its documents, for discovery search
(registered with ``archive.media``)."""

from archive.batching import for_ids
from archive.media import MediaSummary
from archive.models import RecordPage
from ingest.models import RecordMedia
from ingest.models.originals import SEARCH_KINDS, MediaKind


def record_media(page_ids) -> dict[int, MediaSummary]:
    """Kinds of processed media (with current access copies) and their texts (document text,
    captions) per page, in two queries.

    Media attached to a record counts for all its translations.
    """
    wanted = set(page_ids)
    if not wanted:
        return {}
    pages = RecordPage.objects.filter(for_ids("pk", wanted))
    rows = list(
        RecordMedia.objects.filter(
            record__translation_key__in=pages.values("translation_key"), original__derivative_set__isnull=False
        )
        .values_list("record__translation_key", "original_id", "original__kind", "original__derivative_set__text")
        .order_by("sort_order", "pk")
    )
    if not rows:
        return {}
    keys = {pk: key for pk, key in pages.values_list("pk", "translation_key") if pk in wanted}
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


def record_page_texts(page_ids) -> dict[int, list[tuple[int, list[str]]]]:
    """Each PDF's pages' texts per page, for PDFs whose processing has finished (a current set of
    access copies), in the order the record shows them: ``{page_id: [(original_id, [text, …])]}``.

    The text is the one written to ``text.txt`` and kept on the derivative set, pages separated by
    form feeds (text layer, or OCR where a page had none). Documents count for all translations.
    """
    wanted = set(page_ids)
    if not wanted:
        return {}
    # An IN list, not an id range (``for_ids``): texts are large, read only those asked for.
    pages = RecordPage.objects.filter(pk__in=wanted)
    rows = (
        RecordMedia.objects.filter(
            record__translation_key__in=pages.values("translation_key"),
            original__kind=MediaKind.PDF,
            original__derivative_set__isnull=False,
        )
        .values_list("record__translation_key", "original_id", "original__derivative_set__text")
        .order_by("sort_order", "pk")
    )
    by_key: dict = {}
    seen = set()
    for key, original_id, text in rows:
        if (key, original_id) not in seen:
            seen.add((key, original_id))
            by_key.setdefault(key, []).append((original_id, text.split("\f") if text else []))
    if not by_key:
        return {}
    return {page_id: by_key[key] for page_id, key in pages.values_list("pk", "translation_key") if key in by_key}
