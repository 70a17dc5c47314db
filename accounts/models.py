"""Requests for researcher access, and the group of the researchers admitted through them.

Any active account may see records at the "registered" level (``archive.access``), so an account is
what a visitor asks for: a request carries who they are and why; approving it creates their account
(or reuses the one their e-mail address already has) and puts it in the Researchers group.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

RESEARCHERS = "Researchers"


def researchers_group() -> Group:
    """The group of researchers admitted through a request (created on first use)."""
    group, _created = Group.objects.get_or_create(name=RESEARCHERS)
    return group


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("access request", "Waiting for review")
    APPROVED = "approved", pgettext_lazy("access request", "Approved")
    REFUSED = "refused", pgettext_lazy("access request", "Refused")


class AccessRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=RequestStatus.PENDING)

    def for_email(self, email: str):
        return self.filter(email__iexact=email.strip())


class AccessRequest(models.Model):
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    institution = models.CharField(
        _("institution"), max_length=200, blank=True, help_text=_("University, institute or organisation, if any.")
    )
    reason = models.TextField(_("reason"), help_text=_("What the applicant wants to study, and why."))
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the site the request came from: e-mails to the applicant are in it."),
    )
    status = models.CharField(
        pgettext_lazy("access request", "status"),
        max_length=10,
        choices=RequestStatus.choices,
        default=RequestStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(
        _("message to the applicant"), blank=True, help_text=_("Sent with the decision by e-mail.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_requests",
        help_text=_("The account that approval created or admitted."),
    )

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("researcher access request")
        verbose_name_plural = _("researcher access requests")
        ordering = ["-created_at"]
        # Approving or refusing is the one change made to a request: no "add" (visitors submit them on the
        # site) and no "change" (nobody edits what an applicant wrote).
        default_permissions = ("view", "delete")
        permissions = [("decide_accessrequest", _("Can approve or refuse researcher access requests"))]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=Q(status="pending"), name="accounts_one_pending_request_per_email"
            )
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING
