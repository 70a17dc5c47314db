"""What the directory and a profile show a viewer, built from :mod:`experts.visibility`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import translation

from wagtail.models import Locale

from archive.models import RecordContributor, RecordPage
from experts.models import Expert, ExpertiseField, Title
from experts.visibility import audience, profiles_q, visible_fields
from search import labels as facet_labels
from search import people
from search.engines.base import PeopleQuery

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
# Asked of the search engine's people index (``search.people``, documents made by ``experts.search``):
# one query gives the page, the count and every facet's counts among the documents of the visitor's
# own level, which hold only the parts that level may see. No database read per result; facet labels
# come from the vocabularies, read once a minute.

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
MAX_PAGE = 1000
LABELS_TTL = 60.0
_field_labels: dict[str, tuple[float, dict[str, str]]] = {}


def clear_labels() -> None:
    _field_labels.clear()


def _expertise_labels(language: str) -> dict[str, str]:
    now = time.monotonic()
    cached = _field_labels.get(language)
    if cached is None or now - cached[0] >= LABELS_TTL:
        loaded = {item.slug: item.display_name for item in ExpertiseField.objects.only("slug", "name", "name_en")}
        cached = _field_labels[language] = (now, loaded)
    return cached[1]


def _facet_label(name: str, value: str, language: str) -> str:
    if name == "field":
        return _expertise_labels(language).get(value, value)
    if name in ("group", "language", "province"):
        return facet_labels.labels(name, language).get(value, value)
    if name == "title":
        return str(dict(Title.choices).get(value, value))
    return value


class _Term:
    """A vocabulary term as a directory entry stores it (slug, names)."""

    def __init__(self, data: dict):
        self.slug, self.name, self.name_en = data["slug"], data["name"], data.get("name_en", "")

    @property
    def display_name(self) -> str:
        if (translation.get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class _Title:
    def __init__(self, data: dict):
        self.kind, self.year, self.decision, self.labels = data["kind"], data["year"], data["decision"], data["label"]

    def __str__(self) -> str:
        language = "en" if (translation.get_language() or "vi").startswith("en") else "vi"
        return self.labels.get(language) or self.labels.get("vi", self.kind)


class Entry:
    """A directory row as the people index stores it for one level: what ``Profile`` gives a list,
    without the database."""

    def __init__(self, data: dict):
        self.data = data
        self.parts = frozenset(data["parts"])
        self.slug, self.name = data["slug"], data["name"]

    def _get(self, key: str, default):
        return self.data.get(key, default)

    @property
    def title_prefix(self) -> str:
        return self._get("title_prefix", "")

    @property
    def titles(self) -> list[_Title]:
        return [_Title(item) for item in self._get("titles", [])]

    @property
    def other_names(self) -> list[str]:
        return self._get("other_names", [])

    @property
    def organisation(self) -> str:
        return self._get("organisation", "")

    @property
    def position(self) -> str:
        return self._get("position", "")

    @property
    def fields(self) -> list[_Term]:
        return [_Term(item) for item in self._get("fields", [])]

    @property
    def ethnic_groups(self) -> list[_Term]:
        return [_Term(item) for item in self._get("ethnic_groups", [])]

    @property
    def regions(self) -> list[_Term]:
        return [_Term(item) for item in self._get("regions", [])]

    @property
    def languages_spoken(self) -> list[str]:
        return self._get("languages_spoken", [])

    @property
    def languages_studied(self) -> list[str]:
        return self._get("languages_studied", [])


class _Window:
    """The results for a Paginator: the count of all, and the one page fetched."""

    def __init__(self, count: int, offset: int, entries: list):
        self.total, self.offset, self.entries = count, offset, entries

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice):
        return self.entries if window.start == self.offset else []


@dataclass
class Directory:
    page: object  # a Paginator page of Entries
    facets: dict[str, list[tuple[str, str, int, bool]]]
    query: str
    chosen: dict[str, str]
    total: int


def _page_number(page) -> int:
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def directory(who, query: str = "", chosen: dict[str, str] | None = None, page=1, per_page: int = 20) -> Directory:
    """The experts ``who`` may see matching the query and the chosen facet values (one page of them), with
    the counts of every facet value among them — each counted only where the viewer may see that part.
    Raises ``search.engines.EngineUnavailable`` when the engine cannot answer."""
    from django.core.paginator import Paginator

    chosen = {name: value for name, value in (chosen or {}).items() if value and name in FACET_PARAMETERS}
    number = _page_number(page)
    asked = PeopleQuery(text=query, level=audience(who), filters=chosen, facets=FACET_PARAMETERS, limit=per_page)
    asked.offset = (number - 1) * per_page
    result = people.search(asked)
    pages = max(1, -(-result.count // per_page))
    if number > pages:  # past the end: the last page, as Paginator.get_page gives
        number = pages
        asked.offset = (number - 1) * per_page
        result = people.search(asked)
    entries = [Entry(data) for data in result.hits]
    shown = Paginator(_Window(result.count, asked.offset, entries), per_page).page(number)
    language = translation.get_language() or "vi"
    facets = {}
    for name in FACET_PARAMETERS:
        rows = sorted(
            (
                (value, _facet_label(name, value, language), count, chosen.get(name) == value)
                for value, count in result.facets.get(name, {}).items()
            ),
            key=lambda row: (-row[2], row[1].casefold()),
        )
        facets[name] = rows[:ORGANISATIONS_SHOWN] if name == "organisation" else rows
    return Directory(shown, facets, query, chosen, result.count)


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
