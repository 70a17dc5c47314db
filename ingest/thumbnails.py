"""Records' thumbnails in listings and search results (registered with ``archive.media.register_thumbnails``).

A record's thumbnail is the small access copy (``web/240.webp`` and ``.jpg``; the smallest there is for sets
made before that size existed) of the first image in its published list, on any of its translations, whose
processing has finished and that the visitor may fetch; a record without such an image (a book, a report, a
scanned document) shows its first such PDF's first page (the reader's 300 px page thumbnail, about 7 KB). The
rule is the record page's (``ingest.presentation``) and the ``/media/`` resolver's (``ingest.access``), so a
file a stricter record also shows, or one waiting for review, is never offered. Every listing asks once for
all its records: three queries whatever their number.
"""

from __future__ import annotations

from archive.media import Thumbnail
from ingest.access import verdicts_for_originals
from ingest.models import DerivativeSet, MediaKind, RecordMedia
from ingest.services import public_url

THUMBNAIL_EDGE = 240  # px, the long edge; cards show it at about 96 × 72 CSS px, sharp at 2×


def _smallest(copies: list[dict], fmt: str) -> dict | None:
    """The web copy of ``fmt`` closest above ``THUMBNAIL_EDGE`` on its long edge (else the largest)."""
    entries = sorted(
        (c for c in copies if c.get("format") == fmt and c.get("file")),
        key=lambda c: max(c.get("width") or 0, c.get("height") or 0),
    )
    fallback = entries[-1] if entries else None
    return next((c for c in entries if max(c["width"], c["height"]) >= THUMBNAIL_EDGE), fallback)


def thumbnail_of(derivative_set, alt: str = "") -> Thumbnail | None:
    """The thumbnail of an image's current access copies, or None when they have no web copy."""
    copies = derivative_set.manifest.get("derivatives", {}).get("web", [])
    jpeg = _smallest(copies, "jpeg")
    if jpeg is None:
        return None
    webp = _smallest(copies, "webp")
    return Thumbnail(
        url=public_url(derivative_set.path("web/" + jpeg["file"])),
        width=jpeg["width"],
        height=jpeg["height"],
        alt=alt,
        webp=public_url(derivative_set.path("web/" + webp["file"])) if webp else "",
    )


def page_thumbnail_of(derivative_set, alt: str = "") -> Thumbnail | None:
    """The first page of a PDF's current access copies, or None when they have no page image of known size."""
    derived = derivative_set.manifest.get("derivatives", {})
    pages, readable, width = (
        derived.get("thumbnails") or [],
        derived.get("page_images") or [],
        derived.get("thumbnail_width"),
    )
    if not pages or not readable or not width or not readable[0].get("width"):
        return None
    height = max(1, round(readable[0]["height"] * width / readable[0]["width"]))
    return Thumbnail(url=public_url(derivative_set.path(pages[0])), width=width, height=height, alt=alt)


SHOWN = {MediaKind.IMAGE: thumbnail_of, MediaKind.PDF: page_thumbnail_of}


def record_thumbnails(page_ids, who) -> dict[int, Thumbnail]:
    """``{page id: Thumbnail}`` for the records among ``page_ids`` with an image (else a PDF) ``who`` may see."""
    from archive.models import RecordPage

    keys = dict(RecordPage.objects.filter(pk__in=list(page_ids)).values_list("pk", "translation_key"))
    if not keys:
        return {}
    links = list(
        RecordMedia.objects.filter(
            record__translation_key__in=set(keys.values()),
            original__kind__in=list(SHOWN),
            original__derivative_set__isnull=False,
        )
        .order_by("sort_order", "pk")
        .values_list("record__translation_key", "record_id", "original_id", "original__kind", "caption")
    )
    if not links:
        return {}
    originals = {link[2] for link in links}
    allowed = {pk for pk, verdict in verdicts_for_originals(originals, who).items() if verdict.allowed}
    first: dict[tuple[object, str], int] = {}  # (translation key, kind) → its first original the visitor may see
    captions: dict[tuple[int, int], str] = {}  # (record, original) → the caption on that record's link
    for key, record_id, original_id, kind, caption in links:
        if original_id in allowed:
            first.setdefault((key, kind), original_id)
        if caption:
            captions[(record_id, original_id)] = caption
    sets = {s.original_id: s for s in DerivativeSet.objects.filter(original_id__in=set(first.values()))}
    found = {}
    for page_id, key in keys.items():
        for kind, make in SHOWN.items():  # an image first, else a document's first page
            original_id = first.get((key, kind))
            if original_id is None or original_id not in sets:
                continue
            # Words of its own only in the page's language: the caption on this page's link, else none.
            thumbnail = make(sets[original_id], alt=captions.get((page_id, original_id), ""))
            if thumbnail is not None:
                found[page_id] = thumbnail
                break
    return found
