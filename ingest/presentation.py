"""The media section of a record page (registered with ``archive.media.register_presenter``).

A visitor sees the finished access copies of the media on the record (on any of its translations)
that they may fetch: the same rule as :func:`ingest.access.ingest_files`, so an original that a
stricter record also shows is left out, and only the current derivative set is ever linked. Media
still being made shows as a neutral note; staff also get every file's processing state.

A live page shows its published list (the rows); a preview of a draft shows the draft's list, whose media
not yet approved only staff may fetch (``ingest.attachments``).

The page opens with the first finished image the visitor may fetch (:func:`record_lead`, the "lead" slot);
the media section shows the rest. An item's caption is the one its link on this page carries, else one from
a translation's link, marked with that translation's language (``lang``): one language per caption.

The section works without JavaScript (``<video>`` with MP4 sources, ``<audio>`` with Opus and AAC,
``<img srcset>`` with a link to the large copy, a document's first page images and its files);
``static/dist/record-media.js`` (built from ``frontend/``) adds "Listen only" over HLS (hls.js, fetched only
when pressed), deep zoom, the waveform and a reader for PDFs, loading each library only where its kind of
media is on the page. :func:`record_head` adds a preload of the reader's first page image to the ``<head>``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_info

from archive.access import Viewer
from archive.text import nfc
from ingest.access import verdicts_for_originals
from ingest.models import Derivative, JobState, MediaKind, Original, RecordMedia
from ingest.services.paths import public_url

# Kinds with a player of their own; captions go with a video or are offered as a transcript.
SHOWN_KINDS = (MediaKind.VIDEO, MediaKind.AUDIO, MediaKind.IMAGE, MediaKind.PDF, MediaKind.CAPTIONS)
DOCUMENT_THUMBNAILS = 4
# The width the reader shows a document's page at (ingest/static/ingest/pdf-reader.css): the `sizes` of its
# image of the first page, and of the page's preload of that image (:func:`record_head`).
READER_SIZES = "(max-width: 60rem) calc(100vw - 3rem), 56rem"
# The width an image in the media section is shown at: the column (static/css/site.css, `.media-image img`).
IMAGE_SIZES = "(max-width: 60rem) 100vw, 58rem"
# "le-hoi.vi.srt", "phong-van.en-GB.vtt": the language of a caption file, if its name says it.
CAPTION_LANGUAGE = re.compile(r"\.([a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)$")


@dataclasses.dataclass
class Item:
    """One original as the record page shows it."""

    original: Any
    state: str
    number: int = 0
    derived: dict[str, Any] = dataclasses.field(default_factory=dict)
    sizes: dict[str, int] = dataclasses.field(default_factory=dict)
    tracks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    caption: str = ""
    caption_lang: str = ""  # the caption's language where it is not the page's

    @property
    def kind(self) -> str:
        return self.original.kind

    @property
    def template(self) -> str:
        return f"ingest/record_media_{self.kind}.html"


def _related(instance, name):
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def _originals(page) -> list:
    """The originals on every translation of ``page``, in the curators' order, each once."""
    own = page.media_links.all()
    if not isinstance(own, QuerySet):  # a preview: the page's own list as its draft has it
        return _draft_originals(page, own)
    links = (
        RecordMedia.objects.filter(record__translation_key=page.translation_key, original__kind__in=SHOWN_KINDS)
        .select_related("original__job", "original__derivative_set")
        .order_by("sort_order", "pk")
    )
    seen: dict[int, Any] = {}
    for link in links:
        seen.setdefault(link.original_id, link.original)
    return list(seen.values())


def _draft_originals(page, own) -> list:
    """The originals of a draft's own list and of the published lists of its translations, in order, each once."""
    others = RecordMedia.objects.filter(record__translation_key=page.translation_key).exclude(record_id=page.pk)
    order = sorted(
        [(link.sort_order, link.original_id) for link in own] + list(others.values_list("sort_order", "original_id")),
        key=lambda pair: pair[0],
    )
    originals = (
        Original.objects.filter(pk__in=[pk for _order, pk in order], kind__in=SHOWN_KINDS)
        .select_related("job", "derivative_set")
        .in_bulk()
    )
    return list({pk: originals[pk] for _order, pk in order if pk in originals}.values())


def _language(code: str) -> str:
    return (code or "").split("-")[0].lower()


def _caption_texts(page, originals: list) -> dict[int, tuple[str, str]]:
    """``{original id: (caption, its language)}``: the caption on this page's own link (in the page's
    text language), else the first one on a translation's link (in that translation's language)."""
    wanted = {original.pk for original in originals}
    if not wanted:
        return {}
    own_language = getattr(page, "text_language", "") or page.locale.language_code
    found = {
        link.original_id: (link.caption, own_language)
        for link in page.media_links.all()
        if link.caption and link.original_id in wanted
    }
    others = (
        RecordMedia.objects.filter(record__translation_key=page.translation_key, original_id__in=wanted - set(found))
        .exclude(record_id=page.pk)
        .exclude(caption="")
        .order_by("sort_order", "pk")
        .values_list("original_id", "caption", "record__locale__language_code")
    )
    for original_id, caption, language in others:
        found.setdefault(original_id, (caption, language))
    return found


def _visible(originals: list, user) -> list:
    """Those the user may fetch (the resolver's rule: ``ingest.access``)."""
    if not originals:
        return []
    verdicts = verdicts_for_originals(originals, user)
    return [o for o in originals if verdicts[o.pk].allowed]


def _url(derivative_set, relative: str) -> str:
    return public_url(derivative_set.path(relative))


def _sizes(derivative_sets: list) -> dict[str, int]:
    """Sizes of the downloadable files (MP4, audio, document text), by storage path, in one query."""
    if not derivative_sets:
        return {}
    rows = Derivative.objects.filter(
        derivative_set__in=derivative_sets, role__in=("mp4", "aac", "opus", "text", "pdf"), kind=Derivative.FILE
    ).values_list("path", "size")
    return dict(rows)


def _video(item: Item, derivative_set, sizes: dict[str, int]) -> dict[str, Any]:
    manifest = derivative_set.manifest.get("derivatives", {})
    renditions = sorted(manifest.get("renditions", []), key=lambda r: r.get("height") or 0)
    largest = renditions[-1] if renditions else {}
    downloads = []
    for rendition in renditions:
        if rendition.get("mp4"):
            path = derivative_set.path(rendition["mp4"])
            downloads.append(
                {
                    "url": public_url(path),
                    "label": rendition.get("name", ""),
                    "height": rendition.get("height") or 0,
                    "size": sizes.get(path),
                }
            )
    return {
        "hls": _url(derivative_set, manifest["hls"]) if manifest.get("hls") else "",
        # The sound alone, as a plain HLS media playlist: "Listen only" on weak networks.
        "audio_hls": _url(derivative_set, manifest["audio_only_hls"]) if manifest.get("audio_only_hls") else "",
        "poster": _url(derivative_set, manifest["poster"]) if manifest.get("poster") else "",
        "width": largest.get("width"),
        "height": largest.get("height"),
        # Without JavaScript the browser takes the first source it can play: the smallest copy,
        # unless the screen is wide (browsers that honour `media` on <source>).
        "sources": [{**d, "media": "(min-width: 64rem)"} for d in reversed(downloads[1:])] + downloads[:1],
        "downloads": downloads,
    }


def _image(item: Item, derivative_set) -> dict[str, Any]:
    manifest = derivative_set.manifest.get("derivatives", {})
    copies = [c for c in manifest.get("web", []) if c.get("file")]
    jpegs = sorted((c for c in copies if c.get("format") == "jpeg"), key=lambda c: c["width"])
    webps = sorted((c for c in copies if c.get("format") == "webp"), key=lambda c: c["width"])

    def srcset(entries) -> str:
        return ", ".join(f"{_url(derivative_set, 'web/' + c['file'])} {c['width']}w" for c in entries)

    # The <img src> for browsers without srcset: a middle size, not the largest.
    fallback = next((c for c in jpegs if c["width"] >= 720), jpegs[-1]) if jpegs else None
    largest = jpegs[-1] if jpegs else None
    info = manifest.get("iiif") or {}
    return {
        "iiif": _url(derivative_set, "iiif/info.json") if info else "",
        "srcset": srcset(jpegs),
        "webp_srcset": srcset(webps),
        "src": _url(derivative_set, "web/" + fallback["file"]) if fallback else "",
        "width": fallback["width"] if fallback else None,
        "height": fallback["height"] if fallback else None,
        "large": _url(derivative_set, "web/" + largest["file"]) if largest else "",
        "large_size": largest.get("bytes") if largest else None,
        "full_width": info.get("width"),
        "full_height": info.get("height"),
        "sizes": IMAGE_SIZES,
    }


def lead_sizes(width: int | None, height: int | None) -> str:
    """The ``sizes`` of the lead image, ``width`` × ``height`` in proportion: as wide as the text's measure
    (42rem, narrower on a phone: the whole column) and never taller than 75 % of the screen
    (static/css/site.css, `.record-lead .media-image img`), so the shown width is the smaller of those and
    0.75 × the screen's height × the image's proportion. A tall picture is shown narrower and takes a smaller
    copy: a portrait photo on a 1280 × 740 screen is 370 px wide (the 480 px copy); a landscape one 672 px
    (the 720 px copy, not the 960 px one). Media queries only (no min() in ``sizes``, which older browsers
    would drop): on a screen narrower than the measure and its margins (44rem) the height binds when the
    screen is wider, in proportion, than 0.75 × the image's; on a wider one, when the screen is less high
    than 42rem ÷ (0.75 × the image's proportion)."""
    if not width or not height:
        return IMAGE_SIZES
    tall = 75 * width / height  # vh: the width at the height cap
    return (
        f"(max-width: 44rem) and (min-aspect-ratio: {round(tall * 10)}/1000) {tall:.1f}vh, (max-width: 44rem) 100vw, "
        f"(max-height: {42 * 100 / tall:.2f}rem) {tall:.1f}vh, 42rem"
    )


def _audio(item: Item, derivative_set, sizes: dict[str, int]) -> dict[str, Any]:
    manifest = derivative_set.manifest.get("derivatives", {})
    result: dict[str, Any] = {"element_id": f"record-audio-{item.original.pk}"}
    for key in ("aac", "opus", "peaks"):
        if manifest.get(key):
            result[key] = _url(derivative_set, manifest[key])
            result[f"{key}_size"] = sizes.get(derivative_set.path(manifest[key]))
    return result


def _has_text(derivative_set) -> bool:
    """Whether the extracted text has anything to read: a scan without OCR yields only the form feeds
    between its pages (a 1-byte "text of the document"), which is not offered."""
    return bool((derivative_set.text or "").strip())


def _document(item: Item, derivative_set, sizes: dict[str, int]) -> dict[str, Any]:
    """The page images, the text and, where the pipeline made an access copy of the PDF (``pdf`` in the
    manifest), the PDF, which the reader (``frontend/reader.js``) opens in the page. The original is a
    preservation master that only staff may fetch: without an access copy there is no reader."""
    manifest = derivative_set.manifest.get("derivatives", {})
    thumbnails = manifest.get("thumbnails", [])
    text = manifest.get("text")
    pdf = manifest.get("pdf")
    # The readable image of each page (800 px wide), which outputs made before it existed lack: there the
    # thumbnail is all there is.
    readable = manifest.get("page_images") or []
    thumbnail_width = manifest.get("thumbnail_width") or 0

    def page(number: int, name: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"url": _url(derivative_set, name), "page": number}
        image = readable[number - 1] if number <= len(readable) else None
        if image and image.get("file") and image.get("width") and image.get("height"):
            large = _url(derivative_set, image["file"])
            entry |= {"readable": large, "width": image["width"], "height": image["height"]}
            if thumbnail_width:
                candidates = [(entry["url"], thumbnail_width)]
                candidates += [(_url(derivative_set, c["file"]), c["width"]) for c in image.get("smaller") or []]
                candidates.append((large, image["width"]))
                entry["srcset"] = ", ".join(f"{url} {width}w" for url, width in candidates)
                entry["thumbnail_width"] = thumbnail_width
                entry["thumbnail_height"] = max(1, round(image["height"] * thumbnail_width / image["width"]))
        return entry

    return {
        "pdf": _url(derivative_set, pdf) if pdf else "",
        "pdf_size": sizes.get(derivative_set.path(pdf)) if pdf else None,
        "reader_id": f"pdf-reader-{item.original.pk}",
        "preview_sizes": READER_SIZES,
        "page_count": manifest.get("page_count") or 0,
        "thumbnails": [page(number, name) for number, name in enumerate(thumbnails[:DOCUMENT_THUMBNAILS], start=1)],
        "more_pages": max(0, (manifest.get("page_count") or 0) - DOCUMENT_THUMBNAILS),
        "text": _url(derivative_set, text) if text and _has_text(derivative_set) else "",
        "text_size": sizes.get(derivative_set.path(text)) if text else None,
    }


def _captions(item: Item, derivative_set, sizes: dict[str, int]) -> dict[str, Any]:
    manifest = derivative_set.manifest.get("derivatives", {})
    stem = PurePosixPath(item.original.filename).stem
    match = CAPTION_LANGUAGE.search(stem)
    language = match.group(1).replace("_", "-") if match else ""
    label = ""
    if language:
        try:
            label = nfc(get_language_info(language.split("-")[0].lower())["name_local"])
        except KeyError:
            label = language
    return {
        "vtt": _url(derivative_set, manifest["vtt"]) if manifest.get("vtt") else "",
        "text": _url(derivative_set, manifest["text"]) if manifest.get("text") and _has_text(derivative_set) else "",
        "text_size": sizes.get(derivative_set.path(manifest["text"])) if manifest.get("text") else None,
        "language": language,
        "label": label,
        "stem": stem[: match.start()] if match else stem,
    }


BUILDERS = {
    MediaKind.VIDEO: _video,
    MediaKind.AUDIO: _audio,
    MediaKind.PDF: _document,
    MediaKind.CAPTIONS: _captions,
}


def _pair_captions(items: list[Item]) -> list[Item]:
    """Give each video the caption files named after it (or all of them, if it is the only video).

    Caption files that go with no video stay in the list, offered as transcripts.
    """
    videos = [i for i in items if i.kind == MediaKind.VIDEO]
    captions = [i for i in items if i.kind == MediaKind.CAPTIONS]
    paired: set[int] = set()
    for caption in captions:
        stem = caption.derived["stem"]
        owner = next((v for v in videos if PurePosixPath(v.original.filename).stem == stem), None)
        if owner is None and len(videos) == 1:
            owner = videos[0]
        if owner is not None and caption.derived["vtt"]:
            owner.tracks.append(caption.derived)
            paired.add(caption.original.pk)
    for video in videos:
        for number, track in enumerate(video.tracks):
            track["default"] = number == 0
    return [i for i in items if i.original.pk not in paired]


def _enhanced(item: Item) -> bool:
    """Whether the script has something to add to ``item``: a player, deep zoom, a waveform, a reader."""
    if item.kind == MediaKind.PDF:
        return bool(item.derived["pdf"])
    return item.kind in (MediaKind.VIDEO, MediaKind.IMAGE, MediaKind.AUDIO)


def build(page, user) -> dict[str, Any]:
    """What the record page shows of its media to ``user``: the first finished image (``lead``), the other
    finished items, how many are being made, and (for staff) every file with its processing state.

    Worked out once per page object and visitor: the lead and the media section both read it."""
    key = getattr(getattr(user, "user", user), "pk", None)
    cached = getattr(page, "_ingest_media", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    built = _build(page, user)
    page._ingest_media = (key, built)
    return built


def _build(page, user) -> dict[str, Any]:
    originals = _visible(_originals(page), user)
    finished, preparing = [], 0
    for original in originals:
        job = _related(original, "job")
        derivative_set = _related(original, "derivative_set")
        state = job.state if job else JobState.QUEUED
        if derivative_set is not None:
            # The current access copies: they stay on show while a reprocess makes new ones,
            # and if it fails.
            finished.append(Item(original=original, state=state))
        elif state in (JobState.QUEUED, JobState.RUNNING):
            preparing += 1
    sizes = _sizes([_related(item.original, "derivative_set") for item in finished])
    for item in finished:
        derivative_set = item.original.derivative_set
        if item.kind == MediaKind.IMAGE:
            item.derived = _image(item, derivative_set)
        else:
            item.derived = BUILDERS[item.kind](item, derivative_set, sizes)
    captions = _caption_texts(page, [item.original for item in finished])
    current = _language(get_language())
    for item in finished:
        caption, language = captions.get(item.original.pk, ("", ""))
        item.caption = caption
        item.caption_lang = language if caption and _language(language) != current else ""
    items = _pair_captions(finished)
    lead = next((item for item in items if item.kind == MediaKind.IMAGE), None)
    if lead is not None:
        lead.derived["sizes"] = lead_sizes(lead.derived["width"], lead.derived["height"])
    counters: dict[str, int] = {}
    for item in items:
        counters[item.kind] = counters.get(item.kind, 0) + 1
        item.number = counters[item.kind]
    staff = Viewer.of(user).is_staff
    return {
        "lead": lead,
        "items": [item for item in items if item is not lead],
        "numbered": {kind for kind, count in counters.items() if count > 1},
        "preparing": 0 if staff else preparing,
        "states": [
            {"original": o, "job": _related(o, "job"), "shown": any(i.original.pk == o.pk for i in finished)}
            for o in originals
        ]
        if staff
        else [],
        "script": any(_enhanced(item) for item in items),
    }


def record_lead(page, request) -> str:
    """The HTML of the image ``page`` opens with for the visitor of ``request`` ("" when it has none)."""
    context = build(page, request)
    if context["lead"] is None:
        return ""
    return render_to_string(
        "ingest/record_media_image.html",
        {"page": page, "item": context["lead"], "lead": True, "numbered": context["numbered"]},
        request=request,
    )


def record_media(page, request) -> str:
    """The HTML of ``page``'s media section for the visitor of ``request`` ("" when there is nothing)."""
    context = build(page, request)
    if not (context["items"] or context["preparing"] or context["states"]):
        return ""
    if context["states"]:
        from ingest.permissions import can_upload_to

        context["upload_allowed"] = can_upload_to(request.user, page)
    return render_to_string("ingest/record_media.html", {"page": page, **context}, request=request)


def record_head(page, request) -> str:
    """Hints for the ``<head>`` of ``page`` for the visitor of ``request`` ("" when none): where the page opens
    with a document's reader (no lead image; a document with its reader first among the media), a preload of
    the reader's image of page 1, with the same ``srcset`` and ``sizes`` as the image, so that the browser
    asks for it with the first bytes of the HTML rather than when its parser reaches the reader, near the end
    (docs/benchmarks.md, "Readable page images in the reader"). Not when the address may ask for another
    page or document (a search hit's ``?q=…&original=…``: record-media.js then swaps the image), where the
    preload would be spent on an image the visitor does not see."""
    if request is None or "q" in request.GET or "original" in request.GET:
        return ""
    context = build(page, request)
    if context["lead"] is not None or not context["items"]:
        return ""
    first = context["items"][0]
    if first.kind != MediaKind.PDF or not first.derived["pdf"] or not first.derived["thumbnails"]:
        return ""
    return render_to_string(
        "ingest/record_media_head.html", {"preview": first.derived["thumbnails"][0], "sizes": READER_SIZES}
    )
