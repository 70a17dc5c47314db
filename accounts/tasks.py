"""Background work of the accounts app: the e-mails about researcher access requests."""

from django_tasks import task

from accounts import notices


@task()
def send_notices(request_id: int, event: str) -> int:
    """Send the e-mails for ``event`` ("submitted", "approved" or "refused") of a request; returns how many."""
    return notices.send(request_id, event)
