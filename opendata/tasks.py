"""Background work of the opendata app, run by the django-tasks worker."""

from django_tasks import task

from opendata import services


@task()
def build_catalogue() -> dict:
    """Rebuild the catalogue's files (``services.build``). The waiting mark is cleared first: a change
    made while this build reads the database schedules the next one."""
    services.unmark()
    made = services.build()
    return {"folder": made.folder, "counts": made.counts}
