"""Discovery search as visitors and curators meet it: freshness after edits, the search page,
the JSON API, an unreachable Elasticsearch, and ``manage.py search_index``."""

import io
import json
import socket

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from archive.models import EthnicGroupName
from search import services
from search.engines import create_engine, set_engine
from search.engines.elastic import ElasticsearchEngine
from search.models import PendingUpdate
from tests.conftest import create_record


def found(text, language="vi"):
    client = Client()
    response = client.get("/api/v1/search", {"q": text, "lang": language})
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


def test_index_follows_publish_access_unpublish_and_delete(db, engine, collection, committed):
    record = committed(create_record, collection, title="Lễ cúng rừng zqfresh", summary="Cúng thần rừng.")
    assert found("zqfresh") == [record.identifier]
    assert PendingUpdate.objects.filter(applied_at__isnull=True).count() == 0

    record.access_level = "staff"
    committed(lambda: record.save_revision().publish())
    assert found("zqfresh") == []

    record.access_level = "public"
    committed(lambda: record.save_revision().publish())
    assert found("zqfresh") == [record.identifier]

    committed(record.unpublish)
    assert found("zqfresh") == []

    committed(lambda: record.save_revision().publish())
    assert found("zqfresh") == [record.identifier]

    committed(record.delete)
    assert found("zqfresh") == []


def test_index_follows_taxonomy_changes_and_moves(db, engine, homes, collection, tay, committed):
    from tests.conftest import build_collection

    record = committed(create_record, collection, title="Hát lượn", ethnic_groups=[tay])
    assert found("tay") == [record.identifier]
    committed(EthnicGroupName.objects.create, group=tay, name="Zqpa", sort_order=2)
    assert found("zqpa") == [record.identifier]

    other = committed(build_collection, homes, "Nghệ thuật", "nghe-thuat", "Arts", "arts")
    committed(record.move, other, pos="last-child")
    response = Client().get("/api/v1/search", {"q": "hat luon"})
    assert response.json()["results"][0]["url"].startswith("/vi/nghe-thuat/")


def test_search_page_works_without_javascript(db, engine, collection, tay, committed):
    committed(create_record, collection, title="Lễ hội Lồng Tồng", summary="Lễ xuống đồng.", ethnic_groups=[tay])
    client = Client()
    response = client.get("/vi/search/", {"q": "le hoi long tong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form class="search-form" method="get"' in html
    assert "Lễ hội Lồng Tồng" in html
    assert 'type="checkbox" name="group" value="tay"' in html
    assert "private" in response["Cache-Control"]
    response = client.get("/vi/search/", {"q": "le hoi", "group": "tay"})
    assert 'value="tay" checked' in response.content.decode()
    english = client.get("/en/search/", {"q": "zz"})
    assert "Search the archive" in english.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-4"},
        {"page": "99999999999999999999"},
        {"sort": "<script>"},
        {"q": "x" * 10_000},
        {"q": "\x00\ufffd\u202e"},
        {"q": '"unbalanced (query AND OR'},
        {"q": "*"},
        {"group": "no-such-group", "decade": "abc"},
        {"unknown": "value"},
    ],
)
def test_odd_parameters_never_fail(db, engine, params):
    client = Client()
    assert client.get("/vi/search/", params).status_code == 200
    response = client.get("/api/v1/search", params)
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_json_api_shape(db, engine, collection, tay, committed):
    record = committed(
        create_record, collection, title="Lễ hội Lồng Tồng", summary="Lễ xuống đồng của người Tày.", ethnic_groups=[tay]
    )
    response = Client().get("/api/v1/search", {"q": "long tong", "group": "tay"})
    data = response.json()
    assert response["Content-Type"] == "application/json"
    assert data["count"] == 1
    assert data["results"] == [
        {
            "id": record.identifier,
            "title": "Lễ hội Lồng Tồng",
            "url": record.url,
            "type": "festival",
            "snippet": data["results"][0]["snippet"],
            "lang": "vi",
        }
    ]
    assert {"value": "tay", "label": "Tày", "count": 1} in data["facets"]["group"]
    assert set(data["facets"]) == {
        "type",
        "group",
        "province",
        "place",
        "language",
        "decade",
        "media",
        "heritage",
        "collection",
    }
    english = Client().get("/api/v1/search", {"q": "long tong", "lang": "en"}).json()
    assert english["count"] == 0  # the record has no English translation
    suggestions = Client().get("/api/v1/suggest", {"q": "long t"}).json()["suggestions"]
    assert suggestions[0] == {"label": "Lễ hội Lồng Tồng", "url": record.url, "kind": "record", "lang": "vi"}
    group = Client().get("/api/v1/suggest", {"q": "ta"}).json()["suggestions"]
    assert {"label": "Tày", "kind": "group", "value": "tay", "count": 1, "url": "/vi/search/?group=tay"} in group


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_elasticsearch_outage_shows_a_message_and_loses_no_update(db, collection, committed, tmp_path):
    down = ElasticsearchEngine(_dead_url(), prefix="down", timeout=0.5)
    set_engine(down)
    try:
        page = Client().get("/vi/search/", {"q": "anything"})
        assert page.status_code == 503
        assert "Search is temporarily unavailable" in page.content.decode() or "tạm thời" in page.content.decode()
        api = Client().get("/api/v1/search", {"q": "anything"})
        assert api.status_code == 503 and "error" in api.json()

        record = committed(create_record, collection, title="Lễ hội zqoutage")
        waiting = services.pending()
        assert waiting.filter(page_id=record.pk).exists()
        assert "did not answer" in waiting.first().last_error

        out = io.StringIO()
        call_command("search_index", "status", stdout=out)
        assert "UNAVAILABLE" in out.getvalue()
        assert "Queued updates:" in out.getvalue() and "Queued updates:     0" not in out.getvalue()
        with pytest.raises(CommandError, match="kept"):
            call_command("search_index", "apply", stdout=io.StringIO())
    finally:
        set_engine(None)

    # The engine answers again: the queue is applied and nothing was lost.
    set_engine(create_engine("embedded", directory=tmp_path / "index"))
    try:
        out = io.StringIO()
        call_command("search_index", "apply", stdout=out)
        assert not services.pending().exists()
        assert found("zqoutage") == [record.identifier]
    finally:
        set_engine(None)


def test_search_index_rebuild_and_status(db, engine, collection, committed):
    committed(create_record, collection, title="Lễ hội zqrebuild")
    PendingUpdate.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command("search_index", "rebuild", stdout=out, stderr=err)
    assert "Indexed 1 records" in out.getvalue()
    assert "records" in err.getvalue()  # the progress bar
    out = io.StringIO()
    call_command("search_index", "status", stdout=out)
    assert "Documents:          1" in out.getvalue()
    assert "Pages of PDFs:      0" in out.getvalue()
    assert "Queued updates:     0" in out.getvalue()
    assert json.dumps(services.status()["pending"]) == "0"


def test_an_index_of_another_version_asks_for_a_rebuild(db, engine, collection, committed, tmp_path):
    committed(create_record, collection, title="Lễ hội zqversion")
    current = engine.root / (engine.root / "CURRENT").read_text().strip()
    (current / "SCHEMA_VERSION").write_text("0")
    set_engine(create_engine("embedded", directory=tmp_path / "index"))  # a fresh process opening it
    try:
        response = Client().get("/api/v1/search", {"q": "zqversion"})
        assert response.status_code == 503
        out = io.StringIO()
        call_command("search_index", "status", stdout=out)
        assert "search_index rebuild" in out.getvalue()
        call_command("search_index", "rebuild", "--no-progress", stdout=io.StringIO())
        assert found("zqversion") != []
    finally:
        set_engine(None)


def test_remembered_answers_follow_changes_written_by_another_process(db, engine, collection, committed):
    from search.documents import iter_documents
    from search.engines import SearchQuery

    record = committed(create_record, collection, title="Hát xoan zqcache", summary="Làn điệu cổ.")
    question = SearchQuery(text="zqcache", facets=("type",))
    assert engine.cache_entries > 0
    first, again = engine.search(question), engine.search(question)
    assert first.count == again.count == 1 and again.facets == first.facets

    # The task worker is another process with its own index writer: an engine of its own here.
    worker = create_engine("embedded", directory=engine.root.parent)
    document = next(iter_documents([record.pk]))
    document["title"], document["content"] = "Hát xoan zqchanged", ["Đã sửa."]
    worker.update([document])

    assert engine.search(question).count == 0
    assert [hit.pk for hit in engine.search(SearchQuery(text="zqchanged")).hits] == [record.pk]
