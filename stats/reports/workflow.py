"""The report workflow: open a period, save, submit, return, approve — each step logged.

Views and commands parse their input and call these functions; the functions check the report's state
(a submitted report cannot be edited, only a submitted one can be returned or approved) and record every
change in Wagtail's audit log (``wagtail.log_actions.log``, actions registered in ``stats.wagtail_hooks``),
which the report's page shows as its history. Who may call them is the caller's question
(``stats.reports.access``); e-mails go out from the task worker once the change is committed.

Approval writes the report's bound cells as **final** observations of their indicators for the unit's
administrative unit and the period, with the report as their source (``Observation.report``), through
``stats.revisions`` so each keeps its revision history; the sums that must agree (by sex = total …) are
checked on the result, and a disagreement refuses the approval and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from archive.text import nfc
from stats.checks import check_breakdowns
from stats.models import (
    FormCell,
    Observation,
    Report,
    ReportForm,
    ReportingPeriod,
    ReportingUnit,
    ReportValue,
    Status,
)
from stats.reports.layout import Layout
from stats.reports.validation import validate
from stats.revisions import revision_context

OPEN_ACTION = "stats.period.open"
SAVE_ACTION = "stats.report.save"
SUBMIT_ACTION = "stats.report.submit"
RETURN_ACTION = "stats.report.return"
APPROVE_ACTION = "stats.report.approve"
EVIDENCE_ADD_ACTION = "stats.report.evidence_add"
EVIDENCE_DELETE_ACTION = "stats.report.evidence_delete"
REMIND_ACTION = "stats.report.remind"


class WorkflowError(Exception):
    """The step cannot be taken (wrong state, nothing to approve, sums that disagree); ``messages`` say why."""

    def __init__(self, message: str, problems: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.problems = problems or {}


class NotValid(WorkflowError):
    """The report's values do not pass its form's checks; ``problems`` maps cell codes to messages."""


# --- reading a report's values --------------------------------------------------------------------


def stored_values(report: Report) -> dict[str, Decimal | str | None]:
    """The report's values by cell code, as stored (computed cells included)."""
    values = {}
    for row in report.values.select_related("cell"):
        values[row.cell.code] = row.text if row.cell.kind == FormCell.Kind.TEXT else row.value
    return values


def _blank(value) -> bool:
    return value is None or value == ""


def canonical(value) -> str:
    """A value as the audit log keeps it: numbers as plain decimals (1234.5), texts as they are."""
    if _blank(value):
        return ""
    if isinstance(value, Decimal):
        value = value.normalize() if value != value.to_integral_value() else value.to_integral_value()
        return format(value, "f")
    return str(value)


# --- opening a period ----------------------------------------------------------------------------


def open_period(
    form: ReportForm, period: str, *, deadline: dt.date | None = None, user=None
) -> tuple[ReportingPeriod, int]:
    """Open ``form`` for ``period`` (or find it open): every active unit of the form's level gets a report
    to fill. Returns the period and how many reports were added (units added since get theirs on a
    second call)."""
    with transaction.atomic():
        reporting_period = ReportingPeriod.objects.filter(form=form, period=period).first()
        created = reporting_period is None
        if created:
            reporting_period = ReportingPeriod(form=form, period=period, deadline=deadline, opened_by=user)
            reporting_period.full_clean(exclude=["period_start", "period_end", "deadline"])
            reporting_period.save()
        elif deadline and reporting_period.deadline != deadline:
            reporting_period.deadline = deadline
            reporting_period.save(update_fields=["deadline"])
        units = ReportingUnit.objects.filter(active=True, level=form.filled_by).exclude(
            reports__reporting_period=reporting_period
        )
        added = Report.objects.bulk_create(
            [Report(reporting_period=reporting_period, unit_id=pk) for pk in units.values_list("pk", flat=True)],
            batch_size=1000,
        )
        if created or added:
            log(
                reporting_period,
                OPEN_ACTION,
                user=user,
                data={"reports": len(added), "deadline": reporting_period.deadline.isoformat()},
            )
    return reporting_period, len(added)


# --- the unit's steps ----------------------------------------------------------------------------


def _require_editable(report: Report) -> None:
    if not report.editable:
        raise WorkflowError(
            _("This report is %(status)s: it can no longer be changed.") % {"status": report.get_status_display()}
        )


def save_values(report: Report, values: dict[str, Decimal | str | None], user, layout: Layout | None = None) -> dict:
    """Store the values typed in (cell code → Decimal, text or None) and work out the computed cells.
    Returns the changes, ``{code: [before, after]}`` as text, which the audit log records."""
    layout = layout or Layout(report.form)
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("reporting_period").get(pk=report.pk)
        _require_editable(report)
        stored = {row.cell_id: row for row in report.values.all()}
        before = {cell.code: (stored[cell.pk].content if cell.pk in stored else None) for cell in layout.cells}
        typed = {cell.code: values.get(cell.code, before.get(cell.code)) for cell in layout.inputs}
        after = layout.with_computed(typed)
        changes, new_rows, changed_rows = {}, [], []
        for cell in layout.cells:
            old, new = before.get(cell.code), after.get(cell.code)
            if cell.kind == FormCell.Kind.TEXT:
                new = nfc((new or "").strip())
            if canonical(old) == canonical(new):
                continue
            changes[cell.code] = [canonical(old), canonical(new)]
            row = stored.get(cell.pk) or ReportValue(report=report, cell=cell)
            if cell.kind == FormCell.Kind.TEXT:
                row.text, row.value = new, None
            else:
                row.value, row.text = new, ""
            (changed_rows if row.pk else new_rows).append(row)
        ReportValue.objects.bulk_create(new_rows)
        if changed_rows:
            ReportValue.objects.bulk_update(changed_rows, ["value", "text"])
        report.saved_at = timezone.now()
        report.save(update_fields=["saved_at"])
        if changes:
            log(report, SAVE_ACTION, user=user, data={"changes": changes})
    return changes


def submit(report: Report, user, layout: Layout | None = None) -> Report:
    """Send the report to the unit above; refused (``NotValid``) while its values do not pass the checks."""
    layout = layout or Layout(report.form)
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("reporting_period__form", "unit")
            .get(pk=report.pk)
        )
        _require_editable(report)
        problems = validate(layout, layout.with_computed(stored_values(report)), final=True)
        if problems:
            raise NotValid(_("The report has errors: correct them and submit it again."), problems)
        report.status = Report.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = user
        report.save(update_fields=["status", "submitted_at", "submitted_by"])
        log(report, SUBMIT_ACTION, user=user)
        _notify(report, "submitted")
    return report


# --- the reviewer's steps ------------------------------------------------------------------------


def _require_submitted(report: Report) -> None:
    if report.status != Report.Status.SUBMITTED:
        raise WorkflowError(
            _("Only a submitted report can be reviewed; this one is %(status)s.")
            % {"status": report.get_status_display()}
        )


def return_report(report: Report, user, comment: str) -> Report:
    """Send the report back to its unit with the reviewer's comments; the unit corrects and resubmits it."""
    comment = nfc((comment or "").strip())
    if not comment:
        raise WorkflowError(_("Say what has to be corrected: a returned report needs a comment."))
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("reporting_period__form", "unit")
            .get(pk=report.pk)
        )
        _require_submitted(report)
        report.status = Report.Status.RETURNED
        report.reviewed_at, report.reviewed_by, report.review_comment = timezone.now(), user, comment
        report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
        log(report, RETURN_ACTION, user=user, data={"comment": comment})
        _notify(report, "returned")
    return report


def source_text(report: Report) -> str:
    """The source an approved figure carries: the report it comes from (Vietnamese, as the archive's data)."""
    form, period, unit = report.form, report.reporting_period, report.unit
    verified = "" if form.code_verified else " — mẫu biểu chưa xác minh"
    return nfc(f"Báo cáo định kỳ {form.display_code} “{form.name}”{verified}, kỳ {period.period}, {unit.name}")


def write_observations(report: Report, layout: Layout, values: dict) -> list[Observation]:
    """The report's bound figures as final observations (created or updated); returns them."""
    place = report.unit.place
    period = report.reporting_period.period
    cells = [cell for cell in layout.bound if isinstance(values.get(cell.code), Decimal)]
    existing = {
        (obs.indicator_id, obs.disaggregation_key): obs
        for obs in Observation.objects.filter(
            indicator__in={cell.indicator_id for cell in cells}, period=period, place=place
        )
    }
    source = source_text(report)
    written = []
    for cell in cells:
        obs = existing.get((cell.indicator_id, cell.disaggregation_key)) or Observation(
            indicator=cell.indicator, period=period, place=place, disaggregation_key=cell.disaggregation_key
        )
        obs.value = values[cell.code]
        obs.status = Status.FINAL
        obs.source = source
        obs.report = report
        obs.unit_code = place.code if place else ""
        obs.unit_name = place.name if place else ""
        obs.save()
        written.append(obs)
    return written


def approve(report: Report, user, comment: str = "") -> list[Observation]:
    """Approve the report: its bound figures become final observations. Refused (``WorkflowError``), with
    nothing written, when they would break a sum that must agree with figures already stored."""
    comment = nfc((comment or "").strip())
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("reporting_period__form", "unit__place")
            .get(pk=report.pk)
        )
        _require_submitted(report)
        layout = Layout(report.form)
        values = layout.with_computed(stored_values(report))
        with revision_context(user=user, origin=f"report: {report.pk}"):
            written = write_observations(report, layout, values)
        touched = {(obs.indicator_id, obs.period, obs.place_id) for obs in written}
        around = Observation.objects.filter(
            indicator__in={key[0] for key in touched},
            period=report.reporting_period.period,
            place=report.unit.place,
        ).select_related("indicator")
        problems = check_breakdowns(list(around))
        if problems:
            transaction.set_rollback(True)
            raise WorkflowError(
                _("The figures disagree with figures already stored: %(problems)s")
                % {"problems": " ".join(problem.message for problem in problems)}
            )
        report.status = Report.Status.APPROVED
        report.reviewed_at, report.reviewed_by, report.review_comment = timezone.now(), user, comment
        report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
        log(report, APPROVE_ACTION, user=user, data={"comment": comment, "observations": len(written)})
        _notify(report, "approved")
    return written


def _notify(report: Report, event: str) -> None:
    from stats.tasks import send_report_notices

    transaction.on_commit(lambda: send_report_notices.enqueue(report.pk, event))
