"""``manage.py load_stats_demo``: the indicator catalogue, real published figures and labelled samples."""

from django.core.management.base import BaseCommand, CommandError

from stats.demo import StatsDemoError, load_stats_demo


class Command(BaseCommand):
    help = (
        "Load the indicator catalogue, the published figures of the project reference (2019 census and "
        "53-groups survey, with their sources) and clearly labelled sample series. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            counts = load_stats_demo()
        except StatsDemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()) + " figures.")
