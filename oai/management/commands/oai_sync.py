"""Bring the OAI-PMH provider's records up to date with the database (idempotent)."""

from django.core.management.base import BaseCommand

from oai import services


class Command(BaseCommand):
    help = (
        "Bring the OAI-PMH records up to date: new public records are added, changed ones get a new datestamp, "
        "records no longer public are marked deleted, and the metadata served is stored on each record "
        "(run it once after upgrading). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="store every record's metadata again, changed or not (after an upgrade that changed the mapping)",
        )

    def handle(self, *args, **options):
        counts = services.sync_all(refresh=options["refresh"])
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
