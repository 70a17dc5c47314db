"""``{% place_map %}``: the map of records and places on a page, with its no-JavaScript list (``cms/map.py``)."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language

from cms import map as cms_map

register = template.Library()


@register.inclusion_tag("cms/includes/place_map.html", takes_context=True)
def place_map(context, group=None, place=None):
    """The places where the records ``request`` may see were made (of an ethnic ``group``, in a ``place``),
    listed with their counts; ``frontend/map.js`` draws them on a map once the list comes near the screen."""
    request = context["request"]
    language = get_language() if get_language() in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    located = cms_map.locate(request, language, group=group, place=place)
    query = {"lang": language}
    if group is not None:
        query["group"] = group.slug
    if place is not None:
        query["place"] = place.slug
    return {
        "places": located.places,
        "data_url": f"{reverse('map_places')}?{urlencode(query)}",
        "outline_url": static("dist/stats/vn-provinces-2025.json"),
        "style_url": static("dist/map.css"),
        "script_url": static("dist/map.js"),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "has_points": bool(located.records),
        # On a place's page the map shows its province (by its code in the outline of the provinces).
        "on_place": place is not None,
        "focus": (place.current_province or place).code if place is not None else "",
    }
