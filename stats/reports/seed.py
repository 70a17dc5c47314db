"""Seeding the report forms from ``stats/data/report_forms.yaml``.

Creates the forms that are missing and leaves existing ones as staff edited them; ``update=True``
rewrites a form's fields, sections, cells and rules from the file (cells are matched by code, so the
values already typed into reports stay attached to them), but never takes a verification back.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from django.core.exceptions import ValidationError
from django.db import transaction

from archive.text import nfc
from stats.models import FormCell, FormRule, FormSection, Indicator, ReportForm, Verification
from stats.reports.layout import Layout

FORMS_FILE = Path(__file__).resolve().parent.parent / "data" / "report_forms.yaml"
OPERATORS = {"=": FormRule.Operator.EQUAL, "<=": FormRule.Operator.AT_MOST, ">=": FormRule.Operator.AT_LEAST}


class FormSeedError(Exception):
    pass


def _text(value) -> str:
    return nfc(str(value).strip()) if value is not None else ""


def _decimal(value):
    return None if value is None else Decimal(str(value))


def _clean(instance, where: str) -> None:
    try:
        instance.full_clean(exclude=["form"])
    except ValidationError as exc:
        raise FormSeedError(f"{where}: {'; '.join(exc.messages)}") from exc


def _apply(form: ReportForm, spec: dict) -> None:
    code = spec["code"]
    sections = {section.code: section for section in form.sections.all()}
    for order, item in enumerate(spec.get("sections", [])):
        section = sections.get(item["code"]) or FormSection(form=form, code=item["code"])
        section.title, section.title_en, section.sort_order = _text(item["title"]), _text(item.get("title_en")), order
        _clean(section, f"{code} section {item['code']}")
        section.save()
    cells = {cell.code: cell for cell in form.cells.all()}
    for order, item in enumerate(spec.get("cells", [])):
        cell = cells.get(item["code"]) or FormCell(form=form, code=item["code"])
        indicator = None
        if item.get("indicator"):
            indicator = Indicator.objects.by_code(str(item["indicator"]))
            if indicator is None:
                raise FormSeedError(f"{code} cell {item['code']}: unknown indicator {item['indicator']!r}")
        cell.section = item["section"]
        cell.label, cell.label_en = _text(item["label"]), _text(item.get("label_en"))
        cell.help_text = _text(item.get("help"))
        cell.kind = item.get("kind", FormCell.Kind.NUMBER)
        cell.indicator = indicator
        cell.disaggregation_key = item.get("key", "") or ""
        cell.unit = _text(item.get("unit"))
        cell.required = item.get("required", True)
        cell.min_value = _decimal(item.get("min", 0 if cell.kind != FormCell.Kind.TEXT else None))
        cell.max_value = _decimal(item.get("max"))
        cell.decimals = item.get("decimals")
        cell.formula = item.get("formula", "")
        cell.additive = item.get("additive", cell.kind != FormCell.Kind.TEXT)
        cell.sort_order = order
        _clean(cell, f"{code} cell {item['code']}")
        cell.save()
    form.rules.all().delete()
    for order, item in enumerate(spec.get("rules", [])):
        rule = FormRule(
            form=form,
            left=item["left"],
            operator=OPERATORS[item.get("op", "=")],
            right=str(item["right"]),
            message=_text(item.get("message")),
            sort_order=order,
        )
        _clean(rule, f"{code} rule {item['left']} {item.get('op', '=')} {item['right']}")
        rule.save()
    problems = Layout(form).problems()
    if problems:
        raise FormSeedError(f"{code}: {' '.join(problems)}")


@transaction.atomic
def load_report_forms(path: Path = FORMS_FILE, update: bool = False) -> dict[str, int]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for spec in data["forms"]:
        form = ReportForm.objects.filter(code=spec["code"]).first()
        if form is not None and not update:
            counts["unchanged"] += 1
            continue
        created = form is None
        form = form or ReportForm(code=spec["code"])
        for name in ("name", "name_en", "verification_note", "instructions", "deadline_note", "recipient"):
            setattr(form, name, _text(spec.get(name)))
        form.legal_basis = _text(spec.get("legal_basis"))
        form.filled_by = spec["filled_by"]
        form.periodicity = spec.get("periodicity", ReportForm.Periodicity.ANNUAL)
        form.deadline_days = spec.get("deadline_days", 15)
        if created or form.verification != Verification.VERIFIED:
            form.verification = spec.get("verification", Verification.TO_VERIFY)
            form.official_code = _text(spec.get("official_code"))
        try:
            form.full_clean()
        except ValidationError as exc:
            raise FormSeedError(f"{spec['code']}: {'; '.join(exc.messages)}") from exc
        form.save()
        _apply(form, spec)
        counts["created" if created else "updated"] += 1
    return counts
