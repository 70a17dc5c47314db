"""``manage.py stats_reporting_units [--former-districts]``: reporting units from the archive's places."""

from django.core.management.base import BaseCommand

from stats.reports.setup import sync_reporting_units


class Command(BaseCommand):
    help = (
        "Create a reporting unit for the ministry, each province and each commune of today (archive.Place), each "
        "reviewed by the unit above; --former-districts also one per former district. Existing units are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--former-districts", action="store_true")

    def handle(self, *args, former_districts=False, **options):
        created = sync_reporting_units(former_districts=former_districts)
        self.stdout.write("Created: " + ", ".join(f"{count} {level}" for level, count in created.items()) + ".")
