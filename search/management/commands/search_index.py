"""``manage.py search_index rebuild|status|apply``: look after the discovery index."""

from tqdm import tqdm

from django.core.management.base import BaseCommand, CommandError

from search import services
from search.documents import indexable_records
from search.engines import EngineUnavailable


class Command(BaseCommand):
    help = "Rebuild the discovery search index (swapped in when complete), show its state, or apply queued updates."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status", "apply"])
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, action, no_progress=False, **options):
        try:
            getattr(self, action)(progress=not no_progress)
        except EngineUnavailable as exc:
            raise CommandError(f"{exc} Queued updates are kept and applied when the engine answers again.") from exc

    def rebuild(self, progress: bool):
        total = indexable_records().count()
        with tqdm(total=total, unit="records", disable=not progress, file=self.stderr) as bar:

            def advance(count):
                bar.update(count - bar.n)

            count = services.rebuild(progress=advance)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} records; the new index is live."))

    def apply(self, progress: bool):
        report = services.apply_pending()
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
                f"Records to index:   {state['indexable_records']}",
            ]
        else:
            lines.append(f"Error:              {state['error']}")
        lines.append(f"Queued updates:     {state['pending']}")
        if state["pending"]:
            lines.append(f"Oldest queued:      {state['oldest_pending']:%Y-%m-%d %H:%M:%S}")
        if state["last_error"]:
            lines.append(f"Last error:         {state['last_error']}")
        self.stdout.write("\n".join(lines))
