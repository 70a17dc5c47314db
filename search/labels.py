"""Readable labels for facet values, in the visitor's language.

Facet values in the index are stable keys (slugs, tags, ids); their labels come from the
taxonomies. A few facets are their own labels: publishers and issuing bodies, holding libraries
and years are indexed as written. They are read once per language and kept for a short while, so a search
costs no database query for them; renaming a term shows within ``TTL`` seconds in every
process, at once in the one that saved it.
"""

import threading
import time
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from archive.models import CollectionPage, EthnicGroup, HeritageLevel, Language, Place, Subject, record_types
from search.analysis import collation_key

TTL = 60.0
_cache: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
_lock = threading.Lock()


def _media_labels() -> dict[str, str]:
    return {"image": _("Images"), "video": _("Video"), "audio": _("Audio"), "document": _("Documents")}


def _load(facet: str) -> dict[str, str]:
    if facet == "type":
        return {model.type_slug: str(model.type_label_plural).capitalize() for model in record_types()}
    if facet == "group":
        return {group.slug: group.display_name for group in EthnicGroup.objects.only("slug", "name", "name_en")}
    if facet in ("province", "place"):
        return {place.slug: place.display_name for place in Place.objects.only("slug", "name", "name_en")}
    if facet == "language":
        return {language.tag: language.display_name for language in Language.objects.only("tag", "name", "name_en")}
    if facet == "media":
        return _media_labels()
    if facet == "heritage":
        return {value: str(label) for value, label in HeritageLevel.choices if value}
    if facet == "collection":
        return {str(pk): title for pk, title in CollectionPage.objects.values_list("pk", "title")}
    if facet == "subject":
        return {subject.slug: subject.display_name for subject in Subject.objects.only("slug", "name", "name_en")}
    return {}  # issuer, holding, year: the value is the label


def labels(facet: str, language: str) -> dict[str, str]:
    key = (facet, language)
    now = time.monotonic()
    cached = _cache.get(key)
    if cached and now - cached[0] < TTL:
        return cached[1]
    with translation.override(language):
        loaded = _load(facet)
    with _lock:
        _cache[key] = (now, loaded)
    return loaded


def _load_names(facet: str) -> dict[str, tuple[str, ...]]:
    """Every name each value of ``facet`` is known by, in any language (a group's other names and
    autonym among them)."""
    if facet == "group":
        known: dict[str, tuple[str, ...]] = {}
        for group in EthnicGroup.objects.only("slug", "name", "name_en", "autonym").prefetch_related("names"):
            known[group.slug] = tuple(
                n for n in (group.name, group.name_en, group.autonym, *group.other_names_list) if n
            )
        return known
    if facet in ("province", "place"):
        return {
            slug: tuple(n for n in names if n) for slug, *names in Place.objects.values_list("slug", "name", "name_en")
        }
    return {}


def names(facet: str, value: str) -> tuple[str, ...]:
    """The names a facet value is known by (:func:`_load_names`), read as labels are and kept as long."""
    key = (facet, "names")
    now = time.monotonic()
    cached = _cache.get(key)
    if not cached or now - cached[0] >= TTL:
        cached = (now, _load_names(facet))
        with _lock:
            _cache[key] = cached
    return cached[1].get(value, ())


def label(facet: str, value: str, language: str) -> str:
    if facet == "decade":
        with translation.override(language):
            return _("%(decade)ss") % {"decade": value}
    return labels(facet, language).get(value, value)


@lru_cache(maxsize=8192)
def sort_key(text: str) -> str:
    return collation_key(text)


def clear() -> None:
    with _lock:
        _cache.clear()
