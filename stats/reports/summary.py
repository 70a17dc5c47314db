"""One form added up over many units: the approved reports of a province's communes, or of the whole country,
for one reporting period — the figures a province board sends up, or the ministry's national summary.

Only approved reports count. Cells that add up (counts) are summed in the database, one grouped query
over the period's approved reports whatever their number (3,321 communes: see ``bench/stats.py``);
computed cells — a rate such as the share of poor households — are worked out again from the sums, never
added up; texts and cells of indicators that are not additive are left empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from stats.models import FormCell, Report, ReportingPeriod, ReportingUnit, ReportValue
from stats.reports.access import below
from stats.reports.layout import Layout


@dataclass
class Summary:
    reporting_period: ReportingPeriod
    scope: ReportingUnit | None  # None: the whole country
    layout: Layout
    values: dict[str, Decimal | None] = field(default_factory=dict)
    expected: int = 0  # reports of the period within the scope
    approved: int = 0  # of which approved (added up)
    counted: dict[str, int] = field(default_factory=dict)  # reports with a figure, by cell code

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.approved == self.expected


def reports_within(reporting_period: ReportingPeriod, scope: ReportingUnit | None):
    """The period's reports of the units below ``scope`` (every report for the whole country)."""
    reports = Report.objects.filter(reporting_period=reporting_period)
    if scope is not None:
        reports = reports.filter(below([scope.pk], prefix="unit__"))
    return reports


def summarise(reporting_period: ReportingPeriod, scope: ReportingUnit | None = None, layout=None) -> Summary:
    layout = layout or Layout(reporting_period.form)
    summary = Summary(reporting_period, scope, layout)
    reports = reports_within(reporting_period, scope)
    counts = reports.aggregate(expected=Count("pk"), approved=Count("pk", filter=Q(status=Report.Status.APPROVED)))
    summary.expected, summary.approved = counts["expected"], counts["approved"]
    adding = {cell.pk: cell for cell in layout.cells if cell.is_input and cell.adds_up}
    sums = (
        ReportValue.objects.filter(
            report__in=reports.filter(status=Report.Status.APPROVED).values("pk"),
            cell_id__in=list(adding),
            value__isnull=False,
        )
        .values("cell_id")
        .annotate(total=Sum("value"), reports=Count("pk"))
        .order_by()
    )
    values: dict[str, Decimal | None] = {cell.code: None for cell in layout.cells}
    for row in sums:
        code = adding[row["cell_id"]].code
        values[code] = Decimal(row["total"])
        summary.counted[code] = row["reports"]
    # Rates and other computed cells from the sums (a computed cell that adds up is worked out too:
    # the sum of the parts' results equals the result of the sums only for sums).
    summary.values = layout.with_computed({code: values[code] for code in values if _is_input(layout, code)})
    return summary


def _is_input(layout: Layout, code: str) -> bool:
    return layout.by_code[code].kind != FormCell.Kind.COMPUTED
