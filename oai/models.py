"""What the OAI-PMH provider has exposed, and when it last changed (``oai.services`` keeps it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

METADATA_FIELDS = ("oai_dc", "marc21")  # a field per metadata prefix


class OaiRecordQuerySet(models.QuerySet):
    def in_set(self, spec: str):
        """Records in the set ``spec`` or a set below it (``collection`` holds ``collection:le-hoi``)."""
        return self.filter(set_specs__contains=f" {spec} ")

    def after(self, datestamp, pk):
        """Records after (``datestamp``, ``pk``) in harvest order: where a resumption token left off."""
        return self.filter(models.Q(datestamp__gt=datestamp) | models.Q(datestamp=datestamp, pk__gt=pk))


class OaiRecord(models.Model):
    """One record (all its translations) as harvesters know it.

    A row is made the first time a record is seen public and is never removed: when the record stops
    being public (unpublished, deleted, restricted) it is kept as ``deleted`` — the persistent
    deleted-record support OAI-PMH asks for — with no set that could tell anything about it, and it
    comes back when the record is public again. ``datestamp`` moves whenever what harvesters receive
    changes (``digest``) and whenever the record is withdrawn or comes back.
    """

    identifier = models.CharField(_("identifier"), max_length=64, unique=True)
    translation_key = models.UUIDField(unique=True)
    datestamp = models.DateTimeField(_("datestamp"), db_index=True)
    deleted = models.BooleanField(_("deleted"), default=False)
    # Set specs, space-separated with a space at each end (" type type:festival "), ancestors included,
    # so that a set and everything below it is one LIKE; empty for a deleted record.
    set_specs = models.TextField(_("sets"), blank=True, default="")
    digest = models.CharField(max_length=64, blank=True, default="")
    # What harvesters receive, serialised when the digest last changed (``services.sync``), so that
    # ListRecords and GetRecord stream it instead of reading and mapping every record again. The page ids
    # it was made from (the public versions, and the hosts it names), space-separated with a space at each
    # end: at request time a record whose public versions or hosts are no longer exactly these is read
    # afresh (or, if nothing of it is public any more, answered as deleted) until the next sync.
    oai_dc = models.TextField(blank=True, default="")
    marc21 = models.TextField(blank=True, default="")
    page_ids = models.TextField(blank=True, default="")
    host_ids = models.TextField(blank=True, default="")

    objects = OaiRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("OAI-PMH record")
        verbose_name_plural = _("OAI-PMH records")
        indexes = [models.Index(fields=["datestamp", "id"], name="oai_record_harvest_order")]

    def __str__(self):
        return self.identifier

    @property
    def sets(self) -> list[str]:
        return self.set_specs.split()

    @property
    def pages(self) -> set[int]:
        return {int(pk) for pk in self.page_ids.split()}

    @property
    def hosts(self) -> set[int]:
        return {int(pk) for pk in self.host_ids.split()}

    def stored(self, prefix: str) -> str:
        """The stored metadata in format ``prefix`` (empty when it was never stored)."""
        return getattr(self, prefix) if prefix in METADATA_FIELDS else ""
