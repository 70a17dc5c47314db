"""The index document: what one record looks like to a search engine.

One definition for both engines. Text fields carry the text as written (NFC); each
engine indexes it twice, with diacritics (after :func:`search.analysis.normalise`) and
folded. Keyword fields carry facet values and exact identifiers. Later kinds of item
(e-library items, experts) get their own builder producing the same fields.

Only live records at the public or registered level, outside any Wagtail view
restriction, are ever indexed: staff-only and sacred records never reach the index, so no
query, facet, snippet or suggestion can leak them.
"""

from dataclasses import dataclass
from html import unescape

from django.db.models import Prefetch
from django.utils.html import strip_tags

from wagtail.models import Page

from archive import media as archive_media
from archive.access import AccessLevel
from archive.models import CollectionPage, Place, RecordPage, RecordTitle
from search.analysis import collation_key, nfc

INDEXED_LEVELS = (AccessLevel.PUBLIC, AccessLevel.REGISTERED)

# Text fields and how much a match in each weighs.
TEXT_FIELDS = {
    "title": 4.0,
    "titles_other": 3.0,
    "names": 2.0,
    "people": 1.5,
    "content": 1.0,
}
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
    )
}
# Stored with each hit: enough to show a result without touching the database.
STORED_FIELDS = ("pk", "identifier", "title", "url", "type")


def indexable_records():
    """Every record page that belongs in the index, in every locale."""
    return RecordPage.objects.live().public().filter(access_level__in=INDEXED_LEVELS)


def is_indexable(page) -> bool:
    return indexable_records().filter(pk=page.pk).exists()


def _prefetched(queryset):
    return queryset.select_related("locale").prefetch_related(
        "ethnic_groups",
        Prefetch("places", queryset=Place.objects.select_related("current_province", "parent")),
        "subjects",
        "languages",
        Prefetch("other_titles", queryset=RecordTitle.objects.select_related("language")),
        "contributors",
        "images",
    )


def html_text(html: str) -> str:
    return unescape(strip_tags(html or "")).strip()


def decades(start, end) -> list[str]:
    if not start:
        return []
    last = (end or start).year
    return [str(decade) for decade in range(start.year // 10 * 10, last // 10 * 10 + 1, 10)][:20]


class DocumentBuilder:
    """Builds index documents for many records with a bounded number of queries."""

    def __init__(self):
        self._collections = dict(CollectionPage.objects.values_list("path", "pk"))

    def collections_of(self, page) -> list[str]:
        step = Page.steplen
        paths = (page.path[:length] for length in range(step, len(page.path), step))
        return [str(self._collections[path]) for path in paths if path in self._collections]

    def translations(self, pages) -> dict:
        """Titles of the live translations of each record, keyed by translation_key."""
        keys = {page.translation_key for page in pages}
        titles: dict = {}
        rows = RecordPage.objects.live().filter(translation_key__in=keys).values_list("translation_key", "pk", "title")
        for key, pk, title in rows:
            titles.setdefault(key, []).append((pk, title))
        return titles

    def build_many(self, pages) -> list[dict]:
        pages = list(pages)
        translations = self.translations(pages)
        return [self.build(page, translations.get(page.translation_key, [])) for page in pages]

    def build(self, page, translation_titles=()) -> dict:
        specific = page.specific if type(page) is RecordPage else page
        summary = archive_media.summarise(specific)
        groups = list(specific.ethnic_groups.all())
        places = list(specific.places.all())
        provinces = {place.current_province for place in places if place.current_province}
        names = [group.name for group in groups] + [group.name_en for group in groups]
        for group in groups:
            names += group.other_names_list + ([group.autonym] if group.autonym else [])
        for place in places:
            names += [place.name, place.name_en, place.parent.name if place.parent else ""]
        names += [province.name for province in provinces]
        for term in list(specific.subjects.all()) + list(specific.languages.all()):
            names += [term.name, term.name_en]
        people = [contributor.name for contributor in specific.contributors.all()]
        content = [specific.summary, html_text(specific.body)]
        keywords = [specific.identifier]
        for field in ("document_number",):
            if getattr(specific, field, ""):
                keywords.append(getattr(specific, field))
        for field in ("signer", "issuing_body"):
            people.append(getattr(specific, field, ""))
        for field in ("document_number", "document_type", "genre", "materials", "technique", "calendar_note"):
            content.append(getattr(specific, field, ""))
        content.append(getattr(specific, "full_text", ""))
        content.extend(summary.texts)
        other_titles = [title.title for title in specific.other_titles.all()]
        other_titles += [title for pk, title in translation_titles if pk != page.pk]
        date = specific.date_start
        return {
            "pk": page.pk,
            "identifier": specific.identifier,
            "locale": specific.locale.language_code,
            "access": specific.access_level,
            "url": specific.get_url() or "",
            "title": nfc(specific.title),
            "title_sort": collation_key(specific.title),
            "titles_other": _clean(other_titles),
            "names": _clean(names),
            "people": _clean(people),
            "content": _clean(content),
            KEYWORD_FIELD: _clean(keywords),
            "date": int(date.strftime("%Y%m%d")) if date else None,
            # Facet fields
            "type": specific.type_slug,
            "group": [group.slug for group in groups],
            "province": sorted({province.slug for province in provinces}),
            "place": sorted({place.slug for place in places if not place.is_current}),
            "language": [language.tag for language in specific.languages.all()],
            "decade": decades(date, specific.date_end),
            "media": sorted(summary.kinds),
            "heritage": [specific.heritage_level] if specific.heritage_level else [],
            "collection": self.collections_of(page),
        }


def _clean(values) -> list[str]:
    seen, result = set(), []
    for value in values:
        value = nfc(value).strip()
        if value and value not in seen:
            seen.add(value)
            result.append(value)
    return result


def iter_documents(page_ids=None, batch_size: int = 500):
    """Yield index documents for indexable records (all, or just ``page_ids``), in batches."""
    builder = DocumentBuilder()
    queryset = indexable_records()
    if page_ids is not None:
        queryset = queryset.filter(pk__in=page_ids)
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        pages = _prefetched(RecordPage.objects.filter(pk__in=batch).order_by("pk").specific())
        yield from builder.build_many(pages)
