"""Records keep their images as media: each gallery image (``archive.RecordImage``) becomes an original
shown by the same record, in the same place and with the same caption, before ``archive`` drops the gallery.

The image's file is copied into intake storage as an original (stored once by SHA-256: the same file on
several records, or already ingested, is one original) and its processing job is queued, due since the
image was uploaded, so ``manage.py recover_ingest_jobs`` (run when workers start, and from cron) sends it to
the workers; until its access copies are made the record page says an image is being prepared. The links go
before the record's other media, in the gallery's order, into the rows and into the page's live and latest
revisions (a later publish keeps them). A file that is missing, or that intake refuses, is reported and left
out: the image itself stays in the image library.
"""

import hashlib
import logging
import tempfile
from collections import defaultdict
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import migrations

logger = logging.getLogger(__name__)


def _received(image) -> tuple[Path, str, int] | None:
    """A local copy of ``image``'s file, its SHA-256 and size; None when the file is missing."""
    digest, size = hashlib.sha256(), 0
    suffix = PurePosixPath(image.file.name).suffix
    with tempfile.NamedTemporaryFile(prefix="record-image-", suffix=suffix, delete=False) as handle:
        try:
            with image.file.open("rb") as source:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
        except OSError:
            missing = True
        else:
            missing = False
    if missing:
        Path(handle.name).unlink(missing_ok=True)
        return None
    return Path(handle.name), digest.hexdigest(), size


def _original_for(image, apps, stored: list[str]):
    """The original holding ``image``'s file (made and queued if new), or None if it cannot be taken in."""
    from ingest.processing import ProcessingError, inspect
    from ingest.services import original_path

    Original = apps.get_model("ingest", "Original")
    ProcessingJob = apps.get_model("ingest", "ProcessingJob")
    received = _received(image)
    if received is None:
        logger.warning(
            "Image %s (%s): its file is missing; it is not moved to the record's media.", image.pk, image.file.name
        )
        return None
    path, sha256, size = received
    try:
        existing = Original.objects.filter(sha256=sha256).first()
        if existing is not None:
            return existing
        name = PurePosixPath(image.file.name).name
        try:
            found = inspect(path, name=name)
        except ProcessingError as exc:
            logger.warning("Image %s (%s) is refused by intake (%s); it is not moved.", image.pk, name, exc)
            return None
        with path.open("rb") as handle:
            saved = default_storage.save(original_path(sha256, name), File(handle, name=name))
        stored.append(saved)
        original = Original.objects.create(
            file=saved,
            sha256=sha256,
            size=size,
            mime=found["type"]["mime"],
            kind=found["type"]["kind"],
            filename=name,
            metadata=found["metadata"],
            warnings=found["type"]["warnings"],
            created_by_id=image.uploaded_by_user_id,
        )
        # Due since the image arrived: the next sweep of recover_ingest_jobs sends it to the workers.
        ProcessingJob.objects.create(original=original, next_attempt_at=image.created_at)
        return original
    finally:
        path.unlink(missing_ok=True)


def _amend_revisions(apps, page_id: int, links: list) -> None:
    """Put the record's list as its rows now hold it into its live and latest revisions (those carrying one)."""
    from modelcluster.models import get_serializable_data_for_fields

    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    page = Page.objects.filter(pk=page_id).values("live_revision_id", "latest_revision_id").first()
    if page is None:
        return
    moved = {link.original_id: link for link in links}
    for revision in Revision.objects.filter(pk__in={page["live_revision_id"], page["latest_revision_id"]} - {None}):
        content = revision.content
        content.pop("images", None)
        listed = content.get("media_links")
        if listed is not None:
            kept = [item for item in listed if item.get("original") not in moved]
            for item in kept:
                item["sort_order"] = (item.get("sort_order") or 0) + len(links)
            content["media_links"] = [get_serializable_data_for_fields(link) for link in links] + kept
        revision.content = content
        revision.save(update_fields=["content"])


def record_images_to_media(apps, schema_editor):
    RecordImage = apps.get_model("archive", "RecordImage")
    RecordMedia = apps.get_model("ingest", "RecordMedia")
    galleries = defaultdict(list)
    for item in RecordImage.objects.select_related("image").order_by("page_id", "sort_order", "pk"):
        galleries[item.page_id].append(item)
    stored: list[str] = []
    try:
        for page_id, items in galleries.items():
            shown = set(RecordMedia.objects.filter(record_id=page_id).values_list("original_id", flat=True))
            links = []
            for item in items:
                original = _original_for(item.image, apps, stored)
                if original is None or original.pk in shown:
                    continue
                shown.add(original.pk)
                links.append(
                    RecordMedia(
                        record_id=page_id,
                        original=original,
                        sort_order=len(links),
                        caption=item.caption,
                        added_at=item.image.created_at,
                    )
                )
            if not links:
                continue
            for link in RecordMedia.objects.filter(record_id=page_id):
                RecordMedia.objects.filter(pk=link.pk).update(sort_order=link.sort_order + len(links))
            for link in links:
                link.save()
            _amend_revisions(apps, page_id, links)
    except BaseException:
        for name in stored:  # nothing half-written: the rows roll back, the copied files go too
            default_storage.delete(name)
        raise


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_identifier_sequence"),
        ("ingest", "0003_recordmedia_caption"),
        ("wagtailcore", "0058_page_alias_of"),
    ]
    # Before archive drops the gallery it reads (archive itself knows nothing of ingest).
    run_before = [("archive", "0008_delete_recordimage")]

    operations = [migrations.RunPython(record_images_to_media, migrations.RunPython.noop)]
