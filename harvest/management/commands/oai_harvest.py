"""``manage.py oai_harvest URL|SOURCE [--set SPEC] [--from DATE] [--prefix oai_dc|marc21] [--full]``, or
``--all`` (every enabled source, queued for the worker): harvest an OAI-PMH repository into the e-library."""

from django.core.management.base import BaseCommand, CommandError

from harvest.client import HarvestError
from harvest.models import HarvestRun, HarvestSource
from harvest.services import PREFIXES, harvest
from harvest.tasks import enqueue_enabled


class Command(BaseCommand):
    help = (
        "Harvest an OAI-PMH repository (a base URL, or the name of a harvest source configured in the admin) into "
        "the e-library: new records become library items, changed ones new revisions, deleted ones unpublished. "
        "A source's next harvest asks only for what changed; a harvest that stopped part-way goes on from where it "
        "stopped. Exits non-zero if the harvest failed or a record was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", nargs="?", help="OAI-PMH base URL, or the name of a harvest source.")
        parser.add_argument("--set", dest="set_spec", default="", help="Only this set (setSpec); with a URL.")
        parser.add_argument("--from", dest="from_date", default="", help="Only records changed since (2024-05-01).")
        parser.add_argument(
            "--prefix", choices=PREFIXES, default="", help="Metadata format (default oai_dc); with a URL."
        )
        parser.add_argument("--full", action="store_true", help="Everything, not only what changed since the last run.")
        parser.add_argument(
            "--all", action="store_true", help="Queue a harvest of every enabled source for the worker."
        )

    def handle(self, *args, target, set_spec, from_date, prefix, full, all, **options):
        if all:
            if target:
                raise CommandError("Give a source or --all, not both.")
            runs = enqueue_enabled()
            self.stdout.write(f"Queued {len(runs)} harvest(s): {', '.join(run.source.name for run in runs) or '-'}.")
            return
        if not target:
            raise CommandError("Give an OAI-PMH base URL or a harvest source's name (or --all).")
        named = HarvestSource.objects.filter(name=target).first()
        if named is not None and (set_spec or prefix):
            raise CommandError(
                f"“{target}” is a configured source: its set and format are set in the admin, not with --set/--prefix."
            )

        def report(run: HarvestRun) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  page {run.pages}: {self.counts(run)}")

        try:
            run = harvest(
                named or target,
                from_date=from_date,
                full=full,
                metadata_prefix=prefix,
                set_spec=set_spec,
                progress=report,
            )
        except HarvestError as exc:
            raise CommandError(str(exc)) from exc
        asked = f" from {run.from_date}" if run.from_date else ""
        self.stdout.write(
            f"{run.source.name} ({run.source.base_url}, {run.metadata_prefix}{asked}): {self.counts(run)}"
        )
        for problem in run.record_errors:
            self.stdout.write(f"  rejected {problem['identifier']}: {problem['reason']}")
        if run.state == HarvestRun.State.FAILED:
            where = " It will go on from where it stopped next time." if run.resumption_token else ""
            raise CommandError(f"The harvest failed: {run.error}{where}")
        if run.failed:
            raise CommandError(f"{run.failed} record(s) rejected; the others were harvested.")

    @staticmethod
    def counts(run: HarvestRun) -> str:
        return (
            f"{run.seen} seen, {run.created} created, {run.updated} updated, {run.unchanged} unchanged, "
            f"{run.deleted} deleted, {run.failed} rejected ({run.pages} page(s))"
        )
