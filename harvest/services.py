"""Harvesting an OAI-PMH repository into the e-library.

:func:`harvest` takes a configured :class:`HarvestSource` (or any OAI-PMH base URL, for which a source is made)
and runs :func:`start_run` then :func:`run_harvest`: Identify, then ListRecords page by page, following
resumption tokens. Each record goes through the library's catalogue import (``library.imports``: the same
matching to the vocabularies, validation, revisions and publishing as a catalogue file), in its own transaction
together with its :class:`HarvestedRecord`; a record that cannot be taken is listed on the run and the others go
on. After each page the run saves its counts and the next resumption token, so a run that dies (its worker
killed, the repository gone for longer than the retries last) is taken up from that token by the next harvest of
the source instead of starting over.

A record the source marks deleted is unpublished here (never deleted: its history stays) and published again if
the source sends it back. Incremental: a source remembers the repository's own time at the start of its last
complete run (the Identify ``responseDate``) and the next run asks ``from`` that, less one unit of the
repository's datestamp granularity.
"""

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from oaipmh_scythe.models import Record

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from harvest.client import BadResumptionToken, HarvestError, NoRecordsMatch, OAIClient, Page
from harvest.mapping import dc_item_data, marc_entry
from harvest.models import METADATA_PREFIXES, HarvestedRecord, HarvestRun, HarvestSource
from ingest.bulk import bulk_work
from ingest.imports.records import Action
from ingest.imports.values import RowError
from library.imports import CatalogueImporter, Entry, ImportRefused, default_library

logger = logging.getLogger(__name__)

SECONDS = "YYYY-MM-DDThh:mm:ssZ"
PREFIXES = tuple(prefix for prefix, _label in METADATA_PREFIXES)


# --- dates in the protocol's two granularities ------------------------------------------------------


def format_datestamp(moment: dt.datetime, granularity: str) -> str:
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if granularity == SECONDS else moment.strftime("%Y-%m-%d")


def incremental_from(source: HarvestSource) -> str:
    """What the next run of ``source`` asks ``from``: its last complete run's start, less one unit of the
    repository's granularity (a record changed in the same second, or day, is asked for again); "" for all."""
    if source.harvested_until is None:
        return ""
    granularity = source.granularity or "YYYY-MM-DD"
    safety = dt.timedelta(seconds=1) if granularity == SECONDS else dt.timedelta(days=1)
    return format_datestamp(source.harvested_until - safety, granularity)


def check_from(value: str) -> str:
    """A ``--from`` as the protocol writes it (2024-05-01 or 2024-05-01T10:00:00Z), or a HarvestError."""
    value = (value or "").strip()
    if parse_date(value) is not None and len(value) == 10:
        return value
    moment = parse_datetime(value) if value.endswith("Z") else None
    if moment is None:
        raise HarvestError(
            _("“%(value)s” is not an OAI-PMH date: write 2024-05-01 or 2024-05-01T10:00:00Z (UTC).") % {"value": value}
        )
    return format_datestamp(moment, SECONDS)


def _fits(from_date: str, granularity: str) -> str:
    """A from date a repository with day granularity accepts (it answers badArgument to seconds)."""
    return from_date[:10] if from_date and granularity != SECONDS else from_date


# --- sources and runs -------------------------------------------------------------------------------


def source_for(target: "HarvestSource | str", *, metadata_prefix: str = "", set_spec: str = "") -> HarvestSource:
    """The source named ``target``, or the one harvesting the base URL ``target`` with that format and set
    (made, named after the host, the first time a URL is harvested)."""
    if isinstance(target, HarvestSource):
        return target
    found = HarvestSource.objects.filter(name=target).first()
    if found is not None:
        return found
    try:
        URLValidator(schemes=["http", "https"])(target)
    except ValidationError as exc:
        raise HarvestError(
            _("“%(target)s” is neither a harvest source's name nor an http(s) address of an OAI-PMH repository.")
            % {"target": target}
        ) from exc
    prefix = metadata_prefix or "oai_dc"
    if prefix not in PREFIXES:
        raise HarvestError(
            _("The metadata format “%(prefix)s” cannot be harvested; use %(prefixes)s.")
            % {"prefix": prefix, "prefixes": ", ".join(PREFIXES)}
        )
    found = HarvestSource.objects.filter(base_url=target, metadata_prefix=prefix, set_spec=set_spec).first()
    if found is not None:
        return found
    base = (
        urlsplit(target).netloc
        + (f" [{set_spec}]" if set_spec else "")
        + (f" ({prefix})" if prefix != "oai_dc" else "")
    )
    name, number = base, 1
    while HarvestSource.objects.filter(name=name).exists():
        number += 1
        name = f"{base} {number}"
    return HarvestSource.objects.create(name=name, base_url=target, metadata_prefix=prefix, set_spec=set_spec)


def start_run(source: HarvestSource, *, from_date: str = "", full: bool = False) -> HarvestRun:
    """The run to do next for ``source``: the one that stopped part-way (resumed from its token), unless a date
    or a full harvest is asked for, else a new one from where the last complete run began."""
    from_date = check_from(from_date) if from_date else ""
    with transaction.atomic():
        source = HarvestSource.objects.select_for_update().get(pk=source.pk)
        latest = source.runs.order_by("-started_at", "-pk").first()
        if latest is not None and latest.state == HarvestRun.State.QUEUED:
            return latest
        if latest is not None and latest.state == HarvestRun.State.RUNNING and not latest.is_stale:
            raise HarvestError(
                _("A harvest of “%(source)s” is already running (started %(started)s); wait for it to finish.")
                % {"source": source.name, "started": timezone.localtime(latest.started_at).strftime("%Y-%m-%d %H:%M")}
            )
        if latest is not None and latest.can_resume and not from_date and not full:
            return latest
        return HarvestRun.objects.create(
            source=source,
            metadata_prefix=source.metadata_prefix,
            set_spec=source.set_spec,
            from_date=from_date or ("" if full else incremental_from(source)),
        )


def harvest(
    target: "HarvestSource | str",
    *,
    from_date: str = "",
    full: bool = False,
    metadata_prefix: str = "",
    set_spec: str = "",
    client_options: dict | None = None,
    progress: Callable[[HarvestRun], None] | None = None,
) -> HarvestRun:
    """Harvest a source (or any OAI-PMH base URL) now. Returns the run: ``state`` completed or failed, with
    ``error`` saying why. Raises HarvestError only when the harvest cannot begin (a bad address or date, a
    harvest of the source already running)."""
    source = source_for(target, metadata_prefix=metadata_prefix, set_spec=set_spec)
    run = start_run(source, from_date=from_date, full=full)
    return run_harvest(run, client_options=client_options, progress=progress)


def run_harvest(
    run: HarvestRun, *, client_options: dict | None = None, progress: Callable[[HarvestRun], None] | None = None
) -> HarvestRun:
    source = run.source
    resumed = bool(run.resumption_token)
    run.state, run.error, run.finished_at = HarvestRun.State.RUNNING, "", None
    run.save()
    try:
        with OAIClient(source.base_url, **(client_options or {})) as client, bulk_work():
            _harvest_pages(run, source, client, progress)
    except HarvestError as exc:
        logger.warning("Harvest of %s failed: %s", source.base_url, exc)
        return _finish(run, HarvestRun.State.FAILED, str(exc))
    except ImportRefused as exc:
        return _finish(run, HarvestRun.State.FAILED, str(exc))
    except Exception as exc:  # the run says so and keeps its token; the log has the traceback
        logger.exception("Harvest of %s failed", source.base_url)
        return _finish(
            run,
            HarvestRun.State.FAILED,
            _("unexpected error (%(error)s); the log has the details.") % {"error": exc.__class__.__name__},
        )
    _finish(run, HarvestRun.State.COMPLETED, "")
    if _covers_incremental(run, source) and run.response_date is not None:
        HarvestSource.objects.filter(pk=source.pk).update(harvested_until=run.response_date)
        source.harvested_until = run.response_date
    logger.info("Harvest of %s %s: %s", source.base_url, "resumed and completed" if resumed else "completed", run.seen)
    return run


def _covers_incremental(run: HarvestRun, source: HarvestSource) -> bool:
    """Whether the run asked for at least everything an incremental run would have (so that the source's
    next run may start from this one)."""
    if not run.from_date:
        return True
    wanted = incremental_from(source)
    return bool(wanted) and run.from_date <= wanted


def _finish(run: HarvestRun, state: str, error: str) -> HarvestRun:
    run.state, run.error, run.finished_at = state, error, timezone.now()
    run.save()
    return run


def _harvest_pages(run: HarvestRun, source: HarvestSource, client: OAIClient, progress) -> None:
    started = timezone.now()
    info = client.identify()
    HarvestSource.objects.filter(pk=source.pk).update(
        granularity=info["granularity"][:32], repository_name=info["repository_name"][:255]
    )
    source.granularity, source.repository_name = info["granularity"], info["repository_name"]
    if run.response_date is None:
        run.response_date = info["response_date"] or started
    importer = HarvestImporter(source, run)
    token, restarted = run.resumption_token, False
    while True:
        try:
            page = client.list_records(
                metadata_prefix=run.metadata_prefix,
                set_spec=run.set_spec,
                from_date=_fits(run.from_date, source.granularity),
                token=token,
            )
        except NoRecordsMatch:
            page = Page(None, [])
        except BadResumptionToken:
            if not token or restarted:
                raise
            # The repository forgot the token (expired, restarted): the list is asked again from its start;
            # what was harvested already is found unchanged.
            logger.warning(
                "Harvest of %s: resumption token %s refused, starting the list again", source.base_url, token
            )
            token, restarted = "", True
            continue
        for record in page.records:
            importer.take(record)
        run.pages += 1
        run.resumption_token = page.token
        if page.complete_list_size is not None:
            run.complete_list_size = page.complete_list_size
        run.save()
        if progress is not None:
            progress(run)
        if not page.token:
            return
        token = page.token


# --- records into library items ---------------------------------------------------------------------


class HarvestImporter(CatalogueImporter):
    """The catalogue import, for records that arrive one at a time from a repository: each published at once
    (the source is the authority for what it sends), terms the vocabularies lack left out (listed in the
    notes), and an item found by the record's OAI identifier alone (a harvested record never takes over an
    item catalogued here)."""

    def __init__(self, source: HarvestSource, run: HarvestRun):
        try:
            library = source.library or default_library()
        except ImportRefused as exc:
            raise HarvestError(
                _("%(reason)s Or choose the library section of the source “%(source)s”.")
                % {"reason": exc, "source": source.name}
            ) from exc
        super().__init__(Path(source.base_url), library=library, publish=True, skip_unknown_terms=True)
        from library.imports.items import Vocabularies

        self.vocabularies = Vocabularies()
        self.harvest_source = source
        self.run = run
        self.current: tuple[str, str, str, HarvestedRecord | None] | None = None

    def take(self, record: "Record | tuple[str, str]") -> None:
        run = self.run
        run.seen += 1
        if isinstance(record, tuple):
            run.note_record_error(*record)
            return
        header = record.header
        identifier = (header.identifier or "").strip()
        datestamp = (header.datestamp or "").strip()[:32]
        if not identifier:
            run.note_record_error(_("record %(n)s") % {"n": run.seen}, _("the record's header has no identifier."))
            return
        if len(identifier) > 500:
            run.note_record_error(identifier[:80] + "…", _("the OAI identifier is longer than 500 characters."))
            return
        if header.deleted:
            self.delete(identifier, datestamp)
            run.deleted += 1
            return
        try:
            entry, link = self.entry(record, identifier)
        except RowError as exc:
            run.note_record_error(identifier, str(exc))
            return
        self.current = (identifier, datestamp, link, self.known(identifier))
        try:
            outcome = self._one(entry, "")
        finally:
            self.current = None
        if outcome.action == Action.REJECTED:
            run.note_record_error(identifier, outcome.reason)
        elif outcome.action == Action.CREATED:
            run.created += 1
        elif outcome.action == Action.UPDATED or outcome.published:
            run.updated += 1
        else:
            run.unchanged += 1

    def known(self, identifier: str) -> HarvestedRecord | None:
        """The harvested record that made the item for ``identifier``: this source's, else another source's
        (OAI identifiers are unique across repositories, and two sets of one repository share records)."""
        records = HarvestedRecord.objects.filter(oai_identifier=identifier, page__isnull=False).select_related("page")
        return records.filter(source=self.harvest_source).first() or records.order_by("pk").first()

    def entry(self, record: Record, identifier: str) -> tuple[Entry, str]:
        """The record as a catalogue entry, and its link back; RowError when it cannot be read."""
        metadata = record.xml.find(".//{http://www.openarchives.org/OAI/2.0/}metadata")
        if metadata is None or len(metadata) == 0:
            raise RowError(_("the record has no metadata."))
        if self.run.metadata_prefix == "marc21":
            entry, link = marc_entry(metadata[0])
            entry.number, entry.where, entry.kind = self.run.seen, identifier, "oai"
            if entry.error:
                raise RowError(entry.error)
            return entry, link
        data, link, notes = dc_item_data(record.metadata)
        if not data.title.strip():
            raise RowError(_("no title: dc:title is missing or empty; every item needs its title."))
        return Entry(self.run.seen, identifier, data=data, notes=notes, kind="oai"), link

    # The catalogue import's hooks: the item is the one this record became, and the harvested record is
    # written in the same transaction as the item.

    def _match(self, data, model, isbn):
        existing = self.current[3] if self.current else None
        if existing is None or existing.page_id is None:
            return None
        return existing.page.specific

    def write(self, plan):
        identifier, datestamp, link, _existing = self.current
        with transaction.atomic():
            outcome = super().write(plan)
            HarvestedRecord.objects.update_or_create(
                source=self.harvest_source,
                oai_identifier=identifier,
                defaults={"page": plan.page, "datestamp": datestamp, "deleted": False, "url": link[:1000]},
            )
        return outcome

    def delete(self, identifier: str, datestamp: str) -> None:
        """The source deleted the record: its item is unpublished (kept, with its history)."""
        with transaction.atomic():
            record, _created = HarvestedRecord.objects.select_for_update().get_or_create(
                source=self.harvest_source, oai_identifier=identifier
            )
            if record.page_id is None and (other := self.known(identifier)) is not None:
                record.page_id = other.page_id
            page = record.page.specific if record.page_id else None
            if page is not None and page.live:
                page.unpublish(user=None, log_action=True)
            record.deleted, record.datestamp = True, datestamp
            record.save()
