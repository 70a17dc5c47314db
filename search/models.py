from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingUpdate(models.Model):
    """A record whose index entry must be brought up to date: the queue between database and engine.

    Rows are written in the same transaction as the change that causes them, so an
    update is never lost: if the engine is down they wait here (``search_index status``
    shows the backlog) and are applied when it answers again. Applied rows are kept for
    a day so that a rebuild can replay what arrived while it was running.
    """

    page_id = models.PositiveIntegerField(_("page id"), db_index=True)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("pending index update")
        verbose_name_plural = _("pending index updates")
        ordering = ["pk"]

    def __str__(self):
        return f"page {self.page_id} ({self.reason})"
