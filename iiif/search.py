"""IIIF Content Search 2.0 inside one record: its documents' pages and its recordings' captions.

The manifest (``iiif.manifests``) declares a ``SearchService2`` at ``/iiif/<identifier>/search``. A search
answers an Annotation Page (https://iiif.io/api/search/2.0/) whose ``items`` are ``supplementing``
annotations, one per match, each with the matching text as its body:

* a page of a PDF holding the words, targeting that page's canvas (found by the discovery search's page
  index: ``search.pages.search_inside``, the same search as the library's "search inside", with its
  scope and its diacritic-blind matching);
* a caption cue of a video or a recording holding the words, targeting its canvas at the cue's time,
  ``<canvas>#t=start,end``. Cues are read from the WebVTT the ingest made (``captions.vtt``) and matched
  with the discovery search's own word patterns (``search.snippets``): "le hoi" finds "Lễ hội".

Each annotation's matches are repeated in ``annotations`` as ``highlighting`` annotations with a
``TextQuoteSelector`` (prefix, exact, suffix), for viewers that highlight them. Pages first, in reading
order, then cues, in each recording's order; ``PAGE_SIZE`` a page, with ``partOf``, ``next``, ``prev``
and ``startIndex`` when there are more.

Access is the caller's: it answers only for a record the requester may see (``visible_record``); the
page index and the media section apply the same rule again to what they return.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
from functools import lru_cache
from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.http import Http404

from archive.models import RecordPage
from archive.text import nfc
from iiif import manifests
from search import pages
from search.engines import SearchQuery
from search.engines.base import PageHit
from search.snippets import _pattern as word_pattern

logger = logging.getLogger(__name__)

SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"
PAGE_SIZE = pages.INSIDE_PAGE_SIZE
MAX_QUERY_LENGTH = 200
# Parameters of the specification this service implements, and those it reads but ignores (it says so).
MOTIVATION = "supplementing"
ACCEPTED_MOTIVATIONS = {MOTIVATION, "non-painting"}
IGNORED_PARAMETERS = ("date", "user")
QUOTE_CHARS = 40  # characters of prefix and suffix around a highlighted match
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_TAG = re.compile(r"<[^>]*>")


class BadQuery(ValueError):
    """The request cannot be answered as asked (the message says why, for the client)."""


# --- Identifiers shared with the manifest (``iiif.manifests``) -----------------------------------------


def page_canvas_id(identifier: str, original: int, page: int) -> str:
    """The canvas of page ``page`` (1-based) of the record's document ``original``, as the manifest names it."""
    return f"{media_canvas_id(identifier, original)}/p{page}"


def media_canvas_id(identifier: str, original: int) -> str:
    """The canvas of one of the record's media (a recording, a video; a document's pages are under it)."""
    return f"{manifests.site_url()}/iiif/{identifier}/canvas/{original}"


# --- Who may search what -------------------------------------------------------------------------------


def visible_record(who, identifier: str, language: str) -> RecordPage:
    """The record ``identifier`` in ``language`` (else in another of its languages) if ``who`` may see it;
    else Http404: the same rule as the library's "search inside"."""
    found = RecordPage.objects.visible_to(who).filter(identifier=identifier).select_related("locale")
    record = found.filter(locale__language_code=language).first() or found.order_by("pk").first()
    if record is None:
        raise Http404("No such item")
    return record


# --- Matches -------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Match:
    """One annotation of the answer: the text that matched, where it is, and the words to highlight."""

    target: str  # a canvas id, with a media fragment for a cue
    text: str  # plain text
    quotes: list[tuple[str, str, str]]  # (prefix, exact, suffix) of each match in ``text``
    language: str = ""
    key: str = ""  # what makes the annotation's id: "p12", "c34-5"


@dataclasses.dataclass
class Cue:
    start: float
    end: float
    text: str  # plain text


def query_words(text: str) -> tuple[str, ...]:
    """The query's words folded (no diacritics, lower case), as the discovery search matches them."""
    return tuple(dict.fromkeys(word for term in SearchQuery(text=text).terms for word in term.folded if word))


def quotes_in(text: str, words: tuple[str, ...]) -> list[tuple[str, str, str]] | None:
    """(prefix, exact, suffix) of each occurrence of the words in ``text``; None unless every word occurs."""
    if not words:
        return None
    found, groups = [], set()
    for match in word_pattern(tuple(sorted(set(words)))).finditer(text):
        groups.add(match.lastgroup)
        found.append(_quote(text, match.start(), match.end()))
    return found if len(groups) == len(set(words)) else None


def _quote(text: str, start: int, end: int) -> tuple[str, str, str]:
    return text[max(0, start - QUOTE_CHARS) : start], text[start:end], text[end : end + QUOTE_CHARS]


def page_match(identifier: str, hit: PageHit, language: str) -> Match:
    """A page hit of the page index: its snippet as plain text, its ``<mark>``s as the quotes."""
    plain, quotes, position = [], [], 0
    snippet = hit.snippet or ""
    for found in _MARK.finditer(snippet):
        plain.append(_plain(snippet[position : found.start()]))
        before = "".join(plain)
        exact = _plain(found.group(1))
        plain.append(exact)
        quotes.append((before, exact, found.end()))
        position = found.end()
    plain.append(_plain(snippet[position:]))
    text = "".join(plain)
    quotes_out = []
    for before, exact, end in quotes:
        after = _plain(_MARK.sub(r"\1", snippet[end:]))
        quotes_out.append((before[-QUOTE_CHARS:], exact, after[:QUOTE_CHARS]))
    return Match(
        target=page_canvas_id(identifier, hit.original, hit.page),
        text=text,
        quotes=quotes_out,
        language=language,
        key=f"d{hit.original}-p{hit.page}",
    )


def _plain(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment))


@lru_cache(maxsize=128)
def read_cues(storage_name: str) -> tuple[Cue, ...]:
    """The cues of a stored WebVTT file, their text without tags. Cached: a derivative set's files never
    change (each run writes a new folder)."""
    from ingest.processing.captions import parse_captions

    with default_storage.open(storage_name, "rb") as handle:
        captions = parse_captions(handle.read())
    cues = []
    for cue in captions.cues:
        text = " ".join(html.unescape(_TAG.sub("", cue.text)).split())
        if text:
            cues.append(Cue(start=cue.start, end=cue.end, text=nfc(text)))
    return tuple(cues)


@dataclasses.dataclass
class Track:
    """The captions of one recording: which canvas, in what language, where the WebVTT is stored."""

    canvas: str
    original: int  # the captions' original
    storage_name: str
    language: str = ""


def caption_tracks(record, who) -> list[Track]:
    """The caption files of ``record``'s videos and recordings that ``who`` may fetch, each with the canvas
    the manifest gives it (``iiif.manifests.record_media``: the record page's media and pairing), in the
    record's order."""
    from ingest.models import MediaKind, Original
    from ingest.services.paths import public_url

    media = manifests.record_media(record, who)
    wanted = {track["vtt"] for tracks in media.captions.values() for track in tracks if track.get("vtt")}
    if not wanted:
        return []
    stored = {}  # the public address of each caption file of the record → (its original, its storage name)
    captions = Original.objects.filter(
        kind=MediaKind.CAPTIONS, links__record__translation_key=record.translation_key, derivative_set__isnull=False
    ).select_related("derivative_set")
    for original in captions.distinct():
        vtt = original.derivative_set.manifest.get("derivatives", {}).get("vtt")
        if vtt:
            name = original.derivative_set.path(vtt)
            stored[public_url(name)] = (original.pk, name)
    tracks = []
    for owner, owned in media.captions.items():
        for track in owned:
            if track.get("vtt") in stored:
                original, name = stored[track["vtt"]]
                tracks.append(
                    Track(
                        canvas=media_canvas_id(record.identifier, owner),
                        original=original,
                        storage_name=name,
                        language=track.get("language", ""),
                    )
                )
    return tracks


def cue_matches(record, who, words: tuple[str, ...]) -> list[Match]:
    """The caption cues of ``record``'s recordings holding every word, in each recording's order."""
    from ingest.processing.errors import ProcessingError

    matches = []
    for track in caption_tracks(record, who):
        try:
            cues = read_cues(track.storage_name)
        except (OSError, ProcessingError):  # a file gone or damaged since: the others still answer
            logger.exception("Captions %s could not be read for Content Search", track.storage_name)
            continue
        for number, cue in enumerate(cues, start=1):
            quotes = quotes_in(cue.text, words)
            if quotes:
                matches.append(
                    Match(
                        target=f"{track.canvas}#t={_time(cue.start)},{_time(cue.end)}",
                        text=cue.text,
                        quotes=quotes,
                        language=track.language,
                        key=f"c{track.original}-{number}",
                    )
                )
    return matches


def _time(seconds: float) -> str:
    """Seconds as a media fragment writes them: "12.5", "3"."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


# --- The answer ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    matches: list[Match]
    total: int
    page: int
    ignored: list[str]

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def parse(params) -> tuple[str, int, list[str], bool]:
    """(query text, page number, ignored parameters, whether the motivation asked for can match)."""
    text = nfc(params.get("q", "")).strip()
    if not text:
        raise BadQuery("Give the words to search for: ?q=…")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadQuery(f"The query is longer than {MAX_QUERY_LENGTH} characters.")
    try:
        number = int(params.get("page", "1"))
    except ValueError:
        raise BadQuery("page must be a whole number from 1.") from None
    if number < 1:
        raise BadQuery("page must be a whole number from 1.")
    ignored = [name for name in IGNORED_PARAMETERS if params.get(name)]
    motivations = set(params.get("motivation", "").split())
    return text, number, ignored, not motivations or bool(motivations & ACCEPTED_MOTIVATIONS)


def search(record, params, who) -> Answer:
    """The matches of ``params["q"]`` in ``record`` for ``who``, page ``params["page"]``; raises BadQuery for
    a request it cannot answer and EngineUnavailable when the page index cannot answer."""
    text, number, ignored, wanted = parse(params)
    if not wanted:
        return Answer(matches=[], total=0, page=number, ignored=ignored)
    words = query_words(text)
    if not words:
        return Answer(matches=[], total=0, page=number, ignored=ignored)
    language = record.locale.language_code
    inside = pages.search_inside(record, {"q": text, "page": str(number)}, who, page_size=PAGE_SIZE)
    page_matches = [page_match(record.identifier, hit, language) for hit in inside.hits]
    cues = cue_matches(record, who, words)
    start = (number - 1) * PAGE_SIZE
    cue_start = max(0, start - inside.count)
    matches = page_matches + cues[cue_start : cue_start + PAGE_SIZE - len(page_matches)]
    return Answer(matches=matches, total=inside.count + len(cues), page=number, ignored=ignored)


def page_url(identifier: str, params, number: int | None) -> str:
    """This search's address, at page ``number`` (None: the collection of every page)."""
    query = {key: params.get(key) for key in ("q", "motivation") if params.get(key)}
    if number is not None:
        query["page"] = number
    return f"{manifests.search_url(identifier)}?{urlencode(query)}"


def annotation_page(record, params, answer: Answer) -> dict:
    """The Content Search 2.0 Annotation Page of ``answer``."""
    identifier = record.identifier
    paged = answer.total > PAGE_SIZE
    own = page_url(identifier, params, answer.page if paged or answer.page > 1 else None)
    items, highlights = [], []
    collection = page_url(identifier, params, None)
    for match in answer.matches:
        # Fragments of the search's address: an annotation of one query's answer, never of another's.
        annotation_id = f"{collection}#{match.key}"
        body = {"type": "TextualBody", "value": match.text, "format": "text/plain"}
        if match.language:
            body["language"] = match.language
        items.append(
            {
                "id": annotation_id,
                "type": "Annotation",
                "motivation": MOTIVATION,
                "body": body,
                "target": match.target,
            }
        )
        for number, (prefix, exact, suffix) in enumerate(match.quotes, start=1):
            highlights.append(
                {
                    "id": f"{annotation_id}/match-{number}",
                    "type": "Annotation",
                    "motivation": "highlighting",
                    "target": {
                        "type": "SpecificResource",
                        "source": annotation_id,
                        "selector": [{"type": "TextQuoteSelector", "prefix": prefix, "exact": exact, "suffix": suffix}],
                    },
                }
            )
    data: dict = {"@context": SEARCH_CONTEXT, "id": own, "type": "AnnotationPage"}
    if paged or answer.page > 1:
        data["partOf"] = {
            "id": collection,
            "type": "AnnotationCollection",
            "total": answer.total,
            "first": {"id": page_url(identifier, params, 1), "type": "AnnotationPage"},
            "last": {"id": page_url(identifier, params, answer.last_page), "type": "AnnotationPage"},
        }
        data["startIndex"] = (answer.page - 1) * PAGE_SIZE
        if answer.page < answer.last_page:
            data["next"] = {"id": page_url(identifier, params, answer.page + 1), "type": "AnnotationPage"}
        if answer.page > 1:
            data["prev"] = {"id": page_url(identifier, params, answer.page - 1), "type": "AnnotationPage"}
    if answer.ignored:
        data["ignored"] = answer.ignored
    data["items"] = items
    if highlights:
        data["annotations"] = [{"type": "AnnotationPage", "items": highlights}]
    return data
