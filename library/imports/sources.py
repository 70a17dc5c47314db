"""Catalogue files into entries: MARC 21 (binary, MARCXML) and CSV, each record checked on its own.

A record that cannot be read — a broken leader or directory, a record cut short, text that is not in
the encoding its leader names, control characters — becomes an :class:`Entry` with the reason and
where it is in the file, and the records around it are still read. Only a file that cannot be read at
all (not MARC, not well-formed XML, a CSV without a title column) raises :class:`SourceError`.

Binary MARC is split at the end-of-record mark (0x1D) rather than trusted to the length in each
leader, so one broken leader does not take the rest of the file with it. Text is decoded field by
field: UTF-8 (leader/09 ``a``) strictly, MARC-8 (leader/09 blank) with pymarc's MARC-8 tables. A
record whose leader says MARC-8 but whose bytes are all valid UTF-8 is read as UTF-8 (the usual
mislabel; MARC-8 diacritics are never valid UTF-8), and the report says so.
"""

import contextlib
import csv
import dataclasses
import io
import re
import unicodedata
import xml.sax
from pathlib import Path

from pymarc import Field, Indicators, Leader, Record, Subfield
from pymarc.marc8 import MARC8ToUnicode
from pymarc.marcxml import XmlHandler

from django.utils.translation import gettext as _

from archive.text import nfc
from ingest.imports.manifest import MAX_CELL_CHARS, ManifestError, decode
from ingest.imports.values import RowError, check_controls, parse_date, split_list
from library.mapping import Agent, Holding, Host, ItemData, marc_to_item_data

END_OF_RECORD = 0x1D
END_OF_FIELD = 0x1E
SUBFIELD = 0x1F
LEADER_LENGTH = 24
RECORD_TYPES = "acdefgijkmoprt"
BIBLIOGRAPHIC_LEVELS = "abcdims"
FORMATS = ("marc", "marcxml", "csv")


class SourceError(ManifestError):
    """The file as a whole cannot be read; nothing is imported."""


@dataclasses.dataclass
class Entry:
    """One record (or CSV row) of the file, read or refused."""

    number: int  # the record's number in the file, from 1 (for CSV: the row's line)
    where: str  # for the report: "record 3 (byte 1234)", "record 3 (line 45)", "line 7"
    data: ItemData | None = None
    error: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)
    kind: str = "marc"  # or "csv"

    @property
    def title(self) -> str:
        return self.data.title if self.data else ""


def detect_format(path: Path, head: bytes) -> str:
    """marc, marcxml or csv, from the extension and else the first bytes."""
    suffix = path.suffix.lower()
    if suffix in (".mrc", ".marc", ".dat", ".iso", ".mrk8"):
        return "marc"
    if suffix == ".xml":
        return "marcxml"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return "marcxml"
    if re.match(rb"^\d{5}[a-z ]", stripped):
        return "marc"
    return "csv"


def read_source(path: Path, fmt: str | None = None) -> tuple[str, list[Entry]]:
    """(format, entries) of a catalogue file; SourceError when it cannot be read at all."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
    if not data.strip():
        raise SourceError(_("The file is empty."))
    fmt = fmt or detect_format(path, data[:64])
    readers = {"marc": read_marc, "marcxml": read_marcxml, "csv": read_csv}
    entries = readers[fmt](data)
    if not entries:
        raise SourceError(_("The file holds no records."))
    return fmt, entries


# --- text checks shared by every format ----------------------------------------------------------


def _controls(text: str) -> list[str]:
    found = {ch for ch in text if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc"}
    return [f"U+{ord(ch):04X}" for ch in sorted(found)]


def check_record_text(record: Record) -> None:
    """Refuse control characters (NUL, escape, C1 controls: the trace of text converted twice)."""
    problems: dict[str, set[str]] = {}
    for field in record.fields:
        texts = [field.data or ""] if field.control_field else [sub.value for sub in field.subfields]
        for text in texts:
            if codes := _controls(text):
                problems.setdefault(field.tag, set()).update(codes)
    if problems:
        raise RowError(
            _(
                "%(fields)s: control characters are not allowed in text (a C1 control such as U+0080–U+009F is "
                "usually the trace of UTF-8 text converted twice through Latin-1); correct the record."
            )
            % {"fields": ", ".join(f"field {tag} ({', '.join(sorted(codes))})" for tag, codes in problems.items())}
        )


def check_leader(leader: str, *, xml: bool = False) -> None:
    """Refuse a leader a MARC 21 bibliographic record cannot have, naming the positions."""
    if len(leader) != LEADER_LENGTH:
        raise RowError(
            _("the leader has %(length)s characters, not 24: the record is broken.") % {"length": len(leader)}
        )
    if not xml:
        for start, end, what in ((0, 5, _("record length")), (12, 17, _("base address of data"))):
            if not leader[start:end].isdigit():
                raise RowError(
                    _("the leader is broken: positions %(start)02d-%(end)02d (%(what)s) are “%(value)s”, not digits.")
                    % {"start": start, "end": end - 1, "what": what, "value": leader[start:end]}
                )
        if leader[10:12] != "22" or leader[20:23] != "450":
            raise RowError(
                _(
                    "the leader is broken: positions 10-11 are “%(counts)s” (MARC 21 has 22) and 20-22 are "
                    "“%(map)s” (MARC 21 has 450); this is not a MARC 21 record, or its leader is shifted."
                )
                % {"counts": leader[10:12], "map": leader[20:23]}
            )
    if leader[6] not in RECORD_TYPES:
        raise RowError(
            _("the leader is broken: position 06 (type of record) is “%(value)s”, which MARC 21 does not define.")
            % {"value": leader[6]}
        )
    if leader[7] not in BIBLIOGRAPHIC_LEVELS:
        raise RowError(
            _("the leader is broken: position 07 (bibliographic level) is “%(value)s”, which MARC 21 does not define.")
            % {"value": leader[7]}
        )
    if leader[9] not in " a":
        raise RowError(
            _("leader/09 (character coding) is “%(value)s”: MARC 21 knows only blank (MARC-8) and “a” (UTF-8).")
            % {"value": leader[9]}
        )


# --- MARC 21 in its binary form --------------------------------------------------------------------


class _Marc8:
    """MARC-8 to Unicode with pymarc's tables, refusing what they cannot map (pymarc writes a space)."""

    def __call__(self, raw: bytes) -> str:
        if bad := sorted({byte for byte in raw if byte < 0x20 and byte != 0x1B}):
            raise UnicodeError(bad[0], "control")
        complaints = io.StringIO()
        with contextlib.redirect_stderr(complaints):
            try:
                text = MARC8ToUnicode(quiet=False).translate(raw)
            except (IndexError, TypeError, ValueError) as exc:
                raise UnicodeError(raw[0] if raw else 0, "marc8") from exc
        if match := re.search(r"character 0x([0-9a-f]+)", complaints.getvalue()):
            raise UnicodeError(int(match[1], 16), "marc8")
        if complaints.getvalue():
            raise UnicodeError(raw[0] if raw else 0, "marc8")
        return text


def _split(data: bytes) -> list[tuple[int, bytes]]:
    """(byte offset, bytes) of each record: up to and including its end-of-record mark."""
    chunks, position = [], 0
    while position < len(data):
        end = data.find(bytes([END_OF_RECORD]), position)
        chunk = data[position : end + 1] if end != -1 else data[position:]
        offset = position + len(chunk) - len(chunk.lstrip(b"\r\n \t\x00"))
        chunk = chunk.lstrip(b"\r\n \t\x00")
        if chunk:
            chunks.append((offset, chunk))
        position = end + 1 if end != -1 else len(data)
    return chunks


def read_marc(data: bytes) -> list[Entry]:
    entries = []
    for number, (offset, chunk) in enumerate(_split(data), start=1):
        entry = Entry(number, _("record %(number)s (byte %(offset)s)") % {"number": number, "offset": offset})
        try:
            record, notes = parse_binary(chunk, offset)
            check_record_text(record)
            entry.data = marc_to_item_data(record)
            entry.notes += notes
        except RowError as exc:
            entry.error = str(exc)
        entries.append(entry)
    return entries


def parse_binary(chunk: bytes, offset: int) -> tuple[Record, list[str]]:
    """One record in transmission format, checked position by position, its text decoded."""
    if len(chunk) < LEADER_LENGTH:
        raise RowError(
            _("the record is cut short: %(length)s bytes, fewer than its 24-byte leader.") % {"length": len(chunk)}
        )
    try:
        leader = chunk[:LEADER_LENGTH].decode("ascii")
    except UnicodeDecodeError as exc:
        raise RowError(
            _("the leader is broken: byte %(byte)s (0x%(value)02x) is not a leader character.")
            % {"byte": offset + exc.start, "value": chunk[exc.start]}
        ) from exc
    check_leader(leader)
    length, base = int(leader[:5]), int(leader[12:17])
    if chunk[-1] != END_OF_RECORD:
        raise RowError(
            _(
                "the record is cut short: it has no end-of-record mark (0x1D); the leader says %(length)s bytes, "
                "%(found)s are left in the file."
            )
            % {"length": length, "found": len(chunk)}
        )
    if length != len(chunk):
        raise RowError(
            _(
                "the record length in the leader (positions 00-04) is %(length)s, but the record runs %(found)s "
                "bytes to its end-of-record mark (byte %(end)s): the record is cut short or the leader is wrong."
            )
            % {"length": length, "found": len(chunk), "end": offset + len(chunk) - 1}
        )
    if not LEADER_LENGTH < base < length or chunk[base - 1] != END_OF_FIELD:
        raise RowError(
            _(
                "the leader is broken: the base address of data (positions 12-16) is %(base)s, which is not "
                "where the directory ends."
            )
            % {"base": base}
        )
    directory = chunk[LEADER_LENGTH : base - 1]
    if len(directory) % 12 or not re.fullmatch(rb"(?:[0-9A-Za-z]{3}[0-9]{9})*", directory):
        raise RowError(
            _("the directory (bytes %(start)s-%(end)s) is broken: its entries are not 12 digits each.")
            % {"start": offset + LEADER_LENGTH, "end": offset + base - 2}
        )
    raw_fields = []
    for start in range(0, len(directory), 12):
        entry = directory[start : start + 12].decode("ascii")
        tag, size, where = entry[:3], int(entry[3:7]), int(entry[7:12])
        begin, end = base + where, base + where + size
        if end > length - 1 or size < 1 or chunk[end - 1] != END_OF_FIELD:
            raise RowError(
                _(
                    "field %(tag)s: the directory points outside the record or not at the end of a field "
                    "(byte %(byte)s)."
                )
                % {"tag": tag, "byte": offset + begin}
            )
        raw_fields.append((tag, chunk[begin : end - 1], offset + begin))
    notes = []
    coding = leader[9]
    text = b"".join(raw for _tag, raw, _at in raw_fields)
    if coding == " " and not text.isascii():
        try:
            text.decode("utf-8")
            coding = "a"
            notes.append(_("read as UTF-8: leader/09 says MARC-8, but the text is UTF-8"))
        except UnicodeDecodeError:
            pass
    decoder = (lambda raw: raw.decode("utf-8")) if coding == "a" else _Marc8()
    record = Record(leader=leader)
    record.leader = Leader(leader[:9] + "a" + leader[10:])
    for tag, raw, at in raw_fields:
        record.add_field(_decode_field(tag, raw, at, decoder, coding))
    return record, notes


def _decode_field(tag: str, raw: bytes, at: int, decoder, coding: str) -> Field:
    def text(part: bytes, part_at: int) -> str:
        try:
            return nfc(decoder(part))
        except UnicodeDecodeError as exc:
            raise RowError(
                _(
                    "field %(tag)s: byte %(byte)s (0x%(value)02x) is not UTF-8, although the leader says the "
                    "record is UTF-8 (leader/09 = a). The record is probably in Latin-1 or Windows-1252; convert it "
                    "to UTF-8 and import it again. Nothing of it was stored."
                )
                % {"tag": tag, "byte": part_at + exc.start, "value": part[exc.start]}
            ) from exc
        except UnicodeError as exc:
            value, why = exc.args
            if why == "control":
                raise RowError(
                    _("field %(tag)s: control character 0x%(value)02x in the text; correct the record.")
                    % {"tag": tag, "value": value}
                ) from exc
            raise RowError(
                _(
                    "field %(tag)s (byte %(byte)s): character 0x%(value)02x cannot be read as MARC-8 (leader/09 "
                    "blank); the record is in another encoding. Convert it to UTF-8 and import it again."
                )
                % {"tag": tag, "byte": part_at, "value": value}
            ) from exc

    if tag < "010" and tag.isdigit():
        return Field(tag=tag, data=text(raw, at))
    parts = raw.split(bytes([SUBFIELD]))
    indicators = parts[0].decode("ascii", "replace")
    if len(indicators) != 2:
        raise RowError(
            _("field %(tag)s (byte %(byte)s): it has %(count)s indicators, not 2.")
            % {"tag": tag, "byte": at, "count": len(indicators)}
        )
    subfields, position = [], at + len(parts[0]) + 1
    for part in parts[1:]:
        if part:
            code = chr(part[0]) if part[0] < 0x80 else "?"
            subfields.append(Subfield(code, text(part[1:], position + 1)))
        position += len(part) + 1
    return Field(tag=tag, indicators=Indicators(*indicators), subfields=subfields)


# --- MARCXML -----------------------------------------------------------------------------------------


class _Handler(XmlHandler):
    """pymarc's MARCXML reader, remembering the line where each record starts."""

    def __init__(self):
        # Not strict: MARCXML written without its namespace (it happens) is read too.
        super().__init__(strict=False, normalize_form="NFC")
        self.lines: list[int] = []
        self._locator = None

    def setDocumentLocator(self, locator):  # noqa: N802 - the SAX name
        self._locator = locator

    def startElementNS(self, name, qname, attrs):  # noqa: N802
        if name[1] == "record":
            self.lines.append(self._locator.getLineNumber() if self._locator else 0)
        super().startElementNS(name, qname, attrs)


def read_marcxml(data: bytes) -> list[Entry]:
    handler = _Handler()
    # Expat (2.4+) limits entity expansion; external entities and DTDs are not fetched (below).
    parser = xml.sax.make_parser()  # noqa: S317
    parser.setContentHandler(handler)
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
    try:
        parser.parse(io.BytesIO(data))
    except xml.sax.SAXParseException as exc:
        raise SourceError(
            _(
                "Line %(line)s, column %(column)s: the file is not well-formed XML (%(error)s). A byte that is not "
                "UTF-8 in a file that says it is, or an unescaped “&” or “<”, is the usual cause."
            )
            % {"line": exc.getLineNumber(), "column": exc.getColumnNumber(), "error": exc.getMessage()}
        ) from exc
    if not handler.records:
        raise SourceError(_("The file is XML but not MARCXML (no records in the MARC21/slim namespace)."))
    entries = []
    for number, (record, line) in enumerate(zip(handler.records, handler.lines, strict=False), start=1):
        entry = Entry(number, _("record %(number)s (line %(line)s)") % {"number": number, "line": line})
        try:
            check_leader(str(record.leader), xml=True)
            check_record_text(record)
            entry.data = marc_to_item_data(record)
        except RowError as exc:
            entry.error = str(exc)
        entries.append(entry)
    return entries


# --- CSV -----------------------------------------------------------------------------------------------

# Column → ItemData field, for the columns that are copied as text.
CSV_TEXT_COLUMNS = {
    "identifier": "identifier",
    "title": "title",
    "subtitle": "subtitle",
    "publisher": "publisher",
    "place": "publication_place",
    "edition": "edition",
    "extent": "extent",
    "series": "series",
    "series_number": "series_number",
    "isbn": "isbn",
    "issn": "issn",
    "doi": "doi",
    "report_number": "report_number",
    "summary": "summary",
    "notes": "notes",
    "provenance": "provenance",
    "rights": "rights_uri",
    "container_title": "container_title",
    "volume": "volume",
    "issue": "issue_number",
    "pages": "pages",
    "degree": "degree",
    "institution": "institution",
    "conference_name": "conference_name",
    "conference_place": "conference_place",
    "scale": "scale",
    "frequency": "frequency",
}
CSV_LIST_COLUMNS = ("creators", "other_titles", "languages", "subjects", "ethnic_groups", "places", "holdings")
CSV_COLUMNS = (*CSV_TEXT_COLUMNS, "type", "date", "table_of_contents", "part_of", "file", *CSV_LIST_COLUMNS)
CSV_FIELDS = {  # column → the ItemData fields it describes
    **{column: {field} for column, field in CSV_TEXT_COLUMNS.items()},
    "date": {"date"},
    "table_of_contents": {"table_of_contents"},
    "part_of": {"host"},
    "creators": {"creators"},
    "other_titles": {"other_titles"},
    "languages": {"languages"},
    "subjects": {"subjects"},
    "ethnic_groups": {"index_terms"},
    "places": {"places"},
    "holdings": {"holdings"},
}
CREATOR_PATTERN = re.compile(r"(?P<name>.+?)\s*\(\s*(?P<role>[^,()]+?)\s*(?:,\s*(?P<kind>person|organisation)\s*)?\)")


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data: bytes) -> list[Entry]:
    try:
        text = decode(data)
    except ManifestError as exc:
        raise SourceError(str(exc)) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    previous = csv.field_size_limit(MAX_CELL_CHARS)
    entries, line = [], 1
    try:
        header = [nfc(name).strip().lower() for name in next(reader)]
        while header and not header[-1]:
            header.pop()
        _check_header(header)
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            while len(cells) > len(header) and not cells[-1].strip():
                cells.pop()
            entry = Entry(start, _("line %(line)s") % {"line": start}, kind="csv")
            if len(cells) != len(header):
                entry.error = _("The row has %(cells)s cells; the header has %(columns)s columns.") % {
                    "cells": len(cells),
                    "columns": len(header),
                }
            else:
                row = dict(zip(header, cells, strict=True))
                try:
                    entry.data = csv_item_data(row)
                except RowError as exc:
                    entry.error = str(exc)
                    # Named in the report by what the row says it is.
                    entry.data = ItemData(title=" ".join(row.get("title", "").split()))
            entries.append(entry)
    except csv.Error as exc:
        raise SourceError(_("Line %(line)s: %(error)s") % {"line": line, "error": exc}) from exc
    finally:
        csv.field_size_limit(previous)
    return entries


def _check_header(header: list[str]) -> None:
    unknown = [column for column in header if column not in CSV_COLUMNS]
    repeated = sorted({column for column in header if header.count(column) > 1})
    problems = []
    if "title" not in header:
        problems.append(_("missing required columns: %(columns)s") % {"columns": "title"})
    if unknown:
        problems.append(
            _("unknown columns: %(columns)s (column names are listed in docs/import-format.md)")
            % {"columns": ", ".join(repr(column) for column in unknown)}
        )
    if repeated:
        problems.append(_("columns given twice: %(columns)s") % {"columns": ", ".join(repeated)})
    if problems:
        raise SourceError(_("Line 1 (the header): %(problems)s.") % {"problems": "; ".join(problems)})


def csv_item_data(cells: dict[str, str]) -> ItemData:
    """A CSV row as ItemData: only its columns are ``present``."""
    check_controls(cells)
    data = ItemData(type_slug=cells.get("type", "").strip().lower().replace("_", "-"))
    for column, values in CSV_FIELDS.items():
        if column in cells:
            data.present |= values
    for column, field in CSV_TEXT_COLUMNS.items():
        if column in cells:
            setattr(
                data,
                field,
                " ".join(cells[column].split())
                if field not in ("summary", "notes", "provenance")
                else cells[column].strip(),
            )
    if "date" in cells:
        data.date = parse_date(cells["date"])
    if "table_of_contents" in cells:
        lines = cells["table_of_contents"].replace("\r\n", "\n").split("\n")
        if len(lines) == 1:
            lines = lines[0].split(" -- ")
        data.table_of_contents = "\n".join(line.strip() for line in lines if line.strip())
    if cells.get("part_of", "").strip():
        data.host = Host(identifier=cells["part_of"].strip())
    for item in split_list(cells.get("creators", "")):
        match = CREATOR_PATTERN.fullmatch(item)
        if not match:
            raise RowError(
                _("creators: write each creator as Name (role), e.g. Nguyễn Văn Huy (aut); got “%(item)s”.")
                % {"item": item}
            )
        data.creators.append(Agent(match["name"].strip(), match["kind"] or "", match["role"].strip().lower()))
    for item in split_list(cells.get("other_titles", "")):
        tag, colon, title = item.partition(":")
        if not colon or not tag.strip() or not title.strip():
            raise RowError(
                _("other_titles: write each title as language:title, e.g. en:The Lồng Tồng festival (got “%(item)s”).")
                % {"item": item}
            )
        data.other_titles.append((tag.strip(), title.strip()))
    data.languages = split_list(cells.get("languages", ""))
    data.subjects = split_list(cells.get("subjects", ""))
    data.index_terms = split_list(cells.get("ethnic_groups", ""))
    data.places = split_list(cells.get("places", ""))
    for item in split_list(cells.get("holdings", "")):
        institution, _bar, rest = item.partition("|")
        call_number, _bar, note = rest.partition("|")
        if not institution.strip():
            raise RowError(
                _("holdings: write each copy as Library | call number | note (got “%(item)s”).") % {"item": item}
            )
        data.holdings.append(Holding(institution.strip(), call_number.strip(), note.strip()))
    if cells.get("file", "").strip():
        data.files = split_list(cells["file"])
    return data
