"""Claiming a profile: staff invite a person by a signed link; they sign in, the profile becomes theirs,
they propose changes — a revision of the profile submitted to the same workflow as records — and staff
approve them in Wagtail's workflow (which publishes the revision) before anything changes on the site."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from experts.models import Expert

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
    """The editable values of ``expert`` as the form shows them."""
    values = {name: getattr(expert, name) for name in TEXT_FIELDS}
    for relation in RELATIONS:
        values[relation] = sorted(item.pk for item in getattr(expert, relation).all())
    return values


def draft_of(expert: Expert) -> Expert:
    """The profile as its latest revision holds it (a proposal waiting for review), else as published."""
    return expert.get_latest_revision_as_object()


def review_of(expert: Expert) -> tuple[str, str]:
    """Where the person's last proposal stands: ("waiting", "") while staff have not decided,
    ("changes", the reviewer's comment) when they asked for changes, else ("", "")."""
    state = expert.current_workflow_state
    if state is None:
        return "", ""
    if state.status == state.STATUS_NEEDS_CHANGES:
        task_state = state.current_task_state
        return "changes", (task_state.comment if task_state else "") or ""
    return "waiting", ""


class NoWorkflow(Exception):
    """No active workflow is assigned to experts: nobody could review a proposal."""


@transaction.atomic
def propose(expert: Expert, user, cleaned: dict):
    """Save a revision of the profile holding the proposed values and submit it to the profile's workflow
    (the records' review) with ``user`` as the requester. The site changes only when staff approve it
    (publishing the revision); a proposal made while another waits replaces it."""
    expert = Expert.objects.select_for_update().select_related("person").get(pk=expert.pk)
    workflow = expert.get_workflow()
    if workflow is None:
        raise NoWorkflow
    draft = draft_of(expert)
    for name in TEXT_FIELDS:
        setattr(draft, name, cleaned.get(name) or "")
    for relation in RELATIONS:
        getattr(draft, relation).set(list(cleaned.get(relation) or []))
    if cleaned.get("confirm"):
        draft.last_confirmed = timezone.localdate()
    revision = draft.save_revision(user=user, log_action=True)
    state = expert.current_workflow_state
    if state is not None:
        state.cancel(user=user)
    workflow.start(draft, user)
    return revision
