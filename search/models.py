from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingUpdate(models.Model):
    """A record whose index entry must be brought up to date: the queue between database and engine.

    Rows are written in the same transaction as the change that causes them, so an
    update is never lost: if the engine is down they wait here (``search_index status``
    shows the backlog) and are applied when it answers again. Applied rows are kept for
    a day so that a rebuild can replay what arrived while it was running.

    A record waits in the queue once: a change to a record already waiting adds no row but
    counts itself on the waiting one (``changes``, ``last_queued_at``), and the task that
    applies it marks it applied only if no change came after it read the record, so a
    change made while its update is being applied waits for the next run
    (``services.enqueue``, ``services.apply_pending``).
    """

    page_id = models.PositiveIntegerField(_("page id"), db_index=True)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    last_queued_at = models.DateTimeField(_("last queued at"), default=timezone.now)
    changes = models.PositiveIntegerField(_("changes"), default=1)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("pending index update")
        verbose_name_plural = _("pending index updates")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page_id"],
                condition=models.Q(applied_at__isnull=True),
                name="search_pendingupdate_one_waiting_per_page",
            )
        ]

    def __str__(self):
        return f"page {self.page_id} ({self.reason})"
