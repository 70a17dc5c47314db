"""Background work of the statistics: the e-mails of the periodic-report workflow, and the reminders."""

from django_tasks import task

from stats.reports import notices


@task()
def send_report_notices(report_id: int, event: str) -> int:
    """The e-mails of one step of a report ("submitted", "returned", "approved"); returns how many went out."""
    return notices.send(report_id, event)


@task()
def send_reminders() -> int:
    """Remind the late units (what ``manage.py stats_send_reminders`` does, for a worker-side scheduler);
    returns how many reports were reminded of."""
    return len(notices.send_reminders())
