"""IIIF Presentation 3 manifests of heritage records and library items (built with iiif-prezi3).

A manifest describes one record (``/iiif/<identifier>/manifest``) as the visitor asking may see it: the
record's translations that the archive's rule lets them see (:meth:`RecordQuerySet.visible_to`) give its
labels, summary, metadata and home pages in their languages, and its media are those the record page
shows that visitor (:func:`ingest.presentation.build`, which asks ingest's verdicts, the same as ``/media/``):

* an image: a canvas painted with its largest web copy, with the level-0 IIIF image service the ingest
  wrote (``iiif/info.json``) for deep zoom;
* a video: a canvas with its duration, painted with a Choice of its MP4 copies and its HLS playlist, and
  its caption files (WebVTT) as ``supplementing`` annotations tagged with their language;
* a sound recording: a canvas with its duration, painted with a Choice of its AAC and Opus copies (and its
  captions or transcript, where there is one);
* a document (PDF): one canvas per readable page image (``pages/read/NNNN.jpg``), with the PDF access copy
  as ``rendering`` on the manifest and on each of its pages.

Where the record has text inside it (a document's text, captions), the manifest names its IIIF Content
Search service. Every URL is absolute: ours from SITE_URL (``WAGTAILADMIN_BASE_URL``), media from
ingest's :func:`public_url`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import PurePosixPath
from typing import Any

from iiif_prezi3 import (
    Annotation,
    AnnotationBody,
    AnnotationPage,
    Canvas,
    Choice,
    KeyValueString,
    Manifest,
    ServiceV3,
)

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from wagtail.models import Page

from archive.access import covering_restrictions
from archive.models import CollectionPage, PersistentIdentifier, RecordPage
from ingest.access import verdicts_for_originals
from ingest.models import MediaKind, RecordMedia
from ingest.services.paths import public_url

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
CONTENT_TYPE = f'application/ld+json;profile="{PRESENTATION_CONTEXT}"'
# IIIF accepts only these rights URIs, and only over http (Presentation 3, ``rights``).
RIGHTS_HOSTS = ("creativecommons.org/licenses/", "creativecommons.org/publicdomain/", "rightsstatements.org/vocab/")
HLS_FORMAT = "application/vnd.apple.mpegurl"


# --- addresses -------------------------------------------------------------------------------


def site_url() -> str:
    """The site's absolute base (SITE_URL), without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def manifest_url(identifier: str) -> str:
    return f"{site_url()}/iiif/{identifier}/manifest"


def search_url(identifier: str) -> str:
    return f"{site_url()}/iiif/{identifier}/search"


def record_api_url(identifier: str) -> str:
    return f"{site_url()}/api/v1/records/{identifier}"


def collection_url(key: str | int) -> str:
    return f"{site_url()}/iiif/collection/{key}"


def collection_key(page) -> int:
    """The canonical key of a collection page: the id of its version in the default language (its own id
    where there is none), the same whichever version is asked for."""
    found = (
        Page.objects.filter(translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE)
        .values_list("pk", flat=True)
        .first()
    )
    return found or page.pk


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{site_url()}{url}"


def iiif_rights(uri: str) -> str | None:
    """The record's rights URI as IIIF accepts it (http, Creative Commons or RightsStatements.org), or None."""
    if not uri:
        return None
    rest = uri.split("://", 1)[-1]
    if not rest.startswith(RIGHTS_HOSTS):
        return None
    return f"http://{rest}"


# --- language strings ------------------------------------------------------------------------


def languages() -> list[str]:
    """The site's languages, the default (Vietnamese) first."""
    codes = [code for code, _name in settings.LANGUAGES]
    return sorted(codes, key=lambda code: code != settings.LANGUAGE_CODE)


def in_language_order(pages: list) -> list:
    """``pages`` (versions of one page), the default language first."""
    order = languages()
    return sorted(pages, key=lambda p: order.index(p.locale.language_code) if p.locale.language_code in order else 99)


def in_each_language(make) -> dict[str, list[str]]:
    """``{language: [make()]}`` with ``make`` called with each site language active (for gettext)."""
    found: dict[str, list[str]] = {}
    for code in languages():
        with translation.override(code):
            value = str(make() or "").strip()
        if value:
            found[code] = [value]
    return found


def add_text(strings: dict[str, list[str]], language: str, value: str) -> None:
    value = (value or "").strip()
    if value and value not in strings.setdefault(language, []):
        strings[language].append(value)


def page_language(page: RecordPage) -> str:
    """The language of a page's text: its own, or the language it was copied from while untranslated."""
    return page.text_language or page.locale.language_code


def from_pages(pages: list[RecordPage], read) -> dict[str, list[str]]:
    """``read(page)`` of each version, by the language of its text (a copy not yet translated counts as
    the language it was copied from, so its words are not claimed twice)."""
    strings: dict[str, list[str]] = {}
    for page in pages:
        add_text(strings, page_language(page), read(page))
    return {language: values for language, values in strings.items() if values}


def term_names(terms) -> dict[str, list[str]]:
    """Taxonomy terms' names in both languages (the English name, else the Vietnamese one)."""
    names: dict[str, list[str]] = {}
    for term in terms:
        for code in languages():
            english = code.startswith("en") and term.name_en
            add_text(names, code, english or term.name)
    return names


# --- which record --------------------------------------------------------------------------


@dataclasses.dataclass
class Versions:
    """A record's translations that one visitor may see, the default language first."""

    identifier: str
    pages: list[RecordPage]

    @property
    def main(self) -> RecordPage:
        return self.pages[0]


def visible_versions(identifier: str, who) -> Versions | None:
    """The versions of the record ``identifier`` that ``who`` may see (None when they may see none):
    the archive's one rule (``archive.access``)."""
    translation_key = (
        PersistentIdentifier.objects.filter(identifier=identifier).values_list("translation_key", flat=True).first()
    )
    if translation_key is None:
        return None
    pages = list(
        RecordPage.objects.visible_to(who).filter(translation_key=translation_key).select_related("locale").specific()
    )
    if not pages:
        return None
    return Versions(identifier, in_language_order(pages))


# --- media -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Media:
    """The media of a record one visitor may fetch, as the record page shows them."""

    items: list[Any]  # ingest.presentation.Item, in the page's order
    captions: dict[int, list[dict[str, Any]]]  # original id → its caption tracks (video and sound)
    has_text: bool  # a document's text or captions: what Content Search searches
    public: bool  # every item may be fetched by anyone


def record_media(page: RecordPage, who) -> Media:
    from ingest.presentation import build

    shown = build(page, who)
    items = ([shown["lead"]] if shown["lead"] is not None else []) + list(shown["items"])
    avs = [item for item in items if item.kind in (MediaKind.VIDEO, MediaKind.AUDIO)]
    captions = {item.original.pk: list(item.tracks) for item in avs}
    loose = [item for item in items if item.kind == MediaKind.CAPTIONS]
    for item in loose:  # captions the page did not give a video: the recording of the same name, or the only one
        track = item.derived
        if not track.get("vtt"):
            continue
        owner = next((av for av in avs if PurePosixPath(av.original.filename).stem == track["stem"]), None)
        if owner is None and len(avs) == 1:
            owner = avs[0]
        if owner is not None:
            captions[owner.original.pk].append(track)
    has_text = any(tracks for tracks in captions.values()) or any(
        (item.kind == MediaKind.PDF and item.derived.get("text")) or (item.kind == MediaKind.CAPTIONS) for item in items
    )
    originals = [item.original for item in items]
    verdicts = verdicts_for_originals(originals, who) if originals else {}
    public = all(verdict.public for verdict in verdicts.values())
    return Media([item for item in items if item.kind != MediaKind.CAPTIONS], captions, bool(has_text), public)


def _caption_labels(versions: Versions, originals: list[int]) -> dict[int, dict[str, list[str]]]:
    """Each original's caption on every visible version's link, in that version's text language."""
    pages = {page.pk: page for page in versions.pages}
    labels: dict[int, dict[str, list[str]]] = {}
    rows = (
        RecordMedia.objects.filter(record_id__in=list(pages), original_id__in=originals)
        .exclude(caption="")
        .order_by("sort_order", "pk")
        .values_list("original_id", "record_id", "caption")
    )
    for original_id, record_id, caption in rows:
        add_text(labels.setdefault(original_id, {}), page_language(pages[record_id]), caption)
    return labels


def _url(derivative_set, relative: str) -> str:
    return public_url(derivative_set.path(relative))


def _duration(original, derivative_set) -> float | None:
    for metadata in (derivative_set.manifest.get("metadata") or {}, original.metadata or {}):
        if metadata.get("duration"):
            return float(metadata["duration"])
    return None


def _painting(canvas_id: str, body) -> list[AnnotationPage]:
    return [
        AnnotationPage(
            id=f"{canvas_id}/page",
            items=[Annotation(id=f"{canvas_id}/page/painting", motivation="painting", body=body, target=canvas_id)],
        )
    ]


def _image_canvas(canvas_id: str, item, label) -> Canvas | None:
    derivative_set = item.original.derivative_set
    made = derivative_set.manifest.get("derivatives", {})
    info = made.get("iiif") or {}
    jpegs = sorted(
        (c for c in made.get("web", []) if c.get("file") and c.get("format") == "jpeg"), key=lambda c: c["width"]
    )
    if not jpegs:
        return None
    largest, smallest = jpegs[-1], jpegs[0]
    width, height = info.get("width") or largest["width"], info.get("height") or largest["height"]
    service = [ServiceV3(id=_url(derivative_set, "iiif"), type="ImageService3", profile="level0")] if info else None
    body = AnnotationBody(
        id=_url(derivative_set, f"web/{largest['file']}"),
        type="Image",
        format="image/jpeg",
        width=largest["width"],
        height=largest["height"],
        service=service,
    )
    thumbnail = AnnotationBody(
        id=_url(derivative_set, f"web/{smallest['file']}"),
        type="Image",
        format="image/jpeg",
        width=smallest["width"],
        height=smallest["height"],
    )
    return Canvas(
        id=canvas_id,
        label=label,
        width=width,
        height=height,
        thumbnail=[thumbnail],
        items=_painting(canvas_id, body),
    )


def _caption_annotations(canvas_id: str, tracks: list[dict[str, Any]]) -> list[AnnotationPage] | None:
    annotations = []
    for number, track in enumerate(tracks, start=1):
        language = track.get("language") or None
        name = track.get("label") or track.get("language") or gettext("Captions")
        body = AnnotationBody(
            id=track["vtt"],
            type="Text",
            format="text/vtt",
            language=language,
            label={language or "none": [name]},
        )
        annotations.append(
            Annotation(id=f"{canvas_id}/captions/{number}", motivation="supplementing", body=body, target=canvas_id)
        )
    return [AnnotationPage(id=f"{canvas_id}/captions", items=annotations)] if annotations else None


def _video_canvas(canvas_id: str, item, label, tracks) -> Canvas | None:
    original = item.original
    derivative_set = original.derivative_set
    made = derivative_set.manifest.get("derivatives", {})
    duration = _duration(original, derivative_set)
    renditions = sorted(made.get("renditions", []), key=lambda r: r.get("height") or 0, reverse=True)
    if not duration or not renditions:
        return None
    largest = renditions[0]
    width, height = largest.get("width"), largest.get("height")
    choices = [
        AnnotationBody(
            id=_url(derivative_set, rendition["mp4"]),
            type="Video",
            format="video/mp4",
            width=rendition["width"],
            height=rendition["height"],
            duration=duration,
            label={"none": [rendition.get("name", "")]},
        )
        for rendition in renditions
        if rendition.get("mp4") and rendition.get("width") and rendition.get("height")
    ]
    if made.get("hls"):
        choices.append(
            AnnotationBody(
                id=_url(derivative_set, made["hls"]),
                type="Video",
                format=HLS_FORMAT,
                width=width,
                height=height,
                duration=duration,
                label={"none": ["HLS"]},
            )
        )
    if not choices:
        return None
    thumbnail = (
        [AnnotationBody(id=_url(derivative_set, made["poster"]), type="Image", format="image/jpeg")]
        if made.get("poster")
        else None
    )
    return Canvas(
        id=canvas_id,
        label=label,
        width=width,
        height=height,
        duration=duration,
        thumbnail=thumbnail,
        items=_painting(canvas_id, Choice(items=choices) if len(choices) > 1 else choices[0]),
        annotations=_caption_annotations(canvas_id, tracks),
    )


def _audio_canvas(canvas_id: str, item, label, tracks) -> Canvas | None:
    original = item.original
    derivative_set = original.derivative_set
    made = derivative_set.manifest.get("derivatives", {})
    duration = _duration(original, derivative_set)
    choices = [
        AnnotationBody(id=_url(derivative_set, made[key]), type="Sound", format=mime, duration=duration)
        for key, mime in (("aac", "audio/mp4"), ("opus", "audio/ogg"))
        if made.get(key)
    ]
    if not duration or not choices:
        return None
    return Canvas(
        id=canvas_id,
        label=label,
        duration=duration,
        items=_painting(canvas_id, Choice(items=choices) if len(choices) > 1 else choices[0]),
        annotations=_caption_annotations(canvas_id, tracks),
    )


def _pdf_rendering(item) -> dict[str, Any] | None:
    if not item.derived.get("pdf"):
        return None
    return {
        "id": item.derived["pdf"],
        "type": "Text",
        "format": "application/pdf",
        "label": {"none": [item.original.filename]},
    }


def _document_canvases(canvas_id: str, item, label) -> list[Canvas]:
    derivative_set = item.original.derivative_set
    made = derivative_set.manifest.get("derivatives", {})
    rendering = _pdf_rendering(item)
    thumbnails = made.get("thumbnails") or []
    thumbnail_width = made.get("thumbnail_width") or 0
    canvases = []
    for number, image in enumerate(made.get("page_images") or [], start=1):
        if not (image.get("file") and image.get("width") and image.get("height")):
            continue
        page_id = f"{canvas_id}/p{number}"
        body = AnnotationBody(
            id=_url(derivative_set, image["file"]),
            type="Image",
            format="image/jpeg",
            width=image["width"],
            height=image["height"],
        )
        thumbnail = None
        if number <= len(thumbnails) and thumbnail_width:
            thumbnail = [
                AnnotationBody(
                    id=_url(derivative_set, thumbnails[number - 1]),
                    type="Image",
                    format="image/jpeg",
                    width=thumbnail_width,
                    height=max(1, round(image["height"] * thumbnail_width / image["width"])),
                )
            ]
        page_label = in_each_language(lambda n=number: gettext("Page %(number)s") % {"number": n})
        for language, values in (label or {}).items():  # "Biên bản, trang 2": the document's name first
            if language in page_label:
                page_label[language] = [f"{values[0]} – {page_label[language][0]}"]
        canvases.append(
            Canvas(
                id=page_id,
                label=page_label,
                width=image["width"],
                height=image["height"],
                thumbnail=thumbnail,
                rendering=[rendering] if rendering else None,
                items=_painting(page_id, body),
            )
        )
    return canvases


# --- descriptive properties ----------------------------------------------------------------------


def _people(page: RecordPage) -> dict[str, list[str]]:
    """The record's contributors and (for a library item) creators with their roles, in each language."""
    contributors = list(page.contributors.select_related("person"))
    creators = list(page.creators.select_related("person")) if hasattr(page, "creators") else []
    people: dict[str, list[str]] = {}
    for code in languages():
        with translation.override(code):
            names = [f"{c.shown_name} ({c.get_role_display()})" for c in contributors]
            names += [f"{c.person.shown_name} ({c.get_role_display()})" for c in creators]
        if names:
            people[code] = names
    return people


def _metadata(versions: Versions) -> list[KeyValueString]:
    page = versions.main
    entries: list[tuple[Any, dict[str, list[str]]]] = [
        (lambda: gettext("Record type"), in_each_language(page.get_type_label)),
        (lambda: gettext("Identifier"), {"none": [versions.identifier]}),
        (lambda: gettext("Date"), in_each_language(lambda: page.date_display)),
        (lambda: gettext("Ethnic groups"), term_names(page.ethnic_groups.all())),
        (lambda: gettext("Places"), term_names(place for place in page.places.all() if not place.sacred)),
        (lambda: gettext("Subjects"), term_names(page.subjects.all())),
        (lambda: gettext("Languages"), term_names(page.languages.all())),
    ]
    people = _people(page)
    if people:
        entries.append((lambda: gettext("Contributors"), people))
    publisher = getattr(page, "publisher", "")
    if publisher:
        entries.append((lambda: gettext("Publisher"), {"none": [publisher]}))
    if page.heritage_level:
        entries.append((lambda: gettext("Heritage status"), in_each_language(page.get_heritage_level_display)))
    if page.provenance:
        entries.append((lambda: gettext("Provenance"), from_pages(versions.pages, lambda p: p.provenance)))
    if page.rights_uri:
        entries.append((lambda: gettext("Rights"), {"none": [page.rights_label]}))
    return [KeyValueString(label=in_each_language(label), value=value) for label, value in entries if value]


def _required_statement(page: RecordPage) -> KeyValueString:
    def statement() -> str:
        parts = [str(settings.SITE_NAME), page.rights_label]
        return ". ".join(part for part in parts if part)

    return KeyValueString(label=in_each_language(lambda: gettext("Attribution")), value=in_each_language(statement))


def homepages(pages: list, request, language_of=lambda page: page.locale.language_code) -> list[dict[str, Any]]:
    """The web page of each version in ``pages``, labelled with its title in ``language_of(page)``."""
    homes = []
    for page in pages:
        url = page.get_url(request)
        if url:
            homes.append(
                {
                    "id": absolute(url),
                    "type": "Text",
                    "label": {language_of(page): [page.title]},
                    "format": "text/html",
                    "language": [page.locale.language_code],
                }
            )
    return homes


def _part_of(versions: Versions, request) -> list[dict[str, Any]] | None:
    parent = versions.main.get_parent()
    if parent is None or parent.specific_class is not CollectionPage:
        return None
    return [{"id": collection_url(collection_key(parent)), "type": "Collection"}]


def _nav_date(page: RecordPage) -> dt.datetime | None:
    if not page.date_start:
        return None
    return dt.datetime.combine(page.date_start, dt.time(), tzinfo=dt.UTC)


# --- the manifest ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Built:
    data: str  # the manifest, as JSON
    public: bool  # anyone may see all of it: shared caches may keep it


def build_manifest(versions: Versions, request) -> Built:
    page = versions.main
    identifier = versions.identifier
    base = manifest_url(identifier)
    media = record_media(page, request)
    labels = _caption_labels(versions, [item.original.pk for item in media.items])
    canvases: list[Canvas] = []
    renderings = []
    for item in media.items:
        canvas_id = f"{site_url()}/iiif/{identifier}/canvas/{item.original.pk}"
        label = labels.get(item.original.pk)
        tracks = media.captions.get(item.original.pk, [])
        if item.kind == MediaKind.IMAGE:
            canvas = _image_canvas(canvas_id, item, label)
            canvases += [canvas] if canvas else []
        elif item.kind == MediaKind.VIDEO:
            canvas = _video_canvas(canvas_id, item, label, tracks)
            canvases += [canvas] if canvas else []
        elif item.kind == MediaKind.AUDIO:
            canvas = _audio_canvas(canvas_id, item, label, tracks)
            canvases += [canvas] if canvas else []
        elif item.kind == MediaKind.PDF:
            canvases += _document_canvases(canvas_id, item, label)
            rendering = _pdf_rendering(item)
            renderings += [rendering] if rendering else []
    manifest = Manifest(
        id=base,
        label=from_pages(versions.pages, lambda p: p.title),
        summary=from_pages(versions.pages, lambda p: p.summary) or None,
        metadata=_metadata(versions) or None,
        requiredStatement=_required_statement(page),
        rights=iiif_rights(page.rights_uri),
        navDate=_nav_date(page),
        provider=[
            {
                "id": f"{site_url()}/",
                "type": "Agent",
                "label": in_each_language(lambda: settings.SITE_NAME),
                "homepage": [
                    {
                        "id": f"{site_url()}/{code}/",
                        "type": "Text",
                        "label": {code: values},
                        "format": "text/html",
                        "language": [code],
                    }
                    for code, values in in_each_language(lambda: settings.SITE_NAME).items()
                ],
            }
        ],
        homepage=homepages(versions.pages, request, page_language) or None,
        seeAlso=[
            {
                "id": record_api_url(identifier),
                "type": "Dataset",
                "format": "application/json",
                "label": in_each_language(lambda: gettext("The record's data (JSON)")),
            }
        ],
        rendering=renderings or None,
        service=[ServiceV3(id=search_url(identifier), type="SearchService2")] if media.has_text else None,
        partOf=_part_of(versions, request),
        thumbnail=next((canvas.thumbnail for canvas in canvases if canvas.thumbnail), None),
        items=canvases,
    )
    public = media.public and all(version.is_public for version in versions.pages) and not covering_restrictions(page)
    return Built(manifest.jsonld(), public)
