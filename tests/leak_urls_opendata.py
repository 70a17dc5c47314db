"""The open data downloads and the DCAT catalogue in the leak suite (tests/test_leaks.py, exchange outputs).

The files show what anyone may see, whoever downloads them. They are built by a background task after
changes; the leak world is made without running it, so the catalogue is built here first. The zip holds the
same files (tests/test_opendata.py reads it) and is left out: the walk reads text.
"""

from opendata import services

AUDIENCE = "public"
COMPLETE = {"t"}
TABLES = ("records", "library_items", "ethnic_groups", "places", "languages", "subjects", "collections")


def urls(world) -> list[str]:
    services.build()
    files = [f"/opendata/catalogue/{table}.{extension}" for table in TABLES for extension in ("csv", "jsonl")]
    return [
        "/opendata/catalogue/datapackage.json",
        *files,
        "/opendata/dcat.jsonld",
        "/vi/du-lieu-mo/",
        "/en/du-lieu-mo/",
    ]
