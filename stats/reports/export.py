"""A filled report, or a summary over many units, as XLSX (openpyxl) and PDF (fpdf2) in the form's layout.

The layout is that of Vietnamese statistical report forms as far as it is known: the form's number and
legal basis at the top left, the reporting unit and the receiving unit at the top right (the reporting
unit's name top right is verified for TT 02/2018/TT-UBDT [V5]; the rest of the exact layout is not, since
the annexes were not readable), the title and period in the middle, then the table — Mã số, Chỉ tiêu,
Đơn vị tính, Số liệu — section by section, and the signature blocks. A form not verified against its
circular says so on the page.

The PDF is typeset in Be Vietnam Pro (OFL) from the installed ``fontpkg-be-vietnam-pro`` package, as the
demo PDFs are, so every Vietnamese letter is there and can be copied and searched.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from stats.models import FormCell, Report
from stats.numbers import format_number
from stats.reports.layout import Layout
from stats.reports.summary import Summary
from stats.reports.workflow import stored_values

FONT_FAMILY = "Be Vietnam Pro"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Line:
    kind: str  # "section" or "cell"
    code: str
    label: str
    unit: str = ""
    value: Decimal | str | None = None
    places: int | None = None
    note: str = ""

    @property
    def text(self) -> str:
        if self.value is None or self.value == "":
            return ""
        if isinstance(self.value, Decimal):
            return format_number(self.value, self.places)
        return str(self.value)


@dataclass
class Document:
    form_code: str
    verified: bool
    title: str
    period: str
    reporting_unit: str
    recipient: str
    legal_basis: str
    deadline: dt.date
    status: str
    filename: str
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signatures: bool = True

    @property
    def header_left(self) -> list[str]:
        lines = [_("Form: %(code)s") % {"code": self.form_code}]
        if self.legal_basis:
            lines.append(_("Legal basis: %(basis)s") % {"basis": self.legal_basis})
        lines.append(_("Due: %(date)s") % {"date": self.deadline.strftime("%d/%m/%Y")})
        return lines

    @property
    def header_right(self) -> list[str]:
        lines = [_("Reporting unit: %(unit)s") % {"unit": self.reporting_unit}]
        if self.recipient:
            lines.append(_("Receiving unit: %(unit)s") % {"unit": self.recipient})
        return lines


def lines_of(layout: Layout, values: dict, counted: dict | None = None) -> list[Line]:
    lines = []
    for section in layout.sections:
        if section.title:
            lines.append(Line("section", section.code, section.title))
        for cell in section.cells:
            value = values.get(cell.code)
            note = ""
            if counted is not None and cell.kind != FormCell.Kind.COMPUTED and not cell.adds_up:
                note = _("not added up")
            lines.append(Line("cell", cell.code, cell.display_label, cell.unit_label, value, cell.places, note))
    return lines


def _notes(form) -> list[str]:
    if form.code_verified:
        return []
    return [
        _(
            "Form not verified against the circular: its number, layout and deadline are the archive's working "
            "version (%(code)s), not the official form."
        )
        % {"code": form.code}
    ]


def report_document(report: Report) -> Document:
    form, period = report.form, report.reporting_period
    layout = Layout(form)
    status = report.get_status_display()
    if report.status == Report.Status.APPROVED and report.reviewed_at:
        status = _("approved on %(date)s") % {"date": timezone.localtime(report.reviewed_at).strftime("%d/%m/%Y")}
    elif report.submitted_at:
        status = _("%(status)s (submitted on %(date)s)") % {
            "status": status,
            "date": timezone.localtime(report.submitted_at).strftime("%d/%m/%Y"),
        }
    return Document(
        form_code=form.display_code,
        verified=form.code_verified,
        title=form.display_name,
        period=period.period,
        reporting_unit=report.unit.name,
        recipient=(report.unit.parent.name if report.unit.parent_id else "") or form.recipient,
        legal_basis=form.legal_basis,
        deadline=period.deadline,
        status=_("Status: %(status)s") % {"status": status},
        filename=slugify(f"{form.code}-{period.period}-{report.unit.name}") or f"bao-cao-{report.pk}",
        lines=lines_of(layout, layout.with_computed(stored_values(report))),
        notes=_notes(form),
    )


def summary_document(summary: Summary) -> Document:
    form, period = summary.reporting_period.form, summary.reporting_period
    scope = summary.scope.name if summary.scope is not None else _("whole country")
    notes = _notes(form)
    if not summary.complete:
        notes.append(
            _("Incomplete: %(approved)s of %(expected)s reports approved; only approved reports are added up.")
            % {"approved": summary.approved, "expected": summary.expected}
        )
    return Document(
        form_code=form.display_code,
        verified=form.code_verified,
        title=_("Summary: %(form)s") % {"form": form.display_name},
        period=period.period,
        reporting_unit=scope,
        recipient=(summary.scope.parent.name if summary.scope and summary.scope.parent_id else "") or form.recipient,
        legal_basis=form.legal_basis,
        deadline=period.deadline,
        status=_("Added up from %(approved)s approved reports of %(expected)s.")
        % {"approved": summary.approved, "expected": summary.expected},
        filename=slugify(f"tong-hop-{form.code}-{period.period}-{scope}") or "tong-hop",
        lines=lines_of(summary.layout, summary.values, summary.counted),
        notes=notes,
        signatures=True,
    )


def _headings() -> list[str]:
    return [_("Code"), _("Item"), _("Unit"), _("Figure")]


# --- XLSX ---------------------------------------------------------------------------------------------


def to_xlsx(document: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Report")[:31]
    for column, width in zip("ABCD", (9, 62, 14, 18), strict=True):
        sheet.column_dimensions[column].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 1
    left, right = document.header_left, document.header_right
    for number in range(max(len(left), len(right))):
        if number < len(left):
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
            sheet.cell(row, 1, left[number]).alignment = wrap
        if number < len(right):
            sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
            sheet.cell(row, 3, right[number]).alignment = Alignment(wrap_text=True, horizontal="right", vertical="top")
        row += 1
    row += 1
    for text, font in (
        (document.title, Font(bold=True, size=13)),
        (_("Period: %(period)s") % {"period": document.period}, Font(italic=True)),
        (document.status, Font()),
        *[(note, Font(italic=True, color="8A4B00")) for note in document.notes],
    ):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        cell = sheet.cell(row, 1, text)
        cell.font, cell.alignment = font, Alignment(horizontal="center", wrap_text=True)
        row += 1
    row += 1
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, heading in enumerate(_headings(), start=1):
        cell = sheet.cell(row, column, heading)
        cell.font, cell.border = Font(bold=True), box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row = row
    row += 1
    for line in document.lines:
        if line.kind == "section":
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
            sheet.cell(row, 1, line.code).font = Font(bold=True)
            sheet.cell(row, 2, line.label).font = Font(bold=True)
            for column in range(1, 5):
                sheet.cell(row, column).border = box
            row += 1
            continue
        label = f"{line.label} ({line.note})" if line.note else line.label
        sheet.cell(row, 1, line.code).alignment = Alignment(horizontal="center", vertical="top")
        sheet.cell(row, 2, label).alignment = wrap
        sheet.cell(row, 3, line.unit).alignment = Alignment(horizontal="center", vertical="top")
        value_cell = sheet.cell(row, 4)
        if isinstance(line.value, Decimal):
            value_cell.value = int(line.value) if line.value == line.value.to_integral_value() else float(line.value)
            places = line.places if line.places is not None else 2
            value_cell.number_format = "#,##0" + ("." + "0" * places if places else "")
            value_cell.alignment = Alignment(horizontal="right", vertical="top")
        elif line.value not in (None, ""):
            value_cell.value = str(line.value)
            value_cell.alignment = wrap
        for column in range(1, 5):
            sheet.cell(row, column).border = box
        row += 1
    if document.signatures:
        row += 1
        sheet.cell(row, 2, _("Prepared by")).font = Font(bold=True)
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
        sheet.cell(row, 3, _("Head of the unit")).font = Font(bold=True)
        sheet.cell(row + 1, 2, _("(signature, full name)")).font = Font(italic=True)
        sheet.merge_cells(start_row=row + 1, start_column=3, end_row=row + 1, end_column=4)
        sheet.cell(row + 1, 3, _("(signature, seal, full name)")).font = Font(italic=True)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.freeze_panes = f"A{header_row + 1}"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------


def _pdf():
    import fontpkg
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    for style, weight, italic in (("", 400, False), ("B", 700, False), ("I", 400, True)):
        path = fontpkg.path(FONT_FAMILY, weight, "italic") if italic else fontpkg.path(FONT_FAMILY, weight)
        pdf.add_font("body", style, str(path))
    pdf.set_creator("stats.reports.export (fpdf2)")
    return pdf


def to_pdf(document: Document) -> bytes:
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    pdf = _pdf()
    pdf.set_title(f"{document.form_code} {document.title} {document.period}")
    pdf.set_subject(document.reporting_unit)
    pdf.add_page()
    width = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("body", "", 9)
    for text in document.header_left:
        pdf.multi_cell(width - 2, 4.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_end = pdf.get_y()
    pdf.set_y(top)
    for text in document.header_right:
        pdf.set_x(pdf.l_margin + width + 2)
        pdf.multi_cell(width - 2, 4.5, text, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_end, pdf.get_y()) + 5)
    pdf.set_font("body", "B", 13)
    pdf.multi_cell(0, 6.5, document.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("body", "I", 10)
    pdf.multi_cell(0, 5.5, _("Period: %(period)s") % {"period": document.period}, align="C",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font("body", "", 9.5)
    pdf.multi_cell(0, 5, document.status, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.notes:
        pdf.set_text_color(138, 75, 0)
        pdf.set_font("body", "I", 9)
        for note in document.notes:
            pdf.multi_cell(0, 4.5, note, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.set_font("body", "", 9.5)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=(14, 106, 26, 34),
        text_align=("CENTER", "LEFT", "CENTER", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(243, 238, 228)),
        line_height=5,
        padding=1.5,
    ) as table:
        heading = table.row()
        for text in _headings():
            heading.cell(text, align="CENTER")
        for line in document.lines:
            row = table.row()
            if line.kind == "section":
                row.cell(line.code, style=bold)
                row.cell(line.label, colspan=3, style=bold, align="LEFT")
                continue
            row.cell(line.code)
            row.cell(f"{line.label} ({line.note})" if line.note else line.label)
            row.cell(line.unit)
            row.cell(line.text, align="LEFT" if line.kind == "cell" and isinstance(line.value, str) else "RIGHT")
    if document.signatures:
        pdf.ln(8)
        y = pdf.get_y()
        pdf.set_font("body", "B", 10)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(width, 5, _("Prepared by"), align="C")
        pdf.set_xy(pdf.l_margin + width, y)
        pdf.cell(width, 5, _("Head of the unit"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("body", "I", 9)
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(width, 5, _("(signature, full name)"), align="C")
        pdf.set_xy(pdf.l_margin + width, y)
        pdf.cell(width, 5, _("(signature, seal, full name)"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
