"""The e-mails about researcher access requests: a receipt to the applicant and a notice to the reviewers
when a request comes in, the decision to the applicant. Each is written in its reader's language: the
applicant's is the site language they asked in, a reviewer's their admin language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import override

from wagtail.users.models import UserProfile

from accounts.models import AccessRequest, RequestStatus

REVIEW_URL_NAME = "access_requests:inspect"  # the admin viewset's name is its URL namespace (wagtail_hooks)


def send(request_id: int, event: str) -> int:
    """Send the e-mails for ``event`` of the request; returns how many went out (none for a deleted request)."""
    access_request = AccessRequest.objects.select_related("user").filter(pk=request_id).first()
    if access_request is None:
        return 0
    if event == "submitted":
        outgoing = [_to_applicant(access_request, "request_received")]
        outgoing += [_to_reviewer(access_request, reviewer) for reviewer in reviewers()]
    elif event == "approved" and access_request.status == RequestStatus.APPROVED:
        outgoing = [_to_applicant(access_request, "request_approved")]
    elif event == "refused" and access_request.status == RequestStatus.REFUSED:
        outgoing = [_to_applicant(access_request, "request_refused")]
    else:
        raise ValueError(f"no e-mail for {event!r} of a request that is {access_request.status}")
    with get_connection() as connection:
        return connection.send_messages(outgoing) or 0


def reviewers():
    """Active accounts with an e-mail address that may approve or refuse requests."""
    permission = Permission.objects.filter(content_type__app_label="accounts", codename="decide_accessrequest").first()
    allowed = Q(is_superuser=True)
    if permission is not None:
        allowed |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return get_user_model().objects.filter(allowed, is_active=True).exclude(email="").distinct().order_by("pk")


def _site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _message(template: str, language: str, to: str, context: dict) -> EmailMessage:
    with override(language):
        context = {"site_name": str(settings.SITE_NAME), "site_url": _site_url(), **context}
        subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt", context).split())
        body = render_to_string(f"accounts/email/{template}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[to])


def _to_applicant(access_request: AccessRequest, template: str) -> EmailMessage:
    language = access_request.language
    context = {"access_request": access_request, "account": access_request.user}
    with override(language):
        context["sign_in_url"] = _site_url() + reverse("accounts:login")
        context["reset_url"] = _site_url() + reverse("accounts:password_reset")
        account = access_request.user
        if template == "request_approved" and account is not None and not account.has_usable_password():
            # A new account: the applicant chooses their password through the reset link.
            context["set_password_url"] = _site_url() + reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
                    "token": default_token_generator.make_token(account),
                },
            )
            context["link_days"] = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))
    return _message(template, language, access_request.email, context)


def _to_reviewer(access_request: AccessRequest, reviewer) -> EmailMessage:
    profile = UserProfile.objects.filter(user=reviewer).first()
    language = (profile and profile.preferred_language) or settings.LANGUAGE_CODE
    context = {
        "access_request": access_request,
        "reviewer": reviewer,
        "review_url": _site_url() + reverse(REVIEW_URL_NAME, args=[access_request.pk]),
    }
    return _message("request_submitted", language, reviewer.email, context)
