"""The iiif app's URLs: ``api_urlpatterns`` outside the language prefix,
``page_urlpatterns`` under /vi/ and /en/."""

from django.urls import path

from iiif import views, views_search, views_viewer

api_urlpatterns: list = [
    path("iiif/collection/top", views.top_collection, name="iiif_collection_top"),
    path("iiif/collection/group/<slug:slug>", views.group_collection, name="iiif_collection_group"),
    path("iiif/collection/<slug:key>", views.collection, name="iiif_collection"),
    path("iiif/<str:identifier>/manifest", views.manifest, name="iiif_manifest"),
    # IIIF Content Search 2.0 inside one record: /iiif/dtts-1a2b3c4d/search?q=…
    path("iiif/<str:identifier>/search", views_search.content_search, name="iiif_search"),
]
page_urlpatterns: list = [
    # The record's manifest in a IIIF viewer: /vi/iiif-viewer/dtts-1a2b3c4d/
    path("iiif-viewer/<str:identifier>/", views_viewer.viewer, name="iiif_viewer"),
]
