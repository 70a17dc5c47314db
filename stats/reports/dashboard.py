"""Who has reported and who is late: the period's reports of the units below one unit (or the whole country)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When

from stats.models import Report, ReportingPeriod, ReportingUnit
from stats.reports.summary import reports_within

FILTERS = ("all", "late", "draft", "submitted", "returned", "approved")


@dataclass
class Counts:
    total: int
    draft: int
    submitted: int
    returned: int
    approved: int
    late: int

    @property
    def reported(self) -> int:
        return self.submitted + self.approved


def counts(reporting_period: ReportingPeriod, scope: ReportingUnit | None, today: dt.date) -> Counts:
    reports = reports_within(reporting_period, scope)
    late = Q(status__in=Report.EDITABLE) if reporting_period.deadline < today else Q(pk__in=[])
    found = reports.aggregate(
        total=Count("pk"),
        draft=Count("pk", filter=Q(status=Report.Status.DRAFT)),
        submitted=Count("pk", filter=Q(status=Report.Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=Report.Status.RETURNED)),
        approved=Count("pk", filter=Q(status=Report.Status.APPROVED)),
        late=Count("pk", filter=late),
    )
    return Counts(**found)


def rows(reporting_period: ReportingPeriod, scope: ReportingUnit | None, today: dt.date, show: str = "all"):
    """The reports to list (a queryset): not submitted first (late, once the deadline has passed), then returned,
    awaiting review and approved, each by unit name; ``show`` filters them."""
    reports = reports_within(reporting_period, scope).select_related("unit__place", "unit__parent")
    if show == "late":
        reports = reports.filter(status__in=Report.EDITABLE) if reporting_period.deadline < today else reports.none()
    elif show in Report.Status.values:
        reports = reports.filter(status=show)
    order = Case(
        When(status=Report.Status.DRAFT, then=Value(0)),
        When(status=Report.Status.RETURNED, then=Value(1)),
        When(status=Report.Status.SUBMITTED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return reports.annotate(queue=order).order_by("queue", "unit__name", "pk")
