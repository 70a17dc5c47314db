"""Records and places on the map: what the map on the home, ethnic-group and place pages shows a visitor,
and what its no-JavaScript list shows instead.

Everything starts from the records the visitor may see in one language (``RecordPage.objects.listed_for``,
the one visibility rule), so a place, a count or a title reaches only those who may see the records behind
it. Coordinates are never the visitor's to unlock: they are published by the models' own rules whoever asks.

* A **place marker** stands for the records recorded there. Each record is put at the most specific of its
  places as recorded (a district rather than the province it also names) and each place at its own
  coordinates — or, for a sacred site (``Place.sacred``) or a place without coordinates, at those of the
  nearest unit around it (its parent, its successor, its province of today): a sacred site's own
  coordinates are never sent.
* A **record point** is a record with coordinates of its own, which ``RecordPage.public_coordinates``
  publishes only for public-level records none of whose places is sacred: a sacred, staff-only or
  registered record's own coordinates are never sent, not even to those who may read it.

``frontend/map.js`` draws the GeoJSON (``feature_collection``, served by ``cms.views.map_places``);
``cms/templatetags/map_tags.py`` renders the same places as a list for pages without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q
from django.utils import translation

from wagtail.models import Locale

from archive.models import EthnicGroup, Place, RecordPage
from cms.page_cache import content_version

# Records named in a place's popup (by title); its province's page lists them all.
TITLES_PER_PLACE = 10
# Records drawn as points of their own; more would weigh on a phone (the places still show every record).
MAX_RECORD_POINTS = 500
# Coordinates as the archive stores them (six decimals), never longer floats.
PRECISION = 6


@dataclass
class MapPlace:
    """A marker: a place with coordinates, and the records put there."""

    place: Place
    latitude: float
    longitude: float
    url: str = ""  # the page of its province today, if that is not the page showing the map
    record_ids: set[int] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.place.display_name

    @property
    def count(self) -> int:
        return len(self.record_ids)


@dataclass
class MapRecord:
    """A record at coordinates of its own."""

    record: RecordPage
    latitude: float
    longitude: float


@dataclass
class Located:
    places: list[MapPlace]
    records: list[MapRecord]


def _coordinate(value) -> float:
    return round(float(value), PRECISION)


def _place_index_url(language: str) -> str:
    """The places index (``PlaceIndexPage``) in ``language``, cached for the content version."""
    key = f"cms:map:place-index:{content_version()}:{language}"
    url = cache.get(key)
    if url is None:
        from cms.models import PlaceIndexPage

        index = PlaceIndexPage.objects.live().filter(locale__language_code=language).first()
        url = (index.get_url() or "") if index else ""
        cache.set(key, url, 60 * 60 * 24)
    return url


def _load_places(ids: Iterable[int]) -> dict[int, Place]:
    """The places ``ids`` and every unit around them (parents, successors, provinces of today)."""
    places: dict[int, Place] = {}
    wanted = set(ids)
    while wanted:
        for place in Place.objects.filter(pk__in=wanted):
            places[place.pk] = place
        links = ((p.parent_id, p.successor_id, p.current_province_id) for p in places.values())
        wanted = {pk for trio in links for pk in trio if pk and pk not in places}
    return places


def _around(place: Place, places: dict[int, Place]):
    """The units around ``place``, nearest first: parents (or successors), then the province of today."""
    seen = {place.pk}
    current = places.get(place.parent_id or place.successor_id)
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        yield current
        current = places.get(current.parent_id or current.successor_id)
    province = places.get(place.current_province_id)
    if province is not None and province.pk not in seen:
        yield province


def _marker(place: Place, places: dict[int, Place]) -> Place | None:
    """The place whose coordinates stand for ``place`` on the map: itself, unless it is sacred or has none."""
    if place.public_coordinates:
        return place
    return next((unit for unit in _around(place, places) if unit.public_coordinates), None)


def _most_specific(ids: set[int], places: dict[int, Place]) -> set[int]:
    """Drop the places a record names that another of its places lies in (the province of its district)."""
    covered = set()
    for pk in ids:
        covered |= {unit.pk for unit in _around(places[pk], places)} & ids
    return ids - covered


def visible_records(who, language: str, *, group: EthnicGroup | None = None, place: Place | None = None):
    """The records the map may show ``who``: those listed for them in ``language``, of an ethnic group, in a
    place (a province: everything recorded under it, former units included)."""
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:  # a language of the settings the site has no pages in yet
        return RecordPage.objects.none()
    records = RecordPage.objects.listed_for(who, locale)
    if group is not None:
        records = records.filter(ethnic_groups=group)
    if place is not None:
        records = records.filter(Q(places=place) | Q(places__current_province=place)).distinct()
    return records


def locate(who, language: str, *, group: EthnicGroup | None = None, place: Place | None = None) -> Located:
    """The markers and record points of the map for ``who`` in ``language`` (see the module's notes)."""
    records = visible_records(who, language, group=group, place=place)
    links: dict[int, set[int]] = {}
    for record_id, place_id in RecordPage.places.through.objects.filter(
        recordpage_id__in=records.values("pk")
    ).values_list("recordpage_id", "place_id"):
        links.setdefault(record_id, set()).add(place_id)
    places = _load_places({pk for ids in links.values() for pk in ids} | ({place.pk} if place else set()))
    # On a place's page, only the markers inside it (a record made in two provinces shows in this one).
    within = None
    if place is not None:
        within = places[place.pk].current_province_id or place.pk
    index_url = _place_index_url(language)
    markers: dict[int, MapPlace] = {}
    for record_id, place_ids in links.items():
        for pk in _most_specific(place_ids, places):
            unit = _marker(places[pk], places)
            if unit is None or (within is not None and (unit.current_province_id or unit.pk) != within):
                continue
            if unit.pk not in markers:
                latitude, longitude = unit.public_coordinates
                province = places.get(unit.current_province_id)
                url = f"{index_url}{province.slug}/" if index_url and province and province.pk != within else ""
                markers[unit.pk] = MapPlace(unit, _coordinate(latitude), _coordinate(longitude), url)
            markers[unit.pk].record_ids.add(record_id)
    with translation.override(language):
        ordered = sorted(markers.values(), key=lambda marker: (-marker.count, marker.name))
    return Located(ordered, _record_points(records))


def _record_points(records) -> list[MapRecord]:
    """Records with coordinates of their own that ``RecordPage.public_coordinates`` publishes."""
    candidates = (
        records.exclude(latitude=None)
        .exclude(longitude=None)
        .select_related("locale")
        .prefetch_related("places")
        .order_by("title")[:MAX_RECORD_POINTS]
    )
    points = []
    for record in candidates:
        coordinates = record.public_coordinates  # the model's rule: public level, no sacred place
        if coordinates:
            points.append(MapRecord(record, _coordinate(coordinates[0]), _coordinate(coordinates[1])))
    return points


def _record_properties(record: RecordPage, request) -> dict:
    return {
        "title": record.title,
        "url": record.get_url(request) or "",
        "type": str(record.specific_class.type_label),
        # The language of the title: the map's, or the original's while the record is not yet translated.
        "lang": record.text_language or translation.get_language(),
    }


def feature_collection(located: Located, request, language: str) -> dict:
    """The map's GeoJSON: a Point feature per marker (its name, record count, the first records by title and
    its province's page) and per record point."""
    titles = dict(
        RecordPage.objects.filter(pk__in={pk for marker in located.places for pk in marker.record_ids}).values_list(
            "pk", "title"
        )
    )
    named = {
        marker.place.pk: sorted(marker.record_ids, key=lambda pk: (titles.get(pk, ""), pk))[:TITLES_PER_PLACE]
        for marker in located.places
    }
    pages = {
        page.pk: page
        for page in RecordPage.objects.filter(pk__in={pk for ids in named.values() for pk in ids}).select_related(
            "locale"
        )
    }
    features = []
    with translation.override(language):
        for marker in located.places:
            features.append(
                {
                    "type": "Feature",
                    "id": f"place:{marker.place.slug}",
                    "geometry": {"type": "Point", "coordinates": [marker.longitude, marker.latitude]},
                    "properties": {
                        "kind": "place",
                        "name": marker.name,
                        "count": marker.count,
                        "url": marker.url,
                        "records": [
                            _record_properties(pages[pk], request) for pk in named[marker.place.pk] if pk in pages
                        ],
                    },
                }
            )
        for point in located.records:
            features.append(
                {
                    "type": "Feature",
                    "id": f"record:{point.record.identifier}",
                    "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
                    "properties": {"kind": "record", **_record_properties(point.record, request)},
                }
            )
    return {"type": "FeatureCollection", "language": language, "features": features}
