"""An expert: a person the archive already names (``archive.Person``), with what they know, where
and with whom, and what they agreed to show.

Every field a visitor could see has its own visibility (public, registered researchers, staff),
set from the person's recorded consent; without a recorded consent nothing is shown beyond staff
(:mod:`experts.visibility` applies this, and is the only place that decides). E-mail and phone are
never shown to anyone on the site: visitors write through the contact form.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin, WorkflowMixin

from archive.access import AccessLevel
from archive.text import ascii_slug, normalise_text_fields


class Visibility(models.TextChoices):
    """Who may see a field on the site (the archive's access levels, sacred apart)."""

    PUBLIC = AccessLevel.PUBLIC.value, _("Public")
    REGISTERED = AccessLevel.REGISTERED.value, _("Registered researchers")
    STAFF = AccessLevel.STAFF.value, _("Staff only")


# The parts of a profile that carry a visibility, in the order the profile shows them. "name" is the
# profile itself: whoever may not see the name does not see the profile at all.
VISIBLE_PARTS = (
    "name",
    "other_names",
    "titles",
    "organisation",
    "fields",
    "ethnic_groups",
    "languages",
    "regions",
    "biography",
    "photo",
    "contact",
)
PART_LABELS = {
    "name": _("Name and profile"),
    "other_names": _("Other names"),
    "titles": _("Titles"),
    "organisation": _("Organisation and position"),
    "fields": _("Fields of expertise"),
    "ethnic_groups": _("Ethnic groups"),
    "languages": _("Languages"),
    "regions": _("Regions"),
    "biography": _("Biography"),
    "photo": _("Photo"),
    "contact": _("Contact form"),
}


def _visibility_field(part: str) -> models.CharField:
    return models.CharField(PART_LABELS[part], max_length=12, choices=Visibility.choices, default=Visibility.STAFF)


def photo_path(instance, filename: str) -> str:
    # An unguessable name outside every record's media: served only by experts.views.photo.
    extension = (filename.rsplit(".", 1)[-1] if "." in filename else "jpg").lower()[:5]
    return f"experts/photos/{uuid.uuid4().hex}.{extension}"


class Title(models.TextChoices):
    """Academic titles and degrees, and the State's titles for artisans, as written in Vietnam."""

    GS = "gs", _("GS. (Professor)")
    PGS = "pgs", _("PGS. (Associate Professor)")
    TSKH = "tskh", _("TSKH. (Doctor of Science)")
    TS = "ts", _("TS. (Doctor)")
    THS = "ths", _("ThS. (Master)")
    NNND = "nnnd", _("Nghệ nhân Nhân dân (People's Artisan)")
    NNUT = "nnut", _("Nghệ nhân Ưu tú (Meritorious Artisan)")
    OTHER = "other", _("Other")


# Held by staff, outside the profile's revisions: whatever a revision carries, publishing it (an expert's
# proposal approved, an old version restored) takes these from the current row, and staff's own saves in
# the admin write them to the row at once (experts.wagtail_hooks). Consent, visibility, contact details,
# the staff note and the account link are never the expert's to change, nor an old version's to bring back.
STAFF_HELD_FIELDS = (
    "person_id",
    "email",
    "phone",
    "user_id",
    "staff_note",
    "consent_text",
    "consent_date",
    "consent_keep_name",
    *(f"visibility_{part}" for part in VISIBLE_PARTS),
)
# A save that writes only these (a revision saved, a workflow step) changes nothing a visitor sees.
REVISION_BOOKKEEPING_FIELDS = frozenset(
    {"latest_revision", "has_unpublished_changes", "live_revision", "last_published_at", "first_published_at"}
)

# Abbreviations written before a name, in the order Vietnamese writes them (GS.TS. Nguyễn Văn A).
TITLE_PREFIX = {"gs": "GS.", "pgs": "PGS.", "tskh": "TSKH.", "ts": "TS.", "ths": "ThS."}


class ExpertQuerySet(models.QuerySet):
    def stale(self, today=None):
        """Profiles not confirmed for a year (or never)."""
        today = today or timezone.localdate()
        cutoff = (
            today.replace(year=today.year - 1)
            if not (today.month == 2 and today.day == 29)
            else today.replace(year=today.year - 1, day=28)
        )
        return self.filter(models.Q(last_confirmed__isnull=True) | models.Q(last_confirmed__lt=cutoff))


class Expert(WorkflowMixin, DraftStateMixin, RevisionMixin, ClusterableModel):
    """A profile, edited through revisions and published through the same workflow as records (assigned
    by ``cms.setup`` from the ``editorial_workflow_models`` hook). Only the published row is shown: a draft
    (``live`` false) is for staff alone (:mod:`experts.visibility`)."""

    person = models.OneToOneField(
        "archive.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="expert",
        help_text=_("The person as the archive names them on items and records: one person, not a name typed twice."),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True)
    other_names = models.TextField(
        _("other names"), blank=True, help_text=_("Names in other languages or scripts, one per line.")
    )
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    fields = ParentalManyToManyField("experts.ExpertiseField", verbose_name=_("fields of expertise"), blank=True)
    ethnic_groups = ParentalManyToManyField(
        "archive.EthnicGroup", verbose_name=_("ethnic groups"), blank=True, related_name="experts"
    )
    languages_spoken = ParentalManyToManyField(
        "archive.Language", verbose_name=_("languages spoken"), blank=True, related_name="speaking_experts"
    )
    languages_studied = ParentalManyToManyField(
        "archive.Language", verbose_name=_("languages studied"), blank=True, related_name="studying_experts"
    )
    regions = ParentalManyToManyField(
        "archive.Place",
        verbose_name=_("regions"),
        blank=True,
        related_name="experts",
        help_text=_("Provinces of today; historic units (a former district, a former province) are allowed."),
    )
    biography = models.TextField(_("biography (Vietnamese)"), blank=True)
    biography_en = models.TextField(_("biography (English)"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)

    email = models.EmailField(
        _("e-mail"), blank=True, help_text=_("Never shown on the site: messages from the contact form go here.")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True, help_text=_("Never shown on the site."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
        help_text=_("The person's own account, once they have claimed the profile through an invitation."),
    )
    staff_note = models.TextField(_("staff note"), blank=True, help_text=_("For staff only, never shown on the site."))

    consent_text = models.TextField(
        _("consent"), blank=True, help_text=_("What the person agreed to, in their words or the form they signed.")
    )
    consent_date = models.DateField(_("consent given on"), null=True, blank=True)
    consent_keep_name = models.BooleanField(
        _("name may stay on works after erasure"),
        default=False,
        help_text=_("If the person asks to be erased, items and records they made keep their name."),
    )
    last_confirmed = models.DateField(_("last confirmed"), null=True, blank=True)

    visibility_name = _visibility_field("name")
    visibility_other_names = _visibility_field("other_names")
    visibility_titles = _visibility_field("titles")
    visibility_organisation = _visibility_field("organisation")
    visibility_fields = _visibility_field("fields")
    visibility_ethnic_groups = _visibility_field("ethnic_groups")
    visibility_languages = _visibility_field("languages")
    visibility_regions = _visibility_field("regions")
    visibility_biography = _visibility_field("biography")
    visibility_photo = _visibility_field("photo")
    visibility_contact = _visibility_field("contact")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExpertQuerySet.as_manager()

    panels = [
        FieldPanel("person"),
        FieldPanel("slug"),
        FieldPanel("other_names"),
        InlinePanel("titles", heading=_("Titles"), label=_("title")),
        FieldRowPanel([FieldPanel("organisation"), FieldPanel("position")]),
        FieldPanel("fields"),
        FieldPanel("ethnic_groups"),
        FieldRowPanel([FieldPanel("languages_spoken"), FieldPanel("languages_studied")]),
        FieldPanel("regions"),
        FieldPanel("biography"),
        FieldPanel("biography_en"),
        FieldPanel("photo"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]), FieldPanel("user"), FieldPanel("staff_note")],
            heading=_("Private"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("consent_text"),
                FieldRowPanel([FieldPanel("consent_date"), FieldPanel("last_confirmed")]),
                FieldPanel("consent_keep_name"),
                *[FieldPanel(f"visibility_{part}") for part in VISIBLE_PARTS],
            ],
            heading=_("Consent and visibility"),
        ),
    ]

    class Meta:
        ordering = ["person__name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self):
        return self.person.name if self.person_id else f"#{self.pk}"

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def has_consent(self) -> bool:
        return bool(self.consent_date and self.consent_text.strip())

    def visibility_of(self, part: str) -> str:
        return getattr(self, f"visibility_{part}")

    @property
    def display_biography(self) -> str:
        if (get_language() or "vi").startswith("en") and self.biography_en:
            return self.biography_en
        return self.biography

    @property
    def title_prefix(self) -> str:
        """ "GS.TS." from the academic titles held, in the order Vietnamese writes them."""
        held = {title.kind for title in self.titles.all()}
        return "".join(TITLE_PREFIX[kind] for kind in TITLE_PREFIX if kind in held)

    def get_absolute_url(self) -> str:
        return reverse("experts_profile", args=[self.slug])

    def clean(self):
        super().clean()
        opened = [part for part in VISIBLE_PARTS if self.visibility_of(part) != Visibility.STAFF]
        if opened and not (self.consent_text.strip() and self.consent_date):
            raise ValidationError(
                _("Nothing is shown beyond staff without the person's consent: record its text and date first.")
            )

    def with_content_json(self, content):
        """The profile as a revision holds it, with the staff-held fields of the current row (see
        ``STAFF_HELD_FIELDS``): publishing a proposal or an old version never brings back older ones."""
        obj = super().with_content_json(content)
        for name in STAFF_HELD_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and REVISION_BOOKKEEPING_FIELDS.issuperset(update_fields):
            # A revision saved or a workflow step: the row's content is unchanged (the instance may hold a
            # proposal in memory, which must not reach the search text).
            super().save(*args, **kwargs)
            return
        if not self.slug:
            base = ascii_slug(self.person.name, 100) or "chuyen-gia"
            slug, number = base, 1
            while Expert.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                number += 1
                slug = f"{base}-{number}"
            self.slug = slug
        super().save(*args, **kwargs)
        from experts.search import refresh_search_text

        refresh_search_text(self)


class ExpertTitle(Orderable):
    """A title held: an academic one, or the State's title for an artisan with its decision."""

    expert = ParentalKey(Expert, on_delete=models.CASCADE, related_name="titles")
    kind = models.CharField(_("title"), max_length=8, choices=Title.choices)
    label = models.CharField(_("label"), max_length=255, blank=True, help_text=_('For "other": the title as written.'))
    year = models.PositiveSmallIntegerField(_("year conferred"), null=True, blank=True)
    decision = models.CharField(
        _("conferring decision"),
        max_length=255,
        blank=True,
        help_text=_('e.g. "Quyết định 1234/QĐ-CTN ngày 15/11/2022 của Chủ tịch nước"'),
    )

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("label")]),
        FieldRowPanel([FieldPanel("year"), FieldPanel("decision")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("title")
        verbose_name_plural = _("titles")

    def __str__(self):
        return self.label if self.kind == Title.OTHER and self.label else self.get_kind_display()

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        super().save(*args, **kwargs)
