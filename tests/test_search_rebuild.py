"""A full rebuild as operators run it: ``manage.py search_index rebuild`` in its own process,
documents made in a second (forked) process while tantivy indexes, on a real database file."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from django.db import connection

from search.documents import indexable_records
from search.engines import SearchQuery, create_engine
from tests.conftest import build_collection, build_homes, create_record

REPO = Path(__file__).resolve().parent.parent
# Committed rows (another process reads them), and the pages migrations made restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def records():
    collection = build_collection(build_homes())
    public = [create_record(collection, summary=f"Tóm tắt riêng mamotso{n}", translate=n < 2) for n in range(6)]
    registered = create_record(collection, access_level="registered", summary="Dành cho nhà nghiên cứu mamregistered")
    staff = create_record(collection, access_level="staff", summary="Chỉ cán bộ mamstaffonly")
    return public, registered, staff


def rebuild_in_subprocess(tmp_path, *arguments):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.rebuild_settings",
        "REBUILD_TEST_INDEX": str(tmp_path / "index"),
    }
    if connection.vendor == "sqlite":
        # The test database lives in memory: copy it (committed, as a transactional test leaves it) to a file.
        database = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(database)
        connection.connection.backup(target)
        target.close()
        env["REBUILD_TEST_SQLITE"] = str(database)
    else:
        env["REBUILD_TEST_DATABASE"] = connection.settings_dict["NAME"]
    return subprocess.run(
        [sys.executable, "manage.py", "search_index", "rebuild", "--no-progress", *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_rebuild_in_its_own_process_indexes_every_visible_record_once(records, tmp_path):
    done = rebuild_in_subprocess(tmp_path, "--workers", "2")
    assert done.returncode == 0, done.stderr
    expected = indexable_records().count()
    assert expected == 6 + 2 + 1 + 1  # six public (two translated), one registered, one staff-only
    assert f"Indexed {expected} records" in done.stdout
    assert "documents made in a second process" in done.stdout

    engine = create_engine("embedded", directory=tmp_path / "index")
    assert engine.count() == expected
    assert engine.search(SearchQuery(text="mamotso3", facets=("type",))).count == 1
    assert engine.search(SearchQuery(text="mamregistered", access=("public", "registered"))).count == 1
    assert engine.search(SearchQuery(text="mamstaffonly", access=("public", "registered"))).count == 0
    assert engine.search(SearchQuery(text="mamstaffonly", access=("public", "registered", "staff"))).count == 1
