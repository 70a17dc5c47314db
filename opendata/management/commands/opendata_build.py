"""Build the open-data catalogue's files now (``opendata.services.build``), in this process."""

from django.core.management.base import BaseCommand

from opendata import services


class Command(BaseCommand):
    help = "Build the public catalogue's open-data files (CSV, JSON Lines, data package, zip) now."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Only ask the task worker to build them (debounced, in the bulk lane).",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            if not services.schedule_build():
                self.stderr.write("Could not enqueue the build; run this command without --enqueue.")
                raise SystemExit(1)
            self.stdout.write("Build scheduled.")
            return
        made = services.build()
        counts = ", ".join(f"{name}: {rows}" for name, rows in made.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Built {made.folder} ({counts})."))
