"""IIIF Presentation 3 collections: the archive's collections, the library and the ethnic groups.

* ``/iiif/collection/top``: every top-level collection the visitor may see, the library, and each ethnic
  group with records they may see;
* ``/iiif/collection/<id or slug>``: a collection page (its sub-collections, then the records under it) or
  the library (its items), by the id of its Vietnamese page (the canonical address) or any version's slug;
* ``/iiif/collection/group/<slug>``: an ethnic group's records.

Records are listed once each (by identifier, not per translation), as references to their manifests, and
only those the visitor may see (:meth:`RecordQuerySet.visible_to`): the same rule as the manifests. Presentation
3 has no paging of a collection's items, so a collection of more than :data:`PAGE_SIZE` records lists its
parts instead, each a collection of its own (``?page=N``) that is ``partOf`` the whole.
"""

from __future__ import annotations

import dataclasses
import functools
import operator

from iiif_prezi3 import Collection, CollectionRef, KeyValueString, ManifestRef

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from wagtail.models import Page

from archive.access import page_visible_q
from archive.models import CollectionPage, EthnicGroup, RecordPage
from archive.models.records import text_language_of
from iiif.manifests import (
    add_text,
    collection_key,
    collection_url,
    homepages,
    in_each_language,
    in_language_order,
    languages,
    manifest_url,
    site_url,
    term_names,
)
from library.models import LibraryPage

PAGE_SIZE = 1000
TOP = "top"
GROUP_PREFIX = "group/"
MAX_ID_DIGITS = 18  # longer is no page id (and past what the database reads as a number)


@dataclasses.dataclass
class Listing:
    """What a collection holds for one visitor: its identity, sub-collections and a query of records."""

    key: str
    label: dict[str, list[str]]
    summary: dict[str, list[str]] | None
    homepage: list[dict] | None
    collections: list[CollectionRef]
    records: object | None  # a RecordPage queryset, or None


def _by_language(pages, read) -> dict[str, list[str]]:
    strings: dict[str, list[str]] = {}
    for page in in_language_order(pages):
        add_text(strings, page.locale.language_code, read(page))
    return {language: values for language, values in strings.items() if values}


def _visible_versions(model, translation_key, who) -> list:
    return list(
        model.objects.filter(translation_key=translation_key).filter(page_visible_q(who)).select_related("locale")
    )


def _collection_ref(key, label) -> CollectionRef:
    return CollectionRef(id=collection_url(key), type="Collection", label=label or {"none": [str(key)]})


def _page_collections(pages) -> list[CollectionRef]:
    """One reference per collection among ``pages`` (any of their versions), with its visible versions'
    titles: ``pages`` are visible pages of one model."""
    grouped: dict = {}
    for page in pages:
        grouped.setdefault(page.translation_key, []).append(page)
    refs = []
    for versions in grouped.values():
        refs.append(_collection_ref(collection_key(versions[0]), _by_language(versions, lambda p: p.title)))
    return sorted(refs, key=lambda ref: str(ref.id))


def _under(pages) -> Q:
    """Pages below any of ``pages`` in the tree."""
    return functools.reduce(
        operator.or_, (Q(path__startswith=page.path, depth__gt=page.depth) for page in pages), Q(pk__in=[])
    )


def top_listing(who) -> Listing:
    visible = RecordPage.objects.visible_to(who)
    collections = list(CollectionPage.objects.filter(page_visible_q(who)).select_related("locale"))
    paths = {page.path for page in collections}
    top = [page for page in collections if page.path[: -Page.steplen] not in paths]
    refs = _page_collections(top)
    refs += _page_collections(LibraryPage.objects.filter(page_visible_q(who)).select_related("locale"))
    groups = EthnicGroup.objects.filter(pk__in=visible.values("ethnic_groups")).order_by("name")
    for group in groups:
        refs.append(_collection_ref(f"{GROUP_PREFIX}{group.slug}", term_names([group])))
    return Listing(
        key=TOP,
        label=in_each_language(lambda: settings.SITE_NAME),
        summary=in_each_language(lambda: gettext("Every collection of the archive and its library.")),
        homepage=[
            {"id": f"{site_url()}/{code}/", "type": "Text", "label": label, "format": "text/html", "language": [code]}
            for code, label in in_each_language(lambda: settings.SITE_NAME).items()
        ],
        collections=refs,
        records=None,
    )


def page_listing(key: str, request) -> Listing:
    """A collection page or the library, by the id or slug of any of its versions (404 when the visitor may
    not see it)."""
    if key.isdigit() and len(key) > MAX_ID_DIGITS:
        raise Http404
    found = None
    for model in (CollectionPage, LibraryPage):
        pages = model.objects.filter(pk=int(key)) if key.isdigit() else model.objects.filter(slug=key)
        found = pages.order_by("depth", "pk").first()
        if found is not None:
            break
    if found is None:
        raise Http404
    model = type(found)
    versions = _visible_versions(model, found.translation_key, request)
    if not versions:
        raise Http404
    records = RecordPage.objects.visible_to(request).filter(_under(versions))
    children = []
    if model is CollectionPage:
        children = _page_collections(
            CollectionPage.objects.filter(page_visible_q(request))
            .filter(functools.reduce(operator.or_, (Q(path__startswith=p.path, depth=p.depth + 1) for p in versions)))
            .select_related("locale")
        )
    return Listing(
        key=str(collection_key(found)),
        label=_by_language(versions, lambda p: p.title),
        summary=_by_language(versions, lambda p: p.intro) or None,
        homepage=homepages(versions, request) or None,
        collections=children,
        records=records,
    )


def group_listing(slug: str, who) -> Listing:
    group = EthnicGroup.objects.filter(slug=slug).first()
    if group is None:
        raise Http404
    return Listing(
        key=f"{GROUP_PREFIX}{group.slug}",
        label=term_names([group]),
        summary=None,
        homepage=None,
        collections=[],
        records=RecordPage.objects.visible_to(who).filter(ethnic_groups=group),
    )


def _manifest_refs(records, identifiers: list[str]) -> list[ManifestRef]:
    """A reference to the manifest of each of ``identifiers``, labelled with its visible versions' titles."""
    rows = records.filter(identifier__in=identifiers).values_list(
        "identifier", "title", "locale__language_code", "translated"
    )
    labels: dict[str, dict[str, list[str]]] = {identifier: {} for identifier in identifiers}
    order = languages()
    for identifier, title, language, translated in sorted(
        rows, key=lambda row: order.index(row[2]) if row[2] in order else 99
    ):
        add_text(labels[identifier], language if translated else text_language_of(language), title)
    return [
        ManifestRef(id=manifest_url(identifier), type="Manifest", label=labels[identifier] or {"none": [identifier]})
        for identifier in identifiers
    ]


def build_collection(listing: Listing, page_number: int | None = None) -> str:
    """The collection as JSON: ``page_number`` asks for one part of a collection too large for one document."""
    base = collection_url(listing.key)
    identifiers = (
        listing.records.exclude(identifier="").order_by("identifier").values_list("identifier", flat=True).distinct()
        if listing.records is not None
        else None
    )
    total = identifiers.count() if identifiers is not None else 0
    parts = (total + PAGE_SIZE - 1) // PAGE_SIZE
    part_of = None
    items: list = []
    if page_number is not None:
        if not 1 <= page_number <= parts or parts <= 1:
            raise Http404
        start = (page_number - 1) * PAGE_SIZE
        items = _manifest_refs(listing.records, list(identifiers[start : start + PAGE_SIZE]))
        part_of = [{"id": base, "type": "Collection", "label": listing.label}]
        label = {language: [f"{values[0]} ({page_number}/{parts})"] for language, values in listing.label.items()}
        collection_id = f"{base}?page={page_number}"
    else:
        label = listing.label
        collection_id = base
        items = list(listing.collections)
        if identifiers is not None and parts > 1:
            items += [
                CollectionRef(
                    id=f"{base}?page={number}",
                    type="Collection",
                    label={language: [f"{values[0]} ({number}/{parts})"] for language, values in label.items()},
                )
                for number in range(1, parts + 1)
            ]
        elif identifiers is not None:
            items += _manifest_refs(listing.records, list(identifiers))
    collection = Collection(
        id=collection_id,
        label=label,
        summary=listing.summary if page_number is None else None,
        requiredStatement=KeyValueString(
            label=in_each_language(lambda: gettext("Attribution")), value=in_each_language(lambda: settings.SITE_NAME)
        ),
        homepage=listing.homepage,
        partOf=part_of,
        items=items,
    )
    return collection.jsonld()
