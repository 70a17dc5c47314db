"""Open-data downloads: per indicator (CSV, JSON), the data package, and SDMX-ML.

Outside the language prefix (files, not pages). What a response holds is decided by
:func:`stats.access.visible_observations`: final figures for everyone, provisional ones too for
staff, whose responses are then private (never kept by a shared cache).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from stats import opendata, sdmx_export
from stats.access import sees_provisional
from stats.models import Indicator

SDMX_STRUCTURE = "application/vnd.sdmx.structure+xml; version=2.1"
SDMX_DATA = "application/vnd.sdmx.structurespecificdata+xml; version=2.1"


def _respond(request, content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_vary_headers(response, ["Cookie"])
    if sees_provisional(request):
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, max_age=getattr(settings, "PAGE_CACHE_SECONDS", 600))
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _indicator(code: str) -> Indicator:
    indicator = Indicator.objects.select_related("group", "unit").by_code(code)
    if indicator is None:
        raise Http404("No such indicator")
    return indicator


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


@require_safe
def indicator_data(request, code: str, extension: str):
    indicator = _indicator(code)
    if extension == "csv":
        return _respond(request, opendata.indicator_csv(indicator, request), "text/csv; charset=utf-8", f"{code}.csv")
    data = opendata.indicator_json(indicator, request)
    return _respond(request, _json(data), "application/json", f"{code}.json")


@require_safe
def datapackage_descriptor(request):
    descriptor, _files = opendata.datapackage(request)
    return _respond(request, _json(descriptor), "application/json", "datapackage.json")


@require_safe
def datapackage_resource(request, name: str):
    _descriptor, files = opendata.datapackage(request)
    path = f"data/{name}.csv"
    if path not in files:
        raise Http404("No such resource")
    return _respond(request, files[path], "text/csv; charset=utf-8", f"{name}.csv")


@require_safe
def datapackage_zip(request):
    response = _respond(request, opendata.datapackage_zip(request), "application/zip", "datapackage.zip")
    response["Content-Disposition"] = f'attachment; filename="{opendata.PACKAGE_NAME}.zip"'
    return response


@require_safe
def sdmx_structure(request):
    return _respond(request, sdmx_export.structure_xml(request), SDMX_STRUCTURE, "structure.xml")


@require_safe
def sdmx_data(request, code: str | None = None):
    indicator = _indicator(code) if code else None
    name = f"{code}.xml" if code else "data.xml"
    return _respond(request, sdmx_export.data_xml(request, indicator), SDMX_DATA, name)
