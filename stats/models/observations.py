"""Observations: one figure of one indicator for one period, administrative unit and breakdown.

The unit is an ``archive.Place`` as the figure was reported: a province or commune of today,
or a former province, district or commune. ``unit_code`` and ``unit_name`` keep the code and
name the report used, and ``unit_version`` the date whose administrative boundaries the figure
describes (by default the last day of the period), so figures from before and after the 2025
merger both stay what they were and can be added up on today's units (``stats.aggregation``).
An empty unit is the whole country.

Every change is kept: saving an observation whose figure, status, source or notes changed
writes an :class:`ObservationRevision` (see ``stats.revisions`` for who and what made it).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from archive.models import EthnicGroup, Place
from archive.text import normalise_text_fields
from stats.keys import ETHNIC_GROUP, make_key, parse_key
from stats.periods import PeriodError, parse_period

NATIONAL_CODE = "VN"


class Status(models.TextChoices):
    PROVISIONAL = "provisional", _("provisional")
    FINAL = "final", _("final")


class ObservationQuerySet(models.QuerySet):
    def visible_to(self, who):
        """The observations ``who`` may see (see :func:`stats.access.visible_observations`)."""
        from stats.access import visible_observations

        return visible_observations(who, self)

    def public(self):
        return self.filter(status=Status.FINAL)


TRACKED_FIELDS = ("value", "status", "source", "notes", "unit_code", "unit_name", "unit_version", "is_sample")


class Observation(models.Model):
    indicator = models.ForeignKey(
        "stats.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="observations"
    )
    period = models.CharField(
        _("period"), max_length=32, help_text=_("2019; 2019-04-01; 2021-2026; 2025-01-01/2025-06-30")
    )
    period_start = models.DateField(_("period start"), editable=False)
    period_end = models.DateField(_("period end"), editable=False)
    place = models.ForeignKey(
        Place,
        verbose_name=_("administrative unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="observations",
        help_text=_("The unit as reported, current or former. Empty: the whole country."),
    )
    unit_code = models.CharField(_("unit code as reported"), max_length=16, blank=True)
    unit_name = models.CharField(_("unit name as reported"), max_length=255, blank=True)
    unit_version = models.DateField(
        _("boundaries as at"),
        null=True,
        blank=True,
        help_text=_(
            "The date whose administrative boundaries the figure describes. Empty: the last day of the period. "
            "A figure recalculated on today's units gives a date after the merger."
        ),
    )
    disaggregation_key = models.CharField(
        _("breakdown"),
        max_length=255,
        blank=True,
        db_index=True,
        help_text=_("e.g. ethnic_group=02;sex=F; empty: total"),
    )
    ethnic_group = models.ForeignKey(
        EthnicGroup,
        verbose_name=_("ethnic group"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="observations",
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROVISIONAL)
    source = models.TextField(_("source"), help_text=_("The publication or report the figure comes from."))
    notes = models.TextField(_("notes"), blank=True)
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Made-up figures for demonstration, labelled as such everywhere.")
    )
    report = models.ForeignKey(
        "stats.Report",
        verbose_name=_("from report"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="observations",
        help_text=_("The periodic report whose approval wrote this figure."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ObservationQuerySet.as_manager()
    # Figures point at indicators and places, by the million: Wagtail's reference index ("usage" of an
    # indicator or a place) would gain a row per figure and a task per save. Not kept for them.
    wagtail_reference_index_ignore = True

    panels = [
        FieldRowPanel([FieldPanel("indicator"), FieldPanel("period")]),
        MultiFieldPanel(
            [
                FieldPanel("place"),
                FieldRowPanel([FieldPanel("unit_code"), FieldPanel("unit_name"), FieldPanel("unit_version")]),
            ],
            heading=_("Administrative unit"),
        ),
        FieldPanel("disaggregation_key"),
        FieldRowPanel([FieldPanel("value"), FieldPanel("status"), FieldPanel("is_sample")]),
        FieldPanel("source"),
        FieldPanel("notes"),
    ]

    class Meta:
        ordering = ["indicator", "period_start", "period", "unit_code", "disaggregation_key"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "place", "disaggregation_key"],
                condition=Q(place__isnull=False),
                name="unique_observation_in_unit",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "disaggregation_key"],
                condition=Q(place__isnull=True),
                name="unique_national_observation",
            ),
        ]
        indexes = [
            # An indicator's figures in the order of its full table: a page of it is read without sorting.
            models.Index(
                fields=["indicator", "status", "period_start", "period", "unit_code", "disaggregation_key"],
                name="stats_obs_indicator_table",
            ),
            # One breakdown of an indicator (its total: "") for one unit, the country (place NULL) or every unit:
            # a series, the groups compared, a map, the periods a map can show.
            models.Index(
                fields=["indicator", "disaggregation_key", "place", "status", "period_start", "period"],
                name="stats_obs_indicator_key",
            ),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period} {self.unit_code or self.unit_name} {self.disaggregation_key}"

    # --- derived fields and validation -------------------------------------------------

    def save(self, *args, **kwargs):
        from stats.revisions import record_revision

        normalise_text_fields(self)
        self.disaggregation_key = make_key(parse_key(self.disaggregation_key))
        period = parse_period(self.period)
        self.period, self.period_start, self.period_end = period.key, period.start, period.end
        if not self.unit_code:
            self.unit_code = (self.place.code if self.place_id else NATIONAL_CODE) or ""
        if not self.unit_name and self.place_id:
            self.unit_name = self.place.name
        group_code = parse_key(self.disaggregation_key).get(ETHNIC_GROUP)
        if group_code is None:
            self.ethnic_group = None
        elif self.ethnic_group is None or self.ethnic_group.code != group_code:
            from stats.dimensions import ethnic_group_by_code

            self.ethnic_group = ethnic_group_by_code(group_code)
        created = self._state.adding
        changes = {} if created else self.changes()
        super().save(*args, **kwargs)
        if created:
            initial = {name: [None, value] for name, value in self.tracked_state().items()}
            record_revision(self, ObservationRevision.Action.CREATED, initial)
        elif changes:
            record_revision(self, ObservationRevision.Action.CHANGED, changes)
        self._stored = self.tracked_state()

    def clean(self):
        super().clean()
        errors = {}
        try:
            period = parse_period(self.period)
        except PeriodError as exc:
            errors["period"] = str(exc)
        else:
            if self.place_id and self.place.valid_to and self.place.valid_to < period.start:
                errors["place"] = _("%(unit)s no longer existed in this period (it ended on %(date)s).") % {
                    "unit": self.place,
                    "date": self.place.valid_to.isoformat(),
                }
        if self.indicator_id:
            from stats.dimensions import validate_key

            try:
                self.disaggregation_key = make_key(parse_key(self.disaggregation_key))
            except ValueError:
                errors["disaggregation_key"] = _("Write the breakdown as code=value pairs separated by “;”.")
            else:
                try:
                    validate_key(self.indicator, self.disaggregation_key)
                except ValidationError as exc:
                    errors["disaggregation_key"] = exc.messages
        if errors:
            raise ValidationError(errors)

    # --- state kept for the revision history ---------------------------------------------

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored = {name: getattr(instance, name) for name in TRACKED_FIELDS if name in field_names}
        return instance

    def tracked_state(self) -> dict:
        return {name: getattr(self, name) for name in TRACKED_FIELDS}

    def changes(self) -> dict[str, list]:
        """Tracked fields that differ from what the database held when this object was read."""
        stored = getattr(self, "_stored", None)
        if stored is None:
            return {}
        changed = {}
        for name, old in stored.items():
            new = getattr(self, name)
            if name == "value" and old is not None and new is not None:
                if Decimal(old) == Decimal(new):
                    continue
            elif old == new:
                continue
            changed[name] = [old, new]
        return changed

    @property
    def effective_unit_version(self):
        return self.unit_version or self.period_end

    @property
    def breakdown(self) -> dict[str, str]:
        return parse_key(self.disaggregation_key)


class ObservationRevision(models.Model):
    """One change to one observation, kept for good (also after the observation is deleted)."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("deleted")

    observation = models.ForeignKey(
        Observation,
        verbose_name=_("observation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
    )
    # What the observation was, so that the history still reads after it is deleted.
    indicator_code = models.CharField(_("indicator"), max_length=16)
    period = models.CharField(_("period"), max_length=32)
    place_id_at_change = models.IntegerField(_("unit id"), null=True, blank=True)
    unit_code = models.CharField(_("unit code"), max_length=16, blank=True)
    disaggregation_key = models.CharField(_("breakdown"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, help_text=_("field: [before, after]"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin = models.CharField(_("made by"), max_length=255, blank=True, help_text=_("admin, an import file, the demo"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("observation revision")
        verbose_name_plural = _("observation revisions")

    def __str__(self):
        action = self.get_action_display()
        return f"{action} {self.indicator_code} {self.period} {self.unit_code} {self.disaggregation_key}"
