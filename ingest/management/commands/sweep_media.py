import datetime as dt

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.template.defaultfilters import filesizeformat

from ingest.services.orphans import find_orphans, remove_orphan


class Command(BaseCommand):
    help = (
        "Remove files in media storage that no row points to: originals stored just before a crash, before "
        "their row was committed, and derivative run folders no derivative set uses. Only what has not "
        "changed for --older-than hours (default 24) is touched, so uploads and runs in progress are safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; remove nothing.")
        parser.add_argument(
            "--older-than",
            type=float,
            default=24,
            metavar="HOURS",
            help="Only files unchanged for at least this many hours (default: 24).",
        )

    @no_translations  # sizes in the operator's log read the same whatever the site's language
    def handle(self, *args, dry_run=False, older_than=24, **options):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more hours.")
        orphans = list(find_orphans(dt.timedelta(hours=older_than)))
        verb = "Would remove" if dry_run else "Removed"
        files = size = 0
        for orphan in orphans:
            if not dry_run and not remove_orphan(orphan):
                self.stdout.write(f"Kept {orphan.path}: it is in use now.")
                continue
            files += orphan.files
            size += orphan.size
            count = f"{orphan.files} file{'s' if orphan.files != 1 else ''}"
            shown = f"{orphan.path}/ ({count}, " if orphan.is_folder else f"{orphan.path} ("
            self.stdout.write(f"{verb} {shown}{orphan.size} bytes)")
        total = f"{files} orphaned file(s), {size} bytes ({filesizeformat(size)})"
        self.stdout.write(f"Would remove {total}." if dry_run else f"Removed {total} freed.")
