"""Rows into records: plan each row without writing, then write it in one transaction, or predict it (dry run)."""

import contextlib
import dataclasses
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from wagtail.log_actions import log
from wagtail.models import Locale, Page

from archive.access import AccessLevel
from archive.models import (
    CollectionPage,
    ContributorRole,
    CraftPage,
    CustomPage,
    DocumentPage,
    EthnicGroup,
    FestivalPage,
    HeritageLevel,
    Language,
    PersistentIdentifier,
    Place,
    RecordContributor,
    RecordPage,
    RecordTitle,
    Subject,
)
from archive.text import ascii_slug
from ingest import attachments, bulk
from ingest.imports.manifest import (
    IDENTIFIER_PATTERN,
    RECORD_TYPES,
    TEXT_COLUMNS,
    TYPE_ALIASES,
    TYPE_COLUMNS,
    ManifestError,
    Row,
    read_manifest,
)
from ingest.imports.media import MediaFile, MediaFolder, check_media
from ingest.imports.values import (
    RowError,
    check_controls,
    choice,
    paragraphs_html,
    parse_date,
    parse_day,
    parse_decimal,
    parse_int,
    parse_lunar_rule,
    split_list,
    validation_message,
    visible,
)
from ingest.messages import translate_reason
from ingest.models import Original
from ingest.processing import ProcessingError
from ingest.services import ingest_file

logger = logging.getLogger(__name__)

# Everything an import may change on a record; compared before and after to tell "unchanged".
COMPARED_FIELDS = (
    "title",
    "slug",
    "summary",
    "body",
    "provenance",
    "rights_uri",
    "access_level",
    "sacred_group_id",
    "heritage_level",
    "heritage_decision",
    "heritage_date",
    "heritage_year",
    "date_precision",
    "date_start",
    "date_end",
    "date_start_lunar",
    "latitude",
    "longitude",
    "lunar_month",
    "lunar_day",
    "lunar_leap_month",
    "duration_days",
    "calendar_note",
    "category",
    "genre",
    "materials",
    "technique",
    "document_number",
    "document_type",
    "issuing_body",
    "signer",
    "issue_date",
    "effective_date",
    "status",
    "full_text",
)

# --- the report ----------------------------------------------------------------------------------


class ImportRefused(ManifestError):
    """The import as a whole is not allowed (``--publish`` for a user who may not publish); nothing is done."""


class Action:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclasses.dataclass
class Outcome:
    """What an import did (or, in a dry run, would do) with one entry of its file. Each import adds where
    the entry is (:class:`RowOutcome`; the catalogue import's ``library.imports.Outcome``)."""

    identifier: str
    action: str
    reason: str = ""
    revised: bool = False  # a new page revision was saved
    published: bool = False
    media_stored: int = 0  # new originals
    media_attached: int = 0  # links made (new originals included)

    @property
    def accepted(self) -> bool:
        return self.action != Action.REJECTED


@dataclasses.dataclass
class Report:
    """An import's outcomes, entry by entry, and their totals; each import adds what its file was."""

    dry_run: bool
    outcomes: list = dataclasses.field(default_factory=list)  # of Outcome

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def accepted(self) -> list:
        return [outcome for outcome in self.outcomes if outcome.accepted]

    @property
    def rejected(self) -> list:
        return [outcome for outcome in self.outcomes if not outcome.accepted]

    @property
    def media_stored(self) -> int:
        return sum(outcome.media_stored for outcome in self.outcomes)

    @property
    def media_attached(self) -> int:
        return sum(outcome.media_attached for outcome in self.outcomes)


@dataclasses.dataclass
class RowOutcome(Outcome):
    line: int = dataclasses.field(kw_only=True)  # the row's line in the manifest


@dataclasses.dataclass
class ImportReport(Report):
    manifest: str = dataclasses.field(kw_only=True)

    @property
    def rows(self) -> list[RowOutcome]:
        return self.outcomes


# --- records -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Plan:
    """What one row will do, worked out without writing anything."""

    row: Row
    page: RecordPage  # the new page, or the latest revision of the existing one with the row applied
    collection: CollectionPage
    is_new: bool
    changed: bool
    media: list[MediaFile]
    to_attach: list[MediaFile]


def snapshot(page: RecordPage) -> dict[str, Any]:
    data = {name: getattr(page, name, None) for name in COMPARED_FIELDS}
    for relation in ("ethnic_groups", "places", "subjects", "languages"):
        data[relation] = sorted(item.pk for item in getattr(page, relation).all())
    data["contributors"] = [(item.name, item.role) for item in page.contributors.all()]
    data["other_titles"] = [(item.language_id, item.title) for item in page.other_titles.all()]
    return data


class Importer:
    def __init__(
        self,
        manifest: Path,
        media_dir: Path | None = None,
        *,
        dry_run: bool = False,
        publish: bool = False,
        user=None,
    ):
        self.manifest = Path(manifest)
        self.media_dir = Path(media_dir) if media_dir else None
        self.media_folder = MediaFolder(self.media_dir) if self.media_dir else None
        self.dry_run = dry_run
        self.publish = publish
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.locale = Locale.get_default()
        self.planned_slugs: dict[int, set[str]] = {}
        self.seen_media: set[str] = set()

    # -- lookups that explain themselves ----------------------------------------------------------

    def _collection(self, slug: str) -> CollectionPage:
        found = list(CollectionPage.objects.filter(locale=self.locale, slug=slug.strip())[:2])
        if not found:
            raise RowError(_("collection: no collection with the slug “%(slug)s”.") % {"slug": slug})
        if len(found) > 1:
            raise RowError(_("collection: several collections have the slug “%(slug)s”.") % {"slug": slug})
        return found[0]

    def _ethnic_groups(self, value: str) -> list[EthnicGroup]:
        codes = [code.zfill(2) if code.isdigit() else code for code in split_list(value)]
        found: dict[str, list[EthnicGroup]] = {}
        for group in EthnicGroup.objects.filter(code__in=codes):
            found.setdefault(group.code, []).append(group)
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise RowError(
                _(
                    "ethnic_groups: unknown ethnic-group code %(codes)s. Use the two-digit official codes "
                    "(01 Kinh, 02 Tày, 03 Thái, ...), separated by “;”."
                )
                % {"codes": ", ".join(f"“{code}”" for code in unknown)}
            )
        ambiguous = [code for code in codes if len(found[code]) > 1]
        if ambiguous:
            raise RowError(
                _("ethnic_groups: code %(codes)s is used by more than one code system.")
                % {"codes": ", ".join(ambiguous)}
            )
        return [found[code][0] for code in dict.fromkeys(codes)]

    def _places(self, value: str) -> list[Place]:
        places, unknown = [], []
        for key in split_list(value):
            if key.isdigit():
                place = Place.objects.filter(code=key.zfill(2), kind__in=Place.PROVINCE_KINDS).first()
            else:
                place = Place.objects.filter(slug=key).first()
            if place is None:
                unknown.append(key)
            elif place not in places:
                places.append(place)
        if unknown:
            raise RowError(
                _("places: unknown place %(keys)s (give a province code such as 08 or a place slug).")
                % {"keys": ", ".join(f"“{key}”" for key in unknown)}
            )
        return places

    def _terms(self, model, field: str, column: str, values: list[str]) -> list:
        found = {str(getattr(term, field)): term for term in model.objects.filter(**{f"{field}__in": values})}
        unknown = [value for value in values if value not in found]
        if unknown:
            raise RowError(
                _("%(column)s: unknown %(what)s %(values)s.")
                % {
                    "column": column,
                    "what": model._meta.verbose_name,
                    "values": ", ".join(f"“{value}”" for value in unknown),
                }
            )
        return [found[value] for value in dict.fromkeys(values)]

    def _other_titles(self, value: str) -> list[tuple[Language, str]]:
        titles = []
        for item in split_list(value):
            tag, colon, text = item.partition(":")
            if not colon or not tag.strip() or not text.strip():
                raise RowError(
                    _("other_titles: write each title as language:title, e.g. tyz:Lồng tồng (got “%(item)s”).")
                    % {"item": item}
                )
            language = self._terms(Language, "tag", "other_titles", [tag.strip()])[0]
            titles.append((language, text.strip()))
        return titles

    def _contributors(self, value: str) -> list[tuple[str, str]]:
        people = []
        for item in split_list(value):
            match = re.fullmatch(r"(.+?)\s*\(\s*([a-z_]+)\s*\)", item)
            if not match or match.group(2) not in ContributorRole.values:
                raise RowError(
                    _("contributors: write each person as Name (role), role one of %(roles)s (got “%(item)s”).")
                    % {"roles": ", ".join(ContributorRole.values), "item": item}
                )
            people.append((match.group(1).strip(), match.group(2)))
        return people

    def _existing(self, identifier: str) -> RecordPage | None:
        assigned = PersistentIdentifier.objects.filter(identifier=identifier).first()
        if assigned is None:
            return None
        page = (
            RecordPage.objects.filter(translation_key=assigned.translation_key, locale=self.locale).first()
            or RecordPage.objects.filter(translation_key=assigned.translation_key).first()
        )
        return page.specific if page else None

    # -- one row ----------------------------------------------------------------------------------

    def plan(self, row: Row) -> Plan:
        cells = row.cells
        if row.error:
            raise RowError(row.error)
        check_controls(cells)  # before any query: PostgreSQL refuses NUL even in a lookup
        identifier = row.identifier
        if not identifier:
            raise RowError(_("identifier: empty. Every row needs the record's persistent identifier."))
        if not IDENTIFIER_PATTERN.match(identifier):
            raise RowError(
                _("identifier: “%(value)s” may hold only letters, digits, “.”, “_” and “-” (at most 64).")
                % {"value": identifier}
            )
        type_name = cells["type"].strip().lower()
        model = RECORD_TYPES.get(TYPE_ALIASES.get(type_name, type_name))
        if model is None:
            raise RowError(
                _("type: unknown record type “%(value)s” (use %(types)s).")
                % {"value": cells["type"].strip(), "types": ", ".join(RECORD_TYPES)}
            )
        for column, models in TYPE_COLUMNS.items():
            if cells.get(column, "").strip() and model not in models:
                raise RowError(
                    _("%(column)s does not apply to a record of type %(type)s; leave it empty.")
                    % {"column": column, "type": type_name}
                )
        collection = self._collection(cells["collection"])
        existing = self._existing(identifier)
        if existing is not None:
            if not isinstance(existing, model):
                raise RowError(
                    _("type: %(identifier)s is a %(existing)s; an import cannot change the type of a record.")
                    % {"identifier": identifier, "existing": existing.type_label}
                )
            parent = existing.get_parent()
            if parent.pk != collection.pk:
                raise RowError(
                    _(
                        "collection: %(identifier)s is in the collection “%(current)s”; move it in the admin "
                        "or correct the file."
                    )
                    % {"identifier": identifier, "current": parent.slug}
                )
            if existing.locked:
                raise RowError(
                    _("%(identifier)s is locked in the admin; unlock it first.") % {"identifier": identifier}
                )
            page = existing.get_latest_revision_as_object()
            before = snapshot(page)
        else:
            page = model(identifier=identifier, locale=self.locale)
            before = None
        self._apply(page, cells, collection, is_new=existing is None)
        try:
            # A new page has no place in the tree until it is written (treebeard fills these in).
            page.full_clean(exclude=["path", "depth"] if existing is None else None)
        except ValidationError as exc:
            raise RowError(validation_message(exc)) from exc
        if existing is None and not Page._slug_is_available(page.slug, collection):
            raise RowError(
                _("slug: “%(slug)s” is already used in the collection “%(collection)s”.")
                % {"slug": page.slug, "collection": collection.slug}
            )
        media = check_media(split_list(cells.get("media", "")), self.media_folder)
        if existing is None:
            to_attach = media
        else:
            # What the record's draft lists (a live record's media not yet approved included).
            listed = [link.original_id for link in page.media_links.all()]
            linked = set(
                Original.objects.filter(pk__in=listed, sha256__in=[m.sha256 for m in media]).values_list(
                    "sha256", flat=True
                )
            )
            to_attach = [item for item in media if item.sha256 not in linked]
        changed = before is None or snapshot(page) != before
        return Plan(row, page, collection, existing is None, changed, media, to_attach)

    def _apply(self, page: RecordPage, cells: dict[str, str], collection: CollectionPage, is_new: bool) -> None:
        """Set the fields of every column present in the file (an empty cell empties the field)."""
        present = cells.keys()
        fields = {field.name for field in page._meta.concrete_fields}
        for column, field in TEXT_COLUMNS.items():
            if column in present and field in fields:
                setattr(page, field, cells[column].strip())
        if "slug" in present and cells["slug"].strip():
            page.slug = cells["slug"].strip()
            if is_new and page.slug in self.planned_slugs.get(collection.pk, set()):
                raise RowError(
                    _("slug: “%(slug)s” is already taken by an earlier row in the collection “%(collection)s”.")
                    % {"slug": page.slug, "collection": collection.slug}
                )
        elif is_new:
            page.slug = self._free_slug(ascii_slug(page.title) or "ban-ghi", collection)
        self.planned_slugs.setdefault(collection.pk, set()).add(page.slug)
        if "body" in present:
            page.body = paragraphs_html(cells["body"])
        if "access_level" in present:
            page.access_level = choice(cells["access_level"], "access_level", AccessLevel.values, AccessLevel.PUBLIC)
        if "sacred_group" in present:
            name = cells["sacred_group"].strip()
            group = Group.objects.filter(name=name).first() if name else None
            if name and group is None:
                raise RowError(_("sacred_group: no user group named “%(name)s”.") % {"name": name})
            page.sacred_group = group
        if "heritage_level" in present:
            level = cells["heritage_level"].strip().lower()
            page.heritage_level = choice("" if level == "none" else level, "heritage_level", HeritageLevel.values)
        if "heritage_date" in present:
            page.heritage_date = parse_day(cells["heritage_date"], "heritage_date")
        if "heritage_year" in present:
            page.heritage_year = parse_int(cells["heritage_year"], "heritage_year")
        if "date" in present:
            page.date_precision, page.date_start, page.date_end = parse_date(cells["date"])
        if "date_lunar" in present:
            page.date_start_lunar = cells["date_lunar"].strip()
            if page.date_start_lunar and cells.get("date", "").strip():
                raise RowError(_("Give either date or date_lunar, not both."))
        for column in ("latitude", "longitude"):
            if column in present:
                setattr(page, column, parse_decimal(cells[column], column))
        self._apply_type_fields(page, cells)
        if "ethnic_groups" in present:
            page.ethnic_groups = self._ethnic_groups(cells["ethnic_groups"])
        if "places" in present:
            page.places = self._places(cells["places"])
        if "subjects" in present:
            page.subjects = self._terms(Subject, "slug", "subjects", split_list(cells["subjects"]))
        if "languages" in present:
            page.languages = self._terms(Language, "tag", "languages", split_list(cells["languages"]))
        if "contributors" in present:
            wanted = self._contributors(cells["contributors"])
            if [(item.name, item.role) for item in page.contributors.all()] != wanted:
                page.contributors = [
                    RecordContributor(name=name, role=role, sort_order=order)
                    for order, (name, role) in enumerate(wanted)
                ]
        if "other_titles" in present:
            wanted_titles = self._other_titles(cells["other_titles"])
            have = [(item.language_id, item.title) for item in page.other_titles.all()]
            if have != [(language.pk, title) for language, title in wanted_titles]:
                page.other_titles = [
                    RecordTitle(language=language, title=title, sort_order=order)
                    for order, (language, title) in enumerate(wanted_titles)
                ]

    def _apply_type_fields(self, page: RecordPage, cells: dict[str, str]) -> None:
        present = cells.keys()
        if isinstance(page, FestivalPage):
            if "lunar_rule" in present:
                page.lunar_day, page.lunar_month, page.lunar_leap_month = parse_lunar_rule(cells["lunar_rule"])
            if "duration_days" in present:
                page.duration_days = parse_int(cells["duration_days"], "duration_days") or 1
        if isinstance(page, CustomPage | CraftPage) and "category" in present:
            categories = type(page).Category
            page.category = choice(cells["category"], "category", categories.values, categories.values[0])
        if isinstance(page, DocumentPage):
            if "issue_date" in present:
                page.issue_date = parse_day(cells["issue_date"], "issue_date")
            if "effective_date" in present:
                page.effective_date = parse_day(cells["effective_date"], "effective_date")
            if "status" in present:
                page.status = choice(cells["status"], "status", DocumentPage.Status.values, DocumentPage.Status.UNKNOWN)

    def _free_slug(self, base: str, collection: CollectionPage) -> str:
        """``base``, or ``base-2``, ``base-3``... whichever no page of the collection (or earlier row) has."""
        planned = self.planned_slugs.get(collection.pk, set())
        siblings = collection.get_children()
        taken = set(siblings.filter(slug__startswith=base).values_list("slug", flat=True)) | planned
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return slug

    # -- writing ----------------------------------------------------------------------------------

    def write(self, plan: Plan) -> RowOutcome:
        """Carry out one row's plan in one transaction; originals stored for a row that fails are removed.

        Inside bulk work the transaction gives way to a person's upload that begins meanwhile: it is rolled
        back and :class:`ingest.bulk.MakeWay` raised (see :meth:`_write_making_way`)."""
        outcome = self.predict(plan)
        outcome.media_stored = 0
        stored: list[str] = []
        review = self._media_for_review(plan)
        try:
            with bulk.atomic():
                page, revision = plan.page, None
                if plan.is_new:
                    page.live = False
                    page.has_unpublished_changes = True
                    plan.collection.add_child(instance=page)
                    log(instance=page, action="wagtail.create", user=self.user)
                    revision = page.save_revision(user=self.user, log_action=False)
                    self._mirror(page)
                elif plan.changed or review:
                    added = []
                    if review:  # media for a live record, not published by this import, wait in its draft
                        originals = [self._store(item, None, stored, outcome) for item in plan.to_attach]
                        added = attachments.add_to(page, originals, self.user)
                    revision = page.save_revision(user=self.user, log_action=True)
                    attachments.log_change(page, attachments.ATTACH, added, self.user, revision)
                if outcome.published:
                    (revision or page.get_latest_revision()).publish(user=self.user)
                if not review:
                    for item in plan.to_attach:
                        self._store(item, page, stored, outcome)
        except BaseException:
            for name in stored:
                with contextlib.suppress(OSError):
                    default_storage.delete(name)
            raise
        return outcome

    def _media_for_review(self, plan: Plan) -> bool:
        """Whether the row's media go into the draft of a live record (imported without ``--publish``) rather
        than onto the record at once (a new record, a draft, or an import that publishes)."""
        return bool(plan.to_attach) and not plan.is_new and plan.page.live and not self.publish

    def _store(self, item: MediaFile, page: RecordPage | None, stored: list[str], outcome: RowOutcome) -> Original:
        """Take in one media file (attached to ``page`` at once, if given), counting and remembering what is
        new so that it can be removed if the row fails."""
        original, created = ingest_file(item.path, item.filename, page, self.user)
        if created:
            stored.append(original.file.name)
            outcome.media_stored += 1
        return original

    def _mirror(self, page: RecordPage) -> None:
        """Aliases in the other locales, as the admin makes for a new page (translated later)."""
        if not getattr(settings, "WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE", False):
            return
        for locale in Locale.objects.exclude(pk=page.locale_id):
            if not page.has_translation(locale):
                page.copy_for_translation(locale, copy_parents=True, alias=True)

    def predict(self, plan: Plan) -> RowOutcome:
        """What the row does (and, in a dry run, would do)."""
        page = plan.page
        revised = plan.is_new or plan.changed or self._media_for_review(plan)
        if plan.is_new:
            action = Action.CREATED
        elif revised or plan.to_attach:
            action = Action.UPDATED
        else:
            action = Action.UNCHANGED
        return RowOutcome(
            plan.row.identifier,
            action,
            line=plan.row.line,
            revised=revised,
            published=self.publish and (revised or not page.live or page.has_unpublished_changes),
            media_stored=self._new_media(plan.to_attach),
            media_attached=len(plan.to_attach),
        )

    def _new_media(self, items: list[MediaFile]) -> int:
        """How many files are new to the archive (counting a file that two rows share once)."""
        new = {item.sha256 for item in items if item.original is None} - self.seen_media
        self.seen_media |= new
        return len(new)

    # -- the whole file ---------------------------------------------------------------------------

    def check_publish_permission(self, rows: list[Row]) -> None:
        """Refuse the whole import when ``--publish`` is given for a user who may not publish in one of the
        collections the file names: the admin's rule (a Wagtail publish permission on the collection or above).

        Without a user the import is the site operator's own; unknown collections reject their rows later.
        """
        if not self.publish or self.user is None:
            return
        slugs = sorted({row.cells.get("collection", "").strip() for row in rows} - {""})
        collections = CollectionPage.objects.filter(locale=self.locale, slug__in=slugs).order_by("slug")
        refused = [c.slug for c in collections if not c.permissions_for_user(self.user).can_publish_subpage()]
        if refused:
            raise ImportRefused(
                _(
                    "%(user)s may not publish records in the collection(s) %(collections)s, so --publish cannot "
                    "be used for them. Import without --publish to save drafts for review, or as a user who may "
                    "publish there."
                )
                % {
                    "user": self.user.get_username(),
                    "collections": ", ".join(f"“{slug}”" for slug in refused),
                }
            )

    def run(self, progress: Callable[[int, int], None] | None = None) -> ImportReport:
        _columns, rows = read_manifest(self.manifest)
        self.check_publish_permission(rows)
        report = ImportReport(self.dry_run, manifest=str(self.manifest))
        lines: dict[str, list[int]] = {}
        for row in rows:
            if row.identifier:
                lines.setdefault(row.identifier, []).append(row.line)
        for done, row in enumerate(rows, start=1):
            report.outcomes.append(self._one(row, lines.get(row.identifier, [])))
            if progress:
                progress(done, len(rows))
        return report

    def _one(self, row: Row, same_identifier: list[int]) -> RowOutcome:
        shown = visible(row.identifier)  # a rejected row's identifier may hold control characters
        try:
            if len(same_identifier) > 1:
                raise RowError(
                    _("identifier %(identifier)s is on more than one row (lines %(lines)s); give each record once.")
                    % {"identifier": shown, "lines": ", ".join(map(str, same_identifier))}
                )
            plan = self.plan(row)
            return self.predict(plan) if self.dry_run else self._write_making_way(row, plan)
        except RowError as exc:
            return RowOutcome(shown, Action.REJECTED, str(exc), line=row.line)
        except ProcessingError as exc:  # a file that changed between the check and the intake
            return RowOutcome(shown, Action.REJECTED, translate_reason(exc.message), line=row.line)
        except ValidationError as exc:
            return RowOutcome(shown, Action.REJECTED, validation_message(exc), line=row.line)
        except Exception as exc:  # the row is rolled back; the others still go in, and the log has the traceback
            logger.exception("Import of %s: line %s (%s) failed", self.manifest, row.line, row.identifier)
            return RowOutcome(
                shown,
                Action.REJECTED,
                _("unexpected error (%(error)s); the log has the details.") % {"error": exc.__class__.__name__},
                line=row.line,
            )

    def _write_making_way(self, row: Row, plan: Plan) -> RowOutcome:
        """:meth:`write`, done again when its transaction gave way to a person's upload (rolled back, nothing
        of it kept): once the upload is in, the row is planned afresh and written."""
        while True:
            try:
                return self.write(plan)
            except bulk.MakeWay:
                bulk.make_way()
                self.planned_slugs.get(plan.collection.pk, set()).discard(plan.page.slug)  # its own, planned again
                plan = self.plan(row)


def import_records(
    manifest: Path,
    media_dir: Path | None = None,
    *,
    dry_run: bool = False,
    publish: bool = False,
    user=None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a CSV manifest; raises ManifestError when the file as a whole cannot be read."""
    if media_dir is not None and not Path(media_dir).is_dir():
        raise ManifestError(_("The media folder %(folder)s does not exist.") % {"folder": media_dir})
    importer = Importer(manifest, media_dir, dry_run=dry_run, publish=publish, user=user)
    return importer.run(progress)
