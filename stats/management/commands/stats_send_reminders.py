"""``manage.py stats_send_reminders [--dry-run] [--date YYYY-MM-DD]``: e-mail the units whose reports are late.

Run it daily from cron, as the media maintenance commands are (docs/operations.md), e.g.::

    0 7 * * *  cd /srv/archive && set -a && . ./.env && .venv/bin/python manage.py stats_send_reminders
"""

import datetime as dt

from django.core.management.base import BaseCommand

from stats.reports.notices import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail a reminder to every reporting unit whose report is past its deadline and not submitted (or was "
        "returned and not submitted again) — and to nobody else; at most once a day per report. E-mail goes "
        "through EMAIL_BACKEND (printed on the console unless EMAIL_HOST is set)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would be reminded; send nothing.")
        parser.add_argument("--date", type=dt.date.fromisoformat, help="Take this day as today.")
        parser.add_argument("--every-days", type=int, default=1, help="Remind a unit again after this many days.")

    def handle(self, *args, dry_run=False, date=None, every_days=1, **options):
        sent = send_reminders(date, dry_run=dry_run, every_days=every_days)
        for entry in sent:
            to = ", ".join(entry["to"]) or "(no address: add members with e-mail or the unit's e-mail)"
            self.stdout.write(f"{entry['unit']}: {to}")
        verb = "would be reminded" if dry_run else "reminded"
        self.stdout.write(f"{len(sent)} late reports {verb}.")
