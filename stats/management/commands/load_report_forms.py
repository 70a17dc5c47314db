"""``manage.py load_report_forms [--update]``: the periodic report forms of ``stats/data/report_forms.yaml``."""

from django.core.management.base import BaseCommand, CommandError

from stats.reports.seed import FormSeedError, load_report_forms


class Command(BaseCommand):
    help = (
        "Load the periodic report forms (sections, cells, rules) from stats/data/report_forms.yaml. Existing "
        "forms are left as staff edited them unless --update; a verification is never taken back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="Rewrite existing forms from the file.")

    def handle(self, *args, update=False, **options):
        try:
            counts = load_report_forms(update=update)
        except FormSeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()) + " forms.")
