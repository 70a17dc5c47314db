""" "Experts on this" for a heritage record or a library item: the experts whose ethnic groups or regions
match the work's, only as far as the visitor may see them (:mod:`experts.visibility`).

The rule, cheap on purpose (the record page's goal is p95 ≤ 50 ms): an expert is shown when

- the person is named among the work's contributors (records) or creators (library items), or
- one of their ethnic groups is one of the work's, and the visitor may see their ethnic groups, or
- one of their regions lies in a province of today that covers one of the work's places (sacred sites
  apart), and the visitor may see their regions;

people named on the work first, then by name; at most ``LIMIT``. The experts the visitor may see, with
the groups and provinces they may see, are read once per content version and audience (``_candidates``);
a work then costs a few plain queries (its groups, places and people) and, when someone matches, one for
the cards (with titles and fields); the rendered panel is cached per work, audience and language until
anything shown changes (``cms.page_cache.content_version``).
"""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from archive.models import Place, RecordContributor, RecordPage
from experts.models import Expert
from experts.visibility import audience, part_q, profiles_q

LIMIT = 6
CACHE_SECONDS = 24 * 3600


def _named_on(page) -> set[int]:
    """The people named among the work's contributors (a record) or creators (a library item)."""
    from library.models import ItemCreator

    people = set(
        RecordContributor.objects.filter(page_id=page.pk, person__isnull=False).values_list("person_id", flat=True)
    )
    if hasattr(page, "creators"):
        people |= set(ItemCreator.objects.filter(page_id=page.pk).values_list("person_id", flat=True))
    return people


def _candidates(who) -> list[tuple]:
    """Every expert ``who`` may see, as ``(pk, person id, name, ethnic group ids, provinces of today)``, the
    groups and provinces only where ``who`` may see that part: four plain queries, kept in the cache for the
    content version and the audience (so a record page asks none of them)."""
    from cms.page_cache import content_version

    key = f"experts:candidates:{content_version()}:{audience(who)}"
    found = cache.get(key)
    if found is not None:
        return found
    experts = Expert.objects.filter(profiles_q(who)).order_by("person__name", "pk")
    rows = list(experts.values_list("pk", "person_id", "person__name"))
    groups: dict[int, set[int]] = {}
    for expert_id, group_id in Expert.ethnic_groups.through.objects.filter(
        expert__in=Expert.objects.filter(part_q(who, "ethnic_groups"))
    ).values_list("expert_id", "ethnicgroup_id"):
        groups.setdefault(expert_id, set()).add(group_id)
    provinces: dict[int, set[int]] = {}
    for expert_id, province_id in Expert.regions.through.objects.filter(
        expert__in=Expert.objects.filter(part_q(who, "regions")), place__current_province__isnull=False
    ).values_list("expert_id", "place__current_province_id"):
        provinces.setdefault(expert_id, set()).add(province_id)
    found = [
        (pk, person_id, name, frozenset(groups.get(pk, ())), frozenset(provinces.get(pk, ())))
        for pk, person_id, name in rows
    ]
    cache.set(key, found, CACHE_SECONDS)
    return found


def experts_on_work(page, who, limit: int = LIMIT) -> list:
    """Profiles (``experts.pages.Profile``) of the experts on a record or item, for ``who``."""
    from experts.pages import profile_for

    candidates = _candidates(who)
    if not candidates:
        return []
    links = RecordPage.ethnic_groups.through.objects.filter(recordpage_id=page.pk)
    groups = set(links.values_list("ethnicgroup_id", flat=True))
    place_ids = RecordPage.places.through.objects.filter(recordpage_id=page.pk).values("place_id")
    # A province of today is its own current province: "in the province" covers it and its units.
    provinces = set(
        Place.objects.filter(pk__in=place_ids, sacred=False, current_province__isnull=False).values_list(
            "current_province_id", flat=True
        )
    )
    named = _named_on(page)
    chosen = [
        pk
        for pk, person_id, _name, expert_groups, expert_provinces in sorted(
            candidates, key=lambda row: (row[1] not in named, row[2], row[0])
        )
        if person_id in named or expert_groups & groups or expert_provinces & provinces
    ][:limit]
    if not chosen:
        return []
    experts = Expert.objects.filter(pk__in=chosen).select_related("person").prefetch_related("titles", "fields")
    by_pk = {expert.pk: expert for expert in experts}
    return [profile for pk in chosen if pk in by_pk and (profile := profile_for(by_pk[pk], who))]


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
