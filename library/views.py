"""Citations: the exports at ``/cite/<identifier>.bib|.ris|.json`` and the "Cite this" section
every record page shows (a presenter for the record page's "citation" slot)."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import get_language_from_request
from django.views.decorators.http import require_safe

from wagtail.models import Locale

from archive.access import covering_restrictions
from archive.models import PersistentIdentifier, RecordPage
from library import citations

EXPORTS = {
    # extension: (serialiser, media type)
    "bib": (citations.to_bibtex, "application/x-bibtex"),
    "ris": (citations.to_ris, "application/x-research-info-systems"),
    "json": (citations.to_csl_json, citations.CSL_JSON_MEDIA_TYPE),
}


def persistent_url(page: RecordPage, request) -> str:
    return request.build_absolute_uri(reverse("resolve_identifier", args=[page.identifier]))


def _requested_language(request) -> str:
    """``?lang=`` when it names a site language, else the visitor's (cookie, Accept-Language), else Vietnamese."""
    wanted = request.GET.get("lang", "")
    if wanted in dict(settings.LANGUAGES):
        return wanted
    return get_language_from_request(request) or settings.LANGUAGE_CODE


def _visible_record(request, identifier: str) -> RecordPage:
    """The record ``identifier`` names, in the language asked for, if the visitor may see it — the
    archive's one rule, as ``/id/`` applies it (live, access level, view restrictions); else 404."""
    pid = PersistentIdentifier.objects.filter(identifier=identifier).first()
    if pid is None:
        raise Http404
    pages = RecordPage.objects.visible_to(request).filter(translation_key=pid.translation_key)
    # Translations only: an alias mirrors a page not yet translated, and is cited as its source.
    pages = pages.filter(alias_of__isnull=True).select_related("locale")
    by_language = {page.locale.language_code: page for page in pages}
    page = by_language.get(_requested_language(request)) or by_language.get(Locale.get_default().language_code)
    if page is None:
        raise Http404
    return page.specific


@require_safe
def citation_export(request, identifier: str, extension: str):
    if extension not in EXPORTS:
        raise Http404
    page = _visible_record(request, identifier)
    serialise, media_type = EXPORTS[extension]
    item = citations.csl_item(page, request, url=persistent_url(page, request), accessed=timezone.localdate())
    response = HttpResponse(serialise(item), content_type=f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{page.identifier}.{extension}")
    response["Content-Language"] = page.locale.language_code
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    if not page.is_public or covering_restrictions(page):
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def record_citation(page: RecordPage, request) -> str:
    """The "Cite this" section of a record page: the formatted references and links to the exports.

    The record page calls it only for a visitor it is already showing the page to."""
    if not page.identifier:  # a preview of a record never saved has no identifier yet
        return ""
    language = page.locale.language_code
    item = citations.csl_item(page, request, url=persistent_url(page, request))
    context = {
        "references": [
            {"style": style, "text": text, "language": style.locale.split("-")[0] if style.locale else language}
            for style, text in citations.formatted_references(item, language)
        ],
        "exports": [
            (label, f"{reverse('citation_export', args=[page.identifier, extension])}?lang={language}", extension)
            for label, extension in (("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json"))
        ],
    }
    return render_to_string("library/citation.html", context, request=request)
