"""Settings for the page benchmark (bench/pages.py).

The development settings, but run as production would serve pages: DEBUG off (no
query log, cached templates), the database in a throw-away SQLite file, tasks run
inline, plain static-file storage (no manifest needed).
"""

import os
from pathlib import Path

import dj_database_url

from config.settings.dev import *  # noqa: F403
from config.settings.dev import DATABASE_CONN_MAX_AGE, DATABASES

BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/heritage-bench"))  # noqa: S108 - a throw-away benchmark database

DEBUG = False
ALLOWED_HOSTS = ["*"]

# SQLite, with the WAL options of config/settings/base.py (whatever DATABASE_URL says).
_SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    "transaction_mode": "IMMEDIATE",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _SQLITE_OPTIONS = dict(DATABASES["default"].get("OPTIONS", _SQLITE_OPTIONS))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path(os.environ.get("BENCH_DB", BENCH_DIR / "db.sqlite3")),
        "OPTIONS": _SQLITE_OPTIONS,
        # Connections kept between requests, as config/settings/base.py keeps them.
        "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
    }
}
# Or a PostgreSQL database made for the benchmark (bench/exchange.py --database-url), never DATABASE_URL's.
if os.environ.get("BENCH_DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["BENCH_DATABASE_URL"], conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True
        )
    }

# The whole-page cache for anonymous visitors (cms.page_cache) is off by default: the
# benchmark measures rendering, which every first visit, every visit after a content
# change and every signed-in visitor gets. bench/pages.py --page-cache turns it on.
PAGE_CACHE_SECONDS = int(os.environ.get("BENCH_PAGE_CACHE_SECONDS", 0))

MEDIA_ROOT = BENCH_DIR / "media"
STATIC_ROOT = BENCH_DIR / "static"  # empty; only so WhiteNoise does not warn
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
