"""What the directory and a profile show a viewer, built from :mod:`experts.visibility`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce

from wagtail.models import Locale

from archive.models import EthnicGroup, Language, Place, RecordContributor, RecordPage
from experts.models import Expert, ExpertiseField, ExpertTitle, Title
from experts.search import text_q
from experts.visibility import audience, part_q, profiles_q, visible_fields

PREFETCH = (
    "titles",
    "fields",
    "ethnic_groups",
    "languages_spoken",
    "languages_studied",
    Prefetch("regions"),
)


@dataclass
class Profile:
    """An expert as one viewer may see them: the parts they may not see are simply absent."""

    expert: Expert
    parts: frozenset[str]
    items: list = field(default_factory=list)
    records: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.expert.person.name

    @property
    def slug(self) -> str:
        return self.expert.slug

    @property
    def titles(self):
        return list(self.expert.titles.all()) if "titles" in self.parts else []

    @property
    def title_prefix(self) -> str:
        return self.expert.title_prefix if "titles" in self.parts else ""

    @property
    def other_names(self) -> list[str]:
        if "other_names" not in self.parts:
            return []
        return [line.strip() for line in self.expert.other_names.splitlines() if line.strip()]

    @property
    def organisation(self) -> str:
        return self.expert.organisation if "organisation" in self.parts else ""

    @property
    def position(self) -> str:
        return self.expert.position if "organisation" in self.parts else ""

    @property
    def fields(self):
        return list(self.expert.fields.all()) if "fields" in self.parts else []

    @property
    def ethnic_groups(self):
        return list(self.expert.ethnic_groups.all()) if "ethnic_groups" in self.parts else []

    @property
    def languages_spoken(self):
        return list(self.expert.languages_spoken.all()) if "languages" in self.parts else []

    @property
    def languages_studied(self):
        return list(self.expert.languages_studied.all()) if "languages" in self.parts else []

    @property
    def regions(self):
        return list(self.expert.regions.all()) if "regions" in self.parts else []

    @property
    def biography(self) -> str:
        return self.expert.display_biography if "biography" in self.parts else ""

    @property
    def has_photo(self) -> bool:
        return "photo" in self.parts and bool(self.expert.photo)

    @property
    def can_contact(self) -> bool:
        return "contact" in self.parts


def profile_for(expert: Expert, who) -> Profile | None:
    parts = visible_fields(expert, who)
    return Profile(expert, parts) if parts else None


def _one_per_work(pages, locale) -> list:
    """One page per work: the viewer's language where it has one, else the first found."""
    chosen: dict = {}
    for page in pages:
        current = chosen.get(page.translation_key)
        if current is None or (page.locale_id == locale.pk and current.locale_id != locale.pk):
            chosen[page.translation_key] = page
    return sorted(chosen.values(), key=lambda page: page.title.casefold())


def works_of(person, who) -> tuple[list, list]:
    """The library items ``person`` created and the records they contributed to that ``who`` may see
    (the archive's rule, ``RecordPage.objects.visible_to``)."""
    from library.models import ItemCreator

    locale = Locale.get_active()
    item_keys = RecordPage.objects.filter(pk__in=ItemCreator.objects.filter(person=person).values("page_id")).values(
        "translation_key"
    )
    record_keys = RecordPage.objects.filter(
        pk__in=RecordContributor.objects.filter(person=person).values("page_id")
    ).values("translation_key")
    items = RecordPage.objects.visible_to(who).filter(translation_key__in=item_keys).select_related("locale")
    records = (
        RecordPage.objects.visible_to(who)
        .filter(translation_key__in=record_keys)
        .exclude(translation_key__in=item_keys)
        .select_related("locale")
    )
    return _one_per_work(items, locale), _one_per_work(records, locale)


def profile_with_works(expert: Expert, who) -> Profile | None:
    profile = profile_for(expert, who)
    if profile is not None:
        profile.items, profile.records = works_of(expert.person, who)
    return profile


# --- the directory -----------------------------------------------------------------------
# Filters, counts and the page are all asked of the database: only the experts on the page shown are
# read. A facet counts an expert only where the viewer may see that part, and a chosen value filters
# only on parts the viewer may see (``experts.visibility.part_q``).

FACET_PARTS = {
    "field": "fields",
    "group": "ethnic_groups",
    "language": "languages",
    "province": "regions",
    "title": "titles",
    "organisation": "organisation",
}
FACET_PARAMETERS = tuple(FACET_PARTS)
ORGANISATIONS_SHOWN = 30


def _facet_filter(name: str, value: str) -> Q:
    return {
        "field": lambda: Q(fields__slug=value),
        "group": lambda: Q(ethnic_groups__slug=value),
        "language": lambda: Q(languages_spoken__tag=value) | Q(languages_studied__tag=value),
        "province": lambda: Q(regions__slug=value) | Q(regions__current_province__slug=value),
        "title": lambda: Q(titles__kind=value),
        "organisation": lambda: Q(organisation=value),
    }[name]()


def _through_counts(relation: str, target: str, ids) -> Counter:
    through = getattr(Expert, relation).through
    rows = through.objects.filter(expert_id__in=ids).values(target).annotate(n=Count("expert_id", distinct=True))
    return Counter({row[target]: row["n"] for row in rows})


def _distinct_pairs(rows) -> Counter:
    """Experts per value from (expert, value) pairs, each pair counted once."""
    return Counter(value for _expert, value in set(rows))


def _facet_counts(name: str, ids) -> list[tuple[str, str, int]]:
    """(value, label, experts) for one facet among the experts ``ids`` (a subquery)."""
    if name == "field":
        counts = _through_counts("fields", "expertisefield_id", ids)
        terms = ExpertiseField.objects.filter(pk__in=counts)
        return [(t.slug, t.display_name, counts[t.pk]) for t in terms]
    if name == "group":
        counts = _through_counts("ethnic_groups", "ethnicgroup_id", ids)
        return [(g.slug, g.display_name, counts[g.pk]) for g in EthnicGroup.objects.filter(pk__in=counts)]
    if name == "language":
        pairs = []
        for relation in ("languages_spoken", "languages_studied"):
            through = getattr(Expert, relation).through
            pairs += through.objects.filter(expert_id__in=ids).values_list("expert_id", "language_id")
        counts = _distinct_pairs(pairs)
        return [(lang.tag, lang.display_name, counts[lang.pk]) for lang in Language.objects.filter(pk__in=counts)]
    if name == "province":
        through = Expert.regions.through
        pairs = through.objects.filter(expert_id__in=ids).values_list(
            "expert_id", Coalesce("place__current_province_id", "place_id")
        )
        counts = _distinct_pairs(pairs)
        return [(p.slug, p.display_name, counts[p.pk]) for p in Place.objects.filter(pk__in=counts)]
    if name == "title":
        rows = (
            ExpertTitle.objects.filter(expert_id__in=ids).values("kind").annotate(n=Count("expert_id", distinct=True))
        )
        labels = dict(Title.choices)
        return [(row["kind"], str(labels.get(row["kind"], row["kind"])), row["n"]) for row in rows]
    rows = (
        Expert.objects.filter(pk__in=ids)
        .exclude(organisation="")
        .values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation")[:ORGANISATIONS_SHOWN]
    )
    return [(row["organisation"], row["organisation"], row["n"]) for row in rows]


@dataclass
class Directory:
    page: object  # a Paginator page of Profiles
    facets: dict[str, list[tuple[str, str, int, bool]]]
    query: str
    chosen: dict[str, str]
    total: int


def directory(who, query: str = "", chosen: dict[str, str] | None = None, page=1, per_page: int = 20) -> Directory:
    """The experts ``who`` may see matching the query and the chosen facet values (one page of them), with
    the counts of every facet value among them — each counted only where the viewer may see that part."""
    from django.core.paginator import Paginator

    chosen = {name: value for name, value in (chosen or {}).items() if value and name in FACET_PARAMETERS}
    experts = Expert.objects.filter(profiles_q(who))
    if query.strip():
        experts = experts.filter(text_q(query, audience(who)))
    for name, value in chosen.items():
        matching = Expert.objects.filter(_facet_filter(name, value) & part_q(who, FACET_PARTS[name]))
        experts = experts.filter(pk__in=matching.values("pk"))
    facets = {}
    for name, part in FACET_PARTS.items():
        ids = experts.filter(part_q(who, part)).values("pk")
        rows = _facet_counts(name, ids)
        facets[name] = sorted(
            ((key, label, count, chosen.get(name) == key) for key, label, count in rows),
            key=lambda row: (-row[2], row[1].casefold()),
        )
    ordered = experts.select_related("person").prefetch_related(*PREFETCH).order_by("person__name", "pk")
    paginator = Paginator(ordered, per_page)
    shown = paginator.get_page(page)
    shown.object_list = [profile for expert in shown.object_list if (profile := profile_for(expert, who))]
    return Directory(shown, facets, query, chosen, paginator.count)


def _experts_on(experts, who, part: str, limit: int) -> list[Profile]:
    found = []
    for expert in experts.select_related("person").prefetch_related("titles", "fields").distinct():
        profile = profile_for(expert, who)
        if profile is not None and part in profile.parts:
            found.append(profile)
        if len(found) >= limit:
            break
    return found


def experts_on_group(group, who, limit: int = 12) -> list[Profile]:
    """Experts of an ethnic group, for "experts on this" on the group's page: only those whose groups
    the viewer may see."""
    return _experts_on(Expert.objects.filter(profiles_q(who), ethnic_groups=group), who, "ethnic_groups", limit)


def experts_on_place(province, who, limit: int = 12) -> list[Profile]:
    """Experts of a province (or of a unit now part of it), for the province's page."""
    from django.db.models import Q

    experts = Expert.objects.filter(profiles_q(who)).filter(Q(regions=province) | Q(regions__current_province=province))
    return _experts_on(experts, who, "regions", limit)
