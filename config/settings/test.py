"""Fast, deterministic settings for the test suite (SQLite unless DATABASE_URL is set)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
# Development-only tools (the benchmark corpus generator, `manage.py generate_corpus`); production never installs them.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Everything a run writes goes under a folder of its own, so two runs at once (CI runs the suite on
# SQLite and on PostgreSQL side by side) never share files.
RUN_DIR = Path(tempfile.mkdtemp(prefix="heritage-test-"))
MEDIA_ROOT = RUN_DIR / "media"
SEARCH_INDEX_DIR = RUN_DIR / "search"
INGEST_WORK_DIR = RUN_DIR / "ingest"
STATIC_ROOT = RUN_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {}  # noqa: F405
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
