"""Delete contact messages older than EXPERTS_MESSAGE_RETENTION_DAYS (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from experts.models import retention_days
from experts.services import purge_messages


class Command(BaseCommand):
    help = "Delete contact messages to experts kept longer than the retention period."

    def handle(self, *args, **options):
        deleted = purge_messages()
        self.stdout.write(f"{deleted} message(s) older than {retention_days()} days deleted.")
