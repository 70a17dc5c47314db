"""Site-wide addresses outside the page tree that cms answers (included at the root by config/urls.py)."""

from django.urls import path, re_path

from cms import views, views_map

urlpatterns = [
    # Browsers and phones ask the site's root for its icons, whatever the pages link.
    re_path(r"^(?P<name>favicon\.ico|apple-touch-icon\.png)$", views.site_icon, name="site_icon"),
    # The map's places and records for the visitor asking (cms/map.py): ?lang=, ?group=, ?place=
    path("api/v1/map/places.geojson", views_map.map_places, name="map_places"),
]
