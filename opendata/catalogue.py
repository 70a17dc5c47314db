"""The public catalogue as tables: what goes in each file of the open-data downloads.

Every row comes from what an anonymous visitor may see (``archive.access``: live, public level,
outside every view restriction): heritage records and library items through
``RecordPage.objects.visible_to(None)``, collections through ``page_visible_q(None)``. Taxonomies
(ethnic groups, places, languages, subjects) are public in full, without their editorial notes.
Coordinates follow the models' own rules (``RecordPage.public_coordinates``,
``Place.public_coordinates``, as ``cms/map.py``): a sacred site's, or a record's at one, never.
Only the fields named here are written; a field added to a model stays out until it is added here.

A table is written as CSV and JSON Lines with the same columns (``opendata.services``); lists are
JSON arrays in a CSV cell (Frictionless ``array``), type details a JSON object.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Model
from django.utils.html import strip_tags

from wagtail.models import Locale

from archive.access import page_visible_q
from archive.models import (
    CollectionPage,
    EthnicGroup,
    EthnicGroupName,
    Language,
    Place,
    RecordContributor,
    RecordPage,
    RecordTitle,
    RelatedRecord,
    Subject,
)
from archive.text import nfc
from library.models import ItemCreator, ItemHolding, LibraryItemPage

CHUNK = 500  # records read at a time


@dataclass
class Table:
    name: str
    title: str
    description: str
    fields: list[dict]
    rows: Callable[[], Iterable[dict]]
    primary_key: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [f["name"] for f in self.fields]


def _field(name: str, kind: str = "string", description: str = "") -> dict:
    spec = {"name": name, "type": kind}
    if description:
        spec["description"] = description
    return spec


def clean(value):
    """A value as the files hold it: text in NFC, dates in ISO 8601, numbers as numbers."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    return value


_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|ol|ul)>|<br\s*/?>", re.IGNORECASE)


def plain_text(rich: str) -> str:
    """Rich text as plain text, one paragraph a line."""
    text = html.unescape(strip_tags(_BLOCK_END.sub("\n", rich or "")))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def persistent_url(identifier: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/id/{identifier}" if identifier else ""


# --- records and library items ------------------------------------------------------------

RECORD_FIELDS = [
    _field("identifier", description="Persistent identifier, shared by the record's language versions."),
    _field("language", description="Language of this version (vi, en)."),
    _field("translated", "boolean", description="False while the text is that of the version it was copied from."),
    _field("type", description="Record type: festival, custom, performing-art, craft, document."),
    _field("url", "string", "Persistent URL (/id/identifier)."),
    _field("page_url", description="The page of this language version."),
    _field("title"),
    _field("other_titles", "array", "Titles in other languages."),
    _field("summary"),
    _field("description", description="The description as plain text, one paragraph a line."),
    _field("collection", description="Slug of the collection the record is in."),
    _field("ethnic_groups", "array", "Slugs of the ethnic groups (table ethnic_groups)."),
    _field("places", "array", "Slugs of the places as recorded (table places)."),
    _field("subjects", "array", "Slugs of the subjects (table subjects)."),
    _field("languages", "array", "BCP-47 tags of the languages (table languages)."),
    _field("contributors", "array", "Contributors as “name (role)”."),
    _field("date_precision"),
    _field("date_start", "date"),
    _field("date_end", "date"),
    _field("heritage_level", description="national, representative (UNESCO), ..., empty if not inscribed."),
    _field("heritage_decision"),
    _field("heritage_date", "date"),
    _field("heritage_year", "integer"),
    _field("provenance"),
    _field("rights_uri", description="Rights statement of the record's content (rightsstatements.org or CC)."),
    _field("latitude", "number", "Only for records none of whose places is a sacred site."),
    _field("longitude", "number"),
    _field("related", "array", "Identifiers of related public records."),
    _field("details", "object", "The record type's own fields."),
    _field("first_published", "datetime"),
    _field("last_published", "datetime"),
]

ITEM_FIELDS = [
    *RECORD_FIELDS[:3],
    _field("type", description="Item type: book, thesis, article, periodical, issue, report, conference-paper, map."),
    *RECORD_FIELDS[4:7],
    _field("subtitle"),
    _field("other_titles", "array", "Titles in other languages."),
    _field("abstract"),
    _field("creators", "array", "Creators as “name (MARC relator code)”, in title-page order."),
    _field("publisher"),
    _field("publication_place"),
    _field("edition"),
    _field("extent"),
    _field("series"),
    _field("series_number"),
    _field("isbn"),
    _field("issn"),
    _field("doi"),
    _field("container_title", description="The journal or proceedings it appeared in."),
    _field("part_of", description="Identifier of the item in this catalogue that contains it."),
    _field("volume"),
    _field("issue_number"),
    _field("pages"),
    _field("table_of_contents", description="One entry a line."),
    _field("notes", description="The catalogue's general note, as the item's page shows it."),
    _field("holdings", "array", "Print copies as “library — call number”."),
    _field("date_precision"),
    _field("date_start", "date"),
    _field("date_end", "date"),
    _field("ethnic_groups", "array", "Slugs of the ethnic groups (table ethnic_groups)."),
    _field("places", "array", "Slugs of the places (table places)."),
    _field("subjects", "array", "Slugs of the subjects (table subjects)."),
    _field("languages", "array", "BCP-47 tags of the languages of the item (table languages)."),
    _field("rights_uri"),
    _field("related", "array", "Identifiers of related public records and items."),
    _field("details", "object", "The item type's own fields."),
    _field("first_published", "datetime"),
    _field("last_published", "datetime"),
]

# The public fields of each type, beyond what every record or item has: an allowlist, never a model's
# whole field list.
DETAILS = {
    "festival": ("lunar_month", "lunar_day", "lunar_leap_month", "duration_days", "calendar_note"),
    "custom": ("category",),
    "performing-art": ("genre",),
    "craft": ("category", "materials", "technique"),
    "document": (
        "document_number",
        "document_type",
        "issuing_body",
        "signer",
        "issue_date",
        "effective_date",
        "status",
        "full_text",
    ),
    "thesis": ("degree", "institution"),
    "periodical": ("frequency",),
    "report": ("report_number",),
    "conference-paper": ("conference_name", "conference_place"),
    "map": ("scale",),
}


def public_records():
    return RecordPage.objects.visible_to(None)


def _chunks(queryset) -> Iterator[list]:
    """The queryset's specific pages, CHUNK at a time, in a stable order."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    locales = {locale.pk: locale for locale in Locale.objects.all()}
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        pages = sorted(RecordPage.objects.filter(pk__in=part).specific(), key=lambda page: page.pk)
        for page in pages:
            page.locale = locales[page.locale_id]
        yield pages


def _grouped(rows) -> dict[int, list]:
    grouped = defaultdict(list)
    for page_id, value in rows:
        grouped[page_id].append(value)
    return grouped


def _relations(ids: list[int]) -> dict[str, dict[int, list]]:
    through = RecordPage.ethnic_groups.through
    places = RecordPage.places.through.objects.filter(recordpage_id__in=ids).order_by("pk")
    return {
        "ethnic_groups": _grouped(
            through.objects.filter(recordpage_id__in=ids)
            .order_by("pk")
            .values_list("recordpage_id", "ethnicgroup__slug")
        ),
        "places": _grouped(places.values_list("recordpage_id", "place__slug")),
        "sacred": _grouped(places.filter(place__sacred=True).values_list("recordpage_id", "place_id")),
        "subjects": _grouped(
            RecordPage.subjects.through.objects.filter(recordpage_id__in=ids)
            .order_by("pk")
            .values_list("recordpage_id", "subject__slug")
        ),
        "languages": _grouped(
            RecordPage.languages.through.objects.filter(recordpage_id__in=ids)
            .order_by("pk")
            .values_list("recordpage_id", "language__tag")
        ),
        "other_titles": _grouped(
            RecordTitle.objects.filter(page_id__in=ids).order_by("sort_order", "pk").values_list("page_id", "title")
        ),
        "contributors": _grouped(
            (row[0], _person(row[1], row[3], row[2]))
            for row in RecordContributor.objects.filter(page_id__in=ids)
            .order_by("sort_order", "pk")
            .values_list("page_id", "name", "role", "person__name_withheld")
        ),
        "related": _grouped(
            RelatedRecord.objects.filter(
                page__translation_key__in=RecordPage.objects.filter(pk__in=ids).values("translation_key")
            )
            .order_by("sort_order", "pk")
            .values_list("page__translation_key", "target__identifier")
        ),
    }


class Context:
    """What rows refer to, read once per build: the public identifiers, and the paths of public
    collections and library items (a record's collection, an issue's periodical)."""

    def __init__(self):
        visible = public_records()
        self.identifiers = set(visible.values_list("identifier", flat=True))
        self.collections = dict(CollectionPage.objects.filter(page_visible_q(None)).values_list("path", "slug"))
        self.items = dict(visible.type(LibraryItemPage).values_list("path", "identifier"))
        self.item_ids = dict(visible.type(LibraryItemPage).values_list("pk", "identifier"))


def _parent(path: str) -> str:
    return path[: -RecordPage.steplen]


def _common(page: RecordPage, rel: dict, context: Context) -> dict:
    sacred = bool(rel["sacred"].get(page.pk))
    public_point = page.latitude is not None and page.longitude is not None and page.is_public and not sacred
    related = [i for i in rel["related"].get(page.translation_key, []) if i in context.identifiers]
    return {
        "identifier": page.identifier,
        "language": page.locale.language_code,
        "translated": page.translated,
        "type": page.type_slug,
        "url": persistent_url(page.identifier),
        "page_url": page.get_full_url() or "",
        "title": page.title,
        "other_titles": rel["other_titles"].get(page.pk, []),
        "ethnic_groups": rel["ethnic_groups"].get(page.pk, []),
        "places": rel["places"].get(page.pk, []),
        "subjects": rel["subjects"].get(page.pk, []),
        "languages": rel["languages"].get(page.pk, []),
        "date_precision": page.date_precision,
        "date_start": page.date_start,
        "date_end": page.date_end,
        "rights_uri": page.rights_uri,
        "latitude": page.latitude if public_point else None,
        "longitude": page.longitude if public_point else None,
        "related": list(dict.fromkeys(related)),
        "details": {name: getattr(page, name, None) for name in DETAILS.get(page.type_slug, ())},
        "first_published": page.first_published_at,
        "last_published": page.last_published_at,
    }


def record_rows(context: Context) -> Iterator[dict]:
    for pages in _chunks(public_records().not_type(LibraryItemPage)):
        rel = _relations([page.pk for page in pages])
        for page in pages:
            row = _common(page, rel, context)
            row.update(
                {
                    "summary": page.summary,
                    "description": plain_text(page.body),
                    "collection": context.collections.get(_parent(page.path), ""),
                    "contributors": rel["contributors"].get(page.pk, []),
                    "heritage_level": page.heritage_level,
                    "heritage_decision": page.heritage_decision,
                    "heritage_date": page.heritage_date,
                    "heritage_year": page.heritage_year,
                    "provenance": page.provenance,
                }
            )
            yield row


def _person(name: str, withheld: bool | None, role: str) -> str:
    """A person in the data files: "—" instead of the name of one who asked to be erased
    (``Person.name_withheld``; the files are the same in every language)."""
    return f"{'—' if withheld else name} ({role})"


def item_rows(context: Context) -> Iterator[dict]:
    for pages in _chunks(public_records().type(LibraryItemPage)):
        ids = [page.pk for page in pages]
        rel = _relations(ids)
        creators = _grouped(
            (row[0], _person(row[1], row[3], row[2]))
            for row in ItemCreator.objects.filter(page_id__in=ids)
            .order_by("sort_order", "pk")
            .values_list("page_id", "person__name", "role", "person__name_withheld")
        )
        holdings = _grouped(
            (page_id, f"{institution} — {call_number}" if call_number else institution)
            for page_id, institution, call_number in ItemHolding.objects.filter(page_id__in=ids)
            .order_by("sort_order", "pk")
            .values_list("page_id", "institution", "call_number")
        )
        for page in pages:
            row = _common(page, rel, context)
            host = context.item_ids.get(page.part_of_id) if page.part_of_id else None
            row.update(
                {
                    "subtitle": page.subtitle,
                    "abstract": page.summary,
                    "creators": creators.get(page.pk, []),
                    "part_of": host or context.items.get(_parent(page.path), ""),
                    "table_of_contents": page.table_of_contents,
                    "notes": page.notes,
                    "holdings": holdings.get(page.pk, []),
                    **{
                        name: getattr(page, name)
                        for name in (
                            "publisher",
                            "publication_place",
                            "edition",
                            "extent",
                            "series",
                            "series_number",
                            "isbn",
                            "issn",
                            "doi",
                            "container_title",
                            "volume",
                            "issue_number",
                            "pages",
                        )
                    },
                }
            )
            yield row


# --- small tables -------------------------------------------------------------------------


def _values(model: type[Model], order: tuple[str, ...], names: list[str]) -> Iterator[dict]:
    yield from model.objects.order_by(*order).values(*names)


def ethnic_group_rows() -> Iterator[dict]:
    other = _grouped(EthnicGroupName.objects.order_by("sort_order", "pk").values_list("group_id", "name"))
    for group in EthnicGroup.objects.order_by("code", "slug"):
        yield {
            "slug": group.slug,
            "code": group.code,
            "code_system": group.code_system,
            "name": group.name,
            "name_en": group.name_en,
            "autonym": group.autonym,
            "other_names": other.get(group.pk, []),
            "language_group": group.language_group,
            "language_group_en": group.language_group_en,
            "language_family": group.language_family,
            "language_family_en": group.language_family_en,
            "summary": group.summary,
            "summary_en": group.summary_en,
            "source": group.source,
        }


def place_rows() -> Iterator[dict]:
    slugs = dict(Place.objects.values_list("pk", "slug"))
    for place in Place.objects.order_by("kind", "code", "slug"):
        point = place.public_coordinates
        yield {
            "slug": place.slug,
            "code": place.code,
            "code_system": place.code_system,
            "kind": place.kind,
            "name": place.name,
            "name_en": place.name_en,
            "parent": slugs.get(place.parent_id, ""),
            "valid_from": place.valid_from,
            "valid_to": place.valid_to,
            "successor": slugs.get(place.successor_id, ""),
            "province_today": slugs.get(place.current_province_id, ""),
            "latitude": point[0] if point else None,
            "longitude": point[1] if point else None,
        }


def collection_rows() -> Iterator[dict]:
    collections = CollectionPage.objects.filter(page_visible_q(None)).select_related("locale").order_by("path")
    slugs = {c.path: c.slug for c in collections}
    for collection in collections:
        yield {
            "slug": collection.slug,
            "language": collection.locale.language_code,
            "title": collection.title,
            "intro": collection.intro,
            "parent": slugs.get(_parent(collection.path), ""),
            "page_url": collection.get_full_url() or "",
        }


# --- the catalogue ------------------------------------------------------------------------


def tables() -> list[Table]:
    """Every table of the catalogue, in the order of the data package."""
    context = Context()
    return [
        Table(
            "records",
            "Hồ sơ di sản — Heritage records",
            "Every public heritage record, one row per language version.",
            RECORD_FIELDS,
            lambda: record_rows(context),
            ["identifier", "language"],
        ),
        Table(
            "library_items",
            "Thư viện điện tử — Library catalogue",
            "Every public item of the e-library, one row per language version.",
            ITEM_FIELDS,
            lambda: item_rows(context),
            ["identifier", "language"],
        ),
        Table(
            "ethnic_groups",
            "Dân tộc — Ethnic groups",
            "The ethnic groups of Vietnam with their official codes and other names.",
            [
                _field("slug"),
                _field("code", description="Official code."),
                _field("code_system"),
                _field("name"),
                _field("name_en"),
                _field("autonym"),
                _field("other_names", "array"),
                _field("language_group"),
                _field("language_group_en"),
                _field("language_family"),
                _field("language_family_en"),
                _field("summary"),
                _field("summary_en"),
                _field("source"),
            ],
            ethnic_group_rows,
            ["slug"],
        ),
        Table(
            "places",
            "Địa danh — Places",
            "Administrative units and sites, former units with their successors after the 2025 reorganisation. "
            "Sacred sites have no coordinates.",
            [
                _field("slug"),
                _field("code", description="Official administrative code."),
                _field("code_system"),
                _field("kind"),
                _field("name"),
                _field("name_en"),
                _field("parent", description="Slug of the unit it belongs to."),
                _field("valid_from", "date"),
                _field("valid_to", "date", "Last day a former unit existed."),
                _field("successor", description="Slug of the unit that took over its territory."),
                _field("province_today", description="Slug of the province that covers it today."),
                _field("latitude", "number"),
                _field("longitude", "number"),
            ],
            place_rows,
            ["slug"],
        ),
        Table(
            "languages",
            "Ngôn ngữ — Languages",
            "Languages of the records and items.",
            [_field("tag", description="BCP-47 tag."), _field("name"), _field("name_en"), _field("source")],
            lambda: _values(Language, ("tag",), ["tag", "name", "name_en", "source"]),
            ["tag"],
        ),
        Table(
            "subjects",
            "Chủ đề — Subjects",
            "Subjects of the records.",
            [_field("slug"), _field("name"), _field("name_en")],
            lambda: _values(Subject, ("slug",), ["slug", "name", "name_en"]),
            ["slug"],
        ),
        Table(
            "collections",
            "Bộ sưu tập — Collections",
            "Public collections of heritage records, one row per language version.",
            [
                _field("slug"),
                _field("language"),
                _field("title"),
                _field("intro"),
                _field("parent", description="Slug of the collection it is in."),
                _field("page_url"),
            ],
            collection_rows,
        ),
    ]
