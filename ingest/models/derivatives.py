"""Access copies made from an original: one current set per original, stored under ``derivatives/<sha256>/``."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DerivativeSet(models.Model):
    """The current access copies of an original and the manifest the processing layer wrote.

    Each run writes to a new folder (``prefix``, ``derivatives/<sha256>/<run>``) so that URLs cached
    as immutable never change content; the previous folder is removed once the new set is recorded.
    """

    original = models.OneToOneField("ingest.Original", on_delete=models.CASCADE, related_name="derivative_set")
    prefix = models.CharField(_("storage folder"), max_length=255, unique=True)
    manifest = models.JSONField(_("manifest"), default=dict)
    text = models.TextField(
        _("text"), blank=True, help_text=_("Text for search: extracted document text or caption text.")
    )
    total_size = models.PositiveBigIntegerField(_("total size in bytes"), default=0)
    file_count = models.PositiveIntegerField(_("files"), default=0)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        verbose_name = _("derivative set")
        verbose_name_plural = _("derivative sets")

    def __str__(self):
        return self.prefix

    def path(self, relative: str) -> str:
        """The storage path of a file named in the manifest (relative to the kind's folder)."""
        return f"{self.prefix}/{self.manifest.get('folder', '')}/{relative}".replace("//", "/")


class Derivative(models.Model):
    """One access copy (a file), or a bundle of many small files (IIIF tiles, HLS segments) as one folder."""

    FILE, FOLDER = "file", "folder"
    KIND_CHOICES = [(FILE, _("file")), (FOLDER, _("folder"))]

    derivative_set = models.ForeignKey(DerivativeSet, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(_("role"), max_length=20, db_index=True)
    kind = models.CharField(_("file or folder"), max_length=6, choices=KIND_CHOICES, default=FILE)
    path = models.CharField(_("storage path"), max_length=500)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    file_count = models.PositiveIntegerField(_("files"), default=1)

    class Meta:
        verbose_name = _("derivative")
        verbose_name_plural = _("derivatives")
        ordering = ["derivative_set", "role", "path"]

    def __str__(self):
        return self.path
