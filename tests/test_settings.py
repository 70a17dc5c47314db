"""Environment variables switch each embedded default to its distributed engine."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
from django_tasks import task_backends
print(json.dumps({
    "tasks": type(task_backends["default"]).__module__ + "." + type(task_backends["default"]).__name__,
    "db": settings.DATABASES["default"]["ENGINE"],
    "storage": type(default_storage._wrapped if hasattr(default_storage, "_wrapped") else default_storage).__name__,
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def probe(tmp_path, **env):
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_defaults(tmp_path):
    found = probe(tmp_path)
    assert found["db"] == "django.db.backends.sqlite3"
    assert found["tasks"] == "django_tasks_db.backend.DatabaseBackend"
    assert found["storage"] == "FileSystemStorage"


def test_distributed_engines_by_setting(tmp_path):
    found = probe(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.example:5432/heritage",
        REDIS_URL="redis://redis.example:6379/0",
        S3_BUCKET="heritage-media",
        S3_ENDPOINT_URL="http://minio.example:9000",
    )
    assert found["db"] == "django.db.backends.postgresql"
    assert found["tasks"] == "django_tasks_rq.backend.RQBackend"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["storage"] == "S3Storage"
