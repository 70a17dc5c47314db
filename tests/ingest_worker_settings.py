"""Settings for a real ``manage.py db_worker`` in tests: the test settings with a file-based SQLite database
(``INGEST_TEST_DB``), the database task backend, and files under ``INGEST_TEST_ROOT``."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403

ROOT = Path(os.environ["INGEST_TEST_ROOT"])
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["INGEST_TEST_DB"],
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        },
    }
}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MEDIA_ROOT = ROOT / "media"
SEARCH_INDEX_DIR = ROOT / "search"
INGEST_WORK_DIR = ROOT / "work"
INGEST_JOB_LEASE_SECONDS = 3
INGEST_PROGRESS_INTERVAL = 0.2
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "INFO"}}  # noqa: F405
