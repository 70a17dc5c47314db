"""Synthetic record descriptions: what one record of the corpus says, before it is written.

A ``RecordFactory`` draws every choice from one seeded random generator, so the same
seed and starting number give the same records. It knows nothing about how records
are stored: ``devtools.corpus.bulk`` writes them as rows, ``bench/corpus.py`` as pages
saved one by one.
"""

import datetime as dt
import itertools
import math
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import escape

from archive import lunar
from archive.access import AccessLevel
from archive.models import (
    CraftPage,
    CustomPage,
    DocumentPage,
    EthnicGroup,
    FestivalPage,
    Language,
    PerformingArtPage,
    Place,
    Subject,
)
from archive.text import ascii_slug
from devtools.corpus import words

IDENTIFIER_PREFIX = "dtts-bench-"
IDENTIFIER_FORMAT = IDENTIFIER_PREFIX + "{:06d}"

# Record types and their share of the corpus.
TYPE_WEIGHTS = [(FestivalPage, 30), (CustomPage, 20), (PerformingArtPage, 20), (CraftPage, 20), (DocumentPage, 10)]
TYPE_SUBJECTS = {
    FestivalPage: ["le-hoi-nong-nghiep", "le-hoi-dau-nam", "tin-nguong", "lich-truyen-thong", "bao-ton-di-san"],
    CustomPage: ["nghi-le-vong-doi", "tang-le", "tin-nguong", "tho-cung-to-tien", "tin-nguong-tu-nhien"],
    PerformingArtPage: ["am-nhac-dan-gian", "dan-ca", "nhac-cu-dan-toc", "mua-dan-gian", "su-thi"],
    CraftPage: ["nghe-thu-cong", "det-tho-cam", "trang-phuc", "gom"],
    DocumentPage: ["van-ban-chinh-sach", "bao-ton-di-san", "chuyen-doi-so"],
}
# The day after the provinces were merged: records dated before it name the old units.
MERGER_DATE = dt.date(2025, 7, 1)
FIRST_YEAR = 1945
FIRST_PUBLISHED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@dataclass
class Text:
    """The language-dependent fields of one page."""

    title: str
    slug: str
    summary: str
    body: str


@dataclass
class Topic:
    """What a record is about, as a type builder composes it."""

    title: str
    title_en: str
    name: str  # the heritage itself, without group and place ("Lễ hội Lồng Tồng")
    name_en: str
    subjects: list[str]  # preferred subject slugs
    detail: dict
    collection: str
    native_name: str = ""  # the name in the group's own language, when the Vietnamese name is one


@dataclass
class RecordSpec:
    """Everything one record says, as plain values keyed by model attribute names."""

    model: type
    index: int
    identifier: str
    translation_key: uuid.UUID
    collection: str  # slug of the collection (in the default locale)
    texts: dict[str, Text]  # language code -> text: "vi" always, "en" when translated or asked for
    translate: bool
    record: dict  # RecordPage fields (attnames)
    detail: dict  # fields of the record type's own table (attnames)
    first_published_at: dt.datetime
    last_published_at: dt.datetime
    ethnic_groups: list[int] = field(default_factory=list)
    places: list[int] = field(default_factory=list)
    subjects: list[int] = field(default_factory=list)
    languages: list[int] = field(default_factory=list)
    contributors: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    other_titles: list[tuple[int, str]] = field(default_factory=list)  # (language id, title)
    related_back: list[int] = field(default_factory=list)  # related records: n records earlier in the run


class Vocabulary:
    """The taxonomy terms records draw on, read once."""

    def __init__(self):
        today = timezone.localdate()
        self.groups = list(EthnicGroup.objects.order_by("code"))
        if not self.groups:
            raise RuntimeError("No ethnic groups: load the taxonomies first (archive.demo.loader.load_taxonomies).")
        # Cumulative: larger groups have more records, but not in proportion to their size.
        self.group_weights = list(
            itertools.accumulate(
                math.sqrt(group.population_2019 or 1000) * words.GROUP_WEIGHT_OVERRIDES.get(group.slug, 1.0)
                for group in self.groups
            )
        )
        places = list(Place.objects.select_related("current_province").order_by("pk"))
        self.provinces = {
            place.code: place
            for place in places
            if place.kind in Place.PROVINCE_KINDS and (place.valid_to is None or place.valid_to >= today)
        }
        if not self.provinces:
            raise RuntimeError("No current provinces: load the taxonomies first.")
        self.regions = {
            region: [code for code in codes if code in self.provinces] or list(self.provinces)
            for region, codes in words.REGIONS.items()
        }
        # Units that no longer exist, and villages and sites, by the province covering them today.
        self.historic: dict[int, list[Place]] = {}
        self.local: dict[int, list[Place]] = {}
        for place in places:
            if place.current_province_id is None or place.current_province_id == place.pk:
                continue
            if place.kind.startswith("former_"):
                self.historic.setdefault(place.current_province_id, []).append(place)
            elif place.kind in (Place.Kind.VILLAGE, Place.Kind.SITE, Place.Kind.COMMUNE):
                self.local.setdefault(place.current_province_id, []).append(place)
        self.former_provinces = {
            province_id: [place for place in units if place.kind == Place.Kind.FORMER_PROVINCE]
            for province_id, units in self.historic.items()
        }
        self.subjects = {subject.slug: subject.pk for subject in Subject.objects.all()}
        self.languages = {language.tag: language for language in Language.objects.all()}
        self.sacred_group_id = Group.objects.get_or_create(name=words.SACRED_GROUP)[0].pk
        self.groups_by_region: dict[str, list[EthnicGroup]] = {}
        for group in self.groups:
            for region in words.GROUP_REGIONS.get(group.slug, ("tay-bac",)):
                self.groups_by_region.setdefault(region, []).append(group)


class Weighted:
    """A fixed table of (value, weight) pairs to draw from (cumulative weights computed once)."""

    def __init__(self, pairs):
        self.values, weights = zip(*pairs, strict=True)
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng):
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


RECORD_TYPES = Weighted(TYPE_WEIGHTS)
MORE_GROUPS = Weighted([(0, 60), (1, 30), (2, 10)])
DECADES = Weighted(words.DECADE_WEIGHTS)
DATE_PRECISIONS = Weighted(words.DATE_PRECISIONS)
CONTRIBUTOR_COUNTS = Weighted([(0, 25), (1, 35), (2, 25), (3, 15)])
ROLES = Weighted(words.COMMUNITY_ROLES + words.STAFF_ROLES)
ACCESS = Weighted(words.ACCESS_WEIGHTS)
RIGHTS = Weighted(words.RIGHTS)
FESTIVAL_MONTHS = Weighted(words.FESTIVAL_MONTH_WEIGHTS)
FESTIVAL_DURATIONS = Weighted([(1, 55), (2, 15), (3, 15), (4, 5), (5, 4), (7, 4), (10, 2)])
DOCUMENT_KINDS = Weighted([(entry, entry[-1]) for entry in words.DOCUMENT_KINDS])
RECENT_STATUS = Weighted([("in_force", 70), ("expired", 10), ("replaced", 10), ("unknown", 10)])
OLD_STATUS = Weighted([("in_force", 15), ("expired", 40), ("replaced", 30), ("unknown", 15)])
HERITAGE = Weighted(words.HERITAGE_WEIGHTS)


def _first_lower(text: str) -> str:
    return text[0].lower() + text[1:] if text else text


def _first_upper(text: str) -> str:
    return text[0].upper() + text[1:] if text else text


def _unit_name(place: Place) -> str:
    """ "tỉnh Cao Bằng", "thành phố Huế": historic names already carry their level."""
    if place.kind == Place.Kind.PROVINCE:
        return f"tỉnh {place.name}"
    if place.kind == Place.Kind.CITY:
        return f"thành phố {place.name}"
    return place.name


class RecordFactory:
    """Composes records number ``start``, ``start + 1``, ... from a vocabulary."""

    def __init__(
        self, vocabulary: Vocabulary, seed: int, start: int, translations: float = 0.0, english=False, now=None
    ):
        """``translations``: percentage of records also written in the other language; ``english``:
        compose the English text of every record (for records in the English tree)."""
        self.vocabulary = vocabulary
        self.english = english
        # Seeded with the first number too: a second run appends different records.
        self.rng = random.Random(f"{seed}:{start}")  # noqa: S311 - synthetic data, not secrets
        self.start = start
        self.translations = translations / 100
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.en = vocabulary.languages.get("en")

    # --- the parts every record has --------------------------------------------------------

    def _group(self):
        vocabulary = self.vocabulary
        return self.rng.choices(vocabulary.groups, cum_weights=vocabulary.group_weights)[0]

    def _more_groups(self, group, region):
        count = MORE_GROUPS.pick(self.rng)
        neighbours = [other for other in self.vocabulary.groups_by_region.get(region, []) if other is not group]
        return self.rng.sample(neighbours, min(count, len(neighbours)))

    def _date(self, model):
        rng = self.rng
        decade = DECADES.pick(rng)
        year = min(rng.randint(max(decade, FIRST_YEAR), decade + 9), self.today.year)
        precision = "day" if model is DocumentPage else DATE_PRECISIONS.pick(rng)
        if not precision:
            return "", None, None, year
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        start = dt.date(year, month, day)
        if start > self.today:
            start = self.today - dt.timedelta(days=rng.randint(0, 300))
            year = start.year
        end = None
        if precision == "month":
            start = start.replace(day=1)
        elif precision in ("year", "circa"):
            start = dt.date(year, 1, 1)
        elif precision == "range":
            start = dt.date(year, 1, 1)
            end = dt.date(min(year + rng.randint(0, 5), self.today.year), 12, 31)
        return precision, start, end, year

    def _places(self, region, date):
        rng, vocabulary = self.rng, self.vocabulary
        province = vocabulary.provinces[rng.choice(vocabulary.regions[region])]
        place = province
        roll = rng.random()
        before_merger = date is None or date < MERGER_DATE
        if roll < 0.32 and before_merger and vocabulary.historic.get(province.pk):
            place = rng.choice(vocabulary.historic[province.pk])
        elif roll > 0.95 and vocabulary.local.get(province.pk):
            place = rng.choice(vocabulary.local[province.pk])
        places = [place]
        if rng.random() < 0.2:
            other = vocabulary.provinces[rng.choice(vocabulary.regions[region])]
            if other.pk != place.pk:
                places.append(other)
        return places

    def _name(self, style: str) -> str:
        families, middles, givens = words.NAME_STYLES.get(style, words.NAME_STYLES["kinh"])
        parts = [self.rng.choice(families), self.rng.choice(middles), self.rng.choice(givens)]
        return " ".join(part for part in parts if part)

    def _contributors(self, group):
        rng = self.rng
        community_style = words.GROUP_NAME_STYLES.get(group.slug, "kinh")
        people = []
        for _ in range(CONTRIBUTOR_COUNTS.pick(rng)):
            role = ROLES.pick(rng)
            staff = role in dict(words.STAFF_ROLES)
            style = "kinh" if staff and rng.random() < 0.8 else community_style
            people.append((self._name(style), role))
        return people

    def _subjects(self, model, preferred):
        rng, known = self.rng, self.vocabulary.subjects
        slugs = [rng.choice(preferred)] if preferred else []
        if not slugs or rng.random() < 0.4:
            slugs.append(rng.choice(TYPE_SUBJECTS[model]))
        ids = [known[slug] for slug in dict.fromkeys(slugs) if slug in known]
        return ids or ([rng.choice(list(known.values()))] if known else [])

    def _languages(self, model, group):
        rng, known = self.rng, self.vocabulary.languages
        tags = ["vi"] if model is DocumentPage or rng.random() < 0.7 else []
        own = words.GROUP_LANGUAGES.get(group.slug)
        if own and model is not DocumentPage and rng.random() < 0.6:
            tags.append(rng.choice(own))
        return [known[tag].pk for tag in dict.fromkeys(tags) if tag in known]

    def _paragraphs(self, kind, name, group, place, year):
        rng = self.rng
        fill = {"group": group.name, "place": place.name, "year": year}
        opening = rng.choice(words.OPENINGS).format(title=name, title_lower=_first_lower(name), **fill)
        pool = words.SENTENCES[kind] + words.SENTENCES["any"]
        paragraphs = []
        for number in range(rng.randint(2, 5)):
            sentences = [sentence.format(**fill) for sentence in rng.sample(pool, rng.randint(3, 5))]
            if number == 0:
                sentences.insert(0, opening)
            paragraphs.append(" ".join(sentences))
        html = []
        headings = rng.sample(words.HEADINGS, len(paragraphs)) if len(paragraphs) > 2 and rng.random() < 0.5 else []
        for number, paragraph in enumerate(paragraphs):
            if headings and number > 0:
                html.append(f"<h2>{headings[number]}</h2>")
            html.append(f"<p>{escape(paragraph)}</p>")
        summary = f"{opening} {paragraphs[0].split('. ')[1].rstrip('.')}."
        return summary, "".join(html)

    def _english(self, about, group, place, index):
        rng, title, name = self.rng, about.title_en, about.name_en
        fill = {"group": group.name_en or group.name, "place": place.name_en or place.name}
        opening = rng.choice(words.ENGLISH_OPENINGS).format(title=name, title_lower=_first_lower(name), **fill)
        paragraphs = [opening + " " + " ".join(rng.sample(words.ENGLISH_SENTENCES, rng.randint(2, 4)))]
        paragraphs += [
            " ".join(rng.sample(words.ENGLISH_SENTENCES, rng.randint(2, 4))) for _ in range(rng.randint(0, 2))
        ]
        return Text(
            title=title,
            slug=f"{ascii_slug(title, 70)}-{index}",
            summary=opening,
            body="".join(f"<p>{escape(text)}</p>" for text in paragraphs),
        )

    # --- one record ------------------------------------------------------------------------

    def record(self, index: int) -> RecordSpec:
        rng, vocabulary = self.rng, self.vocabulary
        model = RECORD_TYPES.pick(rng)
        group = self._group()
        region = rng.choice(words.GROUP_REGIONS.get(group.slug, ("tay-bac",)))
        precision, date_start, date_end, year = self._date(model)
        record = {
            "identifier": IDENTIFIER_FORMAT.format(index),
            "date_precision": precision,
            "date_start": date_start,
            "date_end": date_end,
            "date_start_lunar": "",
        }
        if model is DocumentPage:
            places = self._document_places(region, date_start)
        else:
            places = self._places(region, date_start)
        place = places[0]
        builder = {
            FestivalPage: self._festival,
            CustomPage: self._custom,
            PerformingArtPage: self._art,
            CraftPage: self._craft,
            DocumentPage: self._document,
        }[model]
        about = builder(group, place, region, year, record)
        title, detail = about.title, about.detail
        kind = {FestivalPage: "festival", CustomPage: "custom", PerformingArtPage: "art"}.get(model, "craft")
        if model is DocumentPage:
            summary, body = self._document_summary(detail, group, place)
        else:
            if date_start and rng.random() < 0.35:
                title = f"{title} năm {year}"
            summary, body = self._paragraphs(kind, about.name, group, place, year)
        access = ACCESS.pick(rng)
        if access == AccessLevel.SACRED and model is DocumentPage:
            access = AccessLevel.STAFF
        province = place.current_province or place
        record.update(
            access_level=access,
            sacred_group_id=vocabulary.sacred_group_id if access == AccessLevel.SACRED else None,
            summary=summary,
            body=body,
            provenance=rng.choice(words.PROVENANCES).format(province=_unit_name(province), year=year),
            rights_uri=RIGHTS.pick(rng),
            latitude=None,
            longitude=None,
            **self._heritage(model),
        )
        if rng.random() < 0.3 and place.latitude is not None and not place.sacred:
            record["latitude"] = place.latitude + Decimal(rng.randint(-500, 500)) / 10000
            record["longitude"] = place.longitude + Decimal(rng.randint(-500, 500)) / 10000
        translate = rng.random() < self.translations
        texts = {"vi": Text(title=title, slug=f"{ascii_slug(title, 70)}-{index}", summary=summary, body=body)}
        if translate or self.english:
            texts["en"] = self._english(about, group, place, index)
        first = FIRST_PUBLISHED + (self.now - FIRST_PUBLISHED) * rng.random()
        last = min(first + dt.timedelta(days=rng.randint(0, 200)), self.now)
        spec = RecordSpec(
            model=model,
            index=index,
            identifier=record["identifier"],
            translation_key=uuid.uuid4(),
            collection=about.collection,
            texts=texts,
            translate=translate,
            record=record,
            detail=detail,
            first_published_at=first,
            last_published_at=last,
            ethnic_groups=[group.pk] + [other.pk for other in self._more_groups(group, region)],
            places=[item.pk for item in places],
            subjects=self._subjects(model, about.subjects),
            languages=self._languages(model, group),
            contributors=[] if model is DocumentPage else self._contributors(group),
        )
        if self.en and rng.random() < 0.2:
            spec.other_titles.append((self.en.pk, about.title_en))
        native = words.GROUP_LANGUAGES.get(group.slug)
        if native and about.native_name and rng.random() < 0.5:
            language = vocabulary.languages.get(native[0])
            if language:
                spec.other_titles.append((language.pk, about.native_name))
        if index > self.start and rng.random() < 0.1:
            spec.related_back = sorted(
                {rng.randint(1, min(index - self.start, 5000)) for _ in range(rng.randint(1, 2))}
            )
        return spec

    def _pick(self, entries, group):
        """An entry practised by ``group`` more often than not, else one any group may have."""
        own = [entry for entry in entries if group.slug in entry[2]]
        if own and self.rng.random() < 0.7:
            return self.rng.choice(own)
        return self.rng.choice([entry for entry in entries if not entry[2]] or entries)

    @staticmethod
    def _english_people(group, place):
        return f"the {group.name_en or group.name} in {place.name_en or place.name}"

    def _festival(self, group, place, region, year, record):
        rng = self.rng
        name, name_en, _groups, subjects = self._pick(words.FESTIVALS, group)
        prefix = rng.choice(words.FESTIVAL_PREFIXES)
        title = f"{prefix} {name} của người {group.name} ở {place.name}"
        title_en = f"{_first_upper(name_en)} festival of {self._english_people(group, place)}"
        detail = {"lunar_month": None, "lunar_day": None, "lunar_leap_month": False, "duration_days": 1}
        detail["calendar_note"] = words.CALENDAR_NOTES.get(name, "")
        if not detail["calendar_note"]:
            month = FESTIVAL_MONTHS.pick(rng)
            day = rng.choice([1, 15]) if rng.random() < 0.4 else rng.randint(1, 30)
            leap = rng.random() < 0.01 and bool(lunar.years_with_leap_month(month))
            detail.update(lunar_month=month, lunar_day=day, lunar_leap_month=leap)
            detail["duration_days"] = FESTIVAL_DURATIONS.pick(rng)
            if record["date_precision"] and not leap and rng.random() < 0.25:
                # The recorded occurrence, given in the lunar calendar as an editor would.
                lunar_day = min(day, 29)
                occurred = lunar.to_gregorian(year, month, lunar_day)
                if occurred <= self.today:
                    record.update(
                        date_precision="day",
                        date_start_lunar=f"{lunar_day}/{month}/{year}",
                        date_start=occurred,
                        date_end=None,
                    )
        if group.slug in ("cham", "khmer"):
            collection = "bst-cham-khmer"
        elif region in words.HIGHLANDS or region in ("nam-trung-bo",):
            collection = "bst-le-hoi-tay-nguyen"
        elif region in words.NORTH and rng.random() < 0.8:
            collection = "bst-le-hoi-tay-bac"
        else:
            collection = "bst-dien-da-mien-bac"
        # Names written with capitals are the group's own ("Lồng Tồng"), generic ones are not ("cầu mùa").
        native_name = name if name[0].isupper() else ""
        return Topic(
            title,
            title_en,
            f"{prefix} {name}",
            f"{_first_upper(name_en)} festival",
            subjects,
            detail,
            collection,
            native_name,
        )

    def _custom(self, group, place, region, year, record):
        rng = self.rng
        name, name_en, _groups, subjects = self._pick(words.CUSTOMS, group)
        prefix, category = rng.choice(words.CUSTOM_PREFIXES)
        title = f"{prefix} {name} của người {group.name}"
        if rng.random() < 0.5:
            title += f" ở {place.name}"
        title_en = f"{_first_upper(name_en)} among {self._english_people(group, place)}"
        if group.slug in ("cham", "khmer") and rng.random() < 0.5:
            collection = "bst-cham-khmer"
        elif region in words.NORTH and rng.random() < 0.15:
            collection = "bst-dien-da-mien-bac"
        else:
            collection = "bst-phong-tuc-vong-doi"
        return Topic(
            title, title_en, f"{prefix} {name}", _first_upper(name_en), subjects, {"category": category}, collection
        )

    def _art(self, group, place, region, year, record):
        name, name_en, _groups, subjects, genre = self._pick(words.ARTS, group)
        title = f"{name} của người {group.name} ở {place.name}"
        title_en = f"{name_en} of {self._english_people(group, place)}"
        if group.slug in ("cham", "khmer"):
            collection = "bst-cham-khmer"
        elif "cong-chieng" in subjects or (genre in ("âm nhạc", "múa") and region in words.HIGHLANDS):
            collection = "bst-am-nhac-cong-chieng"
        else:
            collection = "bst-dan-ca"
        return Topic(title, title_en, name, name_en, subjects, {"genre": genre}, collection)

    def _craft(self, group, place, region, year, record):
        rng = self.rng
        name, name_en, _groups, subjects, materials, category = self._pick(words.CRAFTS, group)
        title = f"{name} của người {group.name} ở {place.name}"
        title_en = f"{name_en} of {self._english_people(group, place)}"
        detail = {
            "category": category,
            "materials": materials,
            "technique": " ".join(rng.sample(words.CRAFT_TECHNIQUES, 2)),
        }
        if set(subjects) & {"det-tho-cam", "trang-phuc"}:
            collection = "bst-det-tho-cam"
        elif group.slug in ("cham", "khmer"):
            collection = "bst-cham-khmer"
        else:
            collection = "bst-nghe-thu-cong"
        return Topic(title, title_en, name, name_en, subjects, detail, collection)

    # --- documents ---------------------------------------------------------------------

    def _document_places(self, region, date):
        """The province-level unit that issued it, as it was called on the day."""
        vocabulary = self.vocabulary
        province = vocabulary.provinces[self.rng.choice(vocabulary.regions[region])]
        former = vocabulary.former_provinces.get(province.pk)
        if former and date and date < MERGER_DATE and self.rng.random() < 0.6:
            return [self.rng.choice(former)]
        return [province]

    def _document(self, group, place, region, year, record):
        rng = self.rng
        kind, kind_en, code, issuer, with_year, _weight = DOCUMENT_KINDS.pick(rng)
        issued = record["date_start"]
        national = issuer in ("ubdt", "ttg", "bvhttdl")
        serial = rng.randint(1, 4000 if national else 350)
        number = f"{serial}/{issued.year}/{code}" if with_year else f"{serial}/{code}"
        unit = _unit_name(place)
        body_name, short_name = (template.format(unit=unit) for template in words.ISSUERS[issuer])
        festival = self._pick(words.FESTIVALS, group)
        art = self._pick(words.ARTS, group)
        subject, subject_en = rng.choice(words.DOCUMENT_SUBJECTS)
        fill = {
            "festival": festival[0],
            "festival_en": festival[1],
            "group": group.name,
            "group_en": group.name_en or group.name,
            "art": _first_lower(art[0]),
            "art_en": art[1],
            "year": issued.year,
        }
        subject, subject_en = subject.format(**fill), subject_en.format(**fill)
        title = f"{kind} số {number} ngày {issued.day}/{issued.month}/{issued.year} của {short_name} về {subject}"
        title_en = f"{kind_en} No. {number} on {subject_en}"
        age = self.today.year - issued.year
        status = (RECENT_STATUS if age < 5 else OLD_STATUS).pick(rng)
        effective = None
        if kind in ("Quyết định", "Nghị quyết", "Chỉ thị", "Thông tư"):
            effective = min(issued + dt.timedelta(days=rng.choice([0, 0, 10, 15, 45])), self.today)
        signer = self._name("kinh" if rng.random() < 0.7 else words.GROUP_NAME_STYLES.get(group.slug, "kinh"))
        detail = {
            "document_number": number,
            "document_type": kind,
            "issuing_body": body_name,
            "signer": signer,
            "issue_date": issued,
            "effective_date": effective,
            "status": status,
            "full_text": self._full_text(kind, body_name, subject, group, place, issued, signer),
        }
        return Topic(
            title,
            title_en,
            f"{kind} số {number}",
            f"{kind_en} No. {number}",
            ["van-ban-chinh-sach", "bao-ton-di-san"],
            detail,
            "bst-van-ban",
        )

    def _full_text(self, kind, body_name, subject, group, place, issued, signer):
        rng = self.rng
        lines = [body_name.upper(), f"{kind.upper()} về {subject}"]
        if kind in ("Quyết định", "Nghị quyết", "Chỉ thị", "Thông tư"):
            lines += rng.sample(words.DOCUMENT_BASES, rng.randint(2, 4))
            lines.append(f"{kind.upper()}:")
            for article in range(1, rng.randint(3, 6)):
                sentences = rng.sample(words.DOCUMENT_SENTENCES, rng.randint(1, 3))
                lines.append(f"Điều {article}. " + " ".join(sentences))
        else:
            sections = words.DOCUMENT_SECTIONS.get(kind, ["I. NỘI DUNG", "II. TỔ CHỨC THỰC HIỆN"])
            for heading in sections:
                lines.append(heading)
                for _ in range(rng.randint(1, 3)):
                    lines.append(" ".join(rng.sample(words.DOCUMENT_SENTENCES, rng.randint(2, 4))))
        lines.append(
            f"Đồng bào {group.name} tại {place.name} là đối tượng thụ hưởng chính của văn bản này."
            if rng.random() < 0.5
            else f"Văn bản có hiệu lực kể từ ngày {issued.day}/{issued.month}/{issued.year}."
        )
        lines += [rng.choice(words.DOCUMENT_SIGNER_TITLES).upper(), signer]
        return "\n\n".join(lines)

    def _document_summary(self, detail, group, place):
        summary = (
            f"{detail['document_type']} số {detail['document_number']} do {detail['issuing_body']} ban hành, "
            f"liên quan đến đồng bào {group.name} ở {place.name}."
        )
        paragraphs = [summary] + [
            " ".join(self.rng.sample(words.DOCUMENT_SENTENCES, 3)) for _ in range(self.rng.randint(1, 2))
        ]
        return summary, "".join(f"<p>{escape(text)}</p>" for text in paragraphs)

    def _heritage(self, model):
        rng = self.rng
        level = "" if model is DocumentPage else HERITAGE.pick(rng)
        fields = {"heritage_level": level, "heritage_decision": "", "heritage_date": None, "heritage_year": None}
        if level in ("national", "provincial"):
            date = dt.date(rng.randint(2012, self.today.year), rng.randint(1, 12), rng.randint(1, 28))
            date = min(date, self.today)
            issuer = "QĐ-BVHTTDL" if level == "national" else "QĐ-UBND"
            fields.update(
                heritage_decision=f"{rng.randint(100, 4500)}/{issuer}", heritage_date=date, heritage_year=date.year
            )
        elif level:
            year, session = rng.choice(words.UNESCO_SESSIONS[level])
            fields.update(
                heritage_decision=f"{session}.COM {rng.choice([8, 10])}.b.{rng.randint(1, 50)}", heritage_year=year
            )
        return fields
