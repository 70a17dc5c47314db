from django.core.management.base import BaseCommand

from ingest.services.watchdog import recover_jobs


class Command(BaseCommand):
    help = (
        "Queue again ingest jobs whose worker died mid-way and resend queued jobs whose task was lost. "
        "Run it before starting a worker (and from cron where workers run on several machines)."
    )

    def handle(self, *args, **options):
        result = recover_jobs()
        self.stdout.write(
            f"Requeued {len(result['requeued'])} job(s) whose worker stopped, resent {len(result['resent'])} "
            f"queued job(s), failed {len(result['failed'])} interrupted too often."
        )
