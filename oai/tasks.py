"""Background work of the OAI-PMH provider, run by the django-tasks worker."""

import uuid

from django_tasks import task

from oai import services


@task()
def sync_records(keys: list[str]) -> dict[str, int]:
    """Bring the OAI rows of these records (translation keys) up to date (``services.sync``)."""
    return services.sync([uuid.UUID(key) for key in keys])
