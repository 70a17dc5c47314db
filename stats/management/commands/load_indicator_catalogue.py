"""``manage.py load_indicator_catalogue [--file F] [--update]``: seed the indicator catalogue."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stats.catalogue import CATALOGUE_FILE, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "Create the units, indicator groups, disaggregations and indicators of stats/data/indicator_catalogue.yaml "
        "that are missing. Existing entries are left as staff edited them unless --update is given; a verified "
        "official code is never taken back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=CATALOGUE_FILE, help="The catalogue file (YAML).")
        parser.add_argument("--update", action="store_true", help="Rewrite existing entries from the file.")

    def handle(self, *args, file, update, **options):
        try:
            created = load_catalogue(file, update=update)
        except (CatalogueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{count} {name}" for name, count in created.items()) + " created.")
