"""Periodic reports on the public site, for the people of the reporting units: /vi/thong-ke/bao-cao/…

Plain Django forms that work on a phone without JavaScript. Every view asks ``stats.reports.access``:
signing in is required (anonymous visitors are sent to the sign-in page); a report the visitor may not
see answers 404, as if it did not exist; a step they may not take on a report they see answers 403.
Nothing here is cached: ``never_cache`` on every response, and the page cache skips signed-in visitors.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wagtail.log_actions import registry as log_registry

from stats.models import Evidence, Report, ReportingPeriod, ReportingUnit
from stats.models.reports import LEVEL_RANK
from stats.numbers import format_number
from stats.reports import access, dashboard, evidence, export, workflow
from stats.reports.forms import EvidenceForm, ReportValuesForm, ReviewForm, field_name
from stats.reports.layout import Layout
from stats.reports.summary import summarise

PAGE_SIZE = 100
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _visible_report(request, pk: int) -> Report:
    report = get_object_or_404(
        access.visible_reports(request.user).select_related(
            "reporting_period__form", "unit__parent", "unit__place", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )
    return report


def _readable(value: str) -> str:
    """A value of the audit log (plain decimals) as the reader writes numbers; texts as they are."""
    try:
        return format_number(Decimal(value)) if value and NUMBER.match(value) else value
    except InvalidOperation:
        return value


def _history(report: Report) -> list[dict]:
    """The report's audit trail, newest first, as the page lists it."""
    entries = log_registry.get_logs_for_instance(report).select_related("user").order_by("-timestamp", "-pk")
    history = []
    for entry in entries:
        formatter = log_registry.get_formatter(entry)
        data = entry.data or {}
        history.append(
            {
                "when": entry.timestamp,
                "who": (entry.user.get_full_name() or entry.user.get_username()) if entry.user else _("the system"),
                "what": str(formatter.format_message(entry)) if formatter else entry.action,
                "changes": [
                    (code, [_readable(before), _readable(after)])
                    for code, (before, after) in sorted((data.get("changes") or {}).items())
                ],
                "comment": data.get("comment", ""),
                "file": data.get("file", ""),
            }
        )
    return history


def _lines(layout: Layout, form: ReportValuesForm | None, values: dict):
    """The form's sections with, for each cell, its field (typed cells) or its value (computed, read-only)."""
    sections = []
    for section in layout.sections:
        rows = []
        for cell in section.cells:
            name = field_name(cell)
            rows.append(
                {
                    "cell": cell,
                    "field": form[name] if form is not None and name in form.fields else None,
                    "value": values.get(cell.code),
                }
            )
        sections.append({"section": section, "rows": rows})
    return sections


@never_cache
@login_required
@require_safe
def home(request):
    """The reports of the visitor's units, and the dashboards of the units they review."""
    if not access.uses_reports(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    mine = (
        Report.objects.filter(
            unit_id__in=access.member_unit_ids(request.user), reporting_period__closed=False
        ).select_related("reporting_period__form", "unit")
        if request.user.has_perm(access.FILL)
        else Report.objects.none()
    )
    periods = ReportingPeriod.objects.filter(closed=False).select_related("form").order_by("deadline", "form__code")
    reviewing = access.reviewing_units(request.user)
    dashboards = []
    for period in periods:
        if access.is_manager(request.user):
            dashboards.append((period, None))
        for unit in reviewing:
            if LEVEL_RANK[unit.level] > LEVEL_RANK[period.form.filled_by]:
                dashboards.append((period, unit))
    context = {
        "reports": sorted(mine, key=lambda r: (r.reporting_period.deadline, r.unit.name)),
        "dashboards": dashboards,
        "today": today,
        "is_manager": access.is_manager(request.user),
    }
    return render(request, "stats/reports/home.html", context)


def _values_form(report, layout, data=None):
    return ReportValuesForm(layout, data, values=workflow.stored_values(report))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_detail(request, pk: int):
    report = _visible_report(request, pk)
    layout = Layout(report.form)
    can_fill = access.may_fill(request.user, report) and report.editable
    can_review = access.may_review(request.user, report) and report.status == Report.Status.SUBMITTED
    values_form = _values_form(report, layout) if can_fill else None
    review_form = ReviewForm() if can_review else None
    errors_at_top = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("save", "submit"):
            if not access.may_fill(request.user, report):
                raise PermissionDenied
            if not report.editable:
                raise PermissionDenied(_("This report can no longer be changed."))
            values_form = _values_form(report, layout, request.POST)
            if not values_form.is_valid():
                # Numbers that cannot be read: show them, and every other problem, each by its cell.
                values_form.check(final=action == "submit")
                errors_at_top.append(_("The report has errors: see the messages by the cells."))
            elif values_form.check(final=False):
                workflow.save_values(report, values_form.values, request.user, layout)
                if action == "save":
                    messages.success(request, _("Saved. The report is not submitted yet."))
                    return redirect("stats_report", pk=report.pk)
                try:
                    workflow.submit(report, request.user, layout)
                except workflow.NotValid as exc:
                    values_form.attach(exc.problems)
                    errors_at_top.append(str(exc))
                except workflow.WorkflowError as exc:
                    errors_at_top.append(str(exc))
                else:
                    messages.success(request, _("Submitted. The unit above will review it."))
                    return redirect("stats_report", pk=report.pk)
            else:
                errors_at_top.append(_("The report has errors: see the messages by the cells."))
        elif action in ("return", "approve"):
            if not access.may_review(request.user, report):
                raise PermissionDenied
            review_form = ReviewForm(request.POST)
            if review_form.is_valid():
                comment = review_form.cleaned_data["comment"]
                try:
                    if action == "return":
                        workflow.return_report(report, request.user, comment)
                        messages.success(request, _("Returned to the unit with your comments."))
                    else:
                        workflow.approve(report, request.user, comment)
                        messages.success(request, _("Approved: its figures are now final statistics."))
                except workflow.WorkflowError as exc:
                    review_form.add_error("comment" if action == "return" else None, str(exc))
                else:
                    return redirect("stats_report", pk=report.pk)
        else:
            raise PermissionDenied
    values = layout.with_computed(workflow.stored_values(report))
    context = {
        "report": report,
        "form_definition": report.form,
        "period": report.reporting_period,
        "sections": _lines(layout, values_form, values),
        "values_form": values_form,
        "review_form": review_form,
        "evidence_form": EvidenceForm() if can_fill else None,
        "evidence": list(report.evidence.all()),
        "errors_at_top": errors_at_top,
        "history": _history(report),
        "can_fill": can_fill,
        "can_review": can_review,
        "late": report.is_late(),
        "max_mb": round(evidence.max_bytes() / 1048576, 1),
    }
    return render(request, "stats/reports/report.html", context)


@never_cache
@login_required
@require_POST
def evidence_upload(request, pk: int):
    report = _visible_report(request, pk)
    if not access.may_fill(request.user, report) or not report.editable:
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence.add_evidence(report, form.cleaned_data["file"], request.user, form.cleaned_data["description"])
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The file is attached."))
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect(reverse("stats_report", args=[report.pk]) + "#evidence")


@never_cache
@login_required
@require_POST
def evidence_delete(request, pk: int, evidence_pk: int):
    report = _visible_report(request, pk)
    item = get_object_or_404(Evidence, pk=evidence_pk, report=report)
    if not access.may_fill(request.user, report) or not report.editable:
        raise PermissionDenied
    evidence.delete_evidence(item, request.user)
    messages.success(request, _("The file is removed."))
    return redirect(reverse("stats_report", args=[report.pk]) + "#evidence")


@never_cache
@login_required
@require_safe
def evidence_file(request, pk: int, evidence_pk: int):
    """An evidence file, to those who may see its report only; always as a download."""
    report = _visible_report(request, pk)
    item = get_object_or_404(Evidence, pk=evidence_pk, report=report)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("file missing") from exc
    response = FileResponse(handle, as_attachment=True, filename=item.filename, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _file(content: bytes, filename: str, extension: str) -> HttpResponse:
    types = {"xlsx": export.XLSX_TYPE, "pdf": "application/pdf"}
    response = HttpResponse(content, content_type=types[extension])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_safe
def report_export(request, pk: int, extension: str):
    report = _visible_report(request, pk)
    document = export.report_document(report)
    content = export.to_xlsx(document) if extension == "xlsx" else export.to_pdf(document)
    return _file(content, document.filename, extension)


def _scope(request, reporting_period: ReportingPeriod) -> ReportingUnit | None:
    """The unit whose dashboard is asked for (``?unit=``), or the visitor's own, or None for the whole country."""
    wanted = request.GET.get("unit", "")
    if wanted.isdigit():
        unit = get_object_or_404(ReportingUnit, pk=int(wanted))
    else:
        filled_by = LEVEL_RANK[reporting_period.form.filled_by]
        reviewing = [u for u in access.reviewing_units(request.user) if LEVEL_RANK[u.level] > filled_by]
        unit = reviewing[0] if reviewing and not access.is_manager(request.user) else None
    if not access.may_see_unit(request.user, unit):
        raise Http404("no such dashboard")
    return unit


@never_cache
@login_required
@require_safe
def period_dashboard(request, pk: int):
    """Who has reported and who is late, among the units below one unit, with the summary of the approved."""
    reporting_period = get_object_or_404(ReportingPeriod.objects.select_related("form"), pk=pk)
    scope = _scope(request, reporting_period)
    today = timezone.localdate()
    show = request.GET.get("show", "all")
    if show not in dashboard.FILTERS:
        show = "all"
    rows = Paginator(dashboard.rows(reporting_period, scope, today, show), PAGE_SIZE).get_page(request.GET.get("page"))
    summary = summarise(reporting_period, scope)
    context = {
        "period": reporting_period,
        "form_definition": reporting_period.form,
        "scope": scope,
        "counts": dashboard.counts(reporting_period, scope, today),
        "rows": rows,
        "show": show,
        "filters": dashboard.FILTERS,
        "past_deadline": reporting_period.deadline < today,
        "today": today,
        "summary": summary,
        "summary_lines": export.lines_of(summary.layout, summary.values, summary.counted),
        "unit_query": f"unit={scope.pk}" if scope is not None else "",
    }
    return render(request, "stats/reports/dashboard.html", context)


@never_cache
@login_required
@require_safe
def summary_export(request, pk: int, extension: str):
    reporting_period = get_object_or_404(ReportingPeriod.objects.select_related("form"), pk=pk)
    scope = _scope(request, reporting_period)
    document = export.summary_document(summarise(reporting_period, scope))
    content = export.to_xlsx(document) if extension == "xlsx" else export.to_pdf(document)
    return _file(content, document.filename, extension)
