"""Ingest settings with their defaults; every one can be overridden in Django settings."""

from pathlib import Path

from django.conf import settings

from ingest.processing import images

DEFAULTS = {
    # Local scratch space for uploads being received and derivatives being made.
    "INGEST_WORK_DIR": None,  # None: DATA_DIR / "ingest"
    "INGEST_MAX_PIXELS": images.DEFAULT_MAX_PIXELS,
    "INGEST_FFMPEG_THREADS": 2,
    "INGEST_VIDEO_PRESET": "veryfast",
    "INGEST_OCR": True,
    "INGEST_TESSERACT_CMD": "tesseract",
    # A running job whose worker has not reported for this long is taken to be dead and queued again.
    "INGEST_JOB_LEASE_SECONDS": 300,
    # Runs of one job (first run, automatic retries after unexpected errors, restarts after a dead worker).
    "INGEST_MAX_ATTEMPTS": 3,
    "INGEST_RETRY_BASE_SECONDS": 30,
    # A run that finds the disk full is queued once more this much later (space may have been freed by
    # then); the second time the job fails and waits for Retry.
    "INGEST_DISK_FULL_RETRY_SECONDS": 600,
    # Progress is written to the database at most this often.
    "INGEST_PROGRESS_INTERVAL": 2.0,
    # Absolute base URL for IIIF ids (info.json); default: WAGTAILADMIN_BASE_URL.
    "INGEST_PUBLIC_BASE_URL": None,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def work_dir() -> Path:
    configured = get("INGEST_WORK_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "ingest"
