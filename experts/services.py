"""What staff and visitors do to experts: erase a person, send a message, purge old messages.

Views and commands only parse input and call these."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from experts.models import ContactMessage, ErasureLog, Expert

logger = logging.getLogger(__name__)

# What works show instead of the name of a person erased without consent to keep it. Machine outputs
# (OAI, JSON-LD, citations, search) read the stored name, so the label is stored in Vietnamese; pages
# translate it through ``Person.name_withheld``.
WITHHELD_NAME = "Một người đóng góp"


def _page_ids_of_works(person) -> set[int]:
    from archive.models import RecordContributor
    from library.models import ItemCreator

    ids = set(ItemCreator.objects.filter(person=person).values_list("page_id", flat=True))
    ids |= set(RecordContributor.objects.filter(person=person).values_list("page_id", flat=True))
    return ids


@transaction.atomic
def erase(expert: Expert, *, user=None, reference: str = "") -> ErasureLog:
    """Erase an expert on their request: the profile, its photo, the messages sent to them and
    their directory entry go. Works they made keep the person's name only if their consent says so;
    otherwise the authority record is emptied and shows "a contributor". The log keeps no personal data."""
    from archive.models import RecordContributor

    person = expert.person
    keep_name = expert.consent_keep_name
    # Contributors typed with the person's name before records pointed to people: theirs too.
    RecordContributor.objects.filter(person__isnull=True, name__iexact=person.name).update(person=person)
    works = _page_ids_of_works(person)
    messages = expert.messages.count()
    photos = _photo_names(expert)
    storage = expert.photo.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in sorted(photos)])
    _forget_admin_history(expert)
    expert.delete()
    if not keep_name:
        _scrub_revisions(works, person)
        RecordContributor.objects.filter(person=person).update(name=WITHHELD_NAME)
        person.name, person.other_names, person.dates, person.note = WITHHELD_NAME, "", "", ""
        person.name_withheld = True
        person.save()
        type(person).objects.filter(pk=person.pk).update(key="")  # never found again by its old or new name
        logger.info("An expert was erased; their name is withheld on %s works", len(works))
    log = ErasureLog.objects.create(
        erased_by=user if user is not None and user.is_authenticated else None,
        reference=reference[:100],
        name_kept=keep_name,
        messages_deleted=messages,
        photos_deleted=len(photos),
        works_affected=len(works),
    )
    _works_changed(works)
    return log


def _photo_names(expert: Expert) -> set[str]:
    """Every photo file of the profile: the current one and those its saved revisions name (a photo
    replaced, or proposed and not published, stays in its revision's file until erasure)."""
    names = {expert.photo.name} if expert.photo else set()
    for content in expert.revisions.values_list("content", flat=True):
        if isinstance(content, dict) and content.get("photo"):
            names.add(content["photo"])
    return names


def _scrub_revisions(page_ids: set[int], person) -> None:
    """Saved revisions of the works carry contributors' names: the next edit of a record starts from its
    latest revision, and an old one can be published again. The person's name goes from all of them."""
    from wagtail.models import Revision

    if not page_ids:
        return
    old = person.name
    for revision in Revision.page_revisions.filter(object_id__in=[str(pk) for pk in page_ids]).iterator():
        changed = False
        for contributor in revision.content.get("contributors") or []:
            if contributor.get("person") == person.pk or contributor.get("name") == old:
                contributor["name"], contributor["person"] = WITHHELD_NAME, person.pk
                changed = True
        if changed:
            revision.save(update_fields=["content"])


def _forget_admin_history(expert: Expert) -> None:
    """The admin's history of the profile names the person in every entry: it goes with the profile."""
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Expert), object_id=str(expert.pk)
    ).delete()


def _works_changed(page_ids: set[int]) -> None:
    """Pages showing the person are indexed again and cached copies forgotten."""
    from cms import page_cache

    page_cache.invalidate()
    if page_ids:
        from search import services as search_services

        search_services.enqueue(page_ids, "expert erased")


# --- contact -------------------------------------------------------------------------------


@dataclass
class Delivery:
    message: ContactMessage
    sent: bool


def staff_addresses() -> list[str]:
    configured = getattr(settings, "EXPERTS_STAFF_EMAILS", None)
    if configured:
        return list(configured)
    return [address for _name, address in getattr(settings, "MANAGERS", [])] or [settings.DEFAULT_FROM_EMAIL]


def send_message(expert: Expert, *, sender_name: str, sender_email: str, body: str, language: str) -> Delivery:
    """Keep the message, then send it to the expert (copied to staff) once it is stored."""
    message = ContactMessage.objects.create(
        expert=expert, sender_name=sender_name, sender_email=sender_email, body=body, language=language[:8]
    )
    with override(language):
        subject = _("A message through the heritage archive from %(name)s") % {"name": sender_name}
        text = _(
            "%(name)s (%(email)s) wrote to you through your profile on the heritage archive:\n\n%(body)s\n\n"
            "Reply to this e-mail to answer them. Your address is not shown to them unless you reply."
        ) % {"name": sender_name, "email": sender_email, "body": body}
    recipients = [expert.email] if expert.email else []
    email = EmailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients or staff_addresses(),
        cc=staff_addresses() if recipients else [],
        reply_to=[sender_email],
    )
    sent = bool(email.send(fail_silently=False))
    ContactMessage.objects.filter(pk=message.pk).update(delivered=sent)
    message.delivered = sent
    return Delivery(message, sent)


def purge_messages(now=None) -> int:
    """Delete contact messages older than the retention period; how many went."""
    deleted, _detail = ContactMessage.objects.expired(now or timezone.now()).delete()
    return deleted


def send_invitation(expert: Expert, link: str) -> None:
    """E-mail the person the link that lets them claim their profile."""
    from experts.claims import invitation_days

    with override("vi"):
        subject = _("Your profile in the heritage archive's expert directory")
        text = _(
            "The archive's staff invite you to see and correct your profile in the expert directory.\n\n"
            "Open this link, sign in (or create an account) and your profile becomes yours to edit; "
            "staff review each change before it is shown. The link is valid for %(days)s days.\n\n%(link)s"
        ) % {"days": invitation_days(), "link": link}
    EmailMessage(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[expert.email]).send()
