"""The public statistics pages, under the language prefix: /vi/thong-ke/ and /en/thong-ke/.

An index of the indicators, a page per indicator, per ethnic group and per province of today.
Each chart or map comes with its table, which is the page without JavaScript; the chart script
(``frontend/stats.js``) is loaded by these pages only and draws when a chart scrolls into view.
What a page shows is decided by :func:`stats.access.visible_observations` (``stats.pages``):
final figures for everyone, provisional ones too for staff, whose pages are never stored by a
cache.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from archive.models import EthnicGroup, Place
from stats import pages
from stats.access import sees_provisional
from stats.models import Indicator


def _language_urls(name: str, *args) -> dict[str, str]:
    """This page's address in every language, for the language switch."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse(name, args=args)
    return urls


def _render(request, template: str, context: dict, url_name: str, *args):
    context["language_urls"] = _language_urls(url_name, *args)
    context["staff_view"] = sees_provisional(request)
    response = render(request, template, context)
    if context["staff_view"]:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _charts(*charts) -> list:
    return [chart for chart in charts if chart is not None and chart.rows]


@require_safe
def index(request):
    context = {
        "catalogue": pages.catalogue(request),
        "groups": pages.ethnic_groups_with_figures(request),
        "provinces": pages.provinces_with_counts(request),
    }
    return _render(request, "stats/index.html", context, "stats_index")


@require_safe
def indicator(request, code: str):
    found = Indicator.objects.select_related("group", "unit").by_code(code)
    if found is None:
        raise Http404("No such indicator")
    if code != found.code:  # a working code once the official one is verified: one address per indicator
        return redirect("stats_indicator", code=found.code, permanent=True)
    series = pages.national_series(found, request)
    comparison = pages.group_comparison(found, request)
    choropleth = pages.province_choropleth(found, request, request.GET.get("period", ""))
    figures = Paginator(pages.indicator_figures(found, request), pages.TABLE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    figure_rows, figure_sources = pages.figure_rows(found, figures.object_list)
    context = {
        "indicator": found,
        "charts": _charts(series, comparison),
        "choropleth": choropleth,
        "columns": pages.indicator_columns(found),
        "figures": figures,
        "figure_rows": figure_rows,
        "figure_sources": figure_sources,
    }
    return _render(request, "stats/indicator.html", context, "stats_indicator", found.code)


@require_safe
def ethnic_group(request, slug: str):
    group = get_object_or_404(EthnicGroup, slug=slug)
    choropleth, mapped = pages.ethnic_group_map(
        group, request, request.GET.get("indicator", ""), request.GET.get("period", "")
    )
    context = {
        "group": group,
        "sections": pages.ethnic_group_sections(group, request),
        "choropleth": choropleth,
        "mapped_indicators": mapped,
    }
    return _render(request, "stats/ethnic_group.html", context, "stats_ethnic_group", group.slug)


@require_safe
def province(request, slug: str):
    place = get_object_or_404(Place, slug=slug)
    if not place.is_province or place.valid_to is not None:
        # A former province (or a unit inside a province): its figures are on the page of the province
        # that covers it today.
        if place.current_province_id and place.current_province_id != place.pk:
            return redirect("stats_province", slug=place.current_province.slug, permanent=True)
        raise Http404("Not a province of today")
    sections = pages.province_sections(place, request)
    indicators = [section.indicator for section in sections]
    wanted = request.GET.get("indicator", "")
    chosen = next((i for i in indicators if i.code == wanted), indicators[0] if indicators else None)
    choropleth = None
    if chosen is not None:
        choropleth = pages.province_choropleth(chosen, request, request.GET.get("period", ""), highlight=place.code)
    context = {
        "province": place,
        "former_provinces": place.predecessors.filter(kind=Place.Kind.FORMER_PROVINCE).order_by("name"),
        "sections": sections,
        "choropleth": choropleth,
        "mapped_indicators": indicators,
    }
    return _render(request, "stats/province.html", context, "stats_province", place.slug)
