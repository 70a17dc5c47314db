"""Load the demo collection from ``archive/demo/data/*.yaml``.

Idempotent: taxonomy terms are matched on their codes/slugs, records on their
persistent identifiers, so a second run adds nothing. Every problem in the data is
reported as a DemoDataError naming the file, the item and the fix; the caller runs the
whole load in one transaction so nothing is half-written.
"""

import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path

import yaml

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.html import escape

from wagtail.models import Locale

from archive import lunar
from archive.models import (
    CollectionPage,
    CraftPage,
    CustomPage,
    DocumentPage,
    EthnicGroup,
    EthnicGroupName,
    FestivalPage,
    Language,
    PerformingArtPage,
    PersistentIdentifier,
    Place,
    RecordContributor,
    RecordPage,
    RecordTitle,
    RelatedRecord,
    Subject,
)
from archive.text import ascii_slug, nfc

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
PAGE_TYPES = {
    "festival": FestivalPage,
    "custom": CustomPage,
    "performing_art": PerformingArtPage,
    "craft": CraftPage,
    "document": DocumentPage,
}


class DemoDataError(Exception):
    """A problem in the demo data, with a message saying where and what to fix."""


def _normalise(value):
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    return value


def read(name: str, data_dir: Path = DATA_DIR) -> dict:
    path = data_dir / name
    try:
        with path.open(encoding="utf-8") as handle:
            return _normalise(yaml.safe_load(handle)) or {}
    except FileNotFoundError as exc:
        raise DemoDataError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise DemoDataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise DemoDataError(f"{path}: not valid YAML: {exc}") from exc


def _date(value, where: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DemoDataError(f"{where}: {value!r} is not a date (use YYYY-MM-DD)") from exc


def _coordinate(value):
    """YAML floats become exact decimals: 22.8233, not 22.82330000000000036948.."""
    return None if value in (None, "") else Decimal(str(value))


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def _save_valid(instance, where: str) -> None:
    """Validate and save a model instance, naming the data item when it is refused."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise DemoDataError(f"{where}: {_validation_message(exc)}") from exc
    instance.save()


# --- taxonomies --------------------------------------------------------------------------

SOURCE_FIELDS = ("source", "source_en", "editorial_note")


def _sources(data: dict, item: dict | None = None) -> dict[str, str]:
    """The citations shown to visitors and the staff-only editorial note of a file (or an item in it)."""
    item = item or {}
    return {field: item.get(field) or data.get(field) or "" for field in SOURCE_FIELDS}


def _fill_sources(term, sources: dict[str, str]) -> None:
    """Give a term loaded earlier the sources it lacks; what the editors wrote stays."""
    missing = {field: value for field, value in sources.items() if value and not getattr(term, field)}
    if missing:
        type(term).objects.filter(pk=term.pk).update(**missing)


def _fill_other_names(group, names: list, source: str) -> None:
    """Give a group loaded earlier its other names when it has none; what the editors wrote stays.
    Each is a string (kind "other") or a mapping with ``name``, ``kind`` and maybe ``source``."""
    if not names or group.names.exists():
        return
    for order, entry in enumerate(names):
        entry = entry if isinstance(entry, dict) else {"name": entry}
        name = EthnicGroupName(
            group=group,
            name=str(entry.get("name") or ""),
            kind=entry.get("kind") or EthnicGroupName.Kind.OTHER,
            source=entry.get("source") or source,
            sort_order=order,
        )
        _save_valid(name, f"ethnic_groups.yaml: group {group.code}, other name {order + 1}")


def load_taxonomies(data_dir: Path = DATA_DIR) -> dict[str, int]:
    created = {"ethnic groups": 0, "places": 0, "languages": 0, "subjects": 0}

    groups = read("ethnic_groups.yaml", data_dir)
    group_sources = _sources(groups)
    for item in groups.get("groups", []):
        defaults = {
            "slug": item["slug"],
            "name": item["name"],
            "name_en": item.get("name_en", ""),
            "autonym": item.get("autonym") or "",
            "language_group": item.get("language_group", ""),
            "language_group_en": item.get("language_group_en", ""),
            "language_family": item.get("language_family", ""),
            "language_family_en": item.get("language_family_en", ""),
            "population_2019": item.get("population_2019"),
            "summary": item.get("summary", ""),
            "summary_en": item.get("summary_en", ""),
            **group_sources,
        }
        group, was_created = EthnicGroup.objects.get_or_create(
            code=str(item["code"]).zfill(2), code_system=groups["code_system"], defaults=defaults
        )
        _fill_sources(group, group_sources)
        _fill_other_names(group, item.get("other_names") or [], groups.get("other_names_source", ""))
        created["ethnic groups"] += was_created

    places = read("places.yaml", data_dir)
    code_system, place_sources = places.get("code_system", ""), _sources(places)
    by_key: dict[str, Place] = {}
    for item in places.get("provinces", []):
        code = str(item["code"]).zfill(2)
        place, was_created = Place.objects.get_or_create(
            code=code,
            code_system=code_system,
            kind__in=Place.PROVINCE_KINDS,
            defaults={
                "kind": item.get("kind", "province"),
                "name": item["name"],
                "name_en": item.get("name_en", ""),
                "slug": ascii_slug(item["name"]),
                "valid_from": dt.date(2025, 7, 1),
                "latitude": _coordinate(item.get("latitude")),
                "longitude": _coordinate(item.get("longitude")),
                **place_sources,
            },
        )
        _fill_sources(place, place_sources)
        by_key[code] = place
        created["places"] += was_created

    def lookup(key, where):
        if key in (None, ""):
            return None
        key = str(key)
        if key not in by_key:
            found = Place.objects.filter(slug=key).first()
            if found is None:
                raise DemoDataError(
                    f"places.yaml, {where}: unknown place {key!r} (not a province code or a key above it)"
                )
            by_key[key] = found
        return by_key[key]

    for section in ("historic", "communes"):
        for item in places.get(section, []) or []:
            key = item["key"]
            where = f"{section} {key}"
            sources = _sources(places, item)
            place = Place.objects.filter(slug=key).first()
            if place is None:
                place = Place(
                    slug=key,
                    kind=item["kind"],
                    name=item["name"],
                    name_en=item.get("name_en", ""),
                    code=str(item.get("code") or ""),
                    parent=lookup(item.get("parent"), where),
                    successor=lookup(item.get("successor"), where),
                    valid_from=_date(item.get("valid_from"), f"places.yaml, {where}"),
                    valid_to=_date(item.get("valid_to"), f"places.yaml, {where}"),
                    latitude=_coordinate(item.get("latitude")),
                    longitude=_coordinate(item.get("longitude")),
                    sacred=bool(item.get("sacred")),
                    **sources,
                )
                _save_valid(place, f"places.yaml, {where}")
                created["places"] += 1
            else:
                _fill_sources(place, sources)
            by_key[key] = place

    languages = read("languages.yaml", data_dir)
    for item in languages.get("languages", []):
        sources = _sources(languages, item)
        language = Language.objects.filter(tag=item["tag"]).first()
        if language is None:
            language = Language(tag=item["tag"], name=item["name"], name_en=item.get("name_en", ""), **sources)
            _save_valid(language, f"languages.yaml, {item['tag']}")
            created["languages"] += 1
        else:
            _fill_sources(language, sources)

    subjects = read("subjects.yaml", data_dir)
    for item in subjects.get("subjects", []):
        sources = _sources(subjects, item)
        subject, was_created = Subject.objects.get_or_create(
            slug=item["slug"], defaults={"name": item["name"], "name_en": item.get("name_en", ""), **sources}
        )
        _fill_sources(subject, sources)
        created["subjects"] += was_created
    return created


# --- records -----------------------------------------------------------------------------


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in (text or "").split("\n\n") if block.strip()]
    return "".join(f"<p>{escape(' '.join(block.split()))}</p>" for block in blocks)


class RecordLoader:
    """Creates collections and records under a home page in each locale."""

    def __init__(self, data_dir: Path = DATA_DIR):
        self.data_dir = data_dir
        self.data = read("records.yaml", data_dir)
        # Records may be split over records-*.yaml files, read in name order.
        for part in sorted(data_dir.glob("records-*.yaml")):
            self.data.setdefault("records", [])
            self.data["records"] = (self.data.get("records") or []) + (read(part.name, data_dir).get("records") or [])
        self.default_locale = Locale.get_default()
        self.created = {"collections": 0, "records": 0, "translations": 0}

    # lookups that explain themselves when they fail
    def _terms(self, model, field, values, where):
        values = [str(value).zfill(2) if model is EthnicGroup else str(value) for value in values or []]
        found = {str(getattr(term, field)): term for term in model.objects.filter(**{f"{field}__in": values})}
        missing = [value for value in values if value not in found]
        if missing:
            raise DemoDataError(
                f"records.yaml, {where}: unknown {model._meta.verbose_name} {', '.join(repr(m) for m in missing)}"
            )
        return [found[value] for value in values]

    def _places(self, keys, where):
        places = []
        for key in keys or []:
            key = str(key)
            place = (
                Place.objects.filter(code=key.zfill(2), kind__in=Place.PROVINCE_KINDS).first()
                if key.isdigit()
                else Place.objects.filter(slug=key).first()
            )
            if place is None:
                raise DemoDataError(f"records.yaml, {where}: unknown place {key!r}")
            places.append(place)
        return places

    def load(self, homes: dict[str, object]) -> dict[str, int]:
        """``homes`` maps a language code to that locale's home page."""
        collections = {item["slug"]: self._collection(item, homes) for item in self.data.get("collections", [])}
        specs = self.data.get("records", [])
        identifiers = [spec.get("identifier") for spec in specs]
        duplicates = {value for value in identifiers if identifiers.count(value) > 1}
        if duplicates:
            raise DemoDataError(
                f"records.yaml: identifier used by more than one record: {', '.join(sorted(duplicates))}"
            )
        pages = {}
        for spec in specs:
            where = f"record {spec.get('identifier', '?')}"
            if spec.get("collection") not in collections:
                raise DemoDataError(f"records.yaml, {where}: unknown collection {spec.get('collection')!r}")
            pages[spec["identifier"]] = self._record(spec, collections[spec["collection"]], where)
        for spec in specs:
            self._relate(spec, pages)
        for spec in specs:
            self._translate(spec, pages[spec["identifier"]], homes)
        return self.created

    def _collection(self, item, homes):
        home = homes[self.default_locale.language_code]
        collection = CollectionPage.objects.child_of(home).filter(slug=item["slug"]).first()
        if collection is None:
            collection = home.add_child(
                instance=CollectionPage(
                    title=item["title"], slug=item["slug"], intro=item.get("intro", ""), show_in_menus=False
                )
            )
            collection.save_revision().publish()
            self.created["collections"] += 1
        for code, home_page in homes.items():
            if code == self.default_locale.language_code or collection.has_translation(home_page.locale):
                continue
            translation = collection.copy_for_translation(home_page.locale)
            translation.title = item.get(f"title_{code}") or item["title"]
            translation.slug = item.get(f"slug_{code}") or item["slug"]
            translation.intro = item.get(f"intro_{code}", "")
            translation.save_revision().publish()
        return collection

    def _record(self, spec, collection, where):
        existing = PersistentIdentifier.objects.filter(identifier=spec["identifier"]).first()
        if existing is not None:
            page = RecordPage.objects.filter(
                translation_key=existing.translation_key, locale=self.default_locale
            ).first()
            if page is not None:
                return page.specific
        model = PAGE_TYPES.get(spec.get("type"))
        if model is None:
            raise DemoDataError(
                f"records.yaml, {where}: unknown type {spec.get('type')!r} (use {', '.join(PAGE_TYPES)})"
            )
        page = model(
            title=spec["title"],
            slug=spec.get("slug") or ascii_slug(spec["title"]),
            identifier=spec["identifier"],
            summary=spec.get("summary", ""),
            body=_paragraphs(spec.get("body", "")),
            provenance=spec.get("provenance", ""),
            rights_uri=spec.get("rights", ""),
            access_level=spec.get("access_level", "public"),
            latitude=_coordinate(spec.get("latitude")),
            longitude=_coordinate(spec.get("longitude")),
        )
        if page.access_level == "sacred":
            name = spec.get("sacred_group")
            if not name:
                raise DemoDataError(f"records.yaml, {where}: a sacred record needs sacred_group")
            page.sacred_group, _ = Group.objects.get_or_create(name=name)
        self._apply_dates(page, spec, where)
        self._apply_heritage(page, spec.get("heritage_status") or {}, where)
        self._apply_type_fields(page, spec, where)
        page.ethnic_groups = self._terms(EthnicGroup, "code", spec.get("ethnic_groups"), where)
        page.places = self._places(spec.get("places"), where)
        page.subjects = self._terms(Subject, "slug", spec.get("subjects"), where)
        page.languages = self._terms(Language, "tag", spec.get("languages"), where)
        for order, contributor in enumerate(spec.get("contributors") or []):
            page.contributors.add(
                RecordContributor(name=contributor["name"], role=contributor["role"], sort_order=order)
            )
        for order, other in enumerate(spec.get("other_titles") or []):
            language = self._terms(Language, "tag", [other["lang"]], where)[0]
            page.other_titles.add(RecordTitle(language=language, title=other["text"], sort_order=order))
        try:
            collection.add_child(instance=page)
        except ValidationError as exc:
            raise DemoDataError(f"records.yaml, {where}: {_validation_message(exc)}") from exc
        page.save_revision().publish()
        self.created["records"] += 1
        return page

    def _apply_dates(self, page, spec, where):
        date = spec.get("date") or {}
        page.date_precision = date.get("precision") or ""
        page.date_start = _date(date.get("start"), f"records.yaml, {where}, date.start")
        page.date_end = _date(date.get("end"), f"records.yaml, {where}, date.end")
        if date.get("lunar"):
            page.date_start_lunar = str(date["lunar"])
            try:
                parsed = lunar.parse(page.date_start_lunar)
            except lunar.InvalidLunarDate as exc:
                raise DemoDataError(f"records.yaml, {where}, date.lunar: {exc}") from exc
            page.date_start = lunar.to_gregorian(parsed.year, parsed.month, parsed.day, parsed.leap)

    def _apply_heritage(self, page, status, where):
        page.heritage_level = status.get("level") or ""
        if page.heritage_level == "none":
            page.heritage_level = ""
        page.heritage_decision = status.get("decision") or ""
        page.heritage_date = _date(status.get("date"), f"records.yaml, {where}, heritage_status.date")
        page.heritage_year = status.get("year")

    def _apply_type_fields(self, page, spec, where):
        if isinstance(page, FestivalPage):
            rule = spec.get("lunar_rule") or {}
            page.lunar_month = rule.get("month")
            page.lunar_day = rule.get("day")
            page.lunar_leap_month = bool(rule.get("leap"))
            page.duration_days = rule.get("duration_days") or 1
            page.calendar_note = spec.get("calendar_note") or ""
        elif isinstance(page, CustomPage):
            page.category = spec.get("category") or "custom"
        elif isinstance(page, PerformingArtPage):
            page.genre = spec.get("genre") or ""
        elif isinstance(page, CraftPage):
            page.category = spec.get("category") or "craft"
            page.materials = spec.get("materials") or ""
            page.technique = spec.get("technique") or ""
        elif isinstance(page, DocumentPage):
            document = spec.get("document") or {}
            page.document_number = document.get("number") or ""
            page.document_type = document.get("document_type") or ""
            page.issuing_body = document.get("issuing_body") or ""
            page.signer = document.get("signer") or ""
            page.issue_date = _date(document.get("issue_date"), f"records.yaml, {where}, document.issue_date")
            page.effective_date = _date(
                document.get("effective_date"), f"records.yaml, {where}, document.effective_date"
            )
            page.status = document.get("status") or "unknown"
            if document.get("full_text_file"):
                path = self.data_dir / "documents" / document["full_text_file"]
                if not path.is_file():
                    raise DemoDataError(f"records.yaml, {where}: full text file {path} not found")
                page.full_text = nfc(path.read_text(encoding="utf-8"))

    def _relate(self, spec, pages):
        page = pages[spec["identifier"]]
        wanted = [identifier for identifier in spec.get("related") or [] if identifier != spec["identifier"]]
        unknown = [identifier for identifier in wanted if identifier not in pages]
        if unknown:
            raise DemoDataError(
                f"records.yaml, record {spec['identifier']}: unknown related record {', '.join(unknown)}"
            )
        have = {link.target_id for link in page.related_links.all()}
        missing = [pages[identifier] for identifier in wanted if pages[identifier].pk not in have]
        if missing:
            for order, target in enumerate(missing, start=len(have)):
                page.related_links.add(RelatedRecord(target=target, sort_order=order))
            page.save_revision().publish()

    def _translate(self, spec, page, homes):
        for code, home in homes.items():
            if code == self.default_locale.language_code or page.has_translation(home.locale):
                continue
            translation = page.copy_for_translation(home.locale)
            translation.title = spec.get(f"title_{code}") or spec["title"]
            translation.slug = spec.get(f"slug_{code}") or translation.slug
            translation.summary = spec.get(f"summary_{code}") or spec.get("summary", "")
            translation.body = _paragraphs(spec.get(f"body_{code}") or spec.get("body", ""))
            if isinstance(translation, FestivalPage):
                translation.calendar_note = spec.get(f"calendar_note_{code}") or translation.calendar_note
            # Translated where the data gives its text in that language; otherwise shown as not yet
            # translated, in Vietnamese.
            translation.translated = bool(
                spec.get(f"title_{code}") and (spec.get(f"summary_{code}") or spec.get(f"body_{code}"))
            )
            translation.save_revision().publish()
            self.created["translations"] += 1
