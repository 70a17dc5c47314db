"""E-mails about periodic reports: to the reviewers when a report is submitted, to the unit when it is
returned or approved, and reminders to the units that are late. Each in its reader's language (their
admin language setting; Vietnamese by default), with a link to the report or the dashboard."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from wagtail.log_actions import log
from wagtail.users.models import UserProfile

from stats.models import Report, ReportingUnit
from stats.reports.access import FILL, REVIEW

logger = logging.getLogger(__name__)
EVENTS = ("submitted", "returned", "approved")


def _language(user) -> str:
    if user is None:
        return settings.LANGUAGE_CODE
    profile = UserProfile.objects.filter(user=user).first()
    return (profile and profile.preferred_language) or settings.LANGUAGE_CODE


def recipients(unit: ReportingUnit, permission: str) -> list[tuple[str, object]]:
    """(address, user or None) for the unit's active members who hold ``permission``, and the unit's own address."""
    found, seen = [], set()
    for user in unit.members.filter(is_active=True).exclude(email="").order_by("pk"):
        if user.has_perm(permission) and user.email.lower() not in seen:
            seen.add(user.email.lower())
            found.append((user.email, user))
    if unit.email and unit.email.lower() not in seen:
        found.append((unit.email, None))
    return found


def _site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _message(template: str, language: str, to: str, context: dict) -> EmailMessage:
    with override(language):
        context = {"site_name": str(settings.SITE_NAME), **context}
        context["report_url"] = _site_url() + reverse("stats_report", args=[context["report"].pk])
        if context["report"].unit.parent_id:
            context["dashboard_url"] = (
                _site_url()
                + reverse("stats_reports_dashboard", args=[context["report"].reporting_period_id])
                + f"?unit={context['report'].unit.parent_id}"
            )
        subject = " ".join(render_to_string(f"stats/reports/email/{template}_subject.txt", context).split())
        body = render_to_string(f"stats/reports/email/{template}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[to])


def send(report_id: int, event: str) -> int:
    """Send the e-mails of ``event`` ("submitted", "returned", "approved"); returns how many went out."""
    if event not in EVENTS:
        raise ValueError(f"no e-mail for {event!r}")
    report = (
        Report.objects.select_related("reporting_period__form", "unit__parent", "reviewed_by", "submitted_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return 0
    if event == "submitted":
        if report.unit.parent is None:
            return 0
        people = recipients(report.unit.parent, REVIEW)
    else:
        people = recipients(report.unit, FILL)
    outgoing = [
        _message(f"report_{event}", _language(user), address, {"report": report, "reader": user})
        for address, user in people
    ]
    if not outgoing:
        return 0
    with get_connection() as connection:
        return connection.send_messages(outgoing) or 0


def send_reminders(today: dt.date | None = None, *, dry_run: bool = False, every_days: int = 1) -> list[dict]:
    """Remind every late unit — its report not submitted (or returned and not resubmitted) after the deadline —
    and nobody else; a unit is reminded at most once every ``every_days`` days. Returns what was (or, on a dry
    run, would be) sent: one dict per report with its recipients."""
    today = today or timezone.localdate()
    late = (
        Report.objects.late(today)
        .select_related("reporting_period__form", "unit__parent")
        .order_by("reporting_period__deadline", "unit__name")
    )
    sent = []
    with get_connection() as connection:
        for report in late:
            if report.reminded_at and (today - timezone.localdate(report.reminded_at)).days < every_days:
                continue
            people = recipients(report.unit, FILL)
            entry = {"report": report.pk, "unit": report.unit.name, "to": [address for address, _user in people]}
            sent.append(entry)
            if dry_run or not people:
                continue
            days_late = (today - report.reporting_period.deadline).days
            messages = [
                _message(
                    "report_reminder",
                    _language(user),
                    address,
                    {"report": report, "reader": user, "days_late": days_late},
                )
                for address, user in people
            ]
            connection.send_messages(messages)
            report.reminded_at = timezone.now()
            report.save(update_fields=["reminded_at"])
            log(report, "stats.report.remind", data={"to": entry["to"], "days_late": days_late})
            logger.info("Reminded %s (%s days late) at %s", report, days_late, ", ".join(entry["to"]))
    return sent
