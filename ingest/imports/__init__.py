"""Bulk import of heritage records from a CSV manifest (``manage.py import_records``).

The file format is documented in ``docs/import-format.md``. In short: one row per record, matched to
the archive by ``identifier``; a row either goes in whole (the record created or updated, its media
stored and attached, in one transaction) or is rejected with the reason, and nothing of it is written.
Every row is checked before anything is written (taxonomy terms, dates, model validation, and each
media file is located inside the media folder and sniffed by :func:`ingest.processing.inspect`), so a
dry run reports exactly what a real run would do.

A run that finds nothing different writes nothing: no new page revision, no new original, no new link.
"""

from ingest.imports.manifest import COLUMNS, ManifestError, read_manifest
from ingest.imports.records import Action, Importer, ImportRefused, ImportReport, RowOutcome, import_records
from ingest.imports.values import RowError, parse_date

__all__ = [
    "COLUMNS",
    "Action",
    "ImportRefused",
    "ImportReport",
    "Importer",
    "ManifestError",
    "RowError",
    "RowOutcome",
    "import_records",
    "parse_date",
    "read_manifest",
]
