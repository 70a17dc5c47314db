"""The open-data downloads, the DCAT catalogue and the page that lists them.

Files are served from the current build (``opendata.services``) with its digest as ETag and its
time as Last-Modified, so a harvester asking again gets 304 until the next build. Before the first
build, a request schedules it and, where the task backend ran it at once (the immediate backend),
serves it; otherwise it answers 503 with ``Retry-After`` (a worker builds it within minutes): a
web request never builds the whole catalogue itself.
"""

from __future__ import annotations

import json

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from opendata import dcat, services
from opendata.models import CatalogueBuild

RETRY_AFTER = 120  # seconds: a debounced build waits a minute, then takes about as long on a large corpus
MAX_AGE = 300
TABLES = {
    "records": gettext_lazy("Heritage records"),
    "library_items": gettext_lazy("Library catalogue"),
    "ethnic_groups": gettext_lazy("Ethnic groups"),
    "places": gettext_lazy("Places (with their successors after 2025)"),
    "languages": gettext_lazy("Languages"),
    "subjects": gettext_lazy("Subjects"),
    "collections": gettext_lazy("Collections"),
}


def _build_or_none() -> CatalogueBuild | None:
    build = services.current()
    if build is None:
        services.schedule_build()
        build = services.current()  # the immediate backend (development, tests) has built it already
    return build


def _not_ready() -> HttpResponse:
    response = HttpResponse(
        _("The open data files are being prepared. Please try again in a few minutes."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    return response


def _serve(request, name: str, attachment: bool = False):
    build = _build_or_none()
    if build is None:
        return _not_ready()
    info = build.files.get(name)
    if info is None:
        raise Http404("No such file")
    etag = f'"{info["sha256"][:40]}"'
    modified = int(build.created_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        try:
            handle = default_storage.open(build.path(name), "rb")
        except FileNotFoundError:  # pruned between reading the row and opening the file: a newer build is in
            return _not_ready()
        response = FileResponse(handle, content_type=info["media_type"], as_attachment=attachment, filename=name)
        if not attachment:
            response["Content-Disposition"] = f'inline; filename="{name}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_safe
def catalogue_file(request, name: str):
    return _serve(request, name)


@require_safe
def catalogue_zip(request):
    return _serve(request, services.ZIP_NAME, attachment=True)


@require_safe
def dcat_catalogue(request):
    document = dcat.catalogue_document(services.licence_settings(), _contact_email(request))
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=1), content_type="application/ld+json")
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _contact_email(request) -> str:
    from wagtail.models import Site

    from cms.models import SiteSettings

    site = Site.find_for_request(request)
    return SiteSettings.for_site(site).contact_email if site else ""


@require_safe
def index(request):
    build = _build_or_none()
    downloads = []
    if build is not None:
        for table, label in TABLES.items():
            files = [
                {
                    "format": ext.upper(),
                    "name": f"{table}.{ext}",
                    "size": build.files.get(f"{table}.{ext}", {}).get("size"),
                }
                for ext in ("csv", "jsonl")
            ]
            for entry in files:
                entry["url"] = reverse("opendata_file", args=[entry["name"]])
            downloads.append({"label": label, "rows": build.counts.get(table, 0), "files": files})
    licence = services.licence_settings()
    context = {
        "build": build,
        "downloads": downloads,
        "licence": licence,
        "zip": build.files.get(services.ZIP_NAME) if build else None,
        "descriptor": build.files.get(services.DESCRIPTOR) if build else None,
        "oai_base_url": request.build_absolute_uri(reverse("oai")),
    }
    return render(request, "opendata/index.html", context)
