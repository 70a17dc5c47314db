"""``manage.py import_catalogue FILE [--format marc|marcxml|csv] [--dry-run]``: library items from a catalogue."""

import csv
from pathlib import Path

from tqdm import tqdm

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ingest.bulk import bulk_work
from library.imports import FORMATS, Action, CatalogueReport, Outcome, SourceError, import_catalogue
from library.mapping import TYPE_MODELS


class Command(BaseCommand):
    help = (
        "Create or update library items from a catalogue file: MARC 21 (binary or MARCXML) or CSV "
        "(docs/import-format.md, “Catalogue import”), attaching PDFs from a folder. Prints each record's outcome; "
        "exits non-zero if any record was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The catalogue file (.mrc, .xml or .csv).")
        parser.add_argument("--format", choices=FORMATS, help="The file's format (default: from its name and content).")
        parser.add_argument("--library", help="Slug of the library section the items go into (default: the only one).")
        parser.add_argument(
            "--type", choices=sorted(TYPE_MODELS), help="Item type of every record (default: from each record)."
        )
        parser.add_argument(
            "--files", type=Path, help="Folder that the file paths (856 $u, the file column) are relative to."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every record and file; write nothing.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the items. Without it they are saved as drafts for review."
        )
        parser.add_argument("--user", help="Username recorded as the author of the revisions and uploads.")
        parser.add_argument(
            "--skip-unknown-terms",
            action="store_true",
            help="Leave out subjects, places, ethnic groups and languages the archive's vocabularies lack "
            "(listed in the report) instead of rejecting the record.",
        )
        parser.add_argument("--report", type=Path, help="Also write the report, one row per record, to this CSV file.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, source, user, no_progress, **options):
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user named {user!r}.")
        with tqdm(total=0, unit="records", disable=no_progress, file=self.stderr) as bar:

            def advance(done, total):
                bar.total = total
                bar.update(done - bar.n)

            try:
                with bulk_work():
                    report = import_catalogue(
                        source,
                        fmt=options["format"],
                        library=options["library"],
                        item_type=options["type"],
                        files_dir=options["files"],
                        dry_run=options["dry_run"],
                        publish=options["publish"],
                        user=author,
                        skip_unknown_terms=options["skip_unknown_terms"],
                        progress=advance,
                    )
            except SourceError as exc:
                raise CommandError(f"{source}: {exc} Nothing was imported.") from exc
        self.write_report(report, options["verbosity"])
        if options["report"]:
            self.write_csv(report, options["report"])
        if report.rejected:
            done = "checked only (dry run)" if report.dry_run else "imported"
            raise CommandError(f"{len(report.rejected)} record(s) rejected; the other records were {done}.")

    def write_report(self, report: CatalogueReport, verbosity: int) -> None:
        would = "would be " if report.dry_run else ""
        counts = (
            f"{report.count(Action.CREATED)} {would}created, {report.count(Action.UPDATED)} {would}updated, "
            f"{report.count(Action.UNCHANGED)} unchanged"
        )
        lines = [
            f"{report.source} ({report.format}): {'dry run, nothing was written' if report.dry_run else 'imported'}",
            f"Records: {len(report.outcomes)}; accepted {len(report.accepted)} ({counts}), "
            f"rejected {len(report.rejected)}.",
            f"Files: {report.media_attached} {would}attached, of which {report.media_stored} new to the archive.",
        ]
        if report.outcomes and not report.rejected and all(o.action == Action.UNCHANGED for o in report.outcomes):
            lines.append("Nothing changed: every record is already in the catalogue as it is in the file.")
        if verbosity >= 1:
            lines += [f"  {self.label(outcome)}: {self.describe(outcome, would)}" for outcome in report.accepted]
        if report.rejected:
            lines.append("Rejected records:")
            lines += [f"  {self.label(outcome)}: {outcome.reason}" for outcome in report.rejected]
        self.stdout.write("\n".join(lines))

    @staticmethod
    def label(outcome: Outcome) -> str:
        parts = [outcome.where]
        if outcome.identifier:
            parts.append(outcome.identifier)
        if outcome.title:
            parts.append(f"“{outcome.title}”")
        return ", ".join(parts)

    @staticmethod
    def describe(outcome: Outcome, would: str) -> str:
        if outcome.action == Action.UNCHANGED:
            text, notes = "unchanged", []
        else:
            text = f"{would}{outcome.action}"
            notes = ["draft for review"] if outcome.revised and not outcome.published else []
        if outcome.published:
            notes.append(f"{would}published")
        if outcome.media_attached:
            notes.append(f"{outcome.media_attached} file(s) {would}attached")
        notes += outcome.notes
        return f"{text} ({'; '.join(notes)})" if notes else text

    @staticmethod
    def write_csv(report: CatalogueReport, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["record", "position", "identifier", "title", "action", "reason", "notes"])
            for outcome in report.outcomes:
                writer.writerow(
                    [
                        outcome.number,
                        outcome.where,
                        outcome.identifier,
                        outcome.title,
                        outcome.action,
                        outcome.reason,
                        "; ".join(outcome.notes),
                    ]
                )
