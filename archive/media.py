"""Access-checked media delivery.

No file under MEDIA_ROOT is served straight from a public URL: every request for
``MEDIA_URL/<path>`` goes through :func:`archive.views.serve_media`, which asks the
resolvers registered here who owns the path and whether the user may see it. Apps that
store their own files (``ingest``) register a resolver in their ``AppConfig.ready()``.
"""

from collections.abc import Callable
from typing import NamedTuple

# A resolver takes (path, who) — who asks: the request (or a user), which
# ``archive.access.Viewer.of`` understands — and returns None when the path is not its own,
# or a Verdict saying whether they may see it and if it is public (``archive.access.media_verdicts``).
Resolver = Callable[[str, object], "Verdict | None"]


class Verdict:
    __slots__ = ("allowed", "public")

    def __init__(self, allowed: bool, public: bool):
        self.allowed = allowed
        self.public = public


_resolvers: list[Resolver] = []


def register_resolver(resolver: Resolver) -> Resolver:
    if resolver not in _resolvers:
        _resolvers.append(resolver)
    return resolver


def resolve(path: str, user) -> "Verdict | None":
    for resolver in _resolvers:
        verdict = resolver(path, user)
        if verdict is not None:
            return verdict
    return None


@register_resolver
def image_files(path: str, user) -> "Verdict | None":
    from archive.models import ArchiveImage, ArchiveRendition

    image = ArchiveImage.objects.filter(file=path).first()
    if image is None:
        rendition = ArchiveRendition.objects.select_related("image").filter(file=path).first()
        image = rendition.image if rendition else None
    if image is None:
        return None
    verdict = image.access_for(user)
    return Verdict(allowed=verdict.allowed, public=verdict.public)


# --- What media a record holds ---------------------------------------------------------
# Apps that attach media to records (``ingest``) register a summariser: given record page
# ids it returns, for those that hold media, the kinds present ("image", "video",
# "audio", "document") and any text they carry (transcripts, captions, extracted document
# text). Discovery search reads them through :func:`summarise_many` without knowing who
# stores what. Summarisers answer for many records at once: an index rebuild asks for
# thousands at a time.


class MediaSummary:
    __slots__ = ("kinds", "texts")

    def __init__(self, kinds=(), texts=()):
        self.kinds = set(kinds)
        self.texts = list(texts)


Summariser = Callable[[list[int]], "dict[int, MediaSummary]"]
_summarisers: list[Summariser] = []


def register_summariser(summariser: Summariser) -> Summariser:
    if summariser not in _summarisers:
        _summarisers.append(summariser)
    return summariser


def summarise_many(page_ids) -> "dict[int, MediaSummary]":
    page_ids = list(page_ids)
    summaries: dict[int, MediaSummary] = {}
    for summariser in _summarisers:
        for page_id, part in summariser(page_ids).items():
            summary = summaries.setdefault(page_id, MediaSummary())
            summary.kinds |= part.kinds
            summary.texts.extend(part.texts)
    return summaries


# --- What a record page shows from other apps ------------------------------------------
# Apps register a presenter for a slot of the record page: "lead" (``ingest``: the first image the
# visitor may see, which the page opens with; the page shows a drawn placeholder when no presenter has
# one), "media" (``ingest``: the record's other players and files), "citation" (the library:
# formatted citations and exports) or "head" (hints for the page's ``<head>``, before its styles:
# ``<link rel="preload">`` of what the page will show first but names only far down its HTML, such as
# ``ingest``'s preload of a document reader's first page image). Given the
# record page and the request, it returns the HTML of its section for that visitor (rendered by
# the app's own template, so escaped), or "" when there is nothing to show. A media presenter
# must show only what the visitor may fetch: the same rules as its resolver.
# ``RecordPage.get_context`` joins each slot's fragments into ``record_<slot>``.

Presenter = Callable[[object, object], str]
SLOTS = ("lead", "media", "citation", "head")
_presenters: dict[str, list[Presenter]] = {slot: [] for slot in SLOTS}


def register_presenter(presenter: Presenter | None = None, *, slot: str = "media"):
    """Register ``presenter`` for ``slot``; usable as ``@register_presenter`` or
    ``@register_presenter(slot="citation")``."""

    def register(function: Presenter) -> Presenter:
        if function not in _presenters[slot]:
            _presenters[slot].append(function)
        return function

    return register(presenter) if presenter is not None else register


def present(page, request, slot: str = "media") -> str:
    """The sections of ``page`` registered for ``slot``, for ``request.user``, as safe HTML ("" when none)."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    parts = (presenter(page, request) for presenter in _presenters[slot])
    return mark_safe("".join(conditional_escape(part) for part in parts if part))  # noqa: S308 - parts escaped


# --- The text of each page of a record's documents ---------------------------------------
# Apps that keep paged documents (``ingest``: PDFs, their text layer or OCR) register a source:
# given record page ids it returns, for those holding documents whose processing has finished,
# each document's original id and the text of its pages in order,
# ``{record_id: [(original_id, [page 1 text, page 2 text, …]), …]}``, the documents in the order
# the record shows them. Discovery search reads them through :func:`page_texts` (one index
# document per page, for hits that open a document at the right page) without knowing who
# stores what. Like summarisers, sources answer for many records at once.

PageTextSource = Callable[[list[int]], "dict[int, list[tuple[int, list[str]]]]"]
_page_text_sources: list[PageTextSource] = []


def register_page_texts(source: PageTextSource) -> PageTextSource:
    if source not in _page_text_sources:
        _page_text_sources.append(source)
    return source


def page_texts(record_ids) -> "dict[int, list[tuple[int, list[str]]]]":
    record_ids = list(record_ids)
    found: dict[int, list[tuple[int, list[str]]]] = {}
    if not record_ids:
        return found
    for source in _page_text_sources:
        for record_id, documents in source(record_ids).items():
            found.setdefault(record_id, []).extend(documents)
    return found


# --- A record's thumbnail in lists and search results -------------------------------------
# Apps that attach images to records (``ingest``) register a thumbnail source: given record page ids
# and who asks (a request, a user or None), it returns ``{page_id: Thumbnail}`` for the records whose
# first image that visitor may fetch: the same verdict as the app's resolver, so a withheld, sacred or
# restricted image is never offered. Listings and search results ask once for all their records
# (:func:`thumbnails`), never once per card.


class Thumbnail(NamedTuple):
    url: str  # a small copy (about 240 px on its long edge), JPEG
    width: int
    height: int
    alt: str = ""  # in the language of the record page asked for; "" when the image has no words of its own
    webp: str = ""  # the same copy as WebP, where there is one


ThumbnailSource = Callable[[list[int], object], "dict[int, Thumbnail]"]
_thumbnail_sources: list[ThumbnailSource] = []


def register_thumbnails(source: ThumbnailSource) -> ThumbnailSource:
    if source not in _thumbnail_sources:
        _thumbnail_sources.append(source)
    return source


def thumbnails(page_ids, who) -> "dict[int, Thumbnail]":
    """The thumbnail of each record in ``page_ids`` that has one ``who`` may see (the first source to
    answer for a record wins)."""
    page_ids = [page_id for page_id in dict.fromkeys(page_ids) if page_id is not None]
    found: dict[int, Thumbnail] = {}
    if not page_ids:
        return found
    for source in _thumbnail_sources:
        for page_id, thumbnail in source(page_ids, who).items():
            found.setdefault(page_id, thumbnail)
    return found
