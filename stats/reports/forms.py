"""The online forms of periodic reports: plain Django forms, so that a phone without JavaScript is enough.

Numbers are typed as people write them — ``1.234`` or ``1234`` and ``12,5`` in Vietnamese, ``1,234`` and
``12.5`` in English (``stats.numbers``) — in text boxes that bring up the phone's number keypad
(``inputmode="decimal"``); a ``type=number`` box would refuse the Vietnamese decimal comma. Each message,
from reading a number to the sums that must agree, is shown by the cell it is about.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from stats.models import FormCell
from stats.numbers import NumberError, format_number, parse_number
from stats.reports.layout import Layout
from stats.reports.validation import validate

PREFIX = "o"  # field names: o01, o02… (cell codes are letters, digits, "-" and "_")


def field_name(cell: FormCell) -> str:
    return f"{PREFIX}{cell.code}"


def number_format() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def shown(cell: FormCell, value) -> str:
    """A stored value as the form's text box shows it (and reads back)."""
    if value is None or value == "":
        return ""
    if cell.kind == FormCell.Kind.TEXT:
        return str(value)
    return format_number(Decimal(value), cell.places).replace("\u00a0", "")


class ReportValuesForm(forms.Form):
    """One text box per cell typed in; computed cells are shown beside them, not typed."""

    def __init__(self, layout: Layout, *args, values: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        self.values: dict[str, Decimal | str | None] = {}
        stored = values or {}
        for cell in layout.inputs:
            attrs = {"aria-describedby": f"cell-{cell.code}-about"}
            if cell.kind == FormCell.Kind.TEXT:
                widget = forms.Textarea(attrs={**attrs, "rows": 3})
                max_length = 4000
            else:
                widget = forms.TextInput(attrs={**attrs, "inputmode": "decimal", "autocomplete": "off"})
                max_length = 40
            self.fields[field_name(cell)] = forms.CharField(
                label=cell.display_label,
                required=False,
                max_length=max_length,
                strip=True,
                initial=shown(cell, stored.get(cell.code)),
                widget=widget,
            )

    def clean(self):
        cleaned = super().clean()
        for cell in self.layout.inputs:
            name = field_name(cell)
            if name not in cleaned:
                continue
            text = cleaned[name]
            if cell.kind == FormCell.Kind.TEXT:
                self.values[cell.code] = text
                continue
            try:
                parsed = parse_number(text, number_format())
            except NumberError as exc:
                self.add_error(name, str(exc))
                continue
            if parsed.sign and cell.indicator_id and parsed.sign != cell.indicator.unit.kind:
                self.add_error(name, _("“%(text)s” has a unit sign, but this cell is in %(unit)s.") % {
                    "text": text, "unit": cell.unit_label,
                })  # fmt: skip
                continue
            self.values[cell.code] = parsed.value
        return cleaned

    def check(self, *, final: bool) -> bool:
        """Check the values read (after ``is_valid()``) against the form's rules; put each problem by its cell.
        Returns whether there were none."""
        problems = validate(self.layout, self.layout.with_computed(self.values), final=final)
        self.attach(problems)
        return not problems

    def attach(self, problems: dict[str, list[str]]) -> None:
        """Messages by cell code (from ``validate`` or a refused step) shown by their cells."""
        for code, messages in problems.items():
            cell = self.layout.by_code.get(code)
            name = field_name(cell) if cell is not None else None
            if name in self.fields and self.has_error(name):
                continue  # a number that could not be read says so already
            for message in messages:
                if name in self.fields:
                    self.add_error(name, message)
                else:
                    # A computed cell: its message goes above the form, naming the cell.
                    self.add_error(None, _("Cell %(code)s: %(message)s") % {"code": code, "message": message})


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comments for the unit"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required to return the report: say what has to be corrected."),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy("PDF, JPEG, PNG, XLSX or DOCX."))
    description = forms.CharField(label=gettext_lazy("What it is"), required=False, max_length=255)
