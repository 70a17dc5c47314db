"""``manage.py import_observations FILE [--dry-run] [--report out.csv]``: figures from an XLSX or CSV file."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from stats.importer import ERROR, import_observations
from stats.models import Status


class Command(BaseCommand):
    help = (
        "Import observations from an XLSX or CSV file made from a template (manage.py stats_template). The whole "
        "file is imported or nothing is: any error rolls it back. Importing the same file again changes nothing. "
        "See docs/statistics.md for the format and its rules."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check everything and report; write nothing.")
        parser.add_argument("--report", type=Path, help="Write the per-cell report to this CSV file.")
        parser.add_argument(
            "--number-format",
            choices=["vi", "en"],
            default="vi",
            help="How numbers typed as text are written: vi = 1.234,5 (default), en = 1,234.5.",
        )
        parser.add_argument(
            "--status",
            choices=[Status.PROVISIONAL, Status.FINAL],
            default=Status.PROVISIONAL,
            help="Status of rows whose status cell is empty (default: provisional, never published).",
        )
        parser.add_argument("--source", default="", help="Source of rows whose source cell is empty.")
        parser.add_argument("--user", help="Username recorded in the revision history.")
        parser.add_argument("--language", choices=["vi", "en"], help="Language of the report (default: Vietnamese).")

    def handle(self, *args, file, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
        with translation.override(options["language"] or translation.get_language() or "vi"):
            report = import_observations(
                file,
                dry_run=options["dry_run"],
                user=user,
                number_format=options["number_format"],
                default_status=options["status"],
                default_source=options["source"],
            )
            if options["report"]:
                report.write_csv(options["report"])
            for line in report.lines:
                if line.status == ERROR or options["verbosity"] > 1:
                    self.stdout.write(f"{line.sheet}!{line.cell}\t{line.status}\t{line.message}")
            summary = report.summary()
        if report.errors:
            raise CommandError(summary)
        self.stdout.write(summary)
