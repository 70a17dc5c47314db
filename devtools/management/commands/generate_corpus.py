import time

from django.core.management.base import BaseCommand, CommandError

from devtools.corpus.service import CorpusError, generate_corpus


def _percentage(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 100:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Write N synthetic heritage records (identifiers dtts-bench-NNNNNN) in bulk, for benchmarks. "
        "Runs again append; --clear removes the earlier ones first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, required=True, help="Records to write (0: none, e.g. to index).")
        parser.add_argument("--seed", type=int, default=20250701, help="Random seed (default 20250701).")
        parser.add_argument("--batch", type=int, default=1000, help="Records per transaction (default 1000).")
        parser.add_argument("--locale", default="vi", help="Language of the records' tree (default vi).")
        parser.add_argument(
            "--translations",
            type=_percentage,
            default=10.0,
            metavar="PCT",
            help="Share of records that also get a page in the other language(s) (default 10).",
        )
        parser.add_argument("--clear", action="store_true", help="Delete the corpus records written before.")
        parser.add_argument(
            "--wagtail-index",
            action="store_true",
            help="Also add the new pages (with --records 0: every corpus page) to Wagtail's own search index.",
        )

    def handle(self, *args, records, seed, batch, locale, translations, clear, wagtail_index, **options):
        if records < 0 or batch < 1:
            raise CommandError("--records must be 0 or more and --batch at least 1.")
        self._last_report = 0.0
        try:
            report = generate_corpus(
                records,
                seed=seed,
                batch=batch,
                locale=locale,
                translations=translations,
                clear=clear,
                wagtail_index=wagtail_index,
                progress=self._progress,
            )
        except CorpusError as exc:
            raise CommandError(str(exc)) from exc

        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if clear:
            self.stdout.write(f"Cleared {report.cleared} earlier corpus records.")
        if report.created:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report.by_type.items()))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {report.created} records ({report.first_identifier} … {report.last_identifier}) and "
                    f"{report.translations} translations in {report.seconds:.1f} s ({report.rate:.0f} records/s)."
                )
            )
            self.stdout.write(f"  by type: {kinds}")
        if wagtail_index:
            rate = report.indexed / report.index_seconds if report.index_seconds else 0
            self.stdout.write(
                f"Added {report.indexed} pages to Wagtail's search index in {report.index_seconds:.1f} s "
                f"({rate:.0f} pages/s)."
            )
        if report.created:
            self.stdout.write(
                "The public search does not know these records yet: run `manage.py search_index rebuild`."
            )

    def _progress(self, stage, done, total, seconds):
        now = time.monotonic()
        if done < total and now - self._last_report < 2:
            return
        self._last_report = now
        rate = done / seconds if seconds else 0
        unit = "pages" if stage == "wagtail-index" else "records"
        self.stdout.write(f"  {stage}: {done}/{total} {unit} ({rate:.0f} {unit}/s, {seconds:.1f} s)")
