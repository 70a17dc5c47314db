"""Spreadsheet templates generated from the catalogue, and reading filled-in ones.

A template has one row per figure ("long" layout): the indicator, the period, the unit, one
column per breakdown of the indicator, the value and its unit of measure, status, source and
notes. Its header cells read "Vietnamese label (key)"; the key in brackets is what the import
reads, so a header may be reworded or translated as long as the bracket stays (a header that
is exactly a known label in Vietnamese or English is recognised too). An XLSX template also has
a "Hướng dẫn" (instructions) sheet with the indicator's metadata and the allowed values, and a
hidden "_meta" sheet naming the template's version, indicator and columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from django.utils.translation import gettext as _

from stats.dimensions import indicator_dimensions
from stats.models import Disaggregation, fold

TEMPLATE_VERSION = "1"
DATA_SHEET = "Số liệu"
README_SHEET = "Hướng dẫn"
META_SHEET = "_meta"
TEMPLATE_ROWS = 500  # rows given drop-down lists in an XLSX template

# key: (Vietnamese label, English label)
FIXED_COLUMNS = {
    "indicator": ("Mã chỉ tiêu", "Indicator code"),
    "period": ("Kỳ số liệu", "Period"),
    "unit_code": ("Mã đơn vị hành chính", "Administrative unit code"),
    "unit_name": ("Tên đơn vị hành chính", "Administrative unit name"),
    "value": ("Giá trị", "Value"),
    "unit": ("Đơn vị tính", "Unit of measure"),
    "status": ("Trạng thái", "Status"),
    "source": ("Nguồn số liệu", "Source"),
    "notes": ("Ghi chú", "Notes"),
    "unit_version": ("Ranh giới tại ngày", "Boundaries as at"),
}
BEFORE_DIMENSIONS = ("indicator", "period", "unit_code", "unit_name")
AFTER_DIMENSIONS = ("value", "unit", "status", "source", "notes", "unit_version")
STATUS_WORDS = {
    "final": "final",
    "chính thức": "final",
    "provisional": "provisional",
    "sơ bộ": "provisional",
    "tạm thời": "provisional",
    "ước tính": "provisional",
}
HEADER_KEY = re.compile(r"\(([a-z_][a-z0-9_]*)\)\s*$")


def template_columns(indicators) -> list[tuple[str, str, str]]:
    """(key, Vietnamese label, English label) of the columns for ``indicators`` (their breakdowns together)."""
    columns = [(key, *FIXED_COLUMNS[key]) for key in BEFORE_DIMENSIONS]
    seen = set()
    for indicator in indicators:
        for dimension in indicator_dimensions(indicator):
            if dimension.code not in seen:
                seen.add(dimension.code)
                columns.append((dimension.code, dimension.name, dimension.name_en))
    columns += [(key, *FIXED_COLUMNS[key]) for key in AFTER_DIMENSIONS]
    return columns


def header_text(key: str, label: str) -> str:
    return f"{label} ({key})"


# --- writing templates --------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_csv_template(indicators, out) -> None:
    writer = csv.writer(out)
    writer.writerow([header_text(key, vi) for key, vi, _en in template_columns(indicators)])


def _readme(workbook: Workbook, indicators) -> None:
    sheet = workbook.create_sheet(README_SHEET)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 100
    bold = Font(bold=True)
    rows: list[tuple[str, str]] = [
        ("Mẫu nhập số liệu thống kê công tác dân tộc", "Template for ethnic-affairs statistics"),
        ("", ""),
        (
            "Cách điền",
            "Mỗi dòng của trang “Số liệu” là một số liệu. Để trống cột phân tổ nghĩa là tổng (ví dụ để trống "
            "Giới tính = cả hai giới). Không gộp ô. Số viết kiểu Việt Nam: dấu “.” ngăn cách hàng nghìn, dấu “,” "
            "thập phân (1.234,5); “12,5%” cho tỷ lệ phần trăm. Trạng thái: “sơ bộ” hoặc “chính thức” (để trống là "
            "sơ bộ; số liệu sơ bộ không bao giờ được công bố). Đơn vị hành chính: ghi mã (VN = toàn quốc) và/hoặc "
            "tên, theo đơn vị tại thời điểm của số liệu (đơn vị cũ trước 1/7/2025 vẫn dùng được).",
        ),
        (
            "How to fill in",
            "One figure per row of the “Số liệu” sheet. An empty breakdown column means the total. Do not merge "
            "cells. Numbers in Vietnamese style: “.” separates thousands, “,” is the decimal mark (1.234,5); "
            "“12,5%” for a percentage. Status: “sơ bộ” (provisional) or “chính thức” (final); empty means "
            "provisional, and provisional figures are never published. Unit: its code (VN = whole country) and/or "
            "name, as the unit was at the time of the figure (units abolished on 1 July 2025 are fine).",
        ),
        ("Kỳ số liệu / Period", "2019; 2019-04-01 hoặc 01/04/2019; 2021-2026; 2025-01-01/2025-06-30"),
        ("", ""),
    ]
    for indicator in indicators:
        code = indicator.code if indicator.code_verified else f"{indicator.working_code} (mã tạm, chưa xác minh)"
        rows += [
            ("Chỉ tiêu / Indicator", f"{code} — {indicator.name} / {indicator.name_en}"),
            ("Đơn vị tính / Unit", f"{indicator.unit.symbol} ({indicator.unit.name_en})"),
            ("Khái niệm / Definition", indicator.definition or "—"),
            ("Phương pháp tính / Method", indicator.method or "—"),
            ("Cộng dồn được / Additive", "có / yes" if indicator.additive else "không / no"),
            ("Căn cứ pháp lý / Legal basis", indicator.legal_basis or "—"),
            ("Xác minh / Verification", indicator.verification_note or indicator.get_verification_display()),
        ]
        for dimension in indicator_dimensions(indicator):
            values = ", ".join(
                f"{value.code} = {value.name}" for value in dimension.values if value.code not in dimension.excluded
            )
            rows.append((f"{dimension.name} ({dimension.code})", values or "—"))
        rows.append(("", ""))
    for row in rows:
        sheet.append(row)
    for cell in sheet["A"]:
        cell.font = bold
    for cell in sheet["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_xlsx_template(indicators, out) -> None:
    indicators = list(indicators)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    columns = template_columns(indicators)
    sheet.append([header_text(key, vi) for key, vi, _en in columns])
    for position, (key, _vi, _en) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = 28 if key in ("unit_name", "source", "notes") else 16
        # Codes typed into cells stay text (a province code 08 keeps its zero).
        if key in ("indicator", "unit_code", "period"):
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=position).number_format = "@"
        allowed = _allowed_values(key, indicators)
        if allowed:
            validation = DataValidation(type="list", formula1=f'"{",".join(allowed)}"', allow_blank=True)
            validation.error = _("Choose a value from the list.")
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.freeze_panes = "A2"
    _readme(workbook, indicators)
    meta = workbook.create_sheet(META_SHEET)
    meta.append(["template_version", TEMPLATE_VERSION])
    meta.append(["indicators", ",".join(indicator.code for indicator in indicators)])
    meta.append(["columns", ",".join(key for key, _vi, _en in columns)])
    meta.append(["generated", dt.date.today().isoformat()])
    meta.sheet_state = "hidden"
    workbook.save(out)


def _allowed_values(key: str, indicators) -> list[str]:
    if key == "status":
        return ["sơ bộ", "chính thức"]
    if key == "indicator":
        return [indicator.code for indicator in indicators]
    if key == "unit":
        return sorted({indicator.unit.symbol for indicator in indicators})
    for indicator in indicators:
        for dimension in indicator_dimensions(indicator):
            if dimension.code == key and len(dimension.values) <= 12:
                # An Excel list is at most 255 characters: long lists (ethnic groups) are in the instructions.
                names = [value.name for value in dimension.values if value.code not in dimension.excluded]
                if len(",".join(names)) < 250 and not any("," in name for name in names):
                    return names
    return []


# --- reading filled-in files --------------------------------------------------------------


@dataclass
class Cell:
    coordinate: str
    value: object
    percent_format: bool = False  # an XLSX cell formatted as a percentage (0.125 shown as 12.5%)


@dataclass
class Row:
    sheet: str
    number: int
    cells: dict[str, Cell]

    def value(self, key: str):
        cell = self.cells.get(key)
        return None if cell is None else cell.value

    def coordinate(self, key: str) -> str:
        cell = self.cells.get(key)
        return cell.coordinate if cell else f"{self.number}"

    def is_empty(self) -> bool:
        return all(cell.value in (None, "") or str(cell.value).strip() == "" for cell in self.cells.values())


@dataclass
class SheetIssue:
    sheet: str
    cell: str
    message: str
    kind: str = "error"


@dataclass
class ReadResult:
    rows: list[Row] = field(default_factory=list)
    issues: list[SheetIssue] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def _known_headers() -> dict[str, str]:
    """Folded header text → column key, for headers without the bracketed key."""
    known = {}
    for key, (vi, en) in FIXED_COLUMNS.items():
        known[fold(vi)] = known[fold(en)] = known[key] = key
    for disaggregation in Disaggregation.objects.all():
        for name in (disaggregation.name, disaggregation.name_en, disaggregation.code):
            if name:
                known[fold(name)] = disaggregation.code
    return known


def _column_key(text, known: dict[str, str]) -> str | None:
    if text is None:
        return None
    text = str(text).strip()
    match = HEADER_KEY.search(text)
    if match and match.group(1) in known.values():
        return match.group(1)
    return known.get(fold(text))


def _read_table(sheet_name: str, rows, known, result: ReadResult, merged=()) -> None:
    """Find the header row (the first row naming an indicator and a value column) and read the rows under it."""
    header_row, columns = None, {}
    rows = list(rows)
    for number, cells in rows:
        keys = {position: _column_key(cell.value, known) for position, cell in enumerate(cells)}
        found = {key for key in keys.values() if key}
        if {"indicator", "value"} <= found:
            header_row, columns = number, {position: key for position, key in keys.items() if key}
            break
        if number >= 20:
            break
    if header_row is None:
        result.issues.append(
            SheetIssue(
                sheet_name,
                "A1",
                _("No header row naming the indicator code and value columns: the sheet was not read."),
                kind="warning",
            )
        )
        return
    result.sheets.append(sheet_name)
    duplicates = [key for key in set(columns.values()) if list(columns.values()).count(key) > 1]
    for key in duplicates:
        result.issues.append(
            SheetIssue(sheet_name, f"{header_row}", _("Two columns are headed “%(key)s”.") % {"key": key})
        )
    for cell_range in merged:
        if cell_range.max_row >= header_row:
            result.issues.append(
                SheetIssue(
                    sheet_name,
                    cell_range.coord,
                    _(
                        "Merged cells (%(range)s): unmerge them and write the value in every row, "
                        "so each row stands on its own."
                    )
                    % {"range": cell_range.coord},
                )
            )
    for number, cells in rows:
        if number <= header_row:
            continue
        row = Row(sheet_name, number, {columns[p]: cell for p, cell in enumerate(cells) if p in columns})
        if not row.is_empty():
            result.rows.append(row)


MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def _merged_ranges(workbook, sheet) -> list[CellRange]:
    """The merged ranges of a sheet read in read-only mode (which does not keep them): the ``mergeCell``
    elements of the sheet's XML, found in its bytes."""
    data = workbook._archive.read(sheet._worksheet_path)
    return [CellRange(ref.decode()) for ref in MERGE_CELL.findall(data)]


def read_xlsx(path: Path) -> ReadResult:
    """Every visible sheet's table. Read-only (streaming) mode: about twice as fast as loading the workbook,
    and its memory does not grow with the file."""
    result = ReadResult()
    workbook = load_workbook(path, data_only=True, read_only=True)
    known = _known_headers()
    letters: list[str] = []
    try:
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible" or sheet.title == README_SHEET:
                continue
            rows = []
            for number, row in enumerate(sheet.iter_rows(), start=1):
                if len(letters) < len(row):
                    letters = [get_column_letter(column) for column in range(1, len(row) + 1)]
                cells = []
                for position, cell in enumerate(row):
                    value = cell.value
                    percent = isinstance(value, (int, float)) and "%" in (cell.number_format or "")
                    cells.append(Cell(f"{letters[position]}{number}", value, percent))
                if cells:
                    rows.append((number, cells))
            _read_table(sheet.title, rows, known, result, merged=_merged_ranges(workbook, sheet))
    finally:
        workbook.close()
    return result


def read_csv(path: Path) -> ReadResult:
    result = ReadResult()
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.issues.append(
            SheetIssue(path.name, "A1", _("The file is not UTF-8 text: save it as “CSV UTF-8” and import it again."))
        )
        return result
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for number, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        rows.append(
            (number, [Cell(f"{get_column_letter(col)}{number}", value) for col, value in enumerate(values, start=1)])
        )
    _read_table(path.name, rows, _known_headers(), result)
    return result


def read_file(path: Path) -> ReadResult:
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return read_csv(path)
    result = ReadResult()
    result.issues.append(
        SheetIssue(
            path.name, "", _("Only .xlsx and .csv files can be imported (not “%(suffix)s”).") % {"suffix": path.suffix}
        )
    )
    return result


def status_of(value) -> str | None:
    """The status a cell names ("chính thức" → final), "" for an empty cell, None for an unknown word."""
    if value is None or str(value).strip() == "":
        return ""
    return STATUS_WORDS.get(fold(value))
