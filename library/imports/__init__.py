"""Catalogue import (``manage.py import_catalogue``): MARC 21 (binary and MARCXML) and CSV into library items.

``sources`` reads a file into entries, each record checked on its own (leader, directory, encoding,
control characters); ``items`` matches each entry to the catalogue and writes it whole or not at all.
The format and the report are documented in ``docs/import-format.md`` ("Catalogue import").
"""

from library.imports.items import (
    Action,
    CatalogueImporter,
    CatalogueReport,
    ImportRefused,
    Outcome,
    default_library,
    import_catalogue,
)
from library.imports.sources import CSV_COLUMNS, FORMATS, Entry, SourceError, read_source

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "Action",
    "CatalogueImporter",
    "CatalogueReport",
    "Entry",
    "ImportRefused",
    "Outcome",
    "SourceError",
    "default_library",
    "import_catalogue",
    "read_source",
]
