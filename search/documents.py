"""The index document: what one record looks like to a search engine.

One definition for both engines. Text fields carry the text as written (NFC); each
engine indexes it twice, with diacritics (after :func:`search.analysis.normalise`) and
folded. Keyword fields carry facet values and exact identifiers. Later kinds of item
(e-library items, experts) get their own builder producing the same fields.

Every live record is indexed, at every access level, with the two things the archive's
visibility rule (``archive.access``) needs to decide who may find it: its audience key
(``public``, ``registered``, ``staff`` or ``sacred-<group id>``) and the ids of the view
restrictions covering it. Every query carries the visitor's keys and the restrictions they
fail, so no query, count, facet, snippet or suggestion reaches anyone else.

A record whose documents (PDFs) have text also gets one **page document** per page
(:func:`page_documents`): the page's text with the record's pk, language, audience key,
restrictions, type and facet values, so that a hit can open the document at the page and a
page obeys the same rule as its record. A record document says whether it has pages
(``pages``); each engine writes and removes them with it, in updates and rebuilds alike,
reading their texts a few records at a time (a library item may have hundreds of pages).

The record document does not repeat the whole text of its documents: their pages hold it. It
keeps the start of each document's text (``RECORD_DOCUMENT_CHARS``: phrases, ranking and the
snippet read it) and, in ``document_words``, every other word of it once, without positions or
frequencies (:func:`document_text`). So every search (the site's, the library's, the API's) still
finds a record by any word anywhere in its PDFs, each word of a query in its record or on any of
its pages, at a small part of the cost of indexing the text twice; the page index says where.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import translation

from wagtail.models import Page, Site

from archive import media as archive_media
from archive.access import audience_key, restriction_ids_for
from archive.batching import for_ids
from archive.models import (
    CollectionPage,
    EthnicGroup,
    EthnicGroupName,
    IndexExtras,
    Language,
    Place,
    RecordContributor,
    RecordPage,
    RecordTitle,
    Subject,
    record_types,
)
from archive.text import nfc
from search.analysis import collation_key, joined_forms

# Text fields and how much a match in each weighs.
TEXT_FIELDS = {
    "title": 4.0,
    "titles_other": 3.0,
    "names": 2.0,
    "people": 1.5,
    "content": 1.0,
}
# Fields also indexed with their diacritics, so that a query typed with them ranks exact
# matches first. The description is matched folded only: it is most of the text, and a
# second copy would double the index for a small gain in ranking.
EXACT_FIELDS = ("title", "titles_other", "names", "people")
# Names and titles with their syllables typed together ("longtong", "hmong", "sapa": see
# :func:`search.analysis.joined_forms`), each form a whole term, and how much a match weighs. A
# name of up to ``JOINED_WHOLE`` syllables is also joined whole ("bruvankieu").
JOINED_FIELDS = {"title_joined": TEXT_FIELDS["title"], "names_joined": TEXT_FIELDS["names"]}
JOINED_WHOLE = 4
# Exact keywords: identifiers and document numbers, matched whole ("101/KH-UBND").
KEYWORD_FIELD = "keywords"
# The field whose stored text gives snippets.
SNIPPET_FIELD = "content"


@dataclass(frozen=True)
class Facet:
    name: str
    field: str
    order: str = "count"  # or "value" (decades read best in order)
    size: int = 60

    def aggregation(self) -> dict:
        """The request in the Elasticsearch aggregation format, which both engines read."""
        return {"terms": {"field": self.field, "size": self.size}}


FACETS = {
    facet.name: facet
    for facet in (
        Facet("type", "type"),
        Facet("group", "group"),
        Facet("province", "province"),
        Facet("place", "place", size=100),
        Facet("language", "language"),
        Facet("decade", "decade", order="value"),
        Facet("media", "media"),
        Facet("heritage", "heritage"),
        Facet("collection", "collection"),
        Facet("subject", "subject", size=100),
        # Publisher, issuing body or granting institution; holding library (``IndexExtras.facets``).
        Facet("issuer", "issuer", size=100),
        Facet("holding", "holding"),
        Facet("year", "year", order="value", size=200),  # of publication (the record's date)
    )
}
# Facets a record type fills from its own fields (``RecordPage.index_extras``).
EXTRA_FACETS = ("issuer", "holding")
# What the archive's search page and API offer (the library offers its own, ``library.views_search``).
ARCHIVE_FACETS = ("type", "group", "province", "place", "language", "decade", "media", "heritage", "collection")
# Stored with each hit: enough to show a result without touching the database.
STORED_FIELDS = ("pk", "identifier", "title", "url", "type")
# Page documents: each document's pages sort after the previous document's.
PAGE_SORT_STRIDE = 100_000
PAGE_TEXT_CHARS = 20_000  # a page's text kept for snippets (and indexed); a real page holds far less
# Records whose page texts are read at once (a library item may have hundreds of pages).
PAGE_TEXT_GROUP = 16
# Records whose media (the whole text of their documents among it) are read at once in a batch.
MEDIA_CHUNK = 200
# A document's text kept whole in its record's document (about two pages); the rest of it goes in
# as its distinct words (``DOCUMENT_WORDS_FIELD``), matched but not read for phrases or snippets.
RECORD_DOCUMENT_CHARS = 5_000
DOCUMENT_WORDS_FIELD = "document_words"


def indexable_records():
    """Every record page that belongs in the index, in every locale: the live ones (who may find
    each is decided at query time)."""
    return RecordPage.objects.live()


_TAG = re.compile(r"<[^>]*>")


def html_text(html: str) -> str:
    """Text of Wagtail rich text (well-formed HTML from the editor), tags dropped.

    Runs of spaces stay: the tokenizers skip them and snippets collapse them.
    """
    text = _TAG.sub(" ", html or "")
    return (unescape(text) if "&" in text else text).strip()


def decades(start, end) -> list[str]:
    if not start:
        return []
    last = (end or start).year
    return [str(decade) for decade in range(start.year // 10 * 10, last // 10 * 10 + 1, 10)][:20]


# A record's translations share its translation key. Read as text: only compared, and turning
# each into a UUID object cost as much as the rest of a record's query.
TRANSLATION_KEY = Cast("translation_key", output_field=CharField())
PAGE_FIELDS = (
    "pk",
    "identifier",
    "title",
    "summary",
    "body",
    "locale__language_code",
    "access_level",
    "sacred_group_id",
    "url_path",
    "path",
    "date_start",
    "date_end",
    "heritage_level",
    "content_type_id",
)


class DocumentBuilder:
    """Builds index documents for many records at once from flat queries.

    A batch costs a fixed number of queries (pages, each type's own fields, the four
    taxonomy links, other titles, contributors, translations, media); taxonomies and
    collections are read once per builder. No model instances are made: a full rebuild
    of 100,000 records is bound by the engine, not the ORM.
    """

    def __init__(self):
        self._collections = dict(CollectionPage.objects.values_list("path", "pk"))
        self._types = {ContentType.objects.get_for_model(model).pk: model for model in record_types()}
        # What each taxonomy term adds to a record, worked out once per builder: its facet value
        # and its names, already cleaned (a record's names then only need their repeats dropped).
        other_names: dict[int, list[str]] = {}
        for group_id, name in EthnicGroupName.objects.order_by("sort_order", "pk").values_list("group_id", "name"):
            other_names.setdefault(group_id, []).append(name)
        self._groups = {
            group.pk: _Term(
                group.slug, _names(group.name, group.name_en, *other_names.get(group.pk, ()), group.autonym)
            )
            for group in EthnicGroup.objects.only("slug", "name", "name_en", "autonym")
        }
        places = list(Place.objects.select_related("parent"))
        self._places = {
            place.pk: _Place(
                place.slug,
                _names(place.name, place.name_en, place.parent.name if place.parent else ""),
                is_current=place.is_current,
                province=place.current_province_id,
            )
            for place in places
        }
        self._province_names = {place.pk: _names(place.name) for place in places}  # a province names only itself
        self._subjects = {
            pk: (_names(name), _names(name_en))
            for pk, name, name_en in Subject.objects.values_list("pk", "name", "name_en")
        }
        self._subject_slugs = dict(Subject.objects.values_list("pk", "slug"))
        self._languages = {
            language.pk: _Term(language.tag, _names(language.name, language.name_en))
            for language in Language.objects.only("tag", "name", "name_en")
        }
        self._roots = Site.get_site_root_paths()
        self._single_site = len({root.site_id for root in self._roots}) == 1
        self._prefixes = {}

    # --- lookups ----------------------------------------------------------------------

    def collections_of(self, path: str) -> list[str]:
        step = Page.steplen
        paths = (path[:length] for length in range(step, len(path), step))
        return [str(self._collections[prefix]) for prefix in paths if prefix in self._collections]

    def url_for(self, url_path: str, language: str) -> str:
        """The page's URL as Wagtail's ``get_url()`` gives it, without loading the page."""
        for root in self._roots:
            if root.language_code == language and url_path.startswith(root.root_path):
                if language not in self._prefixes:
                    with translation.override(language):
                        self._prefixes[language] = reverse("wagtail_serve", args=("",))
                relative = self._prefixes[language] + url_path[len(root.root_path) :]
                return relative if self._single_site else root.root_url + relative
        return ""

    @staticmethod
    def _links(field_name: str, ids) -> dict[int, list[int]]:
        field = RecordPage._meta.get_field(field_name)
        through = field.remote_field.through
        column = f"{field.m2m_field_name()}_id"
        rows = through.objects.filter(for_ids(column, ids)).values_list(
            f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        )
        links: dict[int, list[int]] = {}
        wanted = set(ids)
        for page_id, target_id in rows.order_by("pk"):
            if page_id in wanted:
                links.setdefault(page_id, []).append(target_id)
        return links

    @staticmethod
    def _grouped(model, ids, value: str) -> dict[int, list]:
        grouped: dict[int, list] = {}
        wanted = set(ids)
        rows = model.objects.filter(for_ids("page_id", ids)).order_by("sort_order", "pk")
        for page_id, item in rows.values_list("page_id", value):
            if page_id in wanted:
                grouped.setdefault(page_id, []).append(item)
        return grouped

    # --- building -----------------------------------------------------------------------

    def build_batch(self, ids) -> list[dict]:
        """Documents for the records ``ids``. Queries select an id range when the ids are dense
        (cheap for the database and for Django, unlike long IN lists; see ``archive.batching``)
        and keep only the ids asked for."""
        return list(self.iter_batch(ids))

    def iter_batch(self, ids) -> Iterator[dict]:
        """:meth:`build_batch`, a document at a time: what the records' media hold (the whole text of
        their documents) is read ``MEDIA_CHUNK`` records at a time, as their documents are made, so
        that a batch of long documents neither holds all their texts at once nor makes the indexing
        wait until the last of them is read."""
        ids = sorted(ids)
        if not ids:
            return
        wanted = set(ids)
        selected = for_ids("pk", ids)
        pages = [
            page
            for page in RecordPage.objects.filter(selected)
            .order_by("pk")
            .values(*PAGE_FIELDS, translation=TRANSLATION_KEY)
            if page["pk"] in wanted
        ]
        if not pages:
            return
        # What each type adds from its own fields (``RecordPage.index_extras``), one query a type present.
        extras: dict[int, IndexExtras] = {}
        by_type: dict[int, list[int]] = {}
        for page in pages:
            by_type.setdefault(page["content_type_id"], []).append(page["pk"])
        for content_type, type_ids in by_type.items():
            if (model := self._types.get(content_type)) is not None:
                extras.update(model.index_extras(type_ids))
        groups = self._links("ethnic_groups", ids)
        places = self._links("places", ids)
        subjects = self._links("subjects", ids)
        languages = self._links("languages", ids)
        other_titles = self._grouped(RecordTitle, ids, "title")
        contributors = self._grouped(RecordContributor, ids, "name")
        translations: dict = {}
        in_batch = RecordPage.objects.filter(selected).values("translation_key")
        for key, pk, title in (
            RecordPage.objects.live().filter(translation_key__in=in_batch).values_list(TRANSLATION_KEY, "pk", "title")
        ):
            translations.setdefault(key, []).append((pk, title))
        restrictions = restriction_ids_for((page["pk"], page["translation"]) for page in pages)
        for first in range(0, len(pages), MEDIA_CHUNK):
            chunk = pages[first : first + MEDIA_CHUNK]
            media = archive_media.summarise_many([page["pk"] for page in chunk])
            for page in chunk:
                pk = page["pk"]
                yield self.build(
                    page,
                    extras.get(pk) or IndexExtras(),
                    groups=[self._groups[i] for i in groups.get(pk, ()) if i in self._groups],
                    places=[self._places[i] for i in places.get(pk, ()) if i in self._places],
                    subjects=subjects.get(pk, ()),
                    languages=[self._languages[i] for i in languages.get(pk, ()) if i in self._languages],
                    other_titles=other_titles.get(pk, [])
                    + [title for other, title in translations.get(page["translation"], []) if other != pk],
                    contributors=contributors.get(pk, []),
                    media=media.get(pk) or archive_media.MediaSummary(),
                    restrictions=sorted(restrictions.get(pk, ())),
                )

    def build(
        self, page, extra, *, groups, places, subjects, languages, other_titles, contributors, media, restrictions=()
    ) -> dict:
        model = self._types.get(page["content_type_id"])
        provinces = {place.province for place in places if place.province}
        names = [name for term in (*groups, *places) for name in term.names]
        for province in provinces:
            names += self._province_names.get(province, ())
        subject_names = [self._subjects.get(i, ((), ())) for i in subjects]
        extra_facets = extra.facets
        for vi, _en in subject_names:
            names += vi
        for _vi, en in subject_names:
            names += en
        for language in languages:
            names += language.names
        people = list(contributors) + extra.people
        media_texts, document_words = document_text(media.texts) if "document" in media.kinds else (media.texts, "")
        content = [page["summary"], html_text(page["body"]), *extra.text, *media_texts]
        keywords = [page["identifier"], *extra.keywords]
        date = page["date_start"]
        language_code = page["locale__language_code"]
        return {
            "pk": page["pk"],
            "identifier": page["identifier"],
            "locale": language_code,
            "access": audience_key(page["access_level"], page["sacred_group_id"]),
            "restrictions": list(restrictions),
            "url": self.url_for(page["url_path"], language_code),
            "title": nfc(page["title"]),
            "title_sort": collation_key(page["title"]),
            "titles_other": _clean(other_titles),
            "names": list(dict.fromkeys(names)),
            "title_joined": _joined([page["title"], *other_titles]),
            "names_joined": _joined(names, whole=JOINED_WHOLE),
            "people": _clean(people),
            "content": _clean(content),
            DOCUMENT_WORDS_FIELD: document_words,
            KEYWORD_FIELD: _clean(keywords),
            "date": date.year * 10000 + date.month * 100 + date.day if date else None,
            # Facet fields
            "type": model.type_slug if model else "record",
            "group": [group.value for group in groups],
            "province": sorted({self._places[province].value for province in provinces}),
            "place": sorted({place.value for place in places if not place.is_current}),
            "language": [language.value for language in languages],
            "decade": decades(date, page["date_end"]),
            "media": sorted(media.kinds),
            "heritage": [page["heritage_level"]] if page["heritage_level"] else [],
            "collection": self.collections_of(page["path"]),
            "subject": [self._subject_slugs[i] for i in subjects if i in self._subject_slugs],
            **{name: _clean(extra_facets.get(name, ())) for name in EXTRA_FACETS},
            "year": [str(date.year)] if date else [],
            # Processed documents (PDFs): their pages are indexed too (``page_documents``).
            "pages": "document" in media.kinds,
        }


def document_text(texts: Iterable[str]) -> tuple[list[str], str]:
    """A record's media texts as its record document holds them, and the words of the rest.

    The text of a document of several pages (its pages separated by form feeds, as ingest writes
    ``text.txt`` and :func:`archive.media.page_texts` reads it) is cut after about
    ``RECORD_DOCUMENT_CHARS`` characters, between words; every word of the rest is kept once, in
    the order first met, in the second value (NFC, space-separated). Other texts (captions, a
    one-page document) stay whole: nothing else indexes them.
    """
    kept: list[str] = []
    words: dict[str, None] = {}
    for text in texts:
        if not text or "\f" not in text or len(text) <= RECORD_DOCUMENT_CHARS:
            kept.append(text)
            continue
        cut = RECORD_DOCUMENT_CHARS
        while cut > 0 and not text[cut].isspace() and not text[cut - 1].isspace():
            cut -= 1  # back to the start of the word the limit falls in
        kept.append(text[:cut])
        words.update(dict.fromkeys(text[cut:].split()))
    if not words:
        return kept, ""
    joined = " ".join(words)
    return kept, joined if joined.isascii() else " ".join(dict.fromkeys(nfc(joined).split()))


@dataclass(frozen=True, slots=True)
class _Term:
    value: str  # its facet value: a slug (a language's tag)
    names: tuple[str, ...]  # cleaned (see _names)


@dataclass(frozen=True, slots=True)
class _Place(_Term):
    is_current: bool
    province: int | None  # the province it lies in today


def _joined(texts, whole: int = 0) -> list[str]:
    """The joined forms of each of ``texts`` (never across two of them), each once."""
    forms: dict[str, None] = {}
    for text in texts:
        if text:
            forms.update(dict.fromkeys(joined_forms(text, whole)))
    return list(forms)


def _names(*values) -> tuple[str, ...]:
    return tuple(_clean(values))


def _clean(values) -> list[str]:
    """The values in NFC, stripped, without blanks or repeats, in their first order."""
    kept = {}
    for value in values:
        if value and (value := value.strip()):
            kept[value if value.isascii() else nfc(value)] = None
    return list(kept)


PAGE_COMMON_FIELDS = ("pk", "identifier", "locale", "access", "restrictions", "type")


def page_seed(document: dict) -> dict | None:
    """What ``document``'s pages share with it (pk, language, audience, restrictions, type, facet
    values), or None when it has no pages: small and picklable, for pages made in another process
    than the record (see :func:`page_documents`)."""
    if not document.get("pages"):
        return None
    seed = {name: document[name] for name in PAGE_COMMON_FIELDS}
    for facet in FACETS.values():
        seed[facet.field] = document[facet.field]
    seed["pages"] = True
    return seed


def page_documents(records: Iterable[dict]) -> Iterator[dict]:
    """One document per page with text of the documents (PDFs) of ``records`` (record documents or
    their :func:`page_seed`): the page's text (NFC) and what deciding who may find it and filtering
    it needs, from its record. The texts are read a few records at a time: a library item may have
    hundreds of pages."""
    group: list[dict] = []
    for record in records:
        if record.get("pages"):
            group.append(record)
            if len(group) >= PAGE_TEXT_GROUP:
                yield from _pages_of(group)
                group = []
    if group:
        yield from _pages_of(group)


def _pages_of(records: list[dict]) -> Iterator[dict]:
    texts = archive_media.page_texts([record["pk"] for record in records])
    for record in records:
        common = {name: record[name] for name in PAGE_COMMON_FIELDS if name != "pk"}
        for facet in FACETS.values():
            common[facet.field] = record[facet.field]
        for position, (original, pages) in enumerate(texts.get(record["pk"], ())):
            for number, text in enumerate(pages, start=1):
                if not text or text.isspace():
                    continue
                text = text[:PAGE_TEXT_CHARS]
                yield {
                    **common,
                    "record": record["pk"],
                    "original": original,
                    "page": number,
                    "page_sort": position * PAGE_SORT_STRIDE + min(number, PAGE_SORT_STRIDE - 1),
                    "text": text if text.isascii() else nfc(text),
                }


def iter_documents(page_ids=None, batch_size: int = 1000, part: int = 0, parts: int = 1):
    """Yield index documents for indexable records (all, or just ``page_ids``), in batches.

    With ``parts`` > 1, only every ``parts``-th batch from ``part`` on: processes making
    documents side by side each take one part.
    """
    builder = DocumentBuilder()
    queryset = indexable_records()
    if page_ids is not None:
        queryset = queryset.filter(pk__in=page_ids)
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for number, start in enumerate(range(0, len(ids), batch_size)):
        if number % parts == part:
            yield from builder.iter_batch(ids[start : start + batch_size])
