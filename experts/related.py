""" "Experts on this" for a heritage record or a library item: the experts whose ethnic groups or regions
match the work's, only as far as the visitor may see them (:mod:`experts.visibility`).

The rule, cheap on purpose (the record page's goal is p95 ≤ 50 ms): an expert is shown when

- the person is named among the work's contributors (records) or creators (library items), or
- one of their ethnic groups is one of the work's, and the visitor may see their ethnic groups, or
- one of their regions lies in a province of today that covers one of the work's places (sacred sites
  apart), and the visitor may see their regions;

people named on the work first, then by name; at most ``LIMIT``. One SQL query (the work's groups,
places and people are subqueries), two small prefetches for the cards (titles, fields), and the rendered panel is cached
per work, audience and language until anything shown changes (``cms.page_cache.content_version``).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, Value, When
from django.template.loader import render_to_string
from django.utils import translation

from archive.models import Place, RecordContributor, RecordPage
from experts.models import Expert
from experts.visibility import audience, part_q, profiles_q

LIMIT = 6
CACHE_SECONDS = 24 * 3600


def _named_on(page) -> Q:
    """Experts named among the work's contributors (a record) or creators (a library item)."""
    from library.models import ItemCreator

    q = Q(person_id__in=RecordContributor.objects.filter(page_id=page.pk, person__isnull=False).values("person_id"))
    if hasattr(page, "creators"):
        q |= Q(person_id__in=ItemCreator.objects.filter(page_id=page.pk).values("person_id"))
    return q


def experts_on_work(page, who, limit: int = LIMIT) -> list:
    """Profiles (``experts.pages.Profile``) of the experts on a record or item, for ``who``."""
    from experts.pages import profile_for

    groups = RecordPage.ethnic_groups.through.objects.filter(recordpage_id=page.pk).values("ethnicgroup_id")
    place_ids = RecordPage.places.through.objects.filter(recordpage_id=page.pk).values("place_id")
    provinces = Place.objects.filter(pk__in=place_ids, sacred=False, current_province__isnull=False).values(
        "current_province_id"
    )
    named = _named_on(page)
    # Each way of matching is a subquery on one link table: no join fans out, no DISTINCT needed.
    of_groups = Expert.ethnic_groups.through.objects.filter(ethnicgroup_id__in=groups).values("expert_id")
    # A province of today is its own current province: "in the province" covers it and its units.
    in_provinces = Place.objects.filter(current_province_id__in=provinces).values("pk")
    of_regions = Expert.regions.through.objects.filter(place_id__in=in_provinces).values("expert_id")
    match = (
        named | (Q(pk__in=of_groups) & part_q(who, "ethnic_groups")) | (Q(pk__in=of_regions) & part_q(who, "regions"))
    )
    experts = (
        Expert.objects.filter(profiles_q(who))
        .filter(match)
        .annotate(named=Case(When(named, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("named", "person__name", "pk")
        .select_related("person")
        .prefetch_related("titles", "fields")[:limit]
    )
    return [profile for expert in experts if (profile := profile_for(expert, who))]


def work_panel(request, page) -> str:
    """The "experts on this" panel of a record or item page (empty when nobody is shown), cached."""
    from cms.page_cache import content_version

    level = audience(request)
    language = translation.get_language() or "vi"
    key = f"experts:on-work:{content_version()}:{page.pk}:{level}:{language}"
    html = cache.get(key)
    if html is None:
        profiles = experts_on_work(page, request)
        html = render_to_string("experts/includes/experts_on_work.html", {"experts": profiles}, request=request)
        cache.set(key, html, CACHE_SECONDS)
    return html
