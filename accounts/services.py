"""Researcher access requests as the site and the admin use them: submit, approve, refuse.

Views only parse their input and call these functions; e-mails go out from the task worker once the
change is committed (``accounts.tasks``).
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from wagtail.log_actions import log

from accounts.models import AccessRequest, RequestStatus, researchers_group
from archive.text import nfc

APPROVE_ACTION = "accounts.approve_request"
REFUSE_ACTION = "accounts.refuse_request"

# Django's user names: letters, digits and @ . + - _ (at most 150 characters).
_NOT_IN_USERNAMES = re.compile(r"[^\w.@+-]")


class AlreadyPending(Exception):
    """A request from this e-mail address is already waiting for review."""


class AlreadyDecided(Exception):
    """The request was approved or refused before (by someone else, a moment ago)."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def submit_request(*, full_name: str, email: str, institution: str, reason: str, language: str) -> AccessRequest:
    """Record a visitor's request and tell them and the reviewers; one pending request per address."""
    email = normalize_email(email)
    if AccessRequest.objects.pending().for_email(email).exists():
        raise AlreadyPending
    try:
        with transaction.atomic():
            access_request = AccessRequest.objects.create(
                full_name=nfc(full_name.strip()),
                email=email,
                institution=nfc(institution.strip()),
                reason=nfc(reason.strip()),
                language=language,
            )
    except IntegrityError as exc:  # a second submission that raced the first
        raise AlreadyPending from exc
    _notify(access_request, "submitted")
    return access_request


def existing_account(access_request: AccessRequest):
    """The account that already uses the request's e-mail address, if any (the oldest of them)."""
    return get_user_model().objects.filter(email__iexact=access_request.email).order_by("pk").first()


def approve(access_request: AccessRequest, *, by, message: str = ""):
    """Admit the applicant: their account (created, with no password until they set one, or the one their
    address already has, made active) joins the Researchers group. Returns the account."""
    with transaction.atomic():
        access_request = _lock_pending(access_request)
        user = existing_account(access_request)
        if user is None:
            user = get_user_model().objects.create_user(
                username=_free_username(access_request.email),
                email=access_request.email,
                first_name=access_request.full_name[:150],  # whole, as Vietnamese writes it: family name first
            )
        elif not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        user.groups.add(researchers_group())
        _decide(access_request, RequestStatus.APPROVED, by=by, message=message, user=user)
        log(access_request, APPROVE_ACTION, user=by)
    _notify(access_request, "approved")
    return user


def refuse(access_request: AccessRequest, *, by, message: str = "") -> AccessRequest:
    with transaction.atomic():
        access_request = _lock_pending(access_request)
        _decide(access_request, RequestStatus.REFUSED, by=by, message=message)
        log(access_request, REFUSE_ACTION, user=by)
    _notify(access_request, "refused")
    return access_request


def _lock_pending(access_request: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if not locked.is_pending:
        raise AlreadyDecided
    return locked


def _decide(access_request: AccessRequest, status: str, *, by, message: str, user=None) -> None:
    access_request.status = status
    access_request.decided_by = by
    access_request.decided_at = timezone.now()
    access_request.message = nfc(message.strip())
    if user is not None:
        access_request.user = user
    access_request.save()


def _free_username(email: str) -> str:
    """The e-mail address itself where Django allows it as a user name and nobody has it; else a variant."""
    users = get_user_model().objects
    base = _NOT_IN_USERNAMES.sub("", email)[:140] or "researcher"
    candidate, number = base, 1
    while users.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _notify(access_request: AccessRequest, event: str) -> None:
    from accounts.tasks import send_notices

    transaction.on_commit(lambda: send_notices.enqueue(access_request.pk, event))
