"""Periodic reports (programme monitoring): report forms as data, reporting units, periods and reports.

A **report form** (``ReportForm``) is data staff edit: its sections, its cells — each either bound to an
indicator and a breakdown (so that approved figures become observations) or free — the unit of each
cell, the validation rules (required cells, ranges, sums that must agree), the level of unit that fills
it and the deadline rule. A **reporting unit** (``ReportingUnit``) is a commune, a former district where
one still reports, a province's ethnic-affairs board or the ministry, mapped to an ``archive.Place`` and
to the users who belong to it; the unit above (``parent``) reviews its reports. A **reporting period**
(``ReportingPeriod``) opens a form for one period: every unit of the form's level gets a **report**
(``Report``), which it fills (``ReportValue``), documents (``Evidence``) and submits; the unit above
returns it with comments or approves it, and approval writes its bound figures as final observations.

The workflow is in ``stats.reports.workflow``; who may do what in ``stats.reports.access``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from archive.models import Place
from archive.text import normalise_text_fields
from stats.keys import make_key, parse_key
from stats.models.catalogue import Indicator, Verification, _english, validate_code
from stats.periods import PeriodError, parse_period


class ReportingLevel(models.TextChoices):
    COMMUNE = "commune", _("commune")
    FORMER_DISTRICT = "former_district", _("former district")
    PROVINCE = "province", _("province")
    MINISTRY = "ministry", _("ministry")


LEVEL_RANK = {
    ReportingLevel.COMMUNE: 0,
    ReportingLevel.FORMER_DISTRICT: 1,
    ReportingLevel.PROVINCE: 2,
    ReportingLevel.MINISTRY: 3,
}
# The kinds of place each level of unit may stand for.
LEVEL_PLACE_KINDS = {
    ReportingLevel.COMMUNE: {Place.Kind.COMMUNE, Place.Kind.FORMER_COMMUNE},
    ReportingLevel.FORMER_DISTRICT: {Place.Kind.FORMER_DISTRICT},
    ReportingLevel.PROVINCE: {Place.Kind.PROVINCE, Place.Kind.CITY, Place.Kind.FORMER_PROVINCE},
    ReportingLevel.MINISTRY: set(),
}


class ReportingUnit(models.Model):
    """A unit that fills reports or reviews those of the units below it."""

    name = models.CharField(_("name"), max_length=255)
    level = models.CharField(_("level"), max_length=20, choices=ReportingLevel.choices)
    place = models.ForeignKey(
        Place,
        verbose_name=_("administrative unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_units",
        help_text=_("The commune, former district or province the unit reports for. Empty for the ministry."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The unit above, which reviews this unit's reports."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="reporting_units",
        help_text=_(
            "People who work for this unit. What they may do comes from their groups: Statistics reporters fill "
            "the unit's reports, Statistics reviewers also review the reports of the units below."
        ),
    )
    email = models.EmailField(_("unit e-mail"), blank=True, help_text=_("Also receives the reminders."))
    active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("level")]),
        FieldRowPanel([FieldPanel("place"), FieldPanel("parent")]),
        FieldPanel("members"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("active")]),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("reporting unit")
        verbose_name_plural = _("reporting units")
        constraints = [
            models.UniqueConstraint(fields=["place"], condition=Q(place__isnull=False), name="unique_unit_place"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.level == ReportingLevel.MINISTRY:
            if self.place_id:
                errors["place"] = _("The ministry reports for the whole country: leave the unit empty.")
        elif not self.place_id:
            errors["place"] = _("Choose the administrative unit this unit reports for.")
        elif self.place.kind not in LEVEL_PLACE_KINDS[self.level]:
            errors["place"] = _("%(place)s is not a unit of this level.") % {"place": self.place}
        if self.parent_id:
            if self.parent_id == self.pk:
                errors["parent"] = _("A unit cannot review itself.")
            elif LEVEL_RANK[self.parent.level] <= LEVEL_RANK[self.level]:
                errors["parent"] = _("The reviewing unit must be of a higher level.")
        elif self.level != ReportingLevel.MINISTRY:
            errors["parent"] = _("Choose the unit above, which reviews this unit's reports.")
        if errors:
            raise ValidationError(errors)

    @property
    def code(self) -> str:
        return self.place.code if self.place_id else ""

    def ancestors(self) -> list[ReportingUnit]:
        found, unit, seen = [], self.parent, {self.pk}
        while unit is not None and unit.pk not in seen:
            seen.add(unit.pk)
            found.append(unit)
            unit = unit.parent
        return found


class ReportFormQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ReportForm(ClusterableModel):
    """A report form as data: what is asked, of whom, by when, and which sums must agree."""

    class Periodicity(models.TextChoices):
        ANNUAL = "annual", _("yearly")
        HALF_YEARLY = "half_yearly", _("every six months")
        QUARTERLY = "quarterly", _("every quarter")
        TERM = "term", _("per term of office")
        IRREGULAR = "irregular", _("when asked")

    code = models.CharField(
        _("working code"),
        max_length=32,
        unique=True,
        validators=[validate_code],
        help_text=_("The archive's own code for the form (in addresses and file names)."),
    )
    official_code = models.CharField(
        _("official form code"),
        max_length=32,
        blank=True,
        help_text=_("The form's number in the circular (ký hiệu biểu). Only once verified against its text."),
    )
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.TO_VERIFY
    )
    verification_note = models.TextField(
        _("verification note"), blank=True, help_text=_("What is and is not verified, with the source tags.")
    )
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    instructions = models.TextField(_("instructions"), blank=True)
    filled_by = models.CharField(
        _("filled by"), max_length=20, choices=ReportingLevel.choices, default=ReportingLevel.COMMUNE
    )
    periodicity = models.CharField(_("periodicity"), max_length=16, choices=Periodicity.choices, default="annual")
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (days after the period)"),
        default=15,
        help_text=_("A period's deadline is this many days after its last day, unless the period sets its own."),
    )
    deadline_note = models.CharField(_("deadline note"), max_length=255, blank=True)
    recipient = models.CharField(
        _("receiving unit"), max_length=255, blank=True, help_text=_("Printed on the form (đơn vị nhận báo cáo).")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ReportFormQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("code"), FieldPanel("official_code"), FieldPanel("verification")]),
                FieldPanel("verification_note"),
            ],
            heading=_("Code and verification"),
        ),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("instructions"),
        FieldRowPanel([FieldPanel("filled_by"), FieldPanel("periodicity"), FieldPanel("active")]),
        FieldRowPanel([FieldPanel("deadline_days"), FieldPanel("deadline_note")]),
        FieldRowPanel([FieldPanel("recipient"), FieldPanel("legal_basis")]),
        InlinePanel("sections", heading=_("Sections"), label=_("section")),
        InlinePanel("cells", heading=_("Cells"), label=_("cell")),
        InlinePanel("rules", heading=_("Sums that must agree"), label=_("rule")),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")

    def __str__(self):
        return f"{self.display_code} {self.name}"

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.official_code and self.verification != Verification.VERIFIED:
            raise ValidationError({"official_code": _("Only a verified form has an official code.")})

    @property
    def code_verified(self) -> bool:
        return bool(self.official_code) and self.verification == Verification.VERIFIED

    @property
    def display_code(self) -> str:
        return self.official_code if self.code_verified else self.code

    @property
    def display_name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name

    def deadline_for(self, period_end: dt.date) -> dt.date:
        return period_end + dt.timedelta(days=self.deadline_days)


class FormSection(Orderable):
    form = ParentalKey(ReportForm, related_name="sections", on_delete=models.CASCADE)
    code = models.CharField(_("code"), max_length=16, help_text=_("I, II, A…: cells name their section by it."))
    title = models.CharField(_("title (Vietnamese)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)

    panels = [FieldRowPanel([FieldPanel("code"), FieldPanel("title"), FieldPanel("title_en")])]

    class Meta(Orderable.Meta):
        verbose_name = _("section")
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="unique_form_section_code")]

    def __str__(self):
        return f"{self.code}. {self.title}"

    @property
    def display_title(self) -> str:
        return self.title_en if _english() and self.title_en else self.title


class FormCell(Orderable):
    """One line of a form: a figure typed in, a figure computed from others, or a text."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("number typed in")
        COMPUTED = "computed", _("number computed from other cells")
        TEXT = "text", _("text")

    form = ParentalKey(ReportForm, related_name="cells", on_delete=models.CASCADE)
    section = models.CharField(_("section"), max_length=16, help_text=_("The code of its section."))
    code = models.CharField(
        _("code"), max_length=16, validators=[validate_code], help_text=_("Mã số: 01, 02… (formulas and rules use it).")
    )
    label = models.CharField(_("label (Vietnamese)"), max_length=255)
    label_en = models.CharField(_("label (English)"), max_length=255, blank=True)
    help_text = models.CharField(_("help"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NUMBER)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Bound cells feed this indicator once the report is approved. Empty: a free cell."),
    )
    disaggregation_key = models.CharField(
        _("breakdown"), max_length=255, blank=True, help_text=_("e.g. sex=F; empty: the indicator's total")
    )
    unit = models.CharField(_("unit"), max_length=32, blank=True, help_text=_("Empty: the indicator's unit."))
    required = models.BooleanField(_("required"), default=True)
    min_value = models.DecimalField(_("smallest value"), max_digits=20, decimal_places=6, null=True, blank=True)
    max_value = models.DecimalField(_("largest value"), max_digits=20, decimal_places=6, null=True, blank=True)
    decimals = models.PositiveSmallIntegerField(
        _("decimal places"), null=True, blank=True, help_text=_("0: a whole number. Empty: as the indicator says.")
    )
    formula = models.CharField(
        _("formula"),
        max_length=255,
        blank=True,
        help_text=_(
            "Computed cells: other cells' codes in square brackets with + − × ÷ and brackets: "
            "100 * ([03] + [04]) / [02]."
        ),
    )
    additive = models.BooleanField(
        _("adds up"),
        default=True,
        help_text=_("Whether the figures of several units are added up in a summary (not for rates or texts)."),
    )

    panels = [
        FieldRowPanel([FieldPanel("section"), FieldPanel("code"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("label"), FieldPanel("label_en")]),
        FieldRowPanel([FieldPanel("indicator"), FieldPanel("disaggregation_key"), FieldPanel("unit")]),
        FieldRowPanel(
            [FieldPanel("required"), FieldPanel("min_value"), FieldPanel("max_value"), FieldPanel("decimals")]
        ),
        FieldRowPanel([FieldPanel("formula"), FieldPanel("additive")]),
        FieldPanel("help_text"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("cell")
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="unique_form_cell_code")]

    def __str__(self):
        return f"{self.code} {self.label}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.Kind.TEXT and self.indicator_id:
            errors["indicator"] = _("A text cell cannot feed an indicator.")
        if self.kind == self.Kind.COMPUTED and not self.formula:
            errors["formula"] = _("A computed cell needs a formula.")
        if self.kind != self.Kind.COMPUTED and self.formula:
            errors["formula"] = _("Only computed cells have a formula.")
        if self.formula:
            from stats.reports.formulas import FormulaError, cells_of

            try:
                cells_of(self.formula)
            except FormulaError as exc:
                errors["formula"] = str(exc)
        if self.indicator_id:
            from stats.dimensions import validate_key

            try:
                self.disaggregation_key = make_key(parse_key(self.disaggregation_key))
                validate_key(self.indicator, self.disaggregation_key)
            except ValueError:
                errors["disaggregation_key"] = _("Write the breakdown as code=value pairs separated by “;”.")
            except ValidationError as exc:
                errors["disaggregation_key"] = exc.messages
            if self.additive and not self.indicator.additive:
                errors["additive"] = _("%(indicator)s is not additive: its figures cannot be added up.") % {
                    "indicator": self.indicator.code
                }
        elif self.disaggregation_key:
            errors["disaggregation_key"] = _("Only a cell bound to an indicator has a breakdown.")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = _("The largest value is smaller than the smallest.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_input(self) -> bool:
        return self.kind != self.Kind.COMPUTED

    @property
    def is_number(self) -> bool:
        return self.kind != self.Kind.TEXT

    @property
    def bound(self) -> bool:
        return self.indicator_id is not None

    @property
    def display_label(self) -> str:
        return self.label_en if _english() and self.label_en else self.label

    @property
    def unit_label(self) -> str:
        if self.unit:
            return self.unit
        return self.indicator.unit.symbol if self.indicator_id else ""

    @property
    def places(self) -> int | None:
        """The decimal places a value may have (None: any)."""
        if self.decimals is not None:
            return self.decimals
        if self.indicator_id and self.indicator.kind == Indicator.Kind.COUNT:
            return 0
        return None

    @property
    def adds_up(self) -> bool:
        if self.kind == self.Kind.TEXT:
            return False
        if self.indicator_id and not self.indicator.additive:
            return False
        return self.additive


class FormRule(Orderable):
    """A sum that must agree: the cells on the left add up to (or at most, at least) the cell on the right."""

    class Operator(models.TextChoices):
        EQUAL = "eq", "="
        AT_MOST = "le", "≤"
        AT_LEAST = "ge", "≥"

    form = ParentalKey(ReportForm, related_name="rules", on_delete=models.CASCADE)
    left = models.CharField(_("cells added up"), max_length=255, help_text=_("Cell codes separated by “+”: 02 + 03"))
    operator = models.CharField(_("must be"), max_length=2, choices=Operator.choices, default=Operator.EQUAL)
    right = models.CharField(_("cell"), max_length=16, help_text=_("The code of the cell it is compared with (01)."))
    message = models.CharField(
        _("message"), max_length=255, blank=True, help_text=_("Shown by the cell when the sum disagrees. Optional.")
    )

    panels = [FieldRowPanel([FieldPanel("left"), FieldPanel("operator"), FieldPanel("right")]), FieldPanel("message")]

    class Meta(Orderable.Meta):
        verbose_name = _("rule")

    def __str__(self):
        return f"{self.left} {self.get_operator_display()} {self.right}"

    @property
    def left_codes(self) -> list[str]:
        return [code.strip() for code in self.left.replace(",", "+").split("+") if code.strip()]


class ReportingPeriod(models.Model):
    """One form opened for one period: every unit of the form's level has a report to fill by the deadline."""

    form = models.ForeignKey(ReportForm, verbose_name=_("form"), on_delete=models.PROTECT, related_name="periods")
    period = models.CharField(_("period"), max_length=32, help_text=_("2025; 2025-01-01/2025-06-30; 2021-2026"))
    period_start = models.DateField(_("period start"), editable=False)
    period_end = models.DateField(_("period end"), editable=False)
    deadline = models.DateField(_("deadline"), blank=True, help_text=_("Empty: as the form's deadline rule says."))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed = models.BooleanField(_("closed"), default=False, help_text=_("No more reports are taken."))

    panels = [FieldRowPanel([FieldPanel("form"), FieldPanel("period")]), FieldRowPanel([FieldPanel("deadline")])]

    class Meta:
        ordering = ["-period_start", "form__code"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [models.UniqueConstraint(fields=["form", "period"], name="unique_reporting_period")]

    def __str__(self):
        return f"{self.form.display_code} · {self.period}"

    def save(self, *args, **kwargs):
        period = parse_period(self.period)
        self.period, self.period_start, self.period_end = period.key, period.start, period.end
        if not self.deadline:
            self.deadline = self.form.deadline_for(self.period_end)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        try:
            parse_period(self.period)
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from exc


class ReportQuerySet(models.QuerySet):
    def late(self, today: dt.date):
        """Reports not yet submitted (or returned and not yet submitted again) after their deadline."""
        return self.filter(
            status__in=[Report.Status.DRAFT, Report.Status.RETURNED],
            reporting_period__deadline__lt=today,
            reporting_period__closed=False,
        )


class Report(models.Model):
    """One unit's report for one reporting period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("not submitted")
        SUBMITTED = "submitted", _("submitted, awaiting review")
        RETURNED = "returned", _("returned for correction")
        APPROVED = "approved", _("approved")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    reporting_period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("reporting period"), on_delete=models.CASCADE, related_name="reports"
    )
    unit = models.ForeignKey(
        ReportingUnit, verbose_name=_("reporting unit"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    saved_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()
    wagtail_reference_index_ignore = True  # thousands a period; their links are not "usage"

    class Meta:
        ordering = ["reporting_period", "unit__name"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["reporting_period", "unit"], name="unique_report_per_unit")]
        indexes = [models.Index(fields=["reporting_period", "status"], name="stats_report_period_status")]
        permissions = [
            ("fill_report", _("Can fill and submit the reports of their own unit")),
            ("review_report", _("Can return or approve the reports of the units below their own")),
            ("manage_reporting", _("Can open reporting periods and see every unit's reports")),
        ]

    def __str__(self):
        return f"{self.reporting_period} · {self.unit}"

    @property
    def form(self) -> ReportForm:
        return self.reporting_period.form

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE and not self.reporting_period.closed

    def is_late(self, today: dt.date | None = None) -> bool:
        from django.utils import timezone

        today = today or timezone.localdate()
        return self.status in self.EDITABLE and self.reporting_period.deadline < today

    @property
    def submitted_late(self) -> bool:
        from django.utils import timezone

        if self.submitted_at is None:
            return False
        return timezone.localdate(self.submitted_at) > self.reporting_period.deadline


class ReportValue(models.Model):
    wagtail_reference_index_ignore = True

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    cell = models.ForeignKey(FormCell, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("report value")
        constraints = [models.UniqueConstraint(fields=["report", "cell"], name="unique_report_value")]

    def __str__(self):
        return f"{self.cell.code}: {self.value if self.value is not None else self.text}"

    @property
    def content(self) -> Decimal | str | None:
        return self.text if self.cell.kind == FormCell.Kind.TEXT else self.value


def evidence_path(instance: Evidence, filename: str) -> str:
    """stats-evidence/<report>/<random>/<file name>: never guessable, never shared with another file."""
    return f"stats-evidence/{instance.report_id}/{uuid.uuid4().hex}/{filename}"


class Evidence(models.Model):
    """A file that backs a report (a scanned signed page, a list of households), stored in the default
    storage and served only to those who may see the report."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), max_length=500, upload_to=evidence_path)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("media type"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.filename
