"""Background work of the ingest app, run by the django-tasks worker."""

from django_tasks import task

from ingest import services


@task()
def process_original(original_id: int) -> dict:
    """Make the access copies of an original (idempotent: a rerun leaves exactly one set)."""
    return services.run_job(original_id)


@task()
def watch_job(original_id: int, worker: str) -> str:
    """Check on a running job after one lease; requeue it if its worker died."""
    return services.watch(original_id, worker)
