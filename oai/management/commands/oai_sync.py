"""Bring the OAI-PMH provider's records up to date with the database (idempotent)."""

from django.core.management.base import BaseCommand

from oai import services


class Command(BaseCommand):
    help = (
        "Bring the OAI-PMH records up to date: new public records are added, changed ones get a new datestamp, "
        "records no longer public are marked deleted. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        counts = services.sync_all()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
