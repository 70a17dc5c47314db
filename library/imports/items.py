"""Catalogue entries into library items: plan each without writing, then write it whole or not at all.

Follows ``ingest.imports.records`` (the heritage CSV import): the same report, drafts for review unless
``--publish``, the same permission rule for ``--publish --user``, files attached through ingest, and a
record compared with the item's latest revision so that importing the same file again writes nothing.

An entry is matched to an item by, in order: our persistent identifier (MARC 001 with 003 ours, a
``dtts-`` identifier, our number in a 035, or our ``/id/`` address in 856), another catalogue's control
number the item already has (the record's 001 with its 003, or a 035), the ISBN (when the titles agree:
the same ISBN on another title is a duplicate, refused with both titles named), and the title, year and
first creator (for items with no ISBN or the same one).
"""

import contextlib
import dataclasses
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.log_actions import log
from wagtail.models import Locale, Page

from archive.models import EthnicGroup, Language, PersistentIdentifier, Person, Place, RecordTitle, Subject, name_key
from archive.text import ascii_slug, nfc
from ingest import attachments
from ingest.imports import records
from ingest.imports.manifest import IDENTIFIER_PATTERN
from ingest.imports.media import MediaFile, MediaFolder, check_media
from ingest.imports.records import Action
from ingest.imports.values import RowError, validation_message, visible
from ingest.messages import translate_reason
from ingest.models import Original
from ingest.processing import ProcessingError
from ingest.services import ingest_file
from library.imports.sources import Entry, SourceError, read_source
from library.mapping import RELATOR_ALIASES, TYPE_MODELS, Agent, Host, ItemData
from library.models import (
    ConferencePaperPage,
    CreatorRole,
    ItemCreator,
    ItemHolding,
    LibraryItemPage,
    LibraryPage,
    MapPage,
    PeriodicalIssuePage,
    PeriodicalPage,
    ReportPage,
    ThesisPage,
    normalise_doi,
    normalise_isbn,
    normalise_issn,
)

logger = logging.getLogger(__name__)

TEXT_FIELDS = (
    "title",
    "subtitle",
    "publisher",
    "publication_place",
    "edition",
    "extent",
    "series",
    "series_number",
    "summary",
    "table_of_contents",
    "notes",
    "provenance",
    "rights_uri",
    "container_title",
    "volume",
    "issue_number",
    "pages",
)
# Fields only some item types have: (field, the type that has it, MARC tag for the report).
TYPE_FIELDS = (
    ("report_number", ReportPage, "088"),
    ("institution", ThesisPage, "502"),
    ("conference_name", ConferencePaperPage, "711"),
    ("conference_place", ConferencePaperPage, "711"),
    ("scale", MapPage, "255"),
    ("frequency", PeriodicalPage, "310"),
)
COMPARED_FIELDS = (
    *TEXT_FIELDS,
    *(name for name, _model, _tag in TYPE_FIELDS),
    "isbn",
    "issn",
    "doi",
    "control_numbers",
    "degree",
    "date_precision",
    "date_start",
    "date_end",
    "part_of_id",
)
# Slugs the --type option and the CSV type column take, besides the models' own (book, thesis...).
TYPE_ALIASES = {"conference_paper": "conference-paper", "paper": "conference-paper", "journal-article": "article"}


class ImportRefused(SourceError):
    """The import as a whole is not allowed (no library, ``--publish`` without permission); nothing is done."""


@dataclasses.dataclass
class Outcome(records.Outcome):
    """One catalogue record's outcome: the report's :class:`ingest.imports.records.Outcome`, and where the
    record is in the file (its number, "record 3" or "line 4") and its title."""

    number: int = dataclasses.field(kw_only=True)
    where: str = dataclasses.field(kw_only=True)
    title: str = dataclasses.field(kw_only=True)
    notes: list[str] = dataclasses.field(default_factory=list, kw_only=True)


@dataclasses.dataclass
class CatalogueReport(records.Report):
    source: str = dataclasses.field(kw_only=True)
    format: str = dataclasses.field(kw_only=True)


@dataclasses.dataclass
class Plan:
    entry: Entry
    page: LibraryItemPage
    parent: Page
    is_new: bool
    changed: bool
    media: list[MediaFile]
    to_attach: list[MediaFile]
    new_people: list[Person]
    notes: list[str]


def _key(text: str) -> str:
    return " ".join(nfc(text or "").casefold().split())


def snapshot(page: LibraryItemPage) -> dict[str, Any]:
    data = {name: getattr(page, name, None) for name in COMPARED_FIELDS}
    for relation in ("ethnic_groups", "places", "subjects", "languages"):
        data[relation] = sorted(item.pk for item in getattr(page, relation).all())
    data["creators"] = [(name_key(c.person.name), c.person.kind, c.role) for c in page.creators.all()]
    data["holdings"] = [(h.institution, h.call_number, h.note) for h in page.holdings.all()]
    data["other_titles"] = [(t.language_id, t.title) for t in page.other_titles.all()]
    return data


class Vocabularies:
    """The archive's vocabularies, read once, looked up by code, slug or name (any case, any Unicode form)."""

    def __init__(self):
        self.languages = {language.tag.lower(): language for language in Language.objects.all()}
        self.subjects: dict[str, Subject] = {}
        for subject in Subject.objects.all():
            for key in (subject.slug, subject.name, subject.name_en):
                if key:
                    self.subjects.setdefault(_key(key), subject)
        self.groups: dict[str, EthnicGroup] = {}
        for group in EthnicGroup.objects.prefetch_related("names"):
            for key in (group.code, group.slug, group.name, group.name_en, group.autonym, *group.other_names_list):
                if key:
                    self.groups.setdefault(_key(key), group)
        self.places: dict[str, list[Place]] = {}
        for place in Place.objects.all():
            keys = {place.slug, place.name, place.name_en}
            if place.code and place.is_province:
                keys.add(place.code)
            for key in keys - {""}:
                self.places.setdefault(_key(key), []).append(place)

    def group(self, term: str) -> EthnicGroup | None:
        key = _key(term)
        if key.isdigit():
            key = key.zfill(2)
        candidates = [key, re.sub(r"\s*\(.*\)$", "", key)]
        for prefix in ("dân tộc người ", "dân tộc ", "người "):
            candidates += [c[len(prefix) :] for c in list(candidates) if c.startswith(prefix)]
        return next((self.groups[c] for c in candidates if c in self.groups), None)

    def subject(self, term: str) -> Subject | None:
        return self.subjects.get(_key(term))

    def place(self, term: str) -> Place | None:
        key = _key(term)
        if key.isdigit():
            key = key.zfill(2)
        found = self.places.get(key, [])
        if len(found) > 1:
            current = [place for place in found if place.is_province and place.is_current]
            if len(current) == 1:
                return current[0]
            raise RowError(
                _("places: several places are named “%(name)s” (%(slugs)s); give the slug of the one meant.")
                % {"name": term, "slugs": ", ".join(place.slug for place in found)}
            )
        return found[0] if found else None


class CatalogueImporter:
    def __init__(
        self,
        source: Path,
        *,
        fmt: str | None = None,
        library: LibraryPage | None = None,
        item_type: str | None = None,
        files_dir: Path | None = None,
        dry_run: bool = False,
        publish: bool = False,
        user=None,
        skip_unknown_terms: bool = False,
    ):
        self.source = Path(source)
        self.fmt = fmt
        self.library = library
        self.item_type = item_type
        self.files_folder = MediaFolder(Path(files_dir)) if files_dir else None
        self.dry_run = dry_run
        self.publish = publish
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.skip_unknown_terms = skip_unknown_terms
        self.locale = Locale.get_default()
        self.planned_slugs: dict[int, set[str]] = {}
        self.planned_hosts: dict[tuple[str, str], LibraryItemPage] = {}
        self.seen_media: set[str] = set()
        self.vocabularies: Vocabularies | None = None

    # -- the whole file ---------------------------------------------------------------------------

    def run(self, progress: Callable[[int, int], None] | None = None) -> CatalogueReport:
        self.library = self.library or default_library()
        self.check_publish_permission()
        fmt, entries = read_source(self.source, self.fmt)
        self.vocabularies = Vocabularies()
        report = CatalogueReport(self.dry_run, source=str(self.source), format=fmt)
        duplicates = self._duplicates(entries)
        for done, entry in enumerate(entries, start=1):
            report.outcomes.append(self._one(entry, duplicates.get(entry.number, "")))
            if progress:
                progress(done, len(entries))
        return report

    def check_publish_permission(self) -> None:
        if not self.publish or self.user is None:
            return
        if not self.library.permissions_for_user(self.user).can_publish_subpage():
            raise ImportRefused(
                _(
                    "%(user)s may not publish items in the library “%(library)s”, so --publish cannot be used. "
                    "Import without --publish to save drafts for review, or as a user who may publish there."
                )
                % {"user": self.user.get_username(), "library": self.library.title}
            )

    def _duplicates(self, entries: list[Entry]) -> dict[int, str]:
        """Entries that give the same identifier or ISBN as another entry of the file: every copy is refused."""
        by_isbn: dict[str, list[Entry]] = {}
        by_identifier: dict[str, list[Entry]] = {}
        for entry in entries:
            if entry.data is None:
                continue
            if entry.data.identifier:
                by_identifier.setdefault(entry.data.identifier, []).append(entry)
            for number in entry.data.control_numbers:
                by_identifier.setdefault(number, []).append(entry)
            if entry.data.isbn:
                with contextlib.suppress(ValidationError):
                    by_isbn.setdefault(normalise_isbn(entry.data.isbn), []).append(entry)
        reasons: dict[int, str] = {}
        for isbn, same in by_isbn.items():
            if len(same) > 1:
                for entry in same:
                    reasons[entry.number] = _(
                        "duplicate ISBN: %(isbn)s is on %(entries)s in this file; give each item once, or correct "
                        "the ISBN."
                    ) % {"isbn": isbn, "entries": _list_of(f"{other.where} “{other.title}”" for other in same)}
        for identifier, same in by_identifier.items():
            if len(same) > 1:
                for entry in same:
                    reasons.setdefault(
                        entry.number,
                        _("identifier %(identifier)s is on %(entries)s in this file; give each item once.")
                        % {"identifier": identifier, "entries": _list_of(other.where for other in same)},
                    )
        return reasons

    def _one(self, entry: Entry, duplicate: str) -> Outcome:
        data = entry.data
        identifier = visible(data.identifier) if data else ""
        title = visible(data.title) if data else ""

        def rejected(reason: str) -> Outcome:
            return Outcome(
                identifier,
                Action.REJECTED,
                reason,
                number=entry.number,
                where=entry.where,
                title=title,
                notes=list(entry.notes),
            )

        if entry.error:
            return rejected(entry.error)
        if duplicate:
            return rejected(duplicate)
        try:
            plan = self.plan(entry)
            return self.predict(plan) if self.dry_run else self.write(plan)
        except RowError as exc:
            return rejected(str(exc))
        except ProcessingError as exc:
            return rejected(translate_reason(exc.message))
        except ValidationError as exc:
            return rejected(validation_message(exc))
        except Exception as exc:  # the record is rolled back; the others still go in, the log has the traceback
            logger.exception("Catalogue import of %s: %s failed", self.source, entry.where)
            return rejected(
                _("unexpected error (%(error)s); the log has the details.") % {"error": exc.__class__.__name__}
            )

    # -- one entry --------------------------------------------------------------------------------

    def plan(self, entry: Entry) -> Plan:
        data, notes = entry.data, list(entry.notes)
        if not data.title.strip():
            raise RowError(
                _("no title: field 245 $a is missing or empty; every item needs its title.")
                if entry.kind != "csv"
                else _("title: empty; every item needs its title.")
            )
        if data.identifier and not IDENTIFIER_PATTERN.match(data.identifier):
            raise RowError(
                _("identifier: “%(value)s” may hold only letters, digits, “.”, “_” and “-” (at most 64).")
                % {"value": data.identifier}
            )
        model = self._model(data)
        isbn = self._number(data.isbn, normalise_isbn, "isbn")
        existing = self._match(data, model, isbn)
        if existing is not None:
            if type(existing) is not model:
                raise RowError(
                    _(
                        "type: %(identifier)s is a %(existing)s, this record describes a %(new)s; an import "
                        "cannot change the type of an item."
                    )
                    % {"identifier": existing.identifier, "existing": existing.type_label, "new": model.type_label}
                )
            if existing.locked:
                raise RowError(
                    _("%(identifier)s is locked in the admin; unlock it first.") % {"identifier": existing.identifier}
                )
            page = existing.get_latest_revision_as_object()
            parent = existing.get_parent()
            before = snapshot(page)
        else:
            page = model(locale=self.locale, identifier=data.identifier)
            parent = self._parent(data, model)
            before = None
        new_people = self._apply(page, data, model, notes, entry.kind)
        if existing is None:
            page.slug = self._free_slug(ascii_slug(page.title) or "tai-lieu", parent)
        try:
            page.full_clean(exclude=["path", "depth"] if existing is None else None)
        except ValidationError as exc:
            raise RowError(validation_message(exc)) from exc
        media = check_media(data.files, self.files_folder) if data.files else []
        if existing is None:
            to_attach = media
        else:
            # What the item's draft lists (a live item's files not yet approved included).
            listed = [link.original_id for link in page.media_links.all()]
            linked = set(
                Original.objects.filter(pk__in=listed, sha256__in=[m.sha256 for m in media]).values_list(
                    "sha256", flat=True
                )
            )
            to_attach = [item for item in media if item.sha256 not in linked]
        changed = before is None or snapshot(page) != before
        self._remember_host(page)
        return Plan(entry, page, parent, existing is None, changed, media, to_attach, new_people, notes)

    def _model(self, data: ItemData) -> type[LibraryItemPage]:
        slug = (self.item_type or data.type_slug or "book").strip().lower()
        slug = TYPE_ALIASES.get(slug, slug).replace("_", "-")
        model = TYPE_MODELS.get(slug)
        if model is None:
            raise RowError(
                _("type: unknown item type “%(value)s” (use %(types)s).")
                % {"value": slug, "types": ", ".join(TYPE_MODELS)}
            )
        return model

    @staticmethod
    def _number(value: str, normalise, column: str) -> str:
        if not (value or "").strip():
            return ""
        try:
            return normalise(value.strip())
        except ValidationError as exc:
            raise RowError(f"{column}: {' '.join(exc.messages)}") from exc

    def _by_identifier(self, identifier: str) -> Page | None:
        assigned = PersistentIdentifier.objects.filter(identifier=identifier).first()
        if assigned is None:
            return None
        pages = Page.objects.filter(translation_key=assigned.translation_key)
        page = pages.filter(locale=self.locale).first() or pages.first()
        return page.specific if page else None

    def _match(self, data: ItemData, model, isbn: str) -> LibraryItemPage | None:
        title = data.title if "title" in data.present else ""
        if data.identifier:
            found = self._by_identifier(data.identifier)
            if found is not None and not isinstance(found, LibraryItemPage):
                raise RowError(
                    _(
                        "%(identifier)s is a record of the archive (%(type)s), not a library item; "
                        "correct the identifier."
                    )
                    % {"identifier": data.identifier, "type": found.type_label}
                )
            if found is not None:
                if isbn:
                    other = LibraryItemPage.objects.filter(isbn=isbn).exclude(translation_key=found.translation_key)
                    if (clash := other.first()) is not None:
                        raise RowError(self._isbn_clash(isbn, data.title, clash))
                return found
        found = self._by_control_number(data.control_numbers)
        if found is not None:
            if isbn:
                other = LibraryItemPage.objects.filter(isbn=isbn).exclude(translation_key=found.translation_key)
                if (clash := other.first()) is not None:
                    raise RowError(self._isbn_clash(isbn, data.title, clash))
            return found
        if isbn:
            found = LibraryItemPage.objects.filter(isbn=isbn).order_by("pk").first()
            if found is not None:
                found = found.specific
                if _key(found.title) != _key(title) and "title" in data.present:
                    raise RowError(self._isbn_clash(isbn, data.title, found))
                return found
        if not title:
            return None
        year = data.date[1].year if "date" in data.present and data.date[1] else None
        first = name_key(data.creators[0].name) if data.creators else ""
        candidates = LibraryItemPage.objects.filter(locale=self.locale, title__iexact=nfc(title).strip())
        for candidate in candidates:
            if _key(candidate.title) != _key(title) or (candidate.isbn and isbn and candidate.isbn != isbn):
                continue
            if (candidate.date_start.year if candidate.date_start else None) != year:
                continue
            creator = candidate.creators.order_by("sort_order", "pk").select_related("person").first()
            if (name_key(creator.person.name) if creator else "") == first:
                return candidate.specific
        return None

    def _by_control_number(self, numbers: list[str]) -> LibraryItemPage | None:
        """The item that has one of ``numbers`` among its other catalogues' control numbers (MARC 035)."""
        for number in numbers:
            candidates = LibraryItemPage.objects.filter(locale=self.locale, control_numbers__contains=number)
            for candidate in candidates.order_by("pk"):
                if number in candidate.control_number_list():  # a whole line, not part of a longer number
                    return candidate.specific
        return None

    @staticmethod
    def _isbn_clash(isbn: str, title: str, other: LibraryItemPage) -> str:
        return _(
            "duplicate ISBN: %(isbn)s of “%(title)s” is already on “%(other)s” (%(identifier)s) in the catalogue. If "
            "they are the same item, give its identifier (MARC 001, or the identifier column); if not, correct "
            "the ISBN."
        ) % {"isbn": isbn, "title": title, "other": other.title, "identifier": other.identifier}

    def _host(self, host: Host) -> LibraryItemPage | None:
        """The library item a 773 (or the part_of column) names: by identifier, ISSN, ISBN or title."""
        if host.identifier:
            found = self._by_identifier(host.identifier) or self.planned_hosts.get(("id", host.identifier))
            if isinstance(found, LibraryItemPage):
                return found
        for kind, value, normalise in (("issn", host.issn, normalise_issn), ("isbn", host.isbn, normalise_isbn)):
            if not value:
                continue
            with contextlib.suppress(ValidationError):
                number = normalise(value)
                found = LibraryItemPage.objects.filter(locale=self.locale, **{kind: number}).order_by("pk").first()
                if found is not None or (kind, number) in self.planned_hosts:
                    return found.specific if found else self.planned_hosts[(kind, number)]
        if host.title:
            found = PeriodicalPage.objects.filter(locale=self.locale, title__iexact=host.title).first()
            return found or self.planned_hosts.get(("title", _key(host.title)))
        return None

    def _remember_host(self, page: LibraryItemPage) -> None:
        """What later entries of the file may name as their host before this one is written (dry run)."""
        for key in (("id", page.identifier), ("issn", page.issn), ("isbn", page.isbn)):
            if key[1]:
                self.planned_hosts[key] = page
        if isinstance(page, PeriodicalPage):
            self.planned_hosts[("title", _key(page.title))] = page

    def _parent(self, data: ItemData, model) -> Page:
        if model is not PeriodicalIssuePage:
            return self.library
        host = self._host(data.host) if data.host else None
        if not isinstance(host, PeriodicalPage):
            title = data.host.title if data.host else ""
            raise RowError(
                _(
                    "an issue goes under its periodical, and no periodical in the library matches the host (773 or "
                    "part_of) “%(host)s”; import the periodical first."
                )
                % {"host": title or (data.host.identifier if data.host else "")}
            )
        return host

    def _apply(self, page: LibraryItemPage, data: ItemData, model, notes: list[str], kind: str) -> list[Person]:
        """Set every field the entry describes; returns the people to create when the entry is written."""
        present = data.present
        for name in TEXT_FIELDS:
            if name in present:
                setattr(page, name, getattr(data, name))
        for name, normalise in (("isbn", normalise_isbn), ("issn", normalise_issn), ("doi", normalise_doi)):
            if name in present:
                setattr(page, name, self._number(getattr(data, name), normalise, name))
        # Other catalogues' numbers are added to those the item has (each catalogue that sends the item
        # adds its own), never taken away: the item stays findable by every one of them.
        numbers = list(dict.fromkeys([*page.control_number_list(), *data.control_numbers]))
        if numbers != page.control_number_list():
            page.control_numbers = "\n".join(numbers)
        for name, owner, tag in TYPE_FIELDS:
            value = getattr(data, name)
            if name in present and isinstance(page, owner):
                setattr(page, name, value)
            elif value and kind == "csv" and name in present:
                raise RowError(
                    _("%(column)s does not apply to an item of type %(type)s; leave it empty.")
                    % {"column": name, "type": model.type_slug}
                )
            elif value:
                notes.append(
                    _("not kept: %(tag)s (%(field)s) has no place on a %(type)s")
                    % {"tag": tag, "field": name, "type": model.type_label}
                )
        if isinstance(page, ThesisPage) and "degree" in present and data.degree:
            if data.degree not in ThesisPage.Degree.values:
                raise RowError(
                    _("degree: “%(value)s” is not one of %(choices)s.")
                    % {"value": data.degree, "choices": ", ".join(ThesisPage.Degree.values)}
                )
            page.degree = data.degree
        if "date" in present:
            page.date_precision, page.date_start, page.date_end = data.date
            page.date_precision = page.date_precision or ""
        if "host" in present:
            host = self._host(data.host) if data.host else None
            if data.host and data.host.identifier and host is None and kind == "csv":
                raise RowError(
                    _("part_of: no library item has the identifier %(identifier)s.")
                    % {"identifier": data.host.identifier}
                )
            # A host in the library is linked (an issue's is its periodical, the page above it), not named.
            if host is not None:
                page.container_title = ""
            if isinstance(page, PeriodicalIssuePage) or host is None or host.pk is None:
                page.part_of = None
            else:
                page.part_of = host
        unknown: list[str] = []
        self._apply_terms(page, data, unknown)
        if unknown:
            listed = ", ".join(unknown)
            if not self.skip_unknown_terms:
                raise RowError(
                    _(
                        "not in the archive's vocabularies: %(terms)s. Add them in the admin first, or import with "
                        "--skip-unknown-terms to leave them out."
                    )
                    % {"terms": listed}
                )
            notes.append(_("left out, not in the vocabularies: %(terms)s") % {"terms": listed})
        new_people = self._apply_creators(page, data) if "creators" in present else []
        if "holdings" in present:
            wanted = [(h.institution, h.call_number, h.note) for h in data.holdings]
            if [(h.institution, h.call_number, h.note) for h in page.holdings.all()] != wanted:
                page.holdings = [
                    ItemHolding(institution=i, call_number=c, note=n, sort_order=order)
                    for order, (i, c, n) in enumerate(wanted)
                ]
        if data.links:
            notes.append(_("not kept (no field for web addresses): %(links)s") % {"links": ", ".join(data.links)})
        if data.not_kept:
            notes.append(_("fields not kept: %(tags)s") % {"tags": ", ".join(data.not_kept)})
        return new_people

    def _apply_terms(self, page: LibraryItemPage, data: ItemData, unknown: list[str]) -> None:
        vocabularies = self.vocabularies
        present = data.present
        if "languages" in present:
            languages = []
            for tag in data.languages:
                language = vocabularies.languages.get(tag.lower())
                if language is None:
                    unknown.append(_("language “%(term)s”") % {"term": tag})
                elif language not in languages:
                    languages.append(language)
            page.languages = languages
        else:
            languages = list(page.languages.all())
        subjects, groups, places = [], [], []
        for term in data.subjects if "subjects" in present else []:
            found = vocabularies.subject(term) or vocabularies.group(term)
            if found is None:
                unknown.append(_("subject “%(term)s”") % {"term": term})
            elif isinstance(found, Subject) and found not in subjects:
                subjects.append(found)
            elif isinstance(found, EthnicGroup) and found not in groups:
                groups.append(found)
        for term in data.index_terms if "index_terms" in present else []:
            found = vocabularies.group(term) or vocabularies.subject(term)
            if found is None:
                unknown.append(_("ethnic group “%(term)s”") % {"term": term})
            elif isinstance(found, EthnicGroup) and found not in groups:
                groups.append(found)
            elif isinstance(found, Subject) and found not in subjects:
                subjects.append(found)
        for term in data.places if "places" in present else []:
            found = vocabularies.place(term)
            if found is None:
                unknown.append(_("place “%(term)s”") % {"term": term})
            elif found not in places:
                places.append(found)
        if "subjects" in present or "index_terms" in present:
            page.subjects = subjects
            page.ethnic_groups = groups
        if "places" in present:
            page.places = places
        if "other_titles" in present:
            others = [language for language in languages if language.tag != page.locale.language_code]
            titles = []
            for tag, title in data.other_titles:
                language = vocabularies.languages.get(tag.lower()) if tag else (others[0] if len(others) == 1 else None)
                if language is None:
                    unknown.append(
                        _("language “%(term)s” of the title “%(title)s”") % {"term": tag or "?", "title": title}
                    )
                else:
                    titles.append((language, title))
            if [(t.language_id, t.title) for t in page.other_titles.all()] != [(lang.pk, t) for lang, t in titles]:
                page.other_titles = [
                    RecordTitle(language=language, title=title, sort_order=order)
                    for order, (language, title) in enumerate(titles)
                ]

    def _apply_creators(self, page: LibraryItemPage, data: ItemData) -> list[Person]:
        wanted: list[tuple[Person, str]] = []
        new_people: list[Person] = []
        for agent in data.creators:
            role = self._role(agent)
            person = self._person(agent, role, new_people)
            wanted.append((person, role))
        have = [(name_key(c.person.name), c.person.kind, c.role) for c in page.creators.all()]
        if have != [(name_key(p.name), p.kind, role) for p, role in wanted]:
            page.creators = [
                ItemCreator(person=person, role=role, sort_order=order) for order, (person, role) in enumerate(wanted)
            ]
        return new_people

    @staticmethod
    def _role(agent: Agent) -> str:
        role = agent.role.strip().lower()
        role = role if role in CreatorRole.values else RELATOR_ALIASES.get(role, "")
        if not role:
            raise RowError(
                _("creators: “%(role)s” (for %(name)s) is not a role; use a MARC relator code: %(codes)s.")
                % {"role": agent.role, "name": agent.name, "codes": ", ".join(CreatorRole.values)}
            )
        return role

    @staticmethod
    def _person(agent: Agent, role: str, new_people: list[Person]) -> Person:
        key = name_key(agent.name)
        kinds = [agent.kind] if agent.kind else [Person.Kind.PERSON, Person.Kind.ORGANISATION]
        for kind in kinds:
            found = Person.objects.filter(key=key, kind=kind).order_by("pk").first()
            if found is not None:
                return found
        for person in new_people:
            if name_key(person.name) == key:
                return person
        kind = agent.kind or (Person.Kind.ORGANISATION if role == CreatorRole.ISSUING_BODY else Person.Kind.PERSON)
        person = Person(name=nfc(agent.name).strip(), kind=kind, dates=agent.dates[:32])
        new_people.append(person)
        return person

    def _free_slug(self, base: str, parent: Page) -> str:
        planned = self.planned_slugs.setdefault(id(parent) if parent.pk is None else parent.pk, set())
        taken = set(planned)
        if parent.pk is not None:
            taken |= set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        planned.add(slug)
        return slug

    # -- writing ----------------------------------------------------------------------------------

    def predict(self, plan: Plan) -> Outcome:
        page = plan.page
        revised = plan.is_new or plan.changed or self._media_for_review(plan)
        if plan.is_new:
            action = Action.CREATED
        elif revised or plan.to_attach:
            action = Action.UPDATED
        else:
            action = Action.UNCHANGED
        new = {item.sha256 for item in plan.to_attach if item.original is None} - self.seen_media
        self.seen_media |= new
        return Outcome(
            page.identifier,
            action,
            number=plan.entry.number,
            where=plan.entry.where,
            title=page.title,
            notes=plan.notes,
            revised=revised,
            published=self.publish and (revised or not page.live or page.has_unpublished_changes),
            media_stored=len(new),
            media_attached=len(plan.to_attach),
        )

    def write(self, plan: Plan) -> Outcome:
        """Carry out one entry's plan in one transaction; files stored for an entry that fails are removed."""
        outcome = self.predict(plan)
        outcome.media_stored = 0
        stored: list[str] = []
        review = self._media_for_review(plan)
        try:
            with transaction.atomic():
                for person in plan.new_people:
                    person.save()
                page, revision = plan.page, None
                for creator in page.creators.all():
                    creator.person_id = creator.person.pk
                if plan.is_new:
                    page.live = False
                    page.has_unpublished_changes = True
                    plan.parent.add_child(instance=page)
                    log(instance=page, action="wagtail.create", user=self.user)
                    revision = page.save_revision(user=self.user, log_action=False)
                    self._mirror(page)
                elif plan.changed or review:
                    added = []
                    if review:  # files for a live item, not published by this import, wait in its draft
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
        outcome.identifier = page.identifier
        return outcome

    def _media_for_review(self, plan: Plan) -> bool:
        """Whether the entry's files go into the draft of a live item (imported without ``--publish``), to
        be seen once the draft is published like any other change, rather than onto the item at once (a new
        item, a draft, or an import that publishes): ``ingest.attachments``."""
        return bool(plan.to_attach) and not plan.is_new and plan.page.live and not self.publish

    def _store(self, item: MediaFile, page: LibraryItemPage | None, stored: list[str], outcome: Outcome) -> Original:
        """Take in one file through ingest (attached to ``page`` at once, if given), remembering what is new
        so that it can be removed if the entry fails."""
        original, created = ingest_file(item.path, item.filename, page, self.user)
        if created:
            stored.append(original.file.name)
            outcome.media_stored += 1
        return original

    def _mirror(self, page: LibraryItemPage) -> None:
        """Aliases in the other locales, as the admin makes for a new page (translated later)."""
        if not getattr(settings, "WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE", False):
            return
        for locale in Locale.objects.exclude(pk=page.locale_id):
            if not page.has_translation(locale):
                page.copy_for_translation(locale, copy_parents=True, alias=True)


def _list_of(items) -> str:
    return ", ".join(items)


def default_library(slug: str | None = None) -> LibraryPage:
    """The library section items go into: the one with ``slug``, or the only one (in the default language)."""
    locale = Locale.get_default()
    libraries = LibraryPage.objects.filter(locale=locale)
    if slug:
        libraries = libraries.filter(slug=slug) if not slug.isdigit() else libraries.filter(pk=int(slug))
    found = list(libraries[:2])
    if not found:
        raise ImportRefused(
            _("There is no library section %(slug)s; create one (a Library page under the home page) first.")
            % {"slug": f"“{slug}”" if slug else ""}
        )
    if len(found) > 1:
        raise ImportRefused(
            _("There are several library sections; name one with --library (%(slugs)s).")
            % {"slugs": ", ".join(libraries.values_list("slug", flat=True))}
        )
    return found[0]


def import_catalogue(
    source: Path,
    *,
    fmt: str | None = None,
    library: str | None = None,
    item_type: str | None = None,
    files_dir: Path | None = None,
    dry_run: bool = False,
    publish: bool = False,
    user=None,
    skip_unknown_terms: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CatalogueReport:
    """Import a catalogue file; raises SourceError when the file as a whole cannot be read or imported."""
    if files_dir is not None and not Path(files_dir).is_dir():
        raise SourceError(_("The files folder %(folder)s does not exist.") % {"folder": files_dir})
    importer = CatalogueImporter(
        source,
        fmt=fmt,
        library=default_library(library),
        item_type=item_type,
        files_dir=files_dir,
        dry_run=dry_run,
        publish=publish,
        user=user,
        skip_unknown_terms=skip_unknown_terms,
    )
    return importer.run(progress)
