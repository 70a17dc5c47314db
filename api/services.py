"""What the open data API reads: public records and items, vocabularies and collections, filtered and paged.

Everything starts from what anyone may see, whoever asks (``RecordPage.objects.visible_to(None)``, the
archive's one rule in ``archive.access``): the API answers everyone the same, so its answers can be
cached and compared (``ETag``) and never depend on a session. A record's versions in the site's languages
are one resource under its persistent identifier.

Lists are paged by an opaque, signed cursor on a unique, stable key (a record's identifier, a term's slug
or tag): a page starts after the last key of the one before, so records published meanwhile neither
repeat nor shift a page. Filters take the search facets' names and values (``search.documents.FACETS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from wagtail.rich_text import expand_db_html

from archive.access import AccessLevel, page_visible_q
from archive.models import (
    CollectionPage,
    EthnicGroup,
    HeritageLevel,
    Language,
    Place,
    RecordContributor,
    RecordPage,
    RecordTitle,
    RelatedRecord,
    Subject,
    record_types,
)
from cms.page_cache import content_version
from library.models import ItemCreator, LibraryItemPage

CURSOR_SALT = "api.v1.cursor"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
LANGUAGES = ("vi", "en")


class InvalidInput(ValueError):
    """A filter value, cursor or limit the API cannot use: answered 400 with this message."""


class NotFound(LookupError):
    """No public resource under this identifier: answered 404."""


# --- paging --------------------------------------------------------------------------------------


def encode_cursor(key: str) -> str:
    return signing.dumps(key, salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        key = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise InvalidInput("This cursor is not one the API gave: start again from the first page.") from None
    if not isinstance(key, str):
        raise InvalidInput("This cursor is not one the API gave: start again from the first page.")
    return key


@dataclass
class Slice:
    keys: list[str]
    next_cursor: str | None


def page_of_keys(keys: QuerySet, field_name: str, cursor: str | None, limit: int) -> Slice:
    """The next ``limit`` values of the unique column ``field_name`` in ``keys``, after the cursor's."""
    after = decode_cursor(cursor)
    if after is not None:
        keys = keys.filter(**{f"{field_name}__gt": after})
    found = list(keys.order_by(field_name).values_list(field_name, flat=True).distinct()[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return Slice(found, encode_cursor(found[-1]) if more and found else None)


def page_of_list(items: list, key, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """The same, for a list already in memory sorted by ``key``."""
    after = decode_cursor(cursor)
    if after is not None:
        items = [item for item in items if key(item) > after]
    more = len(items) > limit
    items = items[:limit]
    return items, (encode_cursor(key(items[-1])) if more and items else None)


# --- helpers -------------------------------------------------------------------------------------


def names(vi: str | None, en: str | None = None) -> dict:
    return {"vi": vi or None, "en": en or None}


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def api_url(request: HttpRequest, name: str, key: str) -> str:
    return absolute(request, reverse(f"api-v1:{name}", args=[key]))


def _coordinates(pair) -> dict | None:
    if not pair:
        return None
    return {"latitude": float(pair[0]), "longitude": float(pair[1])}


def public_places() -> QuerySet:
    """Places the API names: a sacred site is named nowhere (nor its coordinates sent), as on the map."""
    return Place.objects.exclude(sacred=True)


def _unknown(facet: str, values: Iterable[str]) -> InvalidInput:
    listed = ", ".join(repr(value) for value in sorted(values))
    return InvalidInput(f"Unknown {facet}: {listed}. See the vocabulary lists under /api/v1/ for the values.")


def check_known(facet: str, wanted: list[str], known: Iterable[str]) -> None:
    missing = set(wanted) - set(known)
    if missing:
        raise _unknown(facet, missing)


# --- collections ---------------------------------------------------------------------------------


@dataclass
class CollectionGroup:
    """A collection's versions in the site's languages, under one stable id (its Vietnamese page's number)."""

    id: str
    pages: dict[str, CollectionPage] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        return [page.path for page in self.pages.values()]


def _collection_ids() -> dict:
    """Each collection's id by translation key: the number of its version in the archive's first language."""
    everything = CollectionPage.objects.values_list("pk", "translation_key", "locale__language_code")
    ids: dict = {}
    for pk, key, _language in sorted(everything, key=lambda row: (row[2] != settings.LANGUAGE_CODE, row[0])):
        ids.setdefault(key, str(pk))
    return ids


def public_collections() -> list[CollectionGroup]:
    """Every collection anyone may see, sorted by id."""
    ids = _collection_ids()
    groups: dict[str, CollectionGroup] = {}
    visible = CollectionPage.objects.filter(page_visible_q(None)).select_related("locale").order_by("path")
    for page in visible:
        group_id = ids[page.translation_key]
        groups.setdefault(group_id, CollectionGroup(group_id)).pages[page.locale.language_code] = page
    return sorted(groups.values(), key=lambda group: group.id)


def collection_data(request, group: CollectionGroup, by_path: dict[str, str]) -> dict:
    pages = group.pages
    primary = pages.get(settings.LANGUAGE_CODE) or next(iter(pages.values()))
    parent_path = primary.path[: -primary.steplen]
    return {
        "id": group.id,
        "url": api_url(request, "collection", group.id),
        "title": names(*(pages[code].title if code in pages else None for code in LANGUAGES)),
        "introduction": names(*(pages[code].intro if code in pages else None for code in LANGUAGES)),
        "pages": names(
            *(absolute(request, pages[code].get_url(request)) if code in pages else None for code in LANGUAGES)
        ),
        "parent": by_path.get(parent_path),
    }


def collections_by_path(groups: list[CollectionGroup]) -> dict[str, str]:
    return {path: group.id for group in groups for path in group.paths}


def collection_ids_by_path() -> dict[str, str]:
    """``collections_by_path(public_collections())`` from two queries of plain rows: the path of each version
    anyone may see of a collection, and the collection's id. Kept in the cache for the site's content
    version (``cms.page_cache``: a new one with every publication, move or restriction)."""
    key = f"api:collections-by-path:{content_version()}"
    found = cache.get(key)
    if found is None:
        ids = _collection_ids()
        visible = CollectionPage.objects.filter(page_visible_q(None)).values_list("translation_key", "path")
        found = {path: ids[key] for key, path in visible}
        cache.set(key, found, 3600)
    return found


# --- records -------------------------------------------------------------------------------------


def library_types() -> list[type[RecordPage]]:
    return [model for model in record_types() if issubclass(model, LibraryItemPage)]


def type_slugs(library_only: bool = False) -> list[str]:
    return [model.type_slug for model in (library_types() if library_only else record_types())]


@dataclass
class RecordFilters:
    """The search facets a list of records may be narrowed by; several values of one facet are alternatives."""

    type: list[str] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    province: list[str] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    subject: list[str] = field(default_factory=list)
    decade: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    heritage: list[str] = field(default_factory=list)
    collection: list[str] = field(default_factory=list)


def public_records(library_only: bool = False) -> QuerySet:
    records = RecordPage.objects.visible_to(None)
    if library_only:
        types = ContentType.objects.get_for_models(*library_types()).values()
        records = records.filter(content_type__in=[ct.pk for ct in types])
    return records


def filter_records(records: QuerySet, filters: RecordFilters, library_only: bool = False) -> QuerySet:
    """``records`` narrowed by ``filters``; a value no record could have raises :class:`InvalidInput`."""
    if filters.type:
        models = {model.type_slug: model for model in (library_types() if library_only else record_types())}
        check_known("type", filters.type, models)
        types = ContentType.objects.get_for_models(*(models[slug] for slug in filters.type)).values()
        records = records.filter(content_type__in=[ct.pk for ct in types])
    if filters.group:
        check_known(
            "group", filters.group, EthnicGroup.objects.filter(slug__in=filters.group).values_list("slug", flat=True)
        )
        records = records.filter(ethnic_groups__slug__in=filters.group)
    if filters.province:
        provinces = Place.objects.current_provinces().filter(slug__in=filters.province).values_list("slug", flat=True)
        check_known("province", filters.province, provinces)
        records = records.filter(places__current_province__slug__in=filters.province)
    if filters.place:
        check_known(
            "place", filters.place, public_places().filter(slug__in=filters.place).values_list("slug", flat=True)
        )
        records = records.filter(places__slug__in=filters.place)
    if filters.language:
        tags = Language.objects.filter(tag__in=filters.language).values_list("tag", flat=True)
        check_known("language", filters.language, tags)
        records = records.filter(languages__tag__in=filters.language)
    if filters.subject:
        check_known(
            "subject", filters.subject, Subject.objects.filter(slug__in=filters.subject).values_list("slug", flat=True)
        )
        records = records.filter(subjects__slug__in=filters.subject)
    if filters.heritage:
        check_known("heritage status", filters.heritage, [value for value in HeritageLevel.values if value])
        records = records.filter(heritage_level__in=filters.heritage)
    if filters.decade:
        spans = Q()
        for decade in filters.decade:
            if not (decade.isdigit() and len(decade) <= 4 and int(decade) % 10 == 0 and int(decade) >= 10):
                raise InvalidInput(f"A decade is written as its first year, such as 1990: not {decade!r}.")
            first, after = dt.date(int(decade), 1, 1), dt.date(min(int(decade) + 10, 9999), 1, 1)
            ends_after = Q(date_end__gte=first) | Q(date_end__isnull=True, date_start__gte=first)
            spans |= Q(date_start__lt=after) & ends_after
        records = records.filter(spans)
    if filters.year:
        records = records.filter(date_start__year__in=filters.year)
    if filters.collection:
        groups = {group.id: group for group in public_collections()}
        check_known("collection", filters.collection, groups)
        under = Q()
        for group_id in filters.collection:
            for path in groups[group_id].paths:
                under |= Q(path__startswith=path)
        records = records.filter(under)
    return records


def _page_url(request, page) -> str | None:
    # Without the request, Wagtail takes the site from its cached root paths instead of looking the
    # request's host up (a query a request): the page's own path where there is one site, else its
    # site's address, made absolute as every URL the API gives.
    url = page.get_url()
    return absolute(request, url) if url else None


# The columns of a record's versions the API reads (``_record``; ``url_path`` for the page's URL).
VERSION_FIELDS = (
    "identifier",
    "locale__language_code",
    "title",
    "summary",
    "translated",
    "path",
    "url_path",
    "content_type_id",
    "last_published_at",
    "access_level",
    "latitude",
    "longitude",
    "date_start",
    "date_end",
    "date_precision",
    "heritage_level",
    "rights_uri",
)


def record_data(request, identifiers: list[str], detail: bool = False) -> list[dict]:
    """The records ``identifiers`` as the API shows them, in that order (those not public are left out).

    A fixed number of queries whatever the number of records; the records' links (groups, places, titles,
    contributors…) are read as plain rows (``values_list``), not model instances: a list page of 100 records
    would otherwise build thousands of them. Each record's keys are in its schema's order
    (``schemas.Record``), so that a list can be sent without validating it again (``api.views``)."""
    if not identifiers:
        return []
    versions: dict[str, dict[str, RecordPage]] = {}
    fields = (*VERSION_FIELDS, "body") if detail else VERSION_FIELDS
    for page in (
        public_records().filter(identifier__in=identifiers).select_related("locale").only(*fields).order_by("pk")
    ):
        versions.setdefault(page.identifier, {}).setdefault(page.locale.language_code, page)
    # Taxonomy links, titles and contributors from one version per record (translations copy them): the
    # version in the archive's first language when anyone may see it.
    primary = {
        identifier: pages.get(settings.LANGUAGE_CODE) or next(iter(pages.values()))
        for identifier, pages in versions.items()
    }
    links = _record_links([page.pk for page in primary.values()])
    library_ids = _library_content_type_ids()
    item_ids = [page.pk for page in primary.values() if page.content_type_id in library_ids]
    items = (
        {
            item.pk: item
            for item in LibraryItemPage.objects.filter(pk__in=item_ids).prefetch_related(
                Prefetch("creators", queryset=ItemCreator.objects.select_related("person")), "holdings"
            )
        }
        if item_ids
        else {}
    )
    part_of_ids = {item.part_of_id for item in items.values() if item.part_of_id}
    part_of = dict(public_records().filter(pk__in=part_of_ids).values_list("pk", "identifier")) if part_of_ids else {}
    collections = collection_ids_by_path()
    related = _related(list(versions)) if detail else {}
    results = []
    for identifier in identifiers:
        if identifier not in versions:
            continue
        pages = versions[identifier]
        page = primary[identifier]
        item = items.get(page.pk)
        data = _record(
            request, identifier, pages, page, links, collections, _item(item, part_of) if item is not None else None
        )
        if detail:
            data["description"] = names(
                *(
                    expand_db_html(pages[code].body) if code in pages and pages[code].body else None
                    for code in LANGUAGES
                )
            )
            data["related"] = related.get(identifier, [])
        results.append(data)
    return results


@dataclass
class RecordLinks:
    """What records point to, as rows ready for the API, by record (page) id."""

    ethnic_groups: dict[int, list[dict]] = field(default_factory=dict)
    places: dict[int, list[dict]] = field(default_factory=dict)
    provinces: dict[int, dict[str, dict]] = field(default_factory=dict)
    languages: dict[int, list[dict]] = field(default_factory=dict)
    subjects: dict[int, list[dict]] = field(default_factory=dict)
    other_titles: dict[int, list[dict]] = field(default_factory=dict)
    contributors: dict[int, list[dict]] = field(default_factory=dict)
    at_sacred_sites: set[int] = field(default_factory=set)


def _record_links(page_ids: list[int]) -> RecordLinks:
    """The terms, titles and contributors of the records ``page_ids``, each list in its model's order (as the
    pages' own managers give them), in seven queries. A sacred site is named nowhere (``public_places``);
    the records at one are noted, as they send no coordinates."""
    links = RecordLinks()

    def term(key, name, name_en) -> dict:
        return {"id": key, "name": names(name, name_en)}

    for model, key, target in (
        (EthnicGroup, "slug", links.ethnic_groups),
        (Language, "tag", links.languages),
        (Subject, "slug", links.subjects),
    ):
        for page_id, *row in model.objects.filter(records__in=page_ids).values_list("records", key, "name", "name_en"):
            target.setdefault(page_id, []).append(term(*row))
    place_rows = (
        Place.objects.filter(records__in=page_ids)
        .values_list(
            "records",
            "sacred",
            "slug",
            "name",
            "name_en",
            "current_province__slug",
            "current_province__name",
            "current_province__name_en",
        )
        .order_by(*Place._meta.ordering)
    )
    for page_id, sacred, slug, name, name_en, *province in place_rows:
        if sacred:
            links.at_sacred_sites.add(page_id)
            continue
        links.places.setdefault(page_id, []).append(term(slug, name, name_en))
        if province[0]:
            links.provinces.setdefault(page_id, {})[province[0]] = term(*province)
    for page_id, language, title in RecordTitle.objects.filter(page_id__in=page_ids).values_list(
        "page_id", "language__tag", "title"
    ):
        links.other_titles.setdefault(page_id, []).append({"language": language, "title": title})
    for page_id, name, role in RecordContributor.objects.filter(page_id__in=page_ids).values_list(
        "page_id", "name", "role"
    ):
        links.contributors.setdefault(page_id, []).append({"name": name, "role": role})
    return links


def _library_content_type_ids() -> set[int]:
    return {content_type.pk for content_type in ContentType.objects.get_for_models(*library_types()).values()}


def _record(
    request,
    identifier: str,
    pages: dict,
    page: RecordPage,
    links: RecordLinks,
    collections: dict[str, str],
    item: dict | None,
) -> dict:
    model = ContentType.objects.get_for_id(page.content_type_id).model_class()
    step = page.steplen
    in_collections = []
    for version in (page, *(other for other in pages.values() if other.pk != page.pk)):
        in_collections += [collections.get(version.path[:end]) for end in range(step, len(version.path), step)]
    in_collections = [value for value in dict.fromkeys(in_collections) if value]
    published = [version.last_published_at for version in pages.values() if version.last_published_at]
    # As ``RecordPage.public_coordinates``: a record at a sacred site sends no coordinates of its own.
    located = page.latitude is not None and page.longitude is not None and page.access_level == AccessLevel.PUBLIC
    coordinates = (page.latitude, page.longitude) if located and page.pk not in links.at_sacred_sites else None
    return {
        "identifier": identifier,
        "type": getattr(model, "type_slug", "record"),
        "url": api_url(request, "record", identifier),
        "title": names(*(pages[code].title if code in pages else None for code in LANGUAGES)),
        "summary": names(*(pages[code].summary if code in pages else None for code in LANGUAGES)),
        "untranslated": [code for code in LANGUAGES if code in pages and not pages[code].translated],
        "pages": names(*(_page_url(request, pages[code]) if code in pages else None for code in LANGUAGES)),
        "other_titles": links.other_titles.get(page.pk, []),
        "ethnic_groups": links.ethnic_groups.get(page.pk, []),
        "places": links.places.get(page.pk, []),
        "provinces": [province for _slug, province in sorted(links.provinces.get(page.pk, {}).items())],
        "languages": links.languages.get(page.pk, []),
        "subjects": links.subjects.get(page.pk, []),
        "collections": in_collections,
        "date": {"start": page.date_start, "end": page.date_end, "precision": page.date_precision},
        "heritage_level": page.heritage_level,
        "rights": page.rights_uri,
        "coordinates": _coordinates(coordinates),
        "contributors": links.contributors.get(page.pk, []),
        "item": item,
        "modified": max(published) if published else None,
    }


def _item(item: LibraryItemPage, part_of: dict[int, str]) -> dict:
    return {
        "subtitle": item.subtitle,
        "creators": [{"name": creator.person.name, "role": creator.role} for creator in item.creators.all()],
        "publisher": item.publisher,
        "publication_place": item.publication_place,
        "edition": item.edition,
        "extent": item.extent,
        "series": item.series,
        "series_number": item.series_number,
        "isbn": item.isbn,
        "issn": item.issn,
        "doi": item.doi,
        "container_title": item.container_title,
        "part_of": part_of.get(item.part_of_id),
        "volume": item.volume,
        "issue_number": item.issue_number,
        "pages": item.pages,
        "holdings": [
            {"institution": holding.institution, "call_number": holding.call_number, "note": holding.note}
            for holding in item.holdings.all()
        ],
    }


def _related(identifiers: list[str]) -> dict[str, list[str]]:
    """Public records related to each of ``identifiers``, either way round (as ``RecordPage.related_for``)."""
    pages = dict(RecordPage.objects.filter(identifier__in=identifiers).values_list("pk", "identifier"))
    links = RelatedRecord.objects.filter(Q(page__in=list(pages)) | Q(target__in=list(pages)))
    pairs = list(links.values_list("page_id", "target_id"))
    other_ids = {pk for pair in pairs for pk in pair}
    public = dict(public_records().filter(pk__in=other_ids).values_list("pk", "identifier"))
    # Links point at the source pages: a link from or to any version of a record counts for all of them.
    keys = dict(RecordPage.objects.filter(pk__in=other_ids).values_list("pk", "identifier"))
    visible_identifiers = set(public.values())
    related: dict[str, set[str]] = {}
    for source, target in pairs:
        for mine, theirs in ((source, target), (target, source)):
            if mine in pages and keys.get(theirs) in visible_identifiers and keys[theirs] != pages[mine]:
                related.setdefault(pages[mine], set()).add(keys[theirs])
    return {identifier: sorted(found) for identifier, found in related.items()}


# --- vocabularies --------------------------------------------------------------------------------


def ethnic_group_data(request, group: EthnicGroup) -> dict:
    return {
        "id": group.slug,
        "url": api_url(request, "ethnic_group", group.slug),
        "code": group.code,
        "code_system": group.code_system,
        "name": names(group.name, group.name_en),
        "other_names": [
            {"name": other.name, "kind": other.kind, "source": other.source} for other in group.names.all()
        ],
        "autonym": group.autonym,
        "language_group": names(group.language_group, group.language_group_en),
        "language_family": names(group.language_family, group.language_family_en),
        "population_2019": group.population_2019,
        "summary": names(group.summary, group.summary_en),
        "sources": names(group.source, group.source_en),
    }


def place_data(request, place: Place, hidden: set[int]) -> dict:
    """A place; links to a sacred site (``hidden``) are left out as the site itself is."""

    def link(target_id, slug) -> str | None:
        return slug if target_id and target_id not in hidden else None

    return {
        "id": place.slug,
        "url": api_url(request, "place", place.slug),
        "kind": place.kind,
        "name": names(place.name, place.name_en),
        "code": place.code,
        "code_system": place.code_system,
        "parent": link(place.parent_id, place.parent.slug if place.parent_id else None),
        "successor": link(place.successor_id, place.successor.slug if place.successor_id else None),
        "current_province": link(
            place.current_province_id, place.current_province.slug if place.current_province_id else None
        ),
        "valid_from": place.valid_from,
        "valid_to": place.valid_to,
        "current": place.is_current,
        "coordinates": _coordinates(place.public_coordinates),
        "sources": names(place.source, place.source_en),
    }


def sacred_place_ids() -> set[int]:
    return set(Place.objects.filter(sacred=True).values_list("pk", flat=True))


def places_queryset() -> QuerySet:
    return public_places().select_related("parent", "successor", "current_province")


def language_data(request, language: Language) -> dict:
    return {
        "id": language.tag,
        "url": api_url(request, "language", language.tag),
        "name": names(language.name, language.name_en),
        "sources": names(language.source, language.source_en),
    }
