"""``manage.py search_index rebuild|status|apply``: look after the discovery index (and, for
``rebuild`` and ``status``, the people index of the expert directory: ``search.people``).

``status`` exits with 1 when it finds a problem (no index, an unreadable one, one that does not
match the database, updates waiting too long), so that monitoring can run it.
"""

import sys

from tqdm import tqdm

from django.core.management.base import BaseCommand, CommandError

from search import people, services
from search.documents import indexable_records
from search.engines import EngineUnavailable
from search.feed import can_fork


class Command(BaseCommand):
    help = (
        "Rebuild the discovery search index and the people index (each swapped in when complete), show their "
        "state (exit status 1 on a problem), or apply queued updates (rebuilding an index that is missing or does "
        "not match the database)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status", "apply"])
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="rebuild: 2 (default) makes documents in a second process while the engine indexes; 1 does both here.",
        )

    exit_status = 0

    def run_from_argv(self, argv):
        super().run_from_argv(argv)
        if self.exit_status:
            sys.exit(self.exit_status)

    def handle(self, *args, action, no_progress=False, workers=2, **options):
        self.workers = workers
        self.exit_status = 0
        try:
            getattr(self, action)(progress=not no_progress)
        except EngineUnavailable as exc:
            raise CommandError(f"{exc} Queued updates are kept and applied when the engine answers again.") from exc

    def rebuild(self, progress: bool):
        total = indexable_records().count()
        parallel = self.workers > 1 and can_fork()
        with tqdm(total=total, unit="records", disable=not progress, file=self.stderr) as bar:

            def advance(count):
                bar.update(count - bar.n)

            count = services.rebuild(progress=advance, workers=self.workers)
        made = " (documents made in a second process)" if parallel else ""
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} records{made}; the new index is live."))
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {people.count()} people documents; the new people index is live.")
        )

    def apply(self, progress: bool):
        # What the task worker does, now: an index found missing or not matching the database is rebuilt.
        report = services.apply_pending(repair=True)
        if report.get("rebuilt") is not None:
            self.stdout.write(
                self.style.WARNING(
                    f"The index was missing or did not match the database: rebuilt it with {report['rebuilt']} records "
                    "and applied the queued updates to it."
                )
            )
        self.stdout.write(
            f"Applied {report['applied']} queued updates ({report['indexed']} indexed, {report['removed']} removed)."
        )

    def status(self, progress: bool):
        state = services.status()
        lines = [
            f"Engine:             {state.get('engine')} ({'available' if state['available'] else 'UNAVAILABLE'})",
        ]
        if state["available"]:
            lines += [
                f"Index:              {state['index']} at {state['location']}",
                f"Documents:          {state['documents']}",
            ]
            if "pages" in state:
                lines.append(f"Pages of PDFs:      {state['pages']}")
        else:
            lines.append(f"Error:              {state['error']}")
        try:
            lines.append(f"People documents:   {people.count()} (the expert directory)")
        except EngineUnavailable as exc:
            lines.append(f"People index:       UNAVAILABLE: {exc}")
            state["problems"].append(services.Problem("missing", str(exc)))
        lines.append(f"Records to index:   {state['indexable_records']}")
        lines.append(f"Queued updates:     {state['pending']}")
        if state["pending"]:
            lines.append(f"Oldest queued:      {state['oldest_pending']:%Y-%m-%d %H:%M:%S}")
        if state["last_error"]:
            lines.append(f"Last error:         {state['last_error']}")
        self.stdout.write("\n".join(lines))
        if state["problems"]:
            self.exit_status = 1
            self.stdout.write(self.style.ERROR(f"\nPROBLEMS ({len(state['problems'])}):"))
            for problem in state["problems"]:
                self.stdout.write(self.style.ERROR(f"- {problem.message}"))
        else:
            self.stdout.write(self.style.SUCCESS("\nOK: no problems found."))
