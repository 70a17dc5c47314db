"""``/<lang>/iiif-viewer/<identifier>/``: the record's IIIF manifest in a viewer (Clover IIIF, loaded by this
page only: ``frontend/iiif-viewer.js``). Without JavaScript the page links to the manifest and the record.

The Content-Security-Policy of this page only allows, besides the site's, an *empty* inline ``<style>``
element: its hash is that of the empty string. Clover styles itself with Stitches, which adds one empty
``<style>`` to the ``<head>`` and fills it through the CSSOM (``insertRule``), which the policy does not
govern; refused, that element has no style sheet and the viewer stops. No ``'unsafe-inline'``: a ``<style>``
with any text in it, or a ``style`` attribute in markup, stays refused. No other directive changes (hls.js's
``blob:`` worker and media are already allowed site-wide). A per-view policy is lost when the whole-page cache
replays a page (``cms.page_cache`` keeps headers, not the view's policy), so the page is never kept there:
it is marked private, and costs one small render per visit.
"""

from csp.decorators import csp_update

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from iiif import search
from search.views import private

# The SHA-256 of "" (an empty inline <style>), as Content-Security-Policy writes hashes.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


@require_GET
@csp_update({"style-src": [EMPTY_STYLE_HASH]})
def viewer(request, identifier: str):
    """The viewer of the record ``identifier``; 404 for a record the visitor may not see."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    record = search.visible_record(request, identifier, language)
    manifest_path = f"/iiif/{record.identifier}/manifest"
    context = {
        "record": record,
        "record_url": record.get_url(request),
        "manifest_path": manifest_path,
        "manifest_url": request.build_absolute_uri(manifest_path),
        "language_urls": _language_urls(record.identifier),
        "viewer_labels": viewer_labels(),
    }
    return private(render(request, "iiif/viewer.html", context))


def viewer_labels() -> dict[str, str]:
    """Clover's words (its i18next keys) in the active language, from the site's catalogue."""
    return {
        "commonClose": _("Close"),
        "commonNext": _("Next"),
        "commonPrevious": _("Previous"),
        "commonSearch": _("Search"),
        "contentSearchLoading": _("Loading…"),
        "contentSearchPlaceholder": _("Search inside this item"),
        "contentSearchResultsNone": _("Nothing found."),
        "contentSearchResultsMore": _("More results"),
        "imageFullScreen": _("Full screen"),
        "imageResetZoom": _("Reset zoom"),
        "imageRotateLeft": _("Rotate left"),
        "imageRotateRight": _("Rotate right"),
        "imageZoomIn": _("Zoom in"),
        "imageZoomOut": _("Zoom out"),
        "informationPanelTabs": _("Select"),
        "informationPanelTabsClose": _("Viewer"),
        "informationPanelTabsAbout": _("About"),
        "informationPanelTabsAnnotations": _("Captions and notes"),
        "informationPanelTabsSearch": _("Search"),
        "informationPanelToggle": _("More information"),
        "shareManifestJson": _("View the manifest"),
        "shareManifestCopy": _("Copy the manifest’s address"),
    }


def _language_urls(identifier: str) -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse("iiif_viewer", args=[identifier])
    return urls
