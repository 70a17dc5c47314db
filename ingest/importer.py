"""Bulk import of heritage records from a CSV manifest (``manage.py import_records``).

The file format is documented in ``docs/import-format.md``. In short: one row per record, matched to
the archive by ``identifier``; a row either goes in whole (the record created or updated, its media
stored and attached, in one transaction) or is rejected with the reason, and nothing of it is written.
Every row is checked before anything is written (taxonomy terms, dates, model validation, and each
media file is located inside the media folder and sniffed by :func:`ingest.processing.inspect`), so a
dry run reports exactly what a real run would do.

A run that finds nothing different writes nothing: no new page revision, no new original, no new link.
"""

import contextlib
import csv
import dataclasses
import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext as _

from wagtail.log_actions import log
from wagtail.models import Locale, Page

from archive.access import AccessLevel
from archive.models import (
    CollectionPage,
    ContributorRole,
    CraftPage,
    CustomPage,
    DocumentPage,
    EthnicGroup,
    FestivalPage,
    HeritageLevel,
    Language,
    PerformingArtPage,
    PersistentIdentifier,
    Place,
    RecordContributor,
    RecordPage,
    RecordTitle,
    Subject,
)
from archive.text import ascii_slug, nfc
from ingest import conf
from ingest import storage as tree
from ingest.models import Original, RecordMedia
from ingest.processing import ProcessingError, inspect
from ingest.services import ingest_file

logger = logging.getLogger(__name__)

# --- the format ----------------------------------------------------------------------------------

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

# Everything an import may change on a record; compared before and after to tell "unchanged".
COMPARED_FIELDS = (
    "title",
    "slug",
    "summary",
    "body",
    "provenance",
    "rights_uri",
    "access_level",
    "sacred_group_id",
    "heritage_level",
    "heritage_decision",
    "heritage_date",
    "heritage_year",
    "date_precision",
    "date_start",
    "date_end",
    "date_start_lunar",
    "latitude",
    "longitude",
    "lunar_month",
    "lunar_day",
    "lunar_leap_month",
    "duration_days",
    "calendar_note",
    "category",
    "genre",
    "materials",
    "technique",
    "document_number",
    "document_type",
    "issuing_body",
    "signer",
    "issue_date",
    "effective_date",
    "status",
    "full_text",
)

LIST_SEPARATOR = ";"
MAX_CELL_CHARS = 1_000_000
IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ManifestError(Exception):
    """The file as a whole cannot be read (encoding, columns, CSV syntax); nothing is imported."""


class RowError(Exception):
    """One row cannot be imported; the message says why and what to fix."""


# --- the report ----------------------------------------------------------------------------------


class Action:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclasses.dataclass
class RowOutcome:
    line: int
    identifier: str
    action: str
    reason: str = ""
    published: bool = False
    media_stored: int = 0  # new originals
    media_attached: int = 0  # links made (new originals included)

    @property
    def accepted(self) -> bool:
        return self.action != Action.REJECTED


@dataclasses.dataclass
class ImportReport:
    manifest: str
    dry_run: bool
    rows: list[RowOutcome] = dataclasses.field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def accepted(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.accepted]

    @property
    def rejected(self) -> list[RowOutcome]:
        return [row for row in self.rows if not row.accepted]

    @property
    def media_stored(self) -> int:
        return sum(row.media_stored for row in self.rows)

    @property
    def media_attached(self) -> int:
        return sum(row.media_attached for row in self.rows)


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
    return unicodedata.normalize("NFC", text)


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
            columns = _check_header(header)
            line = reader.line_num + 1
            for cells in reader:
                start, line = line, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue
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


# --- values --------------------------------------------------------------------------------------


def split_list(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(LIST_SEPARATOR) if item.strip()]


def paragraphs_html(text: str) -> str:
    """Plain text with blank lines between paragraphs, as rich text."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if block.strip()]
    return "".join(f"<p>{escape(' '.join(block.split()))}</p>" for block in blocks)


def parse_day(value: str, column: str) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise RowError(
            _("%(column)s: write the date as year-month-day, e.g. 2013-05-12 (got “%(value)s”).")
            % {"column": column, "value": text}
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise RowError(
            _("%(column)s: %(value)s is not a date in the calendar.") % {"column": column, "value": text}
        ) from exc


_POINT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_CIRCA = re.compile(r"^(?:(?:c\.|ca\.|circa|khoảng|~)\s*(\d{4})|(\d{4})\s*~)$", re.IGNORECASE)


def _point(text: str, end: bool) -> tuple[str, dt.date]:
    """(precision, first or last day) of "2013", "2013-05" or "2013-05-12"."""
    match = _POINT.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is None:
        return "year", dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    if day is None:
        first = dt.date(year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return "month", last if end else first
    return "day", dt.date(year, month, day)


def parse_date(value: str) -> tuple[str, dt.date | None, dt.date | None]:
    """(precision, start, end) of the ``date`` column, in the forms the archive records dates.

    ``2013`` (a year), ``2019-11`` (a month), ``2023-08-14`` (a day), ``2005/2008`` or
    ``2022-10-03/2022-10-07`` (a range; an en dash works too), ``c. 1950`` or ``1950~`` (circa).
    """
    text = (value or "").strip()
    if not text:
        return "", None, None
    try:
        circa = _CIRCA.match(text)
        if circa:
            return "circa", dt.date(int(circa.group(1) or circa.group(2)), 1, 1), None
        parts = re.split(r"\s*(?:/|–)\s*", text)
        if len(parts) == 2:
            return "range", _point(parts[0], end=False)[1], _point(parts[1], end=True)[1]
        if len(parts) == 1:
            precision, start = _point(text, end=False)
            return precision, start, None
    except ValueError:
        pass
    raise RowError(
        _(
            "date: “%(value)s” is not understood. Write 2013, 2019-11, 2023-08-14, a range such as 2005/2008, "
            "or c. 1950; a lunar date goes in date_lunar (15/2n/2023)."
        )
        % {"value": text}
    )


def parse_lunar_rule(value: str) -> tuple[int | None, int | None, bool]:
    """(day, month, leap) from "14/1" or "15/2n" (day/month, "n" after a leap month)."""
    text = (value or "").strip()
    if not text:
        return None, None, False
    match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{1,2})\s*([nN]?)", text)
    if not match:
        raise RowError(
            _("lunar_rule: write the lunar day and month as 14/1, or 15/2n for a leap month (got “%(value)s”).")
            % {"value": text}
        )
    return int(match.group(1)), int(match.group(2)), bool(match.group(3))


def parse_int(value: str, column: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,5}", text):
        raise RowError(_("%(column)s: “%(value)s” is not a whole number.") % {"column": column, "value": text})
    return int(text)


def parse_decimal(value: str, column: str) -> Decimal | None:
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise RowError(_("%(column)s: “%(value)s” is not a number.") % {"column": column, "value": text}) from exc
    limit = 90 if column == "latitude" else 180
    if not number.is_finite() or abs(number) > limit:
        raise RowError(
            _("%(column)s: %(value)s is outside -%(limit)s to %(limit)s.")
            % {"column": column, "value": text, "limit": limit}
        )
    return number


def choice(value: str, column: str, choices: list[str], default: str = "") -> str:
    text = (value or "").strip().lower()
    if not text:
        return default
    if text not in choices:
        raise RowError(
            _("%(column)s: “%(value)s” is not one of %(choices)s.")
            % {"column": column, "value": text, "choices": ", ".join(c for c in choices if c)}
        )
    return text


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = []
        for field, messages in error.message_dict.items():
            column = FIELD_COLUMNS.get(field, field)
            parts.append(f"{column}: {' '.join(messages)}" if field != "__all__" else " ".join(messages))
        return "; ".join(parts)
    return " ".join(error.messages)


# --- media ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class MediaFile:
    name: str  # as written in the file
    path: Path  # the file itself, links resolved
    filename: str  # the name kept on the original
    sha256: str
    original: Original | None  # already in the archive


def locate_media(name: str, media_dir: Path) -> Path:
    """The file ``name`` inside ``media_dir``; refused if it is missing or leads outside the folder."""
    relative = name.replace("\\", "/")
    if relative.startswith("/") or re.match(r"^[A-Za-z]:", relative):
        raise RowError(
            _("media “%(name)s”: give the path relative to the media folder, not an absolute path.") % {"name": name}
        )
    if ".." in relative.split("/"):
        raise RowError(_("media “%(name)s”: the path leads outside the media folder.") % {"name": name})
    root = media_dir.resolve()
    candidates = [root / relative, root / unicodedata.normalize("NFD", relative)]  # macOS names files in NFD
    path = next((candidate for candidate in candidates if candidate.exists() or candidate.is_symlink()), None)
    if path is None:
        raise RowError(
            _("media “%(name)s”: no such file in the media folder %(folder)s.") % {"name": name, "folder": media_dir}
        )
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise RowError(_("media “%(name)s”: a link that leads nowhere.") % {"name": name}) from exc
    if not resolved.is_relative_to(root):
        raise RowError(
            _("media “%(name)s”: a link that leads outside the media folder; copy the file itself into the folder.")
            % {"name": name}
        )
    if not resolved.is_file():
        raise RowError(_("media “%(name)s”: a folder, not a file.") % {"name": name})
    return resolved


def check_media(names: list[str], media_dir: Path | None) -> list[MediaFile]:
    """Locate, hash and sniff every media file of a row (nothing is stored)."""
    if names and media_dir is None:
        raise RowError(_("The row lists media but no media folder was given (--media DIR)."))
    found: list[MediaFile] = []
    for name in names:
        path = locate_media(name, media_dir)
        with path.open("rb") as fh:
            sha256, _size = tree.hash_stream(fh)
        if any(item.sha256 == sha256 for item in found):
            continue  # the same content listed twice is attached once
        filename = name.replace("\\", "/").rsplit("/", 1)[-1]
        original = Original.objects.filter(sha256=sha256).first()
        if original is None:
            try:
                inspect(path, name=filename, max_pixels=conf.get("INGEST_MAX_PIXELS"))
            except ProcessingError as exc:
                raise RowError(_("media “%(name)s”: %(reason)s") % {"name": name, "reason": exc.message}) from exc
        found.append(MediaFile(name, path, filename, sha256, original))
    return found


# --- records -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Plan:
    """What one row will do, worked out without writing anything."""

    row: Row
    page: RecordPage  # the new page, or the latest revision of the existing one with the row applied
    collection: CollectionPage
    is_new: bool
    changed: bool
    media: list[MediaFile]
    to_attach: list[MediaFile]


def snapshot(page: RecordPage) -> dict[str, Any]:
    data = {name: getattr(page, name, None) for name in COMPARED_FIELDS}
    for relation in ("ethnic_groups", "places", "subjects", "languages"):
        data[relation] = sorted(item.pk for item in getattr(page, relation).all())
    data["contributors"] = [(item.name, item.role) for item in page.contributors.all()]
    data["other_titles"] = [(item.language_id, item.title) for item in page.other_titles.all()]
    return data


class Importer:
    def __init__(
        self,
        manifest: Path,
        media_dir: Path | None = None,
        *,
        dry_run: bool = False,
        publish: bool = False,
        user=None,
    ):
        self.manifest = Path(manifest)
        self.media_dir = Path(media_dir) if media_dir else None
        self.dry_run = dry_run
        self.publish = publish
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.locale = Locale.get_default()
        self.planned_slugs: dict[int, set[str]] = {}

    # -- lookups that explain themselves ----------------------------------------------------------

    def _collection(self, slug: str) -> CollectionPage:
        found = list(CollectionPage.objects.filter(locale=self.locale, slug=slug.strip())[:2])
        if not found:
            raise RowError(_("collection: no collection with the slug “%(slug)s”.") % {"slug": slug})
        if len(found) > 1:
            raise RowError(_("collection: several collections have the slug “%(slug)s”.") % {"slug": slug})
        return found[0]

    def _ethnic_groups(self, value: str) -> list[EthnicGroup]:
        codes = [code.zfill(2) if code.isdigit() else code for code in split_list(value)]
        found: dict[str, list[EthnicGroup]] = {}
        for group in EthnicGroup.objects.filter(code__in=codes):
            found.setdefault(group.code, []).append(group)
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise RowError(
                _(
                    "ethnic_groups: unknown ethnic-group code %(codes)s. Use the two-digit official codes "
                    "(01 Kinh, 02 Tày, 03 Thái, ...), separated by “;”."
                )
                % {"codes": ", ".join(f"“{code}”" for code in unknown)}
            )
        ambiguous = [code for code in codes if len(found[code]) > 1]
        if ambiguous:
            raise RowError(
                _("ethnic_groups: code %(codes)s is used by more than one code system.")
                % {"codes": ", ".join(ambiguous)}
            )
        return [found[code][0] for code in dict.fromkeys(codes)]

    def _places(self, value: str) -> list[Place]:
        places, unknown = [], []
        for key in split_list(value):
            if key.isdigit():
                place = Place.objects.filter(code=key.zfill(2), kind__in=Place.PROVINCE_KINDS).first()
            else:
                place = Place.objects.filter(slug=key).first()
            if place is None:
                unknown.append(key)
            elif place not in places:
                places.append(place)
        if unknown:
            raise RowError(
                _("places: unknown place %(keys)s (give a province code such as 08 or a place slug).")
                % {"keys": ", ".join(f"“{key}”" for key in unknown)}
            )
        return places

    def _terms(self, model, field: str, column: str, values: list[str]) -> list:
        found = {str(getattr(term, field)): term for term in model.objects.filter(**{f"{field}__in": values})}
        unknown = [value for value in values if value not in found]
        if unknown:
            raise RowError(
                _("%(column)s: unknown %(what)s %(values)s.")
                % {
                    "column": column,
                    "what": model._meta.verbose_name,
                    "values": ", ".join(f"“{value}”" for value in unknown),
                }
            )
        return [found[value] for value in dict.fromkeys(values)]

    def _other_titles(self, value: str) -> list[tuple[Language, str]]:
        titles = []
        for item in split_list(value):
            tag, colon, text = item.partition(":")
            if not colon or not tag.strip() or not text.strip():
                raise RowError(
                    _("other_titles: write each title as language:title, e.g. tyz:Lồng tồng (got “%(item)s”).")
                    % {"item": item}
                )
            language = self._terms(Language, "tag", "other_titles", [tag.strip()])[0]
            titles.append((language, text.strip()))
        return titles

    def _contributors(self, value: str) -> list[tuple[str, str]]:
        people = []
        for item in split_list(value):
            match = re.fullmatch(r"(.+?)\s*\(\s*([a-z_]+)\s*\)", item)
            if not match or match.group(2) not in ContributorRole.values:
                raise RowError(
                    _("contributors: write each person as Name (role), role one of %(roles)s (got “%(item)s”).")
                    % {"roles": ", ".join(ContributorRole.values), "item": item}
                )
            people.append((match.group(1).strip(), match.group(2)))
        return people

    def _existing(self, identifier: str) -> RecordPage | None:
        assigned = PersistentIdentifier.objects.filter(identifier=identifier).first()
        if assigned is None:
            return None
        page = (
            RecordPage.objects.filter(translation_key=assigned.translation_key, locale=self.locale).first()
            or RecordPage.objects.filter(translation_key=assigned.translation_key).first()
        )
        return page.specific if page else None

    # -- one row ----------------------------------------------------------------------------------

    def plan(self, row: Row) -> Plan:
        cells = row.cells
        if row.error:
            raise RowError(row.error)
        identifier = row.identifier
        if not identifier:
            raise RowError(_("identifier: empty. Every row needs the record's persistent identifier."))
        if not IDENTIFIER_PATTERN.match(identifier):
            raise RowError(
                _("identifier: “%(value)s” may hold only letters, digits, “.”, “_” and “-” (at most 64).")
                % {"value": identifier}
            )
        type_name = cells["type"].strip().lower()
        model = RECORD_TYPES.get(TYPE_ALIASES.get(type_name, type_name))
        if model is None:
            raise RowError(
                _("type: unknown record type “%(value)s” (use %(types)s).")
                % {"value": cells["type"].strip(), "types": ", ".join(RECORD_TYPES)}
            )
        for column, models in TYPE_COLUMNS.items():
            if cells.get(column, "").strip() and model not in models:
                raise RowError(
                    _("%(column)s does not apply to a record of type %(type)s; leave it empty.")
                    % {"column": column, "type": type_name}
                )
        collection = self._collection(cells["collection"])
        existing = self._existing(identifier)
        if existing is not None:
            if not isinstance(existing, model):
                raise RowError(
                    _("type: %(identifier)s is a %(existing)s; an import cannot change the type of a record.")
                    % {"identifier": identifier, "existing": existing.type_label}
                )
            parent = existing.get_parent()
            if parent.pk != collection.pk:
                raise RowError(
                    _(
                        "collection: %(identifier)s is in the collection “%(current)s”; move it in the admin "
                        "or correct the file."
                    )
                    % {"identifier": identifier, "current": parent.slug}
                )
            page = existing.get_latest_revision_as_object()
            before = snapshot(page)
        else:
            page = model(identifier=identifier, locale=self.locale)
            before = None
        self._apply(page, cells, collection, is_new=existing is None)
        try:
            # A new page has no place in the tree until it is written (treebeard fills these in).
            page.full_clean(exclude=["path", "depth"] if existing is None else None)
        except ValidationError as exc:
            raise RowError(validation_message(exc)) from exc
        if existing is None and not Page._slug_is_available(page.slug, collection):
            raise RowError(
                _("slug: “%(slug)s” is already used in the collection “%(collection)s”.")
                % {"slug": page.slug, "collection": collection.slug}
            )
        media = check_media(split_list(cells.get("media", "")), self.media_dir)
        if existing is None:
            to_attach = media
        else:
            linked = set(
                RecordMedia.objects.filter(
                    record_id=existing.pk, original__sha256__in=[m.sha256 for m in media]
                ).values_list("original__sha256", flat=True)
            )
            to_attach = [item for item in media if item.sha256 not in linked]
        changed = before is None or snapshot(page) != before
        return Plan(row, page, collection, existing is None, changed, media, to_attach)

    def _apply(self, page: RecordPage, cells: dict[str, str], collection: CollectionPage, is_new: bool) -> None:
        """Set the fields of every column present in the file (an empty cell empties the field)."""
        present = cells.keys()
        fields = {field.name for field in page._meta.concrete_fields}
        for column, field in TEXT_COLUMNS.items():
            if column in present and field in fields:
                setattr(page, field, cells[column].strip())
        if "slug" in present and cells["slug"].strip():
            page.slug = cells["slug"].strip()
            if is_new and page.slug in self.planned_slugs.get(collection.pk, set()):
                raise RowError(
                    _("slug: “%(slug)s” is already taken by an earlier row in the collection “%(collection)s”.")
                    % {"slug": page.slug, "collection": collection.slug}
                )
        elif is_new:
            page.slug = self._free_slug(ascii_slug(page.title) or "ban-ghi", collection)
        self.planned_slugs.setdefault(collection.pk, set()).add(page.slug)
        if "body" in present:
            page.body = paragraphs_html(cells["body"])
        if "access_level" in present:
            page.access_level = choice(cells["access_level"], "access_level", AccessLevel.values, AccessLevel.PUBLIC)
        if "sacred_group" in present:
            name = cells["sacred_group"].strip()
            group = Group.objects.filter(name=name).first() if name else None
            if name and group is None:
                raise RowError(_("sacred_group: no user group named “%(name)s”.") % {"name": name})
            page.sacred_group = group
        if "heritage_level" in present:
            level = cells["heritage_level"].strip().lower()
            page.heritage_level = choice("" if level == "none" else level, "heritage_level", HeritageLevel.values)
        if "heritage_date" in present:
            page.heritage_date = parse_day(cells["heritage_date"], "heritage_date")
        if "heritage_year" in present:
            page.heritage_year = parse_int(cells["heritage_year"], "heritage_year")
        if "date" in present:
            page.date_precision, page.date_start, page.date_end = parse_date(cells["date"])
        if "date_lunar" in present:
            page.date_start_lunar = cells["date_lunar"].strip()
            if page.date_start_lunar and cells.get("date", "").strip():
                raise RowError(_("Give either date or date_lunar, not both."))
        for column in ("latitude", "longitude"):
            if column in present:
                setattr(page, column, parse_decimal(cells[column], column))
        self._apply_type_fields(page, cells)
        if "ethnic_groups" in present:
            page.ethnic_groups = self._ethnic_groups(cells["ethnic_groups"])
        if "places" in present:
            page.places = self._places(cells["places"])
        if "subjects" in present:
            page.subjects = self._terms(Subject, "slug", "subjects", split_list(cells["subjects"]))
        if "languages" in present:
            page.languages = self._terms(Language, "tag", "languages", split_list(cells["languages"]))
        if "contributors" in present:
            wanted = self._contributors(cells["contributors"])
            if [(item.name, item.role) for item in page.contributors.all()] != wanted:
                page.contributors = [
                    RecordContributor(name=name, role=role, sort_order=order)
                    for order, (name, role) in enumerate(wanted)
                ]
        if "other_titles" in present:
            wanted_titles = self._other_titles(cells["other_titles"])
            have = [(item.language_id, item.title) for item in page.other_titles.all()]
            if have != [(language.pk, title) for language, title in wanted_titles]:
                page.other_titles = [
                    RecordTitle(language=language, title=title, sort_order=order)
                    for order, (language, title) in enumerate(wanted_titles)
                ]

    def _apply_type_fields(self, page: RecordPage, cells: dict[str, str]) -> None:
        present = cells.keys()
        if isinstance(page, FestivalPage):
            if "lunar_rule" in present:
                page.lunar_day, page.lunar_month, page.lunar_leap_month = parse_lunar_rule(cells["lunar_rule"])
            if "duration_days" in present:
                page.duration_days = parse_int(cells["duration_days"], "duration_days") or 1
        if isinstance(page, CustomPage | CraftPage) and "category" in present:
            categories = type(page).Category
            page.category = choice(cells["category"], "category", categories.values, categories.values[0])
        if isinstance(page, DocumentPage):
            if "issue_date" in present:
                page.issue_date = parse_day(cells["issue_date"], "issue_date")
            if "effective_date" in present:
                page.effective_date = parse_day(cells["effective_date"], "effective_date")
            if "status" in present:
                page.status = choice(cells["status"], "status", DocumentPage.Status.values, DocumentPage.Status.UNKNOWN)

    def _free_slug(self, base: str, collection: CollectionPage) -> str:
        taken = set(collection.get_children().values_list("slug", flat=True)) | self.planned_slugs.get(
            collection.pk, set()
        )
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return slug

    # -- writing ----------------------------------------------------------------------------------

    def write(self, plan: Plan) -> RowOutcome:
        """Carry out one row's plan in one transaction; originals stored for a row that fails are removed."""
        outcome = RowOutcome(plan.row.line, plan.row.identifier, Action.UNCHANGED)
        stored: list[str] = []
        try:
            with transaction.atomic():
                page = plan.page
                if plan.is_new:
                    page.live = False
                    page.has_unpublished_changes = True
                    plan.collection.add_child(instance=page)
                    log(instance=page, action="wagtail.create", user=self.user)
                    revision = page.save_revision(user=self.user, log_action=False)
                    self._mirror(page)
                    outcome.action = Action.CREATED
                elif plan.changed:
                    revision = page.save_revision(user=self.user, log_action=True)
                    outcome.action = Action.UPDATED
                else:
                    revision = page.get_latest_revision() if (not page.live or page.has_unpublished_changes) else None
                if self.publish and revision is not None:
                    revision.publish(user=self.user)
                    outcome.published = True
                for item in plan.to_attach:
                    original, created = ingest_file(item.path, item.filename, page, self.user)
                    if created:
                        stored.append(original.file.name)
                        outcome.media_stored += 1
                    outcome.media_attached += 1
        except BaseException:
            for name in stored:
                with contextlib.suppress(OSError):
                    default_storage.delete(name)
            raise
        return outcome

    def _mirror(self, page: RecordPage) -> None:
        """Aliases in the other locales, as the admin makes for a new page (translated later)."""
        if not getattr(settings, "WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE", False):
            return
        for locale in Locale.objects.exclude(pk=page.locale_id):
            if not page.has_translation(locale):
                page.copy_for_translation(locale, copy_parents=True, alias=True)

    def predict(self, plan: Plan) -> RowOutcome:
        """What :meth:`write` would report, for a dry run."""
        action = Action.CREATED if plan.is_new else Action.UPDATED if plan.changed else Action.UNCHANGED
        page = plan.page
        publishes = self.publish and (action != Action.UNCHANGED or not page.live or page.has_unpublished_changes)
        return RowOutcome(
            plan.row.line,
            plan.row.identifier,
            action,
            published=publishes,
            media_stored=sum(1 for item in plan.to_attach if item.original is None),
            media_attached=len(plan.to_attach),
        )

    # -- the whole file ---------------------------------------------------------------------------

    def run(self, progress: Callable[[int, int], None] | None = None) -> ImportReport:
        _columns, rows = read_manifest(self.manifest)
        report = ImportReport(str(self.manifest), self.dry_run)
        lines: dict[str, list[int]] = {}
        for row in rows:
            if row.identifier:
                lines.setdefault(row.identifier, []).append(row.line)
        for done, row in enumerate(rows, start=1):
            report.rows.append(self._one(row, lines.get(row.identifier, [])))
            if progress:
                progress(done, len(rows))
        return report

    def _one(self, row: Row, same_identifier: list[int]) -> RowOutcome:
        try:
            if len(same_identifier) > 1:
                raise RowError(
                    _("identifier %(identifier)s is on more than one row (lines %(lines)s); give each record once.")
                    % {"identifier": row.identifier, "lines": ", ".join(map(str, same_identifier))}
                )
            plan = self.plan(row)
            return self.predict(plan) if self.dry_run else self.write(plan)
        except RowError as exc:
            return RowOutcome(row.line, row.identifier, Action.REJECTED, str(exc))
        except ProcessingError as exc:  # a file that changed between the check and the intake
            return RowOutcome(row.line, row.identifier, Action.REJECTED, exc.message)
        except ValidationError as exc:
            return RowOutcome(row.line, row.identifier, Action.REJECTED, validation_message(exc))


def import_records(
    manifest: Path,
    media_dir: Path | None = None,
    *,
    dry_run: bool = False,
    publish: bool = False,
    user=None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a CSV manifest; raises ManifestError when the file as a whole cannot be read."""
    if media_dir is not None and not Path(media_dir).is_dir():
        raise ManifestError(_("The media folder %(folder)s does not exist.") % {"folder": media_dir})
    importer = Importer(manifest, media_dir, dry_run=dry_run, publish=publish, user=user)
    return importer.run(progress)
