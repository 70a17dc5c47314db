"""The directory's text search, on the database: each profile keeps, per audience, the folded
text (``search.analysis.fold``: lower case, no diacritics, đ → d) of the parts that audience may
see, so a query typed with or without diacritics finds the same people and never matches a part
the visitor may not see."""

from __future__ import annotations

from django.db.models import Q

from search.analysis import fold


def _part_texts(expert) -> dict[str, list[str]]:
    person = expert.person
    texts: dict[str, list[str]] = {
        "name": [person.name],
        "other_names": [expert.other_names, person.other_names],
        "titles": [str(title) for title in expert.titles.all()] + [expert.title_prefix],
        "organisation": [expert.organisation, expert.position],
        "fields": [f"{f.name} {f.name_en}" for f in expert.fields.all()],
        "ethnic_groups": [
            " ".join([group.name, group.name_en, *(other.name for other in group.names.all())])
            for group in expert.ethnic_groups.all()
        ],
        "languages": [
            f"{language.name} {language.name_en} {language.tag}"
            for language in [*expert.languages_spoken.all(), *expert.languages_studied.all()]
        ],
        "regions": [f"{place.name} {place.name_en}" for place in expert.regions.all()],
        "biography": [expert.biography, expert.biography_en],
    }
    return texts


def texts_by_audience(expert) -> dict[str, str]:
    from experts.visibility import parts_for_audience

    texts = _part_texts(expert)
    found = {}
    for level in ("public", "registered", "staff"):
        parts = parts_for_audience(expert, level)
        found[level] = fold(" ".join(" ".join(t for t in texts[p] if t) for p in texts if p in parts))
    return found


def refresh_search_text(expert) -> None:
    from experts.models import Expert

    found = texts_by_audience(expert)
    Expert.objects.filter(pk=expert.pk).update(
        search_public=found["public"], search_registered=found["registered"], search_staff=found["staff"]
    )


def text_q(query: str, level: str) -> Q:
    """Every word of the query, folded, in the audience's text."""
    q = Q()
    for word in fold(query).split():
        q &= Q(**{f"search_{level}__contains": word})
    return q
