"""A report form read once: its sections with their cells in order, its rules, and the computed cells.

Every screen and file that shows a form (the online form, the dashboard's summary, the XLSX and PDF
exports) lays it out from a :class:`Layout`, so they all show the same lines in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from stats.models import FormCell, ReportForm
from stats.reports.formulas import FormulaError, cells_of, evaluate


@dataclass
class SectionLayout:
    code: str
    title: str
    cells: list[FormCell] = field(default_factory=list)


class Layout:
    def __init__(self, form: ReportForm):
        self.form = form
        self.cells: list[FormCell] = list(form.cells.select_related("indicator__unit").order_by("sort_order", "pk"))
        self.by_code = {cell.code: cell for cell in self.cells}
        self.rules = list(form.rules.order_by("sort_order", "pk"))
        self.sections: list[SectionLayout] = []
        known = {}
        for section in form.sections.order_by("sort_order", "pk"):
            known[section.code] = SectionLayout(section.code, section.display_title)
            self.sections.append(known[section.code])
        loose = SectionLayout("", "")
        for cell in self.cells:
            known.get(cell.section, loose).cells.append(cell)
        if loose.cells:
            self.sections.append(loose)
        self.computed = self._computation_order()

    @property
    def inputs(self) -> list[FormCell]:
        return [cell for cell in self.cells if cell.is_input]

    @property
    def bound(self) -> list[FormCell]:
        return [cell for cell in self.cells if cell.bound and cell.is_number]

    def _computation_order(self) -> list[FormCell]:
        """Computed cells, each after the computed cells its formula uses."""
        pending = {cell.code: cell for cell in self.cells if cell.kind == FormCell.Kind.COMPUTED}
        ordered: list[FormCell] = []
        while pending:
            ready = [
                cell for cell in pending.values() if not (set(cells_of(cell.formula)) & (set(pending) - {cell.code}))
            ]
            if not ready:
                raise FormulaError(
                    _("The formulas of cells %(cells)s use each other.") % {"cells": ", ".join(sorted(pending))}
                )
            for cell in ready:
                ordered.append(cell)
                del pending[cell.code]
        return ordered

    def with_computed(self, values: dict[str, Decimal | str | None]) -> dict[str, Decimal | str | None]:
        """``values`` (cell code → value) with every computed cell worked out from the others."""
        result = dict(values)
        for cell in self.computed:
            result[cell.code] = evaluate(cell.formula, result, cell.places)
        return result

    def problems(self) -> list[str]:
        """What is wrong with the form's definition: rules or formulas naming cells it does not have."""
        found = []
        for cell in self.cells:
            if cell.formula:
                missing = [code for code in cells_of(cell.formula) if code not in self.by_code]
                if missing:
                    found.append(
                        _("The formula of cell %(cell)s uses cells the form does not have: %(missing)s.")
                        % {"cell": cell.code, "missing": ", ".join(missing)}
                    )
        for rule in self.rules:
            missing = [code for code in [*rule.left_codes, rule.right] if code not in self.by_code]
            if missing:
                found.append(
                    _("The rule “%(rule)s” names cells the form does not have: %(missing)s.")
                    % {"rule": rule, "missing": ", ".join(missing)}
                )
        return found
