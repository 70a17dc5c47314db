"""The directory for staff as a spreadsheet (CSV, XLSX), and who is stale.

Contact details stay out: an export is a file sent to a browser, and e-mail and phone never are."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from experts.models import Expert
from experts.pages import PREFETCH

# Cells beginning with these are formulas to a spreadsheet: written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def headers() -> list[str]:
    return [
        _("Name"),
        _("Titles"),
        _("Organisation"),
        _("Position"),
        _("Fields of expertise"),
        _("Ethnic groups"),
        _("Languages"),
        _("Regions"),
        _("Profile visible to"),
        _("Consent given on"),
        _("Last confirmed"),
        _("Profile address"),
    ]


def rows(experts=None, base_url: str = ""):
    experts = experts if experts is not None else Expert.objects.all()
    for expert in experts.select_related("person").prefetch_related(*PREFETCH):
        yield [
            _safe(value)
            for value in (
                expert.person.name,
                "; ".join(f"{t}{f' ({t.year})' if t.year else ''}" for t in expert.titles.all()),
                expert.organisation,
                expert.position,
                "; ".join(f.name for f in expert.fields.all()),
                "; ".join(g.name for g in expert.ethnic_groups.all()),
                "; ".join(
                    sorted({lang.tag for lang in [*expert.languages_spoken.all(), *expert.languages_studied.all()]})
                ),
                "; ".join(p.name for p in expert.regions.all()),
                expert.get_visibility_name_display() if expert.has_consent else _("Staff only"),
                expert.consent_date.isoformat() if expert.consent_date else "",
                expert.last_confirmed.isoformat() if expert.last_confirmed else "",
                f"{base_url}{expert.get_absolute_url()}",
            )
        ]


def as_csv(experts=None, base_url: str = "") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(rows(experts, base_url))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM, so spreadsheet programs read UTF-8


def as_xlsx(experts=None, base_url: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Experts")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(experts, base_url):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
