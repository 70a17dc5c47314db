"""Nothing lost, nothing stuck: the discovery index when its folder or server goes away.

The index folder removed, replaced by a file, made read-only or unreadable, damaged, and an
Elasticsearch server stopped and restarted, each while records are published. Visitors get the
"search unavailable" page (503) and never a 500; ``search_index status`` and the admin home say
what is wrong; no web process makes an index; and the task worker rebuilds a missing one and
applies every queued update once there is a complete index to apply it to.
"""

import io
import shutil
import socket
import uuid
from types import SimpleNamespace

import pytest

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from cms.setup import CURATORS
from search import services, tasks
from search.documents import indexable_records
from search.engines import IndexNeedsRebuild, create_engine, set_engine
from search.engines.elastic import ElasticsearchEngine
from search.management.commands.search_index import Command as SearchIndexCommand
from tests import task_support
from tests.conftest import create_record
from tests.es_support import osmem_client

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def found(text: str) -> list[str]:
    response = Client().get("/api/v1/search", {"q": text, "lang": "vi"})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def assert_unavailable(text: str = "zqout") -> None:
    """The page, the search API and autocomplete say "unavailable" (503), never fail (500)."""
    page = Client().get("/vi/search/", {"q": text})
    assert page.status_code == 503
    assert "Search is temporarily unavailable" in page.content.decode() or "tạm thời" in page.content.decode()
    for url in ("/api/v1/search", "/api/v1/suggest"):
        answer = Client().get(url, {"q": text, "lang": "vi"})
        assert answer.status_code == 503, url
        assert answer.json()["error"], url


def status() -> tuple[str, int]:
    """``manage.py search_index status``: its output and the exit status it gives the shell."""
    command, out = SearchIndexCommand(), io.StringIO()
    call_command(command, "status", stdout=out)
    return out.getvalue(), command.exit_status


def run_worker() -> dict:
    """What the task worker runs after each commit, and again later while it fails."""
    return tasks.apply_pending_updates.call()


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def permissions_bind(tmp_path) -> bool:
    """False where this process ignores file permissions (root, with its usual capabilities)."""
    probe = tmp_path / "probe"
    probe.mkdir(mode=0o555)
    try:
        (probe / "written").touch()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
    return False


# --- The embedded index's folder -------------------------------------------------------------


def test_a_search_never_makes_an_index_and_the_worker_rebuilds_a_missing_one(
    db, engine, collection, committed, tmp_path
):
    folder = engine.root.parent
    first = committed(create_record, collection, title="Lễ hội zqout một")
    assert found("zqout") == [first.identifier]

    shutil.move(folder, tmp_path / "elsewhere")  # the folder goes away (a volume not mounted, a wrong path)
    assert_unavailable()
    assert not folder.exists(), "a web process made an index folder"
    output, exit_status = status()
    assert "UNAVAILABLE" in output and "There is no search index" in output and "PROBLEMS" in output
    assert exit_status == 1

    # Published meanwhile: the worker finds no index and rebuilds it from the database, so the
    # update lands in a complete index, never in an empty one of its own.
    second = committed(create_record, collection, title="Lễ hội zqout hai")
    assert folder.exists()
    assert sorted(found("zqout")) == sorted([first.identifier, second.identifier])
    assert engine.count() == indexable_records().count()
    assert not services.pending().exists()
    output, exit_status = status()
    assert "OK: no problems found" in output and exit_status == 0


def test_an_empty_archive_with_no_index_answers_nothing_and_makes_nothing(db, engine):
    response = Client().get("/api/v1/search", {"q": "zqnothing"})
    assert response.status_code == 200 and response.json()["count"] == 0
    assert not engine.root.parent.exists()


def test_a_file_in_place_of_the_index_folder_gives_503_and_updates_wait_for_the_folder(
    db, engine, collection, committed, tmp_path
):
    folder = engine.root.parent
    first = committed(create_record, collection, title="Lễ hội zqout một")
    shutil.move(folder, tmp_path / "kept")
    folder.write_text("not an index")

    second = committed(create_record, collection, title="Lễ hội zqout hai")  # the worker fails: nowhere to write
    waiting = services.pending().filter(page_id=second.pk).first()
    assert "a file stands where a folder should be" in waiting.last_error and waiting.attempts >= 1
    assert_unavailable()
    output, exit_status = status()
    assert "a file stands where a folder should be" in output and exit_status == 1
    assert "Traceback" not in output
    with pytest.raises(CommandError, match="kept"):
        call_command("search_index", "apply", stdout=io.StringIO())
    with pytest.raises(CommandError, match="folder"):
        call_command("search_index", "rebuild", "--no-progress", stdout=io.StringIO())
    assert folder.read_text() == "not an index"

    folder.unlink()
    shutil.move(tmp_path / "kept", folder)  # the folder is back: the next try applies the queue to it
    queued = services.pending().count()
    assert run_worker()["applied"] == queued
    assert sorted(found("zqout")) == sorted([first.identifier, second.identifier])
    assert not services.pending().exists()


@pytest.mark.parametrize("mode", [0o555, 0o000], ids=["read-only", "unreadable"])
def test_a_read_only_or_unreadable_index_never_fails_with_500_and_updates_wait(
    db, engine, collection, committed, mode, tmp_path
):
    if not permissions_bind(tmp_path):
        pytest.skip("file permissions do not bind this process (root); run as another user to test them")
    first = committed(create_record, collection, title="Lễ hội zqout một")
    folders = [engine.root.parent, *[path for path in engine.root.parent.rglob("*") if path.is_dir()]]
    for folder in reversed(folders):  # innermost first, so the outer ones can still be walked
        folder.chmod(mode)
    try:
        second = committed(create_record, collection, title="Lễ hội zqout hai")
        error = services.pending().filter(page_id=second.pk).first().last_error
        assert "permission denied" in error.lower() and "SEARCH_INDEX_DIR" in error
        if mode == 0o555:  # reading still works: searches answer from the index as it was
            assert found("zqout") == [first.identifier]
        else:
            assert_unavailable()
        output, exit_status = status()
        assert "PROBLEMS" in output and exit_status == 1 and "Traceback" not in output
    finally:
        for folder in folders:
            folder.chmod(0o755)
    run_worker()
    assert sorted(found("zqout")) == sorted([first.identifier, second.identifier])
    assert not services.pending().exists()


def _garbage_meta(generation):
    (generation / "meta.json").write_text("{not json")


def _older_format(generation):
    (generation / "SCHEMA_VERSION").write_text("7")


def _generation_gone(generation):
    shutil.rmtree(generation)


@pytest.mark.parametrize("damage", [_garbage_meta, _older_format, _generation_gone], ids=lambda d: d.__name__[1:])
def test_a_damaged_index_is_reported_and_rebuilt_by_the_worker(db, engine, collection, committed, damage):
    first = committed(create_record, collection, title="Lễ hội zqout một")
    damage(engine.root / (engine.root / "CURRENT").read_text().strip())
    set_engine(create_engine("embedded", directory=engine.root.parent))  # a web process starting now
    assert_unavailable()
    output, exit_status = status()
    assert "search_index rebuild" in output and exit_status == 1

    second = committed(create_record, collection, title="Lễ hội zqout hai")
    assert sorted(found("zqout")) == sorted([first.identifier, second.identifier])
    assert not services.pending().exists()


def test_an_index_that_lost_records_is_reported_and_rebuilt(db, engine, collection, committed):
    records = [committed(create_record, collection, title=f"Lễ hội zqout {n}") for n in range(3)]
    engine.update([], removed=[records[0].pk])  # as if restored from an old copy
    output, exit_status = status()
    assert "holds 2 documents but 3 records" in output and exit_status == 1

    assert run_worker()["rebuilt"] == 3
    assert sorted(found("zqout")) == sorted(record.identifier for record in records)
    assert status()[1] == 0


def test_status_gives_the_shell_a_non_zero_exit_status(db, engine, collection, committed, monkeypatch):
    committed(create_record, collection, title="Lễ hội zqout")
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)  # the test's own connection stays open
    shutil.rmtree(engine.root.parent)
    with pytest.raises(SystemExit) as exited:
        SearchIndexCommand(stdout=io.StringIO()).run_from_argv(["manage.py", "search_index", "status"])
    assert exited.value.code == 1


# --- Retrying by themselves --------------------------------------------------------------------


@override_settings(TASKS=DATABASE_TASKS)
def test_failed_updates_retry_by_themselves_on_the_database_task_backend(db, engine, collection, committed, tmp_path):
    from django_tasks_db.models import DBTaskResult

    ours = DBTaskResult.objects.filter(task_path="search.tasks.apply_pending_updates")
    folder = engine.root.parent
    first = committed(create_record, collection, title="Lễ hội zqout một")
    task_support.run_worker()  # the commit enqueued the task (Wagtail's own tasks too); it builds the index
    assert ours.successful().count() == 1
    shutil.move(folder, tmp_path / "kept")
    folder.write_text("not an index")

    second = committed(create_record, collection, title="Lễ hội zqout hai")
    third = committed(create_record, collection, title="Lễ hội zqout ba")
    task_support.run_worker()
    assert ours.failed().count() == 1  # one task waited for both commits
    retry = ours.get(status="READY")  # one retry waiting, however many tasks failed
    assert retry.run_after > retry.enqueued_at
    assert services.pending().filter(page_id__in=[second.pk, third.pk]).exists()

    # Time passes and the retry is due, still failing: it schedules the next one, later.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=retry.enqueued_at)
    task_support.run_worker()
    assert ours.failed().count() == 2
    later = ours.get(status="READY")
    assert later.run_after - later.enqueued_at > retry.run_after - retry.enqueued_at

    # The folder is back and nobody edits anything: the retry applies the queue.
    folder.unlink()
    shutil.move(tmp_path / "kept", folder)
    DBTaskResult.objects.filter(pk=later.pk).update(run_after=later.enqueued_at)
    task_support.run_worker()
    assert ours.get(pk=later.pk).status == "SUCCESSFUL"
    assert not ours.filter(status="READY").exists()
    assert sorted(found("zqout")) == sorted(record.identifier for record in (first, second, third))
    assert not services.pending().exists()


@override_settings(TASKS=DATABASE_TASKS)
def test_a_search_that_finds_no_index_asks_the_worker_to_rebuild_it(db, engine, collection, committed):
    from django_tasks_db.models import DBTaskResult

    committed(create_record, collection, title="Lễ hội zqout")
    task_support.run_worker()
    shutil.rmtree(engine.root.parent)
    assert_unavailable()  # three requests: one repair asked for
    assert not engine.root.parent.exists()
    asked = DBTaskResult.objects.get(task_path="search.tasks.apply_pending_updates", status="READY")
    DBTaskResult.objects.filter(pk=asked.pk).update(run_after=asked.enqueued_at)
    task_support.run_worker()
    assert found("zqout") != []


# --- Elasticsearch -------------------------------------------------------------------------------


@pytest.fixture
def elastic(request, osmem_server):
    """An Elasticsearch engine on a server of its own (an osmem-server clone), which the test may stop."""
    server = osmem_server.clone()
    request.addfinalizer(server.close)
    engine = ElasticsearchEngine(server.url, prefix=f"o{uuid.uuid4().hex[:8]}", client=osmem_client(server.url))
    set_engine(engine)
    yield SimpleNamespace(engine=engine, server=server)
    set_engine(None)


def indices(engine: ElasticsearchEngine) -> list[str]:
    """The server's indices (and aliases' indices) under the engine's names."""
    return list(engine.client.indices.get(index=f"{engine.alias}*", allow_no_indices=True).body)


def _elastic_at(url: str, like: ElasticsearchEngine) -> ElasticsearchEngine:
    """The same index names on another server (or none: a dead port)."""
    return ElasticsearchEngine(url, prefix=like.alias.removesuffix("-records"), client=osmem_client(url))


def test_elasticsearch_unreachable_mid_publish_then_back_applies_the_queue(db, elastic, collection, committed):
    first = committed(create_record, collection, title="Lễ hội zqout một")
    index = elastic.engine.describe()["index"]

    set_engine(_elastic_at(_dead_url(), elastic.engine))
    second = committed(create_record, collection, title="Lễ hội zqout hai")
    assert "did not answer" in services.pending().filter(page_id=second.pk).first().last_error
    assert_unavailable()
    output, exit_status = status()
    assert "UNAVAILABLE" in output and exit_status == 1

    set_engine(elastic.engine)
    queued = services.pending().count()
    assert run_worker()["applied"] == queued
    assert elastic.engine.describe()["index"] == index  # applied to the index it had, not rebuilt
    assert sorted(found("zqout")) == sorted([first.identifier, second.identifier])


def test_elasticsearch_stopped_mid_publish_and_restarted_empty_loses_nothing(
    db, elastic, collection, committed, osmem_server
):
    first = committed(create_record, collection, title="Lễ hội zqout một")
    elastic.server.close()  # the server stops, its data with it, while records are published
    second = committed(create_record, collection, title="Lễ hội zqout hai")
    assert services.pending().filter(page_id=second.pk).exists()
    assert_unavailable()

    # A server answers again, empty: searches make no index there; the worker rebuilds it.
    restarted = osmem_server.clone()
    try:
        engine = _elastic_at(restarted.url, elastic.engine)
        set_engine(engine)
        assert_unavailable()
        assert indices(engine) == []
        output, exit_status = status()
        assert "has no index" in output and exit_status == 1

        assert run_worker()["rebuilt"] == 2
        assert sorted(found("zqout")) == sorted([first.identifier, second.identifier])
        assert not services.pending().exists()
        assert status()[1] == 0
    finally:
        restarted.close()


def test_elasticsearch_updates_never_make_an_index_of_their_own(db, elastic, collection):
    record = create_record(collection, title="Lễ hội zqout")  # queued, not yet applied
    with pytest.raises(IndexNeedsRebuild):
        services.apply_pending()
    assert indices(elastic.engine) == []
    assert services.pending().filter(page_id=record.pk).exists()


# --- The admin home ------------------------------------------------------------------------------------


def test_the_admin_home_tells_administrators_when_the_index_needs_attention(db, engine, collection, committed):
    committed(create_record, collection, title="Lễ hội zqout")
    administrator = User.objects.create_superuser("root", "root@example.org", "pw-123456")
    curator = User.objects.create_user("curator", password="pw-123456")
    curator.groups.add(Group.objects.get(name=CURATORS))
    admin, editor = Client(), Client()
    admin.force_login(administrator)
    editor.force_login(curator)
    heading = "Tìm kiếm trên trang cần được xử lý"  # "Site search needs attention": the admin is in Vietnamese
    assert heading not in admin.get("/admin/").content.decode()

    shutil.rmtree(engine.root.parent)
    page = admin.get("/admin/")
    assert page.status_code == 200
    body = page.content.decode()
    assert heading in body and "There is no search index" in body
    assert heading not in editor.get("/admin/").content.decode()
