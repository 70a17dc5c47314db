"""The CSV manifest: its columns, and reading it (encoding, delimiter, header, rows with their line numbers)."""

import contextlib
import csv
import dataclasses
import io
import re
from pathlib import Path

from django.utils.translation import gettext as _

from archive.models import CraftPage, CustomPage, DocumentPage, FestivalPage, PerformingArtPage
from archive.text import nfc

# --- the columns ---------------------------------------------------------------------------------

RECORD_TYPES = {
    "festival": FestivalPage,
    "custom": CustomPage,
    "performing_art": PerformingArtPage,
    "craft": CraftPage,
    "document": DocumentPage,
}
TYPE_ALIASES = {"performing-art": "performing_art"}

REQUIRED_COLUMNS = ("identifier", "type", "collection", "title")
OPTIONAL_COLUMNS = (
    "slug",
    "access_level",
    "sacred_group",
    "summary",
    "body",
    "ethnic_groups",
    "places",
    "subjects",
    "languages",
    "other_titles",
    "contributors",
    "provenance",
    "rights",
    "heritage_level",
    "heritage_decision",
    "heritage_date",
    "heritage_year",
    "date",
    "date_lunar",
    "latitude",
    "longitude",
    # festival
    "lunar_rule",
    "duration_days",
    "calendar_note",
    # custom and craft
    "category",
    # performing art
    "genre",
    # craft
    "materials",
    "technique",
    # document
    "document_number",
    "document_type",
    "issuing_body",
    "signer",
    "issue_date",
    "effective_date",
    "status",
    "full_text",
    "media",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Columns that only some record types have.
TYPE_COLUMNS = {
    "lunar_rule": (FestivalPage,),
    "duration_days": (FestivalPage,),
    "calendar_note": (FestivalPage,),
    "category": (CustomPage, CraftPage),
    "genre": (PerformingArtPage,),
    "materials": (CraftPage,),
    "technique": (CraftPage,),
    "document_number": (DocumentPage,),
    "document_type": (DocumentPage,),
    "issuing_body": (DocumentPage,),
    "signer": (DocumentPage,),
    "issue_date": (DocumentPage,),
    "effective_date": (DocumentPage,),
    "status": (DocumentPage,),
    "full_text": (DocumentPage,),
}

# Plain text columns copied to the model field of the same name (or the one given).
TEXT_COLUMNS = {
    "title": "title",
    "summary": "summary",
    "provenance": "provenance",
    "rights": "rights_uri",
    "heritage_decision": "heritage_decision",
    "calendar_note": "calendar_note",
    "genre": "genre",
    "materials": "materials",
    "technique": "technique",
    "document_number": "document_number",
    "document_type": "document_type",
    "issuing_body": "issuing_body",
    "signer": "signer",
    "full_text": "full_text",
}

# Which column to name when the model refuses a field.
FIELD_COLUMNS = {
    "rights_uri": "rights",
    "date_start": "date",
    "date_end": "date",
    "date_precision": "date",
    "date_start_lunar": "date_lunar",
    "lunar_day": "lunar_rule",
    "lunar_month": "lunar_rule",
    "lunar_leap_month": "lunar_rule",
    "heritage_level": "heritage_level",
}

LIST_SEPARATOR = ";"
MAX_CELL_CHARS = 1_000_000
IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ManifestError(Exception):
    """The file as a whole cannot be read (encoding, columns, CSV syntax); nothing is imported."""


# --- reading the file ----------------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    line: int  # where the row starts in the file (the header is line 1)
    cells: dict[str, str]
    error: str = ""

    @property
    def identifier(self) -> str:
        return self.cells.get("identifier", "").strip()


@contextlib.contextmanager
def _field_size_limit(limit: int):
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def decode(data: bytes) -> str:
    """The file's text in NFC, or a ManifestError naming the first line that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ManifestError(_("The file is saved as UTF-16. Save it as UTF-8 (in Excel: “CSV UTF-8”)."))
    data = data.removeprefix(b"\xef\xbb\xbf")  # the byte-order mark Excel writes
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ManifestError(
            _(
                "Line %(line)s is not UTF-8 (byte 0x%(byte)02x). The file was probably saved in a legacy "
                "encoding such as Windows-1258 or Windows-1252; open it and save it as UTF-8 "
                "(in Excel: “CSV UTF-8”), then import it again."
            )
            % {"line": line, "byte": data[exc.start]}
        ) from exc
    return nfc(text)


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab a spreadsheet in a Vietnamese locale may write instead."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_manifest(path: Path) -> tuple[list[str], list[Row]]:
    """The columns and rows of a manifest; a file that cannot be read raises ManifestError."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ManifestError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
    text = decode(data)
    if not text.strip():
        raise ManifestError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[Row] = []
    with _field_size_limit(MAX_CELL_CHARS):
        line = 1  # where the row being read starts
        try:
            header = [nfc(name).strip().lower() for name in next(reader)]
            while header and not header[-1]:
                header.pop()  # empty columns a spreadsheet leaves at the end
            columns = _check_header(header)
            line = reader.line_num + 1
            for cells in reader:
                start, line = line, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue
                while len(cells) > len(columns) and not cells[-1].strip():
                    cells.pop()
                row = Row(start, dict(zip(columns, cells, strict=False)))
                if len(cells) != len(columns):
                    row.error = _("The row has %(cells)s cells; the header has %(columns)s columns.") % {
                        "cells": len(cells),
                        "columns": len(columns),
                    }
                rows.append(row)
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                message = _("a cell is longer than %(limit)s characters. Is a quotation mark left open above it?") % {
                    "limit": f"{MAX_CELL_CHARS:,}"
                }
            elif "unexpected end of data" in message:
                message = _("a quoted cell that starts in this row is never closed (a quotation mark is missing).")
            raise ManifestError(_("Line %(line)s: %(error)s") % {"line": line, "error": message}) from exc
    if not rows:
        raise ManifestError(_("The file has a header but no rows."))
    return columns, rows


def _check_header(header: list[str]) -> list[str]:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column and column not in COLUMNS]
    repeated = sorted({column for column in header if column and header.count(column) > 1})
    problems = []
    if missing:
        problems.append(_("missing required columns: %(columns)s") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(
            _("unknown columns: %(columns)s (column names are listed in docs/import-format.md)")
            % {"columns": ", ".join(repr(column) for column in unknown)}
        )
    if repeated:
        problems.append(_("columns given twice: %(columns)s") % {"columns": ", ".join(repeated)})
    if "" in header:
        problems.append(_("column %(number)s has no name") % {"number": header.index("") + 1})
    if problems:
        raise ManifestError(_("Line 1 (the header): %(problems)s.") % {"problems": "; ".join(problems)})
    return header
