"""What the contact form keeps, and what erasure leaves behind."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_RETENTION_DAYS = 180


def retention_days() -> int:
    """How long contact messages are kept (``EXPERTS_MESSAGE_RETENTION_DAYS``)."""
    return int(getattr(settings, "EXPERTS_MESSAGE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


class ContactMessageQuerySet(models.QuerySet):
    def expired(self, now=None):
        now = now or timezone.now()
        return self.filter(created_at__lt=now - timezone.timedelta(days=retention_days()))


class ContactMessage(models.Model):
    """A message a visitor sent an expert through the site: kept for staff, purged after the retention
    period (``manage.py purge_expert_messages``)."""

    expert = models.ForeignKey("experts.Expert", on_delete=models.CASCADE, related_name="messages")
    sender_name = models.CharField(_("sender's name"), max_length=200)
    sender_email = models.EmailField(_("sender's e-mail"))
    body = models.TextField(_("message"))
    language = models.CharField(max_length=8, default="vi")
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    delivered = models.BooleanField(_("delivered"), default=False)

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")

    def __str__(self):
        return f"{self.sender_name} → #{self.expert_id} ({self.created_at:%Y-%m-%d})"


class ErasureLog(models.Model):
    """That an erasure happened, by whom and what went: never who was erased or what they held."""

    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("erased by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(_("request reference"), max_length=100, blank=True)
    name_kept = models.BooleanField(_("name kept on works"), default=False)
    messages_deleted = models.PositiveIntegerField(_("messages deleted"), default=0)
    photos_deleted = models.PositiveIntegerField(_("photos deleted"), default=0)
    works_affected = models.PositiveIntegerField(_("items and records affected"), default=0)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self):
        return f"{self.erased_at:%Y-%m-%d %H:%M}"
