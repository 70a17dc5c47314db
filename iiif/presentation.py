"""The record page's link to the IIIF viewer (registered with ``archive.media.register_presenter``, in the
"media" slot: after the media section). Shown only when the record has media that the manifest shows to this
visitor: a finished image, video, recording or document (``ingest.presentation.build``, which the media
section has already worked out for this page and visitor)."""

from django.template.loader import render_to_string
from django.urls import reverse

# Kinds of media the manifest makes canvases of (captions go with a video's or a recording's canvas).
VIEWED_KINDS = ("image", "video", "audio", "pdf")


def has_viewable_media(page, request) -> bool:
    from ingest.presentation import build

    shown = build(page, request)
    items = ([shown["lead"]] if shown["lead"] else []) + list(shown["items"])
    return any(item.kind in VIEWED_KINDS for item in items)


def viewer_link(page, request) -> str:
    """The HTML of the link to ``page``'s IIIF viewer ("" when the manifest would show no media)."""
    if request is None or not page.identifier or not has_viewable_media(page, request):
        return ""
    return render_to_string(
        "iiif/viewer_link.html",
        {
            "viewer_url": reverse("iiif_viewer", args=[page.identifier]),
            "manifest_url": f"/iiif/{page.identifier}/manifest",
        },
        request=request,
    )
