"""Building the catalogue's files, and keeping them current.

``build()`` writes every table (``opendata.catalogue``) as CSV and JSON Lines, the Frictionless
data package descriptor (``datapackage.json``) and a zip of all of them into a new folder of
``default_storage``, then saves a :class:`CatalogueBuild` row naming it. The newest row is the
current build: readers never see a half-written set, and the files of the build before it stay a
while for downloads still running. Older folders are removed.

Changes to what the catalogue shows (``opendata.signal_handlers``) call ``schedule_build()`` on
commit: one build task waits ``DEBOUNCE`` (where the backend can defer a task) however many changes
ask for it, in the ``bulk`` lane (after people's uploads and everything else).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import logging
import tempfile
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from wagtail.models import Site

from opendata import catalogue
from opendata.models import CatalogueBuild, Licence, OpenDataSettings

logger = logging.getLogger(__name__)

ROOT = "opendata/catalogue"
PACKAGE_NAME = "dtts-heritage-catalogue"
DESCRIPTOR = "datapackage.json"
ZIP_NAME = "catalogue.zip"
KEEP = 2  # builds kept: the current one and the one before (a download may still be reading it)
ORPHAN_AGE = dt.timedelta(hours=6)  # a folder without a row, this old, is a build that failed midway
DEBOUNCE = dt.timedelta(seconds=60)
SCHEDULED_KEY = "opendata:build-scheduled"
MARK_GRACE = 15 * 60  # seconds the mark outlives the wait: a busy worker may start the build late
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}


def media_type(name: str) -> str:
    return MEDIA_TYPES[name.rsplit(".", 1)[-1]]


def licence_settings() -> OpenDataSettings:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return OpenDataSettings(licence=Licence.CC_BY)
    return OpenDataSettings.for_site(site)


def current() -> CatalogueBuild | None:
    return CatalogueBuild.objects.order_by("-created_at", "-pk").first()


# --- writing -------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return format(value, "f").rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def write_table(table: catalogue.Table, folder: Path) -> int:
    """Write ``table`` as ``<name>.csv`` and ``<name>.jsonl`` in ``folder``; returns its rows."""
    columns = table.columns
    rows = 0
    with (
        open(folder / f"{table.name}.csv", "w", encoding="utf-8", newline="") as csv_file,
        open(folder / f"{table.name}.jsonl", "w", encoding="utf-8", newline="\n") as jsonl_file,
    ):
        writer = csv.writer(csv_file, lineterminator="\n")
        writer.writerow(columns)
        for row in table.rows():
            values = {column: catalogue.clean(row.get(column)) for column in columns}
            writer.writerow([_cell(values[column]) for column in columns])
            jsonl_file.write(json.dumps(values, ensure_ascii=False) + "\n")
            rows += 1
    return rows


def descriptor(
    tables: list[catalogue.Table], counts: dict[str, int], licence: OpenDataSettings, created: dt.datetime
) -> dict:
    """The Frictionless data package descriptor: a CSV and a JSON Lines resource per table, one schema.
    A table without rows has its CSV resource only (its header); frictionless cannot read an empty
    JSON Lines file, though the file is there."""
    resources = []
    for table in tables:
        schema = {"fields": table.fields, "missingValues": [""]}
        if table.primary_key:
            schema["primaryKey"] = table.primary_key
        for extension in ("csv", "jsonl") if counts.get(table.name) else ("csv",):
            resource = {
                "name": table.name if extension == "csv" else f"{table.name}-jsonl",
                "title": table.title,
                "description": table.description,
                "path": f"{table.name}.{extension}",
                "profile": "tabular-data-resource",
                "format": extension,
                "mediatype": media_type(f"x.{extension}").split(";")[0],
                "encoding": "utf-8",
                "schema": schema,
            }
            resources.append(resource)
    site_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "Di sản số các dân tộc thiểu số Việt Nam — Vietnamese Ethnic Minority Digital Heritage: catalogue",
        "description": (
            "The public catalogue of the archive: heritage records and library items anyone may see, with the "
            "ethnic groups, places (with their successors after the 2025 reorganisation), languages, subjects and "
            "collections they refer to. Each table as CSV (UTF-8, NFC) and JSON Lines. Non-public records, drafts "
            "and the coordinates of sacred sites are never included."
        ),
        "homepage": site_url,
        "created": created.isoformat(timespec="seconds"),
        "licenses": [{"name": licence.licence, "path": licence.licence_url, "title": licence.licence_title}],
        "sources": [{"title": str(settings.SITE_NAME), "path": site_url}],
        "keywords": ["di sản văn hoá", "dân tộc thiểu số", "cultural heritage", "ethnic minorities", "Vietnam"],
        "resources": resources,
    }


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build() -> CatalogueBuild:
    """Write a complete new build to storage and make it the current one."""
    licence = licence_settings()
    created = timezone.now()
    folder = f"{ROOT}/{created:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="opendata-") as work:
        work_dir = Path(work)
        tables = catalogue.tables()
        counts = {table.name: write_table(table, work_dir) for table in tables}
        package = descriptor(tables, counts, licence, created)
        (work_dir / DESCRIPTOR).write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
        names = [DESCRIPTOR] + [f"{t.name}.{ext}" for t in tables for ext in ("csv", "jsonl")]
        with zipfile.ZipFile(work_dir / ZIP_NAME, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                archive.write(work_dir / name, name)
        files = {}
        for name in [*names, ZIP_NAME]:
            path = work_dir / name
            with open(path, "rb") as handle:
                stored = default_storage.save(f"{folder}/{name}", File(handle, name=name))
            if stored != f"{folder}/{name}":  # a fresh folder: storage never renames; if it did, refuse it
                raise RuntimeError(f"storage wrote {stored} instead of {folder}/{name}")
            files[name] = {"size": path.stat().st_size, "sha256": _digest(path), "media_type": media_type(name)}
    made = CatalogueBuild.objects.create(folder=folder, licence=licence.licence, files=files, counts=counts)
    logger.info("Open data catalogue built in %s: %s", folder, counts)
    prune()
    return made


def prune() -> None:
    """Remove builds older than the last ``KEEP``, and folders a failed build left behind."""
    builds = list(CatalogueBuild.objects.order_by("-created_at", "-pk"))
    keep = {b.folder for b in builds[:KEEP]}
    for old in builds[KEEP:]:
        _delete_folder(old)
        old.delete()
    try:
        folders, _files = default_storage.listdir(ROOT)
    except FileNotFoundError:
        return
    limit = timezone.now() - ORPHAN_AGE
    known = set(CatalogueBuild.objects.values_list("folder", flat=True))
    for name in folders:
        path = f"{ROOT}/{name}"
        if path in keep or path in known:
            continue
        try:
            made = dt.datetime.strptime(name.split("-", 1)[0], "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        if made < limit:
            _delete_folder(CatalogueBuild(folder=path, files={n: {} for n in default_storage.listdir(path)[1]}))


def _delete_folder(old: CatalogueBuild) -> None:
    for name in old.files:
        try:
            default_storage.delete(old.path(name))
        except OSError:
            logger.warning("Could not delete %s from storage.", old.path(name))
    # On local disk the emptied folder stays behind (object storage has no folders).
    with contextlib.suppress(NotImplementedError, OSError):
        Path(default_storage.path(old.folder)).rmdir()


# --- keeping it current -------------------------------------------------------------------


def schedule_build() -> bool:
    """Have the catalogue rebuilt soon: enqueue the build task unless one is waiting already (its
    build will see this change too); False where it could not be enqueued."""
    from django_tasks import default_task_backend

    from ingest import lanes
    from opendata.tasks import build_catalogue

    try:
        if not cache.add(SCHEDULED_KEY, True, timeout=int(DEBOUNCE.total_seconds()) + MARK_GRACE):
            return True
    except Exception:
        logger.exception("The cache is unreachable; scheduling the open data build without checking for another.")
    task = lanes.routed(build_catalogue, lanes.BULK)
    if default_task_backend.supports_defer:
        task = task.using(run_after=timezone.now() + DEBOUNCE)
    try:
        task.enqueue()
    except Exception:  # the queue being unreachable must not break the edit that caused the rebuild
        logger.exception("Could not enqueue the open data build; `manage.py opendata_build` makes it.")
        unmark()
        return False
    return True


def schedule_on_commit() -> None:
    """``schedule_build`` once the transaction commits: once however many changes it holds."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is schedule_build for _sids, func, *_ in connection.run_on_commit):
        return
    transaction.on_commit(schedule_build)


def unmark() -> None:
    try:
        cache.delete(SCHEDULED_KEY)
    except Exception:  # the mark lapses by itself
        logger.exception("The cache is unreachable; could not clear %s.", SCHEDULED_KEY)
