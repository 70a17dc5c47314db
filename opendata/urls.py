"""The opendata app's URLs: ``api_urlpatterns`` outside the language prefix (the files and the DCAT
catalogue), ``page_urlpatterns`` under /vi/ and /en/ (the page listing them)."""

from django.urls import path, re_path

from opendata import views

api_urlpatterns: list = [
    # The public catalogue: /opendata/catalogue/datapackage.json, /opendata/catalogue/records.csv, ….jsonl
    re_path(
        r"^opendata/catalogue/(?P<name>datapackage\.json|[a-z_]+\.(?:csv|jsonl))$",
        views.catalogue_file,
        name="opendata_file",
    ),
    path("opendata/catalogue.zip", views.catalogue_zip, name="opendata_zip"),
    # DCAT-AP 3 catalogue of the site's datasets (heritage, library, statistics), for open-data portals
    path("opendata/dcat.jsonld", views.dcat_catalogue, name="opendata_dcat"),
]

# A Vietnamese slug in both languages (/vi/du-lieu-mo/, /en/du-lieu-mo/), like the statistics' pages.
page_urlpatterns: list = [
    path("du-lieu-mo/", views.index, name="opendata_index"),
]
