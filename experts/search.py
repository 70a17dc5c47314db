"""The directory's documents in the search engines' people index (``search.people``).

One document per expert and audience level ("public", "registered", "staff") holding only the parts
``experts.visibility.parts_for_audience`` opens at that level: their words (searched folded and with
diacritics, by the engines' Vietnamese analysis), their facet values, and what a directory row or an
API result shows. An expert who shows nothing at a level has no document there, so a visitor's query,
filtered on their own level, never matches, counts or shows a hidden part. Registered with
``search.people`` in ``ExpertsConfig.ready``; queued for re-indexing by ``experts.signal_handlers``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch
from django.utils import translation

from search import people
from search.analysis import collation_key
from search.engines.base import PEOPLE_LEVELS

CHUNK = 500


def _terms(items) -> list[dict]:
    return [{"slug": item.slug, "name": item.name, "name_en": item.name_en} for item in items]


def _title_labels(title) -> dict[str, str]:
    labels = {}
    for language in ("vi", "en"):
        with translation.override(language):
            labels[language] = str(title)
    return labels


def _material(expert) -> dict:
    """Everything the documents of one expert are made of, part by part."""
    person = expert.person
    titles = list(expert.titles.all())
    fields = list(expert.fields.all())
    groups = list(expert.ethnic_groups.all())
    spoken, studied = list(expert.languages_spoken.all()), list(expert.languages_studied.all())
    regions = list(expert.regions.all())
    title_labels = [_title_labels(title) for title in titles]
    other_names = [line.strip() for line in expert.other_names.splitlines() if line.strip()]
    return {
        "name": {"names": [person.name]},
        "other_names": {"names": [*other_names, person.other_names], "stored": {"other_names": other_names}},
        "titles": {
            "text": [label for labels in title_labels for label in labels.values()] + [expert.title_prefix],
            "facets": {"title": [title.kind for title in titles]},
            "stored": {
                "title_prefix": expert.title_prefix,
                "titles": [
                    {"kind": title.kind, "label": labels, "year": title.year, "decision": title.decision}
                    for title, labels in zip(titles, title_labels, strict=True)
                ],
            },
        },
        "organisation": {
            "text": [expert.organisation, expert.position],
            "facets": {"organisation": [expert.organisation] if expert.organisation else []},
            "stored": {"organisation": expert.organisation, "position": expert.position},
        },
        "fields": {
            "text": [f"{item.name} {item.name_en}" for item in fields],
            "facets": {"field": [item.slug for item in fields]},
            "stored": {"fields": _terms(fields)},
        },
        "ethnic_groups": {
            "text": [" ".join([g.name, g.name_en, *(other.name for other in g.names.all())]) for g in groups],
            "facets": {"group": [group.slug for group in groups]},
            "stored": {"ethnic_groups": _terms(groups)},
        },
        "languages": {
            "text": [f"{language.name} {language.name_en} {language.tag}" for language in [*spoken, *studied]],
            "facets": {"language": list(dict.fromkeys(language.tag for language in [*spoken, *studied]))},
            "stored": {
                "languages_spoken": [language.tag for language in spoken],
                "languages_studied": [language.tag for language in studied],
            },
        },
        "regions": {
            "text": [f"{place.name} {place.name_en}" for place in regions],
            # Counted and filtered under the province that covers each unit today.
            "facets": {
                "province": list(dict.fromkeys((p.current_province or p).slug for p in regions)),
            },
            "stored": {"regions": _terms(regions)},
        },
        "biography": {"text": [expert.biography, expert.biography_en]},
    }


def documents_of(expert) -> list[dict]:
    """The expert's documents, one per level at which they show anything."""
    from experts.visibility import parts_for_audience

    material = _material(expert)
    name = expert.person.name
    found = []
    for level in PEOPLE_LEVELS:
        parts = parts_for_audience(expert, level)
        if not parts:
            continue
        document = {
            "id": f"{expert.pk}:{level}",
            "pk": expert.pk,
            "level": level,
            "sort": f"{collation_key(name)}\x02{expert.pk:010d}",
            "names": [],
            "text": [],
            "facets": {"field": [], "group": [], "language": [], "province": [], "title": [], "organisation": []},
            "stored": {"slug": expert.slug, "name": name, "parts": sorted(parts)},
        }
        for part in sorted(parts):
            made = material.get(part, {})
            document["names"] += [text for text in made.get("names", ()) if text]
            document["text"] += [text for text in made.get("text", ()) if text]
            for facet, values in made.get("facets", {}).items():
                document["facets"][facet] = values
            document["stored"].update(made.get("stored", {}))
        found.append(document)
    return found


def build_documents(pks: Iterable[int] | None = None) -> Iterator[dict]:
    """The people index's documents of the experts ``pks`` (every expert, given None)."""
    from archive.models import Place
    from experts.models import Expert

    experts = (
        Expert.objects.select_related("person")
        .prefetch_related(
            "titles",
            "fields",
            "ethnic_groups__names",
            "languages_spoken",
            "languages_studied",
            Prefetch("regions", queryset=Place.objects.select_related("current_province")),
        )
        .order_by("pk")
    )
    if pks is not None:
        experts = experts.filter(pk__in=list(pks))
    for expert in experts.iterator(chunk_size=CHUNK):
        yield from documents_of(expert)


def refresh_search_text(expert) -> None:
    """Queue the expert's documents to be written again once the transaction commits (called by
    ``Expert.save``)."""
    people.enqueue([expert.pk])


def register() -> None:
    people.register(build_documents)
