"""The processing job of an original: what a curator sees while access copies are being made."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ProcessingJob(models.Model):
    """One per original; reprocessing and retries reuse it."""

    original = models.OneToOneField("ingest.Original", on_delete=models.CASCADE, related_name="job")
    state = models.CharField(_("state"), max_length=8, choices=JobState.choices, default=JobState.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(
        _("message"), blank=True, help_text=_("Why processing failed, in words a curator can act on.")
    )
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)  # e.g. "OCR skipped: …"
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)  # host:pid:run token while running
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("processing job")
        verbose_name_plural = _("processing jobs")
        ordering = ["-queued_at", "-pk"]

    def __str__(self):
        return f"{self.original_id}: {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
