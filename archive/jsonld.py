"""schema.org JSON-LD for record pages.

Built only for a page the user may already see; related records are filtered by the
same access rule, and a sacred site's coordinates are never included.
"""

import json

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_tag(data: dict) -> str:
    payload = json.dumps(data, ensure_ascii=False, indent=None).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


def place_node(place) -> dict:
    node = {"@type": "Place", "name": place.full_name}
    coordinates = place.public_coordinates
    if coordinates:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": float(coordinates[0]), "longitude": float(coordinates[1])}
    return node


def record_jsonld(record, request, related=(), images=()) -> dict:
    url = record.get_full_url(request)
    data = {
        "@context": "https://schema.org",
        "@type": record.schema_type,
        "@id": url,
        "url": url,
        "name": record.title,
        "identifier": record.identifier,
        "inLanguage": record.text_language or get_language(),  # the original's while untranslated
        "isAccessibleForFree": True,
    }
    alternate = [other.title for other in record.other_titles.all()]
    if alternate:
        data["alternateName"] = alternate
    if record.summary:
        data["description"] = record.summary
    if record.rights_uri:
        data["license"] = record.rights_uri
    if record.date_start and record.schema_type != "Event":
        data["dateCreated"] = record.date_start.isoformat()
    groups = [group.display_name for group in record.ethnic_groups.all()]
    subjects = [subject.display_name for subject in record.subjects.all()]
    if groups or subjects:
        data["keywords"] = groups + subjects
    places = [place_node(place) for place in record.places.all()]
    if places:
        data["location" if record.schema_type == "Event" else "contentLocation"] = places
    coordinates = record.public_coordinates
    if coordinates:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": float(coordinates[0]), "longitude": float(coordinates[1])}
    contributors = [{"@type": "Person", "name": c.name, "roleName": c.role} for c in record.contributors.all()]
    if contributors:
        data["contributor"] = contributors
    if images:
        # The largest size the page already shows, so no extra rendition is made.
        data["image"] = [request.build_absolute_uri(item.image.get_rendition("width-1080").url) for item in images]
    if related:
        data["isRelatedTo" if record.schema_type != "Event" else "subjectOf"] = [
            {"@type": r.specific_class.schema_type, "name": r.title, "url": r.get_full_url(request)} for r in related
        ]
    extra = getattr(record, "jsonld_extra", None)
    if extra:
        data.update(extra(request))
    return data
