from django.core.management.base import BaseCommand, CommandError

from ingest.services.fixity import check_fixity


class Command(BaseCommand):
    help = (
        "Re-hash every stored original, record a fixity event for each, and exit non-zero naming "
        "every file that changed or vanished."
    )

    def handle(self, *args, **options):
        report = check_fixity()
        self.stdout.write(
            f"Checked {report.checked} original(s): {report.ok} unchanged, "
            f"{len(report.changed)} changed, {len(report.missing)} missing."
        )
        if report.problems:
            lines = [
                f"{event.outcome.upper()}: {event.path} (expected {event.expected}"
                + (f", found {event.actual})" if event.actual else ")")
                for event in report.problems
            ]
            raise CommandError(f"{len(report.problems)} original(s) failed the fixity check:\n" + "\n".join(lines))
