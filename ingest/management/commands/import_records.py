"""``manage.py import_records MANIFEST.csv --media DIR [--dry-run]``: create or update records from a CSV file."""

from pathlib import Path

from tqdm import tqdm

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ingest.bulk import bulk_work
from ingest.imports import Action, ImportReport, ManifestError, RowOutcome, import_records


class Command(BaseCommand):
    help = (
        "Create or update heritage records from a CSV manifest (docs/import-format.md), attaching media from a "
        "folder. Prints each row's outcome; exits non-zero if any row was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path, help="The CSV file (UTF-8).")
        parser.add_argument("--media", type=Path, help="Folder that the media paths in the file are relative to.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and media file; write nothing.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the records. Without it they are saved as drafts for review.",
        )
        parser.add_argument("--user", help="Username recorded as the author of the revisions and uploads.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, manifest, media, dry_run, publish, user, no_progress, **options):
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user named {user!r}.")
        with tqdm(total=0, unit="rows", disable=no_progress, file=self.stderr) as bar:

            def advance(done, total):
                bar.total = total
                bar.update(done - bar.n)

            try:
                # Bulk work: its tasks go behind people's uploads, Wagtail's per-save tasks are batched.
                with bulk_work():
                    report = import_records(
                        manifest, media, dry_run=dry_run, publish=publish, user=author, progress=advance
                    )
            except ManifestError as exc:
                raise CommandError(f"{manifest}: {exc} Nothing was imported.") from exc
        self.write_report(report, options["verbosity"])
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} row(s) rejected; the other rows were {self.done(report)}.")

    def done(self, report: ImportReport) -> str:
        return "checked only (dry run)" if report.dry_run else "imported"

    def write_report(self, report: ImportReport, verbosity: int) -> None:
        would = "would be " if report.dry_run else ""
        counts = (
            f"{report.count(Action.CREATED)} {would}created, {report.count(Action.UPDATED)} {would}updated, "
            f"{report.count(Action.UNCHANGED)} unchanged"
        )
        lines = [
            f"{report.manifest}: {'dry run, nothing was written' if report.dry_run else 'imported'}",
            f"Rows: {len(report.rows)}; accepted {len(report.accepted)} ({counts}), rejected {len(report.rejected)}.",
            f"Media: {report.media_attached} {would}attached, of which {report.media_stored} new to the archive.",
        ]
        if verbosity >= 1:
            lines += [f"  line {row.line}, {row.identifier}: {self.describe(row, would)}" for row in report.accepted]
        if report.rejected:
            lines.append("Rejected rows:")
            lines += [
                f"  line {row.line}, {row.identifier or '(no identifier)'}: {row.reason}" for row in report.rejected
            ]
        self.stdout.write("\n".join(lines))

    def describe(self, row: RowOutcome, would: str) -> str:
        if row.action == Action.UNCHANGED:
            text, notes = "unchanged", []
        else:
            text, notes = f"{would}{row.action}", ["draft for review"] if row.revised and not row.published else []
        if row.published:
            notes.append(f"{would}published")
        if row.media_attached:
            notes.append(f"{row.media_attached} media {would}attached")
        return f"{text} ({', '.join(notes)})" if notes else text
