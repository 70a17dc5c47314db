"""Claiming a profile: staff invite a person by a signed link; they sign in, the profile becomes theirs,
they propose changes, and staff approve them before anything changes on the site."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from experts.models import Expert, ProfileChange

SALT = "experts.claim"
DEFAULT_INVITATION_DAYS = 30
# What an expert may change themselves (consent, visibility and contact details stay with staff).
TEXT_FIELDS = ("other_names", "organisation", "position", "biography", "biography_en")
RELATIONS = ("fields", "languages_spoken", "languages_studied")


class InvalidInvitation(Exception):
    pass


def invitation_days() -> int:
    return int(getattr(settings, "EXPERTS_INVITATION_DAYS", DEFAULT_INVITATION_DAYS))


def invitation_token(expert: Expert) -> str:
    return signing.dumps({"e": expert.pk}, salt=SALT, compress=True)


def invitation_path(expert: Expert) -> str:
    return reverse("experts_claim", args=[invitation_token(expert)])


def expert_for_token(token: str) -> Expert:
    try:
        data = signing.loads(token, salt=SALT, max_age=invitation_days() * 24 * 3600)
    except signing.SignatureExpired as error:
        raise InvalidInvitation("expired") from error
    except signing.BadSignature as error:
        raise InvalidInvitation("invalid") from error
    expert = Expert.objects.filter(pk=data.get("e")).select_related("person").first()
    if expert is None:
        raise InvalidInvitation("invalid")
    return expert


@transaction.atomic
def claim(expert: Expert, user) -> bool:
    """Bind the profile to ``user``; False when another account holds it already."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.user_id not in (None, user.pk):
        return False
    if Expert.objects.filter(user=user).exclude(pk=expert.pk).exists():
        return False
    if expert.user_id is None:
        Expert.objects.filter(pk=expert.pk).update(user=user)
    return True


def current_values(expert: Expert) -> dict:
    values = {name: getattr(expert, name) for name in TEXT_FIELDS}
    for relation in RELATIONS:
        values[relation] = sorted(getattr(expert, relation).values_list("pk", flat=True))
    return values


def propose(expert: Expert, user, cleaned: dict) -> ProfileChange:
    data = {name: cleaned.get(name, "") for name in TEXT_FIELDS}
    for relation in RELATIONS:
        data[relation] = sorted(item.pk for item in cleaned.get(relation) or [])
    return ProfileChange.objects.create(
        expert=expert, submitted_by=user, data=data, confirms=bool(cleaned.get("confirm"))
    )


@transaction.atomic
def approve(change: ProfileChange, reviewer) -> Expert:
    expert = Expert.objects.select_for_update().get(pk=change.expert_id)
    for name in TEXT_FIELDS:
        if name in change.data:
            setattr(expert, name, change.data[name])
    for relation in RELATIONS:
        if relation in change.data:
            getattr(expert, relation).set(change.data[relation])
    if change.confirms:
        expert.last_confirmed = timezone.localdate(change.submitted_at)
    expert.save()
    _reviewed(change, ProfileChange.Status.APPROVED, reviewer)
    return expert


def reject(change: ProfileChange, reviewer) -> None:
    _reviewed(change, ProfileChange.Status.REJECTED, reviewer)


def _reviewed(change, status, reviewer):
    change.status = status
    change.reviewed_by = reviewer
    change.reviewed_at = timezone.now()
    change.save(update_fields=["status", "reviewed_by", "reviewed_at"])
