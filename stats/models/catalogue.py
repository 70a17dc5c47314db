"""The indicator catalogue: indicators, their groups, units and breakdowns, as data staff edit.

Codes are kept apart by how sure we are of them. An indicator's ``official_code`` is set only
once staff have checked it against the text of the circular (``verification`` = verified); until
then it is empty and the indicator is known by its ``working_code`` (``C02``…), which every
public output labels "code not yet verified" and never presents as official.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from archive.text import nfc, normalise_text_fields
from stats.keys import CODE, ETHNIC_GROUP


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def validate_code(value: str) -> None:
    if value and not CODE.match(value):
        raise ValidationError(_("Use only letters, digits, “-” and “_” (no spaces)."))


class Verification(models.TextChoices):
    VERIFIED = "verified", _("verified")
    TO_VERIFY = "to_verify", _("to verify")


class NamedTerm(models.Model):
    """Vietnamese and English names, NFC-normalised on save, shown in the active language."""

    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name


class Unit(NamedTerm):
    """A unit of measure ("người", "%", "nghìn đồng") and the spellings an import accepts for it."""

    class Kind(models.TextChoices):
        COUNT = "count", _("count")
        PERCENT = "percent", _("percent")
        PER_MILLE = "per_mille", _("per mille")
        OTHER = "other", _("other measure")

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[validate_code])
    symbol = models.CharField(_("symbol"), max_length=32, help_text=_("As printed after a number: người, %, ‰."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    aliases = models.TextField(
        _("other spellings"),
        blank=True,
        help_text=_("Other ways spreadsheets write this unit, separated by commas (persons, nguoi, phần trăm)."),
    )

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("symbol"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("aliases"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")

    def __str__(self):
        return self.symbol

    def spellings(self) -> set[str]:
        """Every spelling of the unit, folded for comparison."""
        names = [self.code, self.symbol, self.name, self.name_en, *self.aliases.split(",")]
        return {fold(name) for name in names if name and name.strip()}


def fold(text: str) -> str:
    """Text folded for matching a spreadsheet's spelling: NFC, lower case, single spaces."""
    return " ".join(nfc(str(text)).casefold().split())


class IndicatorGroup(NamedTerm):
    official_code = models.CharField(
        _("official code"), max_length=16, blank=True, help_text=_("Only once checked against the circular's text.")
    )
    working_code = models.CharField(_("working code"), max_length=16, unique=True, validators=[validate_code])
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.TO_VERIFY
    )
    sources = models.TextField(_("sources"), blank=True, help_text=_("Where the group comes from, with source tags."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldRowPanel([FieldPanel("working_code"), FieldPanel("official_code"), FieldPanel("verification")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("sort_order"),
        FieldPanel("sources"),
    ]

    class Meta:
        ordering = ["sort_order", "working_code"]
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator groups")

    def clean(self):
        super().clean()
        if self.official_code and self.verification != Verification.VERIFIED:
            raise ValidationError({"official_code": _("Only a verified group has an official code.")})


class Disaggregation(NamedTerm, ClusterableModel):
    """A breakdown (phân tổ): ethnic group, sex, urban/rural, age band… and its values."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[validate_code],
        help_text=_("Short code used in keys, column headers and SDMX (sex, urban_rural)."),
    )

    class Source(models.TextChoices):
        VALUES = "values", _("its own list of values")
        ETHNIC_GROUPS = "ethnic_groups", _("the archive's ethnic groups (by code)")
        UNITS = "units", _("administrative units (each figure's unit)")

    source = models.CharField(
        _("values"),
        max_length=16,
        choices=Source.choices,
        default=Source.VALUES,
        help_text=_(
            "Where the values come from. Administrative units are not part of a figure's breakdown: "
            "each figure names its unit."
        ),
    )
    partition = models.BooleanField(
        _("values add up to the total"),
        default=True,
        help_text=_("Together the values cover everything once, so their figures must add up to the total."),
    )
    sources = models.TextField(_("sources"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("sort_order")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("source"), FieldPanel("partition")]),
        InlinePanel("values", heading=_("Values"), label=_("value")),
        FieldPanel("sources"),
    ]

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")

    def clean(self):
        super().clean()
        if (self.source == self.Source.ETHNIC_GROUPS) != (self.code == ETHNIC_GROUP):
            raise ValidationError({"code": _("The ethnic-group breakdown, and only it, has the code “ethnic_group”.")})

    @property
    def in_key(self) -> bool:
        """Whether figures carry this breakdown in their key (administrative units are the figure's unit)."""
        return self.source != self.Source.UNITS


class DisaggregationValue(Orderable):
    disaggregation = ParentalKey(Disaggregation, related_name="values", on_delete=models.CASCADE)
    code = models.CharField(_("code"), max_length=32, validators=[validate_code])
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    panels = [FieldRowPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("name_en")])]

    class Meta(Orderable.Meta):
        verbose_name = _("value")
        constraints = [
            models.UniqueConstraint(fields=["disaggregation", "code"], name="unique_disaggregation_value_code")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name


class IndicatorQuerySet(models.QuerySet):
    def by_code(self, code: str):
        """The indicator known by ``code``: its official code, or its working code while it has none."""
        code = (code or "").strip()
        return self.filter(Q(official_code=code) & ~Q(official_code="") | Q(working_code=code)).first()


class Indicator(ClusterableModel):
    class Kind(models.TextChoices):
        COUNT = "count", _("count (number of people, households, units)")
        RATE = "rate", _("rate or share (%, ‰)")
        MEAN = "mean", _("average")
        AMOUNT = "amount", _("amount (money, length)")

    class Periodicity(models.TextChoices):
        ANNUAL = "annual", _("yearly")
        FIVE_YEARLY = "five_yearly", _("every five years")
        TEN_YEARLY = "ten_yearly", _("every ten years (census)")
        TERM = "term", _("per term of office")
        IRREGULAR = "irregular", _("irregular")

    official_code = models.CharField(
        _("official code"),
        max_length=16,
        blank=True,
        validators=[validate_code],
        help_text=_("The code in the circular (Mã số). Leave empty until verified against its text."),
    )
    working_code = models.CharField(
        _("working code"),
        max_length=16,
        unique=True,
        validators=[validate_code],
        help_text=_(
            "The archive's own code while the official one is not verified (C02…); the official code once it is."
        ),
    )
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.TO_VERIFY
    )
    verification_note = models.TextField(
        _("verification note"),
        blank=True,
        help_text=_("What is and is not verified, with the source tags ([V1], [I] = inferred)."),
    )
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    group = models.ForeignKey(
        IndicatorGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="indicators"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="indicators")
    kind = models.CharField(_("kind of figure"), max_length=16, choices=Kind.choices, default=Kind.COUNT)
    additive = models.BooleanField(
        _("additive"),
        default=True,
        help_text=_("Figures of parts add up to the whole (counts: yes; rates and averages: no)."),
    )
    decimals = models.PositiveSmallIntegerField(_("decimal places shown"), default=0)
    definition = models.TextField(_("definition (khái niệm)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    method = models.TextField(_("method of calculation (phương pháp tính)"), blank=True)
    method_en = models.TextField(_("method of calculation (English)"), blank=True)
    periodicity = models.CharField(
        _("periodicity"), max_length=16, choices=Periodicity.choices, default=Periodicity.ANNUAL
    )
    periodicity_note = models.CharField(_("periodicity note"), max_length=255, blank=True)
    agency = models.CharField(_("responsible agency"), max_length=255, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    data_source = models.TextField(_("source of data (nguồn số liệu)"), blank=True)

    objects = IndicatorQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("working_code"), FieldPanel("official_code"), FieldPanel("verification")]),
                FieldPanel("verification_note"),
            ],
            heading=_("Code and verification"),
        ),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("group"),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("kind"), FieldPanel("additive"), FieldPanel("decimals")]),
        FieldRowPanel([FieldPanel("definition"), FieldPanel("definition_en")]),
        FieldRowPanel([FieldPanel("method"), FieldPanel("method_en")]),
        InlinePanel("breakdowns", heading=_("Disaggregations (phân tổ)"), label=_("disaggregation")),
        FieldRowPanel([FieldPanel("periodicity"), FieldPanel("periodicity_note")]),
        FieldRowPanel([FieldPanel("agency"), FieldPanel("legal_basis")]),
        FieldPanel("data_source"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("name_en"), index.FilterField("working_code")]

    class Meta:
        ordering = ["group__sort_order", "working_code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["official_code"], condition=~Q(official_code=""), name="unique_indicator_official_code"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.official_code and self.verification != Verification.VERIFIED:
            errors["official_code"] = _("Only a verified indicator has an official code: mark it verified first.")
        if self.official_code and self.working_code and self.official_code != self.working_code:
            clash = Indicator.objects.filter(working_code=self.official_code).exclude(pk=self.pk).exists()
            if clash:
                errors["official_code"] = _("Another indicator uses this code as its working code.")
        if self.additive and self.kind in (self.Kind.RATE, self.Kind.MEAN):
            errors["additive"] = _("Rates and averages do not add up: an indicator of this kind is not additive.")
        if errors:
            raise ValidationError(errors)

    # --- codes as the public sees them -------------------------------------------------

    @property
    def code_verified(self) -> bool:
        return bool(self.official_code) and self.verification == Verification.VERIFIED

    @property
    def code(self) -> str:
        """The code the archive uses in URLs and files: the official one once verified, else the working one."""
        return self.official_code if self.code_verified else self.working_code

    @property
    def public_official_code(self) -> str:
        """The official code, or empty: what public outputs put in an "official code" field."""
        return self.official_code if self.code_verified else ""

    @property
    def code_label(self) -> str:
        if self.code_verified:
            return self.official_code
        return _("%(code)s (working code, not yet verified)") % {"code": self.working_code}

    @property
    def display_name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name

    @property
    def display_definition(self) -> str:
        return self.definition_en if _english() and self.definition_en else self.definition

    @property
    def display_method(self) -> str:
        return self.method_en if _english() and self.method_en else self.method

    def dimensions(self) -> list[IndicatorDisaggregation]:
        """The indicator's breakdowns, in order, with their disaggregation loaded."""
        return list(self.breakdowns.select_related("disaggregation").order_by("sort_order", "pk"))


class IndicatorDisaggregation(Orderable):
    """One breakdown of one indicator, with the values that do not apply to it (Kinh for an
    ethnic-minority indicator), so that a complete set of values can be told from a partial one."""

    indicator = ParentalKey(Indicator, related_name="breakdowns", on_delete=models.CASCADE)
    disaggregation = models.ForeignKey(
        Disaggregation, verbose_name=_("disaggregation"), on_delete=models.PROTECT, related_name="+"
    )
    excluded_codes = models.CharField(
        _("values that do not apply"),
        max_length=255,
        blank=True,
        help_text=_("Codes separated by commas, e.g. 01 (Kinh) for an indicator about ethnic minorities."),
    )

    panels = [FieldRowPanel([FieldPanel("disaggregation"), FieldPanel("excluded_codes")])]

    class Meta(Orderable.Meta):
        verbose_name = _("disaggregation of an indicator")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "disaggregation"], name="unique_indicator_disaggregation")
        ]

    def __str__(self):
        return str(self.disaggregation)

    @property
    def excluded(self) -> set[str]:
        return {code.strip() for code in self.excluded_codes.split(",") if code.strip()}
