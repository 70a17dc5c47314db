"""Settings for the queues benchmark (bench/queues.py): the benchmark settings (bench/settings.py) with
what a one-machine site runs, since the benchmark starts a real worker beside the import: the database
task backend (``manage.py db_worker``) and a file cache that every process shares (the mark that keeps
one discovery-index task waiting at a time lives there). Everything under ``$BENCH_DIR``
(default ``/tmp/heritage-bench-queues``).
"""

import os
from pathlib import Path

os.environ.setdefault("BENCH_DIR", "/tmp/heritage-bench-queues")  # noqa: S108 - a throw-away benchmark folder

from bench.settings import *  # noqa: E402, F403
from bench.settings import BENCH_DIR, DATABASES  # noqa: E402

BENCH_DIR = Path(BENCH_DIR)
DATABASES["default"]["OPTIONS"] = {
    # The import, the worker and the uploads write at the same time: wait for the lock, as a site would.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
    "transaction_mode": "IMMEDIATE",
}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": BENCH_DIR / "cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}
SEARCH_INDEX_DIR = BENCH_DIR / "search"
INGEST_WORK_DIR = BENCH_DIR / "ingest"
