"""``manage.py stats_open_period FORM PERIOD [--deadline YYYY-MM-DD]``: open a form for a reporting period."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stats.models import ReportForm
from stats.reports.workflow import open_period


class Command(BaseCommand):
    help = (
        "Open a report form for a period (2025; 2025-01-01/2025-06-30): every active reporting unit of the form's "
        "level gets a report to fill. Running it again adds reports for units created since."
    )

    def add_arguments(self, parser):
        parser.add_argument("form", help="The form's working or official code (XA-DTTS-01).")
        parser.add_argument("period")
        parser.add_argument("--deadline", type=dt.date.fromisoformat, help="Default: the form's deadline rule.")
        parser.add_argument("--user", help="Username recorded in the audit log.")

    def handle(self, *args, form, period, deadline=None, user=None, **options):
        found = ReportForm.objects.filter(code=form).first() or ReportForm.objects.filter(official_code=form).first()
        if found is None:
            raise CommandError(f"No report form {form!r}.")
        who = None
        if user:
            who = get_user_model().objects.filter(username=user).first()
            if who is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            reporting_period, added = open_period(found, period, deadline=deadline, user=who)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{reporting_period}: {added} reports added, {reporting_period.reports.count()} in all, "
            f"due {reporting_period.deadline.isoformat()}."
        )
