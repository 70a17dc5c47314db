"""Settings for a real ``manage.py search_index rebuild`` in a subprocess: the test settings
pointed at the test run's own database (a file copy for SQLite) and at a given index folder."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

if os.environ.get("REBUILD_TEST_SQLITE"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["REBUILD_TEST_SQLITE"]}}
else:
    DATABASES["default"]["NAME"] = os.environ["REBUILD_TEST_DATABASE"]
SEARCH_INDEX_DIR = Path(os.environ["REBUILD_TEST_INDEX"])
