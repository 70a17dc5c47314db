"""Controlled vocabularies: ethnic groups, places, languages, subjects.

Each term carries a Vietnamese name, an English name, the published sources its facts come from
(shown to visitors) and an editorial note (for staff only: what was checked, what was not). They
are edited in the Wagtail admin as snippets (see ``archive/wagtail_hooks.py``).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from archive.text import normalise_text_fields

SOURCE_PANELS = [
    MultiFieldPanel(
        [FieldPanel("source"), FieldPanel("source_en"), FieldPanel("editorial_note")], heading=_("Sources")
    ),
]


class TaxonomyTerm(index.Indexed, models.Model):
    """Fields and behaviour every vocabulary shares."""

    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    source = models.TextField(
        _("sources"),
        blank=True,
        help_text=_(
            "Shown to visitors: the published works and official documents these facts come from, as citations."
        ),
    )
    source_en = models.TextField(
        _("sources (English)"), blank=True, help_text=_("The citations for the English site; empty: the ones above.")
    )
    editorial_note = models.TextField(
        _("editorial note"),
        blank=True,
        help_text=_("For staff only, never shown on the public site: what was checked, doubts, what is left to check."),
    )

    search_fields = [index.SearchField("name"), index.SearchField("name_en"), index.AutocompleteField("name")]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """The name in the active language, falling back to Vietnamese."""
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_source(self) -> str:
        """The citations for visitors in the active language (never the editorial note)."""
        if (get_language() or "vi").startswith("en") and self.source_en:
            return self.source_en
        return self.source


class EthnicGroup(ClusterableModel, TaxonomyTerm):
    """One of the 54 officially recognised ethnic groups; its other names are :class:`EthnicGroupName` rows."""

    code = models.CharField(_("official code"), max_length=8)
    code_system = models.CharField(
        _("code system"),
        max_length=100,
        default="QĐ 121-TCTK/PPCĐ (1979)",
        help_text=_("The decision that defines the code: the 1979 and 2008 systems differ."),
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    autonym = models.CharField(_("autonym"), max_length=255, blank=True)
    language_group = models.CharField(_("language group"), max_length=100, blank=True)
    language_group_en = models.CharField(_("language group (English)"), max_length=100, blank=True)
    language_family = models.CharField(_("language family"), max_length=100, blank=True)
    language_family_en = models.CharField(_("language family (English)"), max_length=100, blank=True)
    population_2019 = models.PositiveBigIntegerField(_("population (2019 census)"), null=True, blank=True)
    summary = models.TextField(_("summary (Vietnamese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("code_system")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("slug"),
        InlinePanel("names", heading=_("Other names"), label=_("name")),
        FieldPanel("autonym"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("language_group"), FieldPanel("language_group_en")]),
                FieldRowPanel([FieldPanel("language_family"), FieldPanel("language_family_en")]),
            ],
            heading=_("Language"),
        ),
        FieldPanel("population_2019"),
        FieldPanel("summary"),
        FieldPanel("summary_en"),
        *SOURCE_PANELS,
    ]
    search_fields = TaxonomyTerm.search_fields + [
        index.RelatedFields("names", [index.SearchField("name"), index.AutocompleteField("name")]),
        index.FilterField("code"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("ethnic group")
        verbose_name_plural = _("ethnic groups")
        constraints = [models.UniqueConstraint(fields=["code_system", "code"], name="unique_ethnic_group_code")]

    @property
    def other_names_list(self) -> list[str]:
        """The group's other names, in the editors' order (``names``, prefetched or not)."""
        return [name.name for name in self.names.all()]

    @property
    def display_language_group(self) -> str:
        return (
            self.language_group_en
            if (get_language() or "").startswith("en") and self.language_group_en
            else self.language_group
        )

    @property
    def display_language_family(self) -> str:
        if (get_language() or "").startswith("en") and self.language_family_en:
            return self.language_family_en
        return self.language_family

    @property
    def display_summary(self) -> str:
        return self.summary_en if (get_language() or "").startswith("en") and self.summary_en else self.summary


class EthnicGroupName(Orderable):
    """Another name people use for an ethnic group, what kind of name it is, and where it is attested.

    Search finds the group's records by each of them (``search.documents``), folded and with the
    syllables of each name also typed joined ("H'Mông" as "hmong").
    """

    class Kind(models.TextChoices):
        OTHER = "other", _("other name (kind not recorded in the source)")
        INTERNATIONAL = "international", _("international spelling (English-language scholarship)")
        FORMER = "former", _("older Vietnamese name")
        LOCAL = "local", _("local group or local name")
        SPELLING = "spelling", _("variant spelling")

    group = ParentalKey(EthnicGroup, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind of name"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Shown to visitors: the published work or official document that gives this name, as a citation."),
    )

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]), FieldPanel("source")]

    class Meta(Orderable.Meta):
        verbose_name = _("other name")
        verbose_name_plural = _("other names")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        self.name = self.name.strip()
        super().save(*args, **kwargs)


class PlaceQuerySet(models.QuerySet):
    def current_provinces(self):
        today = timezone.localdate()
        return self.filter(kind__in=Place.PROVINCE_KINDS).exclude(valid_to__lt=today).order_by("name")


class Place(TaxonomyTerm):
    """An administrative unit or site, current or historic.

    Records keep the place *as recorded*; ``current_province`` (kept up to date on save)
    is the province-level unit that covers it today, following ``successor`` links for
    abolished units and ``parent`` links for lower levels.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("centrally-run city")
        PROVINCE = "province", _("province")
        COMMUNE = "commune", _("commune / ward")
        VILLAGE = "village", _("village (thôn, bản, buôn, plei, phum sóc)")
        SITE = "site", _("site")
        FORMER_PROVINCE = "former_province", _("former province")
        FORMER_DISTRICT = "former_district", _("former district")
        FORMER_COMMUNE = "former_commune", _("former commune")

    PROVINCE_KINDS = (Kind.CITY, Kind.PROVINCE)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("official code"), max_length=16, blank=True)
    code_system = models.CharField(_("code system"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Last day the unit existed; empty if it exists today.")
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("succeeded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The unit that took over this one's territory."),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    sacred = models.BooleanField(
        _("sacred site"), default=False, help_text=_("Exact coordinates are never shown to the public.")
    )
    current_province = models.ForeignKey(
        "self",
        verbose_name=_("province today"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="covered_places",
    )

    objects = PlaceQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("code"), FieldPanel("code_system")]),
        FieldPanel("parent"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]), FieldPanel("successor")],
            heading=_("Validity"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]), FieldPanel("sacred")],
            heading=_("Location"),
        ),
        *SOURCE_PANELS,
    ]
    search_fields = TaxonomyTerm.search_fields + [index.FilterField("kind")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(f"{self.kind}-{self.name}")[:120]
        super().save(*args, **kwargs)
        self.refresh_current_province()

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to >= timezone.localdate()

    @property
    def is_province(self) -> bool:
        return self.kind in self.PROVINCE_KINDS

    @property
    def public_coordinates(self):
        """(lat, lon) safe to publish, or None for sacred sites and unknown points."""
        if self.sacred or self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def full_name(self) -> str:
        """The name with its enclosing unit as recorded: "huyện Triệu Sơn, tỉnh Thanh Hóa"."""
        names, place, seen = [], self, set()
        while place is not None and place.pk not in seen:
            seen.add(place.pk)
            names.append(place.display_name)
            place = place.parent
        return ", ".join(names)

    def resolve_current_province(self):
        """Follow successor and parent links to the province-level unit of today."""
        place, seen = self, set()
        while place is not None and place.pk not in seen:
            seen.add(place.pk)
            if place.is_province and place.is_current:
                return place
            place = place.successor or place.parent
        return None

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("A unit cannot end before it begins.")})
        for field in ("parent", "successor"):
            target, seen = getattr(self, field), set()
            while target is not None:
                if target.pk == self.pk or target.pk in seen:
                    raise ValidationError({field: _("This link would make a loop.")})
                seen.add(target.pk)
                target = getattr(target, field)
        if self.is_province and self.valid_to is None and self.successor_id:
            raise ValidationError({"successor": _("A unit that exists today has no successor.")})

    def refresh_current_province(self) -> None:
        """Store the province of today; when it changes, units resolving through this one follow."""
        current = self.resolve_current_province()
        if (current.pk if current else None) == self.current_province_id:
            return
        Place.objects.filter(pk=self.pk).update(current_province=current)
        self.current_province = current
        for dependant in Place.objects.filter(models.Q(parent=self) | models.Q(successor=self)):
            dependant.refresh_current_province()


BCP47 = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")


def validate_bcp47(value: str) -> None:
    if not BCP47.match(value or ""):
        raise ValidationError(
            _('"%(tag)s" is not a BCP-47 language tag such as "vi", "en" or "tyz".'), params={"tag": value}
        )


class Language(TaxonomyTerm):
    tag = models.CharField(
        _("BCP-47 tag"), max_length=35, unique=True, validators=[validate_bcp47], help_text=_('e.g. "vi", "tyz"')
    )

    panels = [FieldPanel("tag"), FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]), *SOURCE_PANELS]

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return f"{self.name} ({self.tag})"


class Subject(TaxonomyTerm):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]), FieldPanel("slug"), *SOURCE_PANELS]

    class Meta:
        ordering = ["name"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
