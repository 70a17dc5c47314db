from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.demo.loader import DemoDataError
from cms.demo import load_demo
from ingest.processing import ProcessingError


class Command(BaseCommand):
    help = "Load the demo collection (54 ethnic groups, 34 provinces, heritage records). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users", action="store_true", help="Also create demo accounts (admin, curator, ...)."
        )
        parser.add_argument(
            "--password", default="", help="Password for new demo accounts (required with --with-users)."
        )
        parser.add_argument(
            "--no-images", action="store_true", help="Skip the generated illustrations of records without an image."
        )
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="Skip generating sample media (video, captions, audio, photo, scanned PDF) and the library's PDFs.",
        )
        parser.add_argument(
            "--no-library-files",
            action="store_true",
            help="Skip generating the library's PDFs (sample books, theses, ... and the seed plans' texts).",
        )
        parser.add_argument("--data-dir", type=Path, help="Read the demo YAML from this folder instead.")

    def handle(self, *args, with_users=False, password="", no_images=False, no_media=False, data_dir=None, **options):
        if with_users and len(password) < 8:
            raise CommandError("--with-users needs --password of at least 8 characters.")
        try:
            report = load_demo(
                with_users=with_users,
                password=password,
                with_images=not no_images,
                with_media=not no_media,
                with_library_files=not options.get("no_library_files"),
                data_dir=data_dir,
            )
        except DemoDataError as exc:
            raise CommandError(f"Demo data problem, nothing was loaded: {exc}") from exc
        except ProcessingError as exc:
            raise CommandError(
                f"The demo data was loaded, but generating or storing its sample media failed: {exc.message} "
                f"{exc.detail or ''}".strip()
            ) from exc
        summary = ", ".join(f"{count} {name}" for name, count in report.items())
        self.stdout.write(self.style.SUCCESS(f"Demo loaded (new: {summary})."))
        if report.get("media") or report.get("library files"):
            self.stdout.write("The task worker (`manage.py db_worker`) makes the access copies of the sample media.")
