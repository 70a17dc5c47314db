"""The search index's update queue where tasks run inline (the immediate backend: one process, the tests,
the benchmarks): a queue many batches long is applied by one run of the task, every update lands, and no
run is nested in another (a queue of 100,000 records nested 200 runs deep and ended in a RecursionError)."""

from django.test import Client

from search import services, tasks
from search.documents import indexable_records
from tests.conftest import create_record


def test_a_queue_of_many_batches_is_applied_in_one_run(db, engine, collection, monkeypatch):
    monkeypatch.setattr(tasks, "APPLY_BATCH", 5)
    services.rebuild()  # an index to apply the updates to (a missing one is rebuilt instead)
    # Published records: their updates wait in the queue (the test's transaction never commits, so the
    # tasks their commits would enqueue do not run).
    records = [create_record(collection, title=f"Bản ghi hàng đợi {number}") for number in range(7)]
    # Pages deleted before their updates were applied: removals, many batches of them.
    gone = range(10_000_000, 10_001_000)
    services.enqueue(gone, reason="test")
    assert services.pending().count() >= 1007
    runs = []
    apply_pending = services.apply_pending
    monkeypatch.setattr(services, "apply_pending", lambda **kwargs: runs.append(kwargs) or apply_pending(**kwargs))

    report = tasks.apply_pending_updates.call()

    assert report["left"] == 0 and "rebuilt" not in report
    assert report["applied"] >= 1007 and report["removed"] >= 1000
    assert not services.pending().exists()
    assert len(runs) == 1
    assert engine.count() == indexable_records().count() >= len(records)
    # Each record's update landed: the public search finds them all.
    response = Client().get("/api/v1/search", {"q": "hàng đợi", "lang": "vi"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == len(records)
