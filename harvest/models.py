"""What the OAI-PMH harvester keeps: the repositories it harvests, each run of a harvest (its progress, and the
resumption token it stopped at, so that a run that dies goes on from there), and which library item each
harvested record became."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

METADATA_PREFIXES = (("oai_dc", "Dublin Core (oai_dc)"), ("marc21", "MARC 21 (marc21)"))


class HarvestSource(models.Model):
    """An OAI-PMH repository the library harvests, where its records go, and how far it has been harvested."""

    name = models.CharField(_("name"), max_length=255, unique=True, help_text=_("Shown on each harvested item."))
    base_url = models.URLField(
        _("base URL"), max_length=500, help_text=_("e.g. https://repository.example.org/oai/request")
    )
    metadata_prefix = models.CharField(
        _("metadata format"),
        max_length=32,
        choices=METADATA_PREFIXES,
        default="oai_dc",
        help_text=_("oai_dc (Dublin Core), or marc21 (MARCXML) where the repository offers it: it describes more."),
    )
    set_spec = models.CharField(
        _("set"), max_length=255, blank=True, help_text=_("Only this set (setSpec); empty for all.")
    )
    library = models.ForeignKey(
        "library.LibraryPage",
        verbose_name=_("library section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the harvested items go (empty: the only library section)."),
    )
    enabled = models.BooleanField(_("enabled"), default=True, help_text=_("Harvested by the scheduled harvest."))
    harvested_until = models.DateTimeField(
        _("harvested up to"),
        null=True,
        blank=True,
        help_text=_(
            "The repository's time at the start of the last complete harvest; the next one asks only for what "
            "changed since (less a little, for safety)."
        ),
    )
    granularity = models.CharField(_("datestamp granularity"), max_length=32, blank=True, editable=False)
    repository_name = models.CharField(_("repository name"), max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("base_url"),
        FieldRowPanel([FieldPanel("metadata_prefix"), FieldPanel("set_spec")]),
        FieldPanel("library"),
        MultiFieldPanel([FieldPanel("enabled"), FieldPanel("harvested_until")], heading=_("Schedule")),
    ]

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def last_run(self) -> "HarvestRun | None":
        return self.runs.order_by("-started_at", "-pk").first()


class HarvestRun(models.Model):
    """One harvest of a source: its state and counts, shown in the admin as it goes, and where it stopped."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        COMPLETED = "completed", _("completed")
        FAILED = "failed", _("failed")

    source = models.ForeignKey(HarvestSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="runs")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    metadata_prefix = models.CharField(_("metadata format"), max_length=32)
    set_spec = models.CharField(_("set"), max_length=255, blank=True)
    from_date = models.CharField(_("from"), max_length=32, blank=True, help_text=_("The from argument sent, if any."))
    response_date = models.DateTimeField(_("repository time at start"), null=True, blank=True)
    resumption_token = models.TextField(_("resumption token"), blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    complete_list_size = models.PositiveIntegerField(_("records announced"), null=True, blank=True)
    seen = models.PositiveIntegerField(_("records seen"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    failed = models.PositiveIntegerField(_("rejected"), default=0)
    error = models.TextField(_("error"), blank=True)
    record_errors = models.JSONField(_("rejected records"), default=list, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("last progress"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    # A run that shows no progress for this long is taken to have died with its worker, and is resumed.
    STALE_AFTER = dt.timedelta(minutes=15)
    MAX_RECORD_ERRORS = 200  # the first ones are kept; the count says how many there were

    class Meta:
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} ({self.get_state_display()})"

    @property
    def is_stale(self) -> bool:
        return self.state == self.State.RUNNING and timezone.now() - self.updated_at > self.STALE_AFTER

    @property
    def can_resume(self) -> bool:
        """A run that stopped part-way (failed, or died with its worker) and knows where it stopped."""
        return bool(self.resumption_token) and (self.state == self.State.FAILED or self.is_stale)

    def note_record_error(self, identifier: str, reason: str) -> None:
        self.failed += 1
        if len(self.record_errors) < self.MAX_RECORD_ERRORS:
            self.record_errors.append({"identifier": identifier, "reason": reason})


class HarvestedRecord(models.Model):
    """A record of a source and the library item it became: found again by its OAI identifier."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="records")
    oai_identifier = models.CharField(_("OAI identifier"), max_length=500)
    page = models.ForeignKey(
        "library.LibraryItemPage",
        verbose_name=_("library item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    datestamp = models.CharField(_("datestamp"), max_length=32, blank=True)
    deleted = models.BooleanField(_("deleted at the source"), default=False)
    url = models.URLField(_("original"), max_length=1000, blank=True, help_text=_("The record at the source."))
    harvested_at = models.DateTimeField(_("harvested"), auto_now=True)

    class Meta:
        verbose_name = _("harvested record")
        verbose_name_plural = _("harvested records")
        constraints = [
            models.UniqueConstraint(fields=["source", "oai_identifier"], name="harvest_record_unique_identifier")
        ]
        indexes = [models.Index(fields=["page"], name="harvest_record_page")]

    def __str__(self) -> str:
        return self.oai_identifier


def harvested_translation_keys():
    """The translation keys of the items harvested records became: another repository's records, which the
    OAI-PMH provider does not expose again (registered with ``archive.provenance`` in ``apps.py``)."""
    return HarvestedRecord.objects.filter(page__isnull=False).values("page__translation_key")
