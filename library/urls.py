"""The library's own URLs (its section pages are Wagtail pages: ``LibraryPage``).

``api_urlpatterns`` are outside the language prefix (files and data: citation exports,
search inside an item); ``page_urlpatterns`` are pages shown in the visitor's language.
"""

from django.urls import path, re_path

from library import views, views_search

api_urlpatterns: list = [
    # Citation exports of any record or item: /cite/dtts-1a2b3c4d.bib, .ris, .json (CSL-JSON)
    re_path(
        r"^cite/(?P<identifier>[^/]+)\.(?P<extension>bib|ris|json)$", views.citation_export, name="citation_export"
    ),
    # Search inside an item, for the reader: /api/v1/search-inside/dtts-1a2b3c4d.json?q=…&lang=vi (with a
    # suffix, so that its 404 for an item the visitor may not see is not redirected into the language prefix)
    re_path(
        r"^api/v1/search-inside/(?P<identifier>[^/.]+)\.json$",
        views_search.api_search_inside,
        name="api_search_inside",
    ),
]

page_urlpatterns: list = [
    # Search inside an item: /vi/search-inside/dtts-1a2b3c4d/?q=…
    path("search-inside/<str:identifier>/", views_search.search_inside, name="library_search_inside"),
]
