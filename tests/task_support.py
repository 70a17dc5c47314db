"""The database task backend's worker, run in the test's own process (django-tasks-db)."""

from unittest import mock

from django.db import transaction
from django.test import TestCase


def run_worker(limit: int | None = None) -> list:
    """``manage.py db_worker``'s own loop (``Worker.run``), here, until no task is due or ``limit`` tasks
    ran; returns the tasks it ran (``DBTaskResult``), in order.

    The loop also closes stale database connections, and would take the test's own (inside the test's
    transaction) for one: that call is left out. What a task runs on commit runs when the task ends, as
    its real commit would.
    """
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    started: list[str] = []
    run_task = db_worker.Worker.run_task

    def run_task_and_commit(self, db_task_result):
        started.append(str(db_task_result.id))
        connection = transaction.get_connection()
        before = len(connection.run_on_commit)
        with TestCase.captureOnCommitCallbacks(execute=True):
            run_task(self, db_task_result)
        del connection.run_on_commit[before:]  # they ran; the test's own transaction never commits

    worker = db_worker.Worker(
        queue_names=["default"],  # what a plain `manage.py db_worker` takes
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=limit,
        worker_id="test",
        excluded_queue_names=[],
    )
    with (
        mock.patch.object(db_worker, "close_old_connections", lambda: None),
        mock.patch.object(db_worker.Worker, "run_task", run_task_and_commit),
    ):
        worker.run()
    ran = {str(pk): task for pk, task in DBTaskResult.objects.in_bulk(started).items()}
    return [ran[pk] for pk in started]
