"""Preservation originals: every file exactly as it was received, and the records that hold it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey

from ingest.processing.sniff import AUDIO, CAPTIONS, IMAGE, PDF, VIDEO


class MediaKind(models.TextChoices):
    IMAGE = IMAGE, _("image")
    VIDEO = VIDEO, _("video")
    AUDIO = AUDIO, _("audio")
    PDF = PDF, _("document (PDF)")
    CAPTIONS = CAPTIONS, _("captions or transcript")


# What discovery search calls each kind (captions only contribute text).
SEARCH_KINDS = {MediaKind.IMAGE: "image", MediaKind.VIDEO: "video", MediaKind.AUDIO: "audio", MediaKind.PDF: "document"}


class OriginalQuerySet(models.QuerySet):
    def for_storage_path(self, path: str):
        return self.filter(file=path)


class Original(models.Model):
    """A file kept exactly as received, stored once however many records show it.

    ``sha256`` is unique: the same content uploaded again is recognised and never stored twice.
    """

    file = models.FileField(_("file"), max_length=500, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    mime = models.CharField(_("media type"), max_length=100, editable=False)
    kind = models.CharField(_("kind of media"), max_length=12, choices=MediaKind.choices, db_index=True, editable=False)
    filename = models.CharField(_("original file name"), max_length=255)
    metadata = models.JSONField(_("technical metadata"), default=dict, blank=True, editable=False)
    warnings = models.JSONField(_("warnings"), default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    records = models.ManyToManyField(
        "archive.RecordPage", through="ingest.RecordMedia", related_name="ingested_media", verbose_name=_("records")
    )

    objects = OriginalQuerySet.as_manager()

    class Meta:
        verbose_name = _("original")
        verbose_name_plural = _("originals")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.filename

    @property
    def search_kind(self) -> str | None:
        return SEARCH_KINDS.get(self.kind)


class RecordMedia(models.Model):
    """An original shown by a record: one item of the record's media list.

    A child of the page (a ParentalKey, like the record's other inline lists), so the list is part of
    every revision and is written here when a revision is published. The rows of a live page are
    therefore the approved list: what visitors see, what ``/media/`` serves and what search indexes.
    A person's change to the list of a live record waits in a draft revision (``ingest.attachments``).
    """

    record = ParentalKey(
        "archive.RecordPage", verbose_name=_("record"), on_delete=models.CASCADE, related_name="media_links"
    )
    original = models.ForeignKey(Original, verbose_name=_("original"), on_delete=models.CASCADE, related_name="links")
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    caption = models.CharField(
        _("caption"),
        max_length=500,
        blank=True,
        help_text=_("In the language of the record page it is on; its translations show it marked as such."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("record media")
        verbose_name_plural = _("record media")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=("record", "original"), name="ingest_unique_record_original")]

    def __str__(self):
        return f"{self.record_id} ← {self.original_id}"


class FixityOutcome(models.TextChoices):
    OK = "ok", _("unchanged")
    CHANGED = "changed", _("changed")
    MISSING = "missing", _("missing")


class FixityEvent(models.Model):
    """One re-hash of a stored original (``manage.py fixity_check``)."""

    original = models.ForeignKey(Original, on_delete=models.CASCADE, related_name="fixity_events")
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=8, choices=FixityOutcome.choices)
    path = models.CharField(_("stored file"), max_length=500)
    expected = models.CharField(_("expected SHA-256"), max_length=64)
    actual = models.CharField(_("actual SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("fixity check")
        verbose_name_plural = _("fixity checks")
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["original", "-checked_at"], name="ingest_fixity_latest")]

    def __str__(self):
        return f"{self.path}: {self.outcome}"
