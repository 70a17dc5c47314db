"""Bibliographic metadata out and in: Dublin Core (TCVN 7980 = ISO 15836) and MARC 21.

One module holds the whole mapping so that the two directions cannot drift apart; the table in
``docs/library.md`` ("Metadata mapping") says the same in prose.

- :func:`dublin_core` gives the 15 Dublin Core elements of a library item or an ethnic-affairs
  document as ``(element, value, language)`` triples, in the order of the standard, for an
  ``oai_dc`` writer.
- :func:`marc_record` gives a MARC 21 bibliographic record (a ``pymarc.Record``, UTF-8, ISBD
  punctuation omitted: leader/18 ``c``), :func:`marc_xml` a MARCXML collection of them.
- :func:`marc_to_item_data` reads a MARC record (ours or another library's) into plain values,
  :class:`ItemData`, which the catalogue import (``library.imports``) resolves against the
  archive's vocabularies and writes.

Languages are BCP-47 tags in the archive and MARC language codes (ISO 639-2/B, with the collective
codes MARC uses for languages that have none of their own, e.g. Tày → ``tai``) in 008/35-37 and
041; the exact ISO 639-3 code goes in ``041 _7 $2 iso639-3`` whenever the MARC code is not it.
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from xml.etree import ElementTree as ET

import pycountry
from pymarc import Field, Indicators, Record, Subfield
from pymarc.marcxml import MARC_XML_NS, record_to_xml_node

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from archive.models import DatePrecision, DocumentPage, Place, RecordPage
from archive.models.rights import rights_label
from archive.text import nfc
from library.models import (
    ITEM_TYPES,
    ArticlePage,
    BookPage,
    ConferencePaperPage,
    CreatorRole,
    LibraryItemPage,
    MapPage,
    PeriodicalIssuePage,
    PeriodicalPage,
    ReportPage,
    ThesisPage,
    normalise_control_number,
)

DC_ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)

# Roles whose people are dc:creator (the rest are dc:contributor) and may head a MARC record (1XX).
CREATOR_ROLES = frozenset(
    {CreatorRole.AUTHOR, CreatorRole.COMPILER, CreatorRole.CARTOGRAPHER, CreatorRole.ISSUING_BODY}
)

# MARC relator terms ($e) of the codes ($4) the library uses: the Library of Congress's English terms.
RELATOR_TERMS = {
    "aut": "author",
    "edt": "editor",
    "com": "compiler",
    "trl": "translator",
    "ths": "thesis advisor",
    "ill": "illustrator",
    "pht": "photographer",
    "ctg": "cartographer",
    "ctb": "contributor",
    "isb": "issuing body",
}
# Terms other catalogues write in $e (English and Vietnamese), folded to lower case, to their codes.
RELATOR_ALIASES = {
    **{term: code for code, term in RELATOR_TERMS.items()},
    "ed.": "edt",
    "eds.": "edt",
    "comp.": "com",
    "tr.": "trl",
    "trans.": "trl",
    "translator.": "trl",
    "ill.": "ill",
    "tác giả": "aut",
    "chủ biên": "edt",
    "biên tập": "edt",
    "biên soạn": "com",
    "sưu tầm": "com",
    "dịch": "trl",
    "người dịch": "trl",
    "hướng dẫn khoa học": "ths",
    "người hướng dẫn khoa học": "ths",
    "minh họa": "ill",
    "ảnh": "pht",
    "cơ quan ban hành": "isb",
}

# Roles of the heritage records' contributors (``archive.ContributorRole``) as relator codes.
CONTRIBUTOR_RELATORS = {
    "informant": "ivr",  # interviewee
    "artisan": "art",
    "recorder": "rcd",
    "photographer": "pht",
    "author": "aut",
    "editor": "edt",
}

DEGREES = {"bachelor": "Cử nhân", "master": "Thạc sĩ", "doctorate": "Tiến sĩ"}
DEGREE_WORDS = {
    "doctorate": ("tiến sĩ", "doctor", "ph.d", "phd", "doctoral"),
    "master": ("thạc sĩ", "master", "m.a", "m.sc"),
    "bachelor": ("cử nhân", "bachelor", "b.a", "b.sc", "khóa luận"),
}

# Languages of Vietnam with no MARC code of their own: the MARC collective code of their group.
MARC_COLLECTIVE_CODES = {
    "tyz": "tai",  # Tày
    "nut": "tai",  # Nùng
    "blt": "tai",  # Thái Đen
    "twh": "tai",  # Thái Trắng
    "mtq": "mkh",  # Mường
    "bdq": "mkh",  # Ba Na
    "kpm": "mkh",  # Cơ Ho
    "sed": "mkh",  # Xơ Đăng
    "cjm": "cmc",  # Chăm
    "cja": "cmc",
    "rad": "cmc",  # Ê Đê
    "jra": "cmc",  # Gia Rai
    "hni": "sit",  # Hà Nhì
}
# ISO 639-2 codes without an ISO 639-1 code among the languages of Vietnam (pycountry cannot tell these).
MARC_OWN_CODES = frozenset({"hmn"})
NO_LANGUAGE_CODES = frozenset({"und", "mul", "mis", "zxx", "tai", "mkh", "cmc", "sit"})

# Place names (publication places) that put MARC 008/15-17 at "vm " (Vietnam) without asking the vocabulary.
VIETNAMESE_PLACES = frozenset(
    {
        "h.",
        "hà nội",
        "ha noi",
        "hanoi",
        "tp. hồ chí minh",
        "tp.hcm",
        "tp. hcm",
        "thành phố hồ chí minh",
        "huế",
        "đà nẵng",
    }
)

ISBD_TAIL = re.compile(r"\s*[/:;=,]\s*$")


def marc_organisation_code() -> str:
    """The archive's MARC organisation code (003, 040): ``LIBRARY_MARC_ORGANIZATION`` or ``VN-DTTS``."""
    return getattr(settings, "LIBRARY_MARC_ORGANIZATION", "VN-DTTS")


def persistent_url(identifier: str, base_url: str | None = None) -> str:
    base = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
    return f"{base}{reverse('resolve_identifier', args=[identifier])}"


# --- languages -------------------------------------------------------------------------------


def marc_language_code(tag: str) -> str:
    """The MARC language code of a BCP-47 tag: ``vi`` → ``vie``, ``fr`` → ``fre``, ``tyz`` → ``tai``."""
    primary = (tag or "").split("-")[0].lower()
    if primary in MARC_COLLECTIVE_CODES:
        return MARC_COLLECTIVE_CODES[primary]
    field = "alpha_2" if len(primary) == 2 else "alpha_3"
    language = pycountry.languages.get(**{field: primary}) if primary else None
    if language is None:
        return "und"
    if hasattr(language, "alpha_2") or language.alpha_3 in MARC_OWN_CODES:
        return getattr(language, "bibliographic", language.alpha_3)
    return "mis"


def iso639_3(tag: str) -> str | None:
    """The ISO 639-3 code of a BCP-47 tag (``vi`` → ``vie``), or None."""
    primary = (tag or "").split("-")[0].lower()
    field = "alpha_2" if len(primary) == 2 else "alpha_3"
    language = pycountry.languages.get(**{field: primary}) if primary else None
    return language.alpha_3 if language else None


def bcp47_tag(code: str) -> str | None:
    """The BCP-47 tag of a MARC or ISO 639-2/3 code (``vie`` → ``vi``, ``fre`` → ``fr``); None for
    collective and special codes (``tai``, ``mul``, ``und``)."""
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z]{3}", code) or code in NO_LANGUAGE_CODES:
        return None
    language = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    if language is None:
        return None
    return getattr(language, "alpha_2", language.alpha_3)


# --- dates -------------------------------------------------------------------------------------


def dc_date(precision: str, start: dt.date | None, end: dt.date | None) -> str:
    """ISO 8601 at the record's precision: 2019, 2019-11, 2019-11-03, 2005/2008; c. 1950 as EDTF 1950~."""
    if not start:
        return ""
    if precision == DatePrecision.YEAR:
        return str(start.year)
    if precision == DatePrecision.MONTH:
        return start.strftime("%Y-%m")
    if precision == DatePrecision.CIRCA:
        return f"{start.year}~"
    if precision == DatePrecision.RANGE and end:
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            return f"{start.year}/{end.year}"
        return f"{start.isoformat()}/{end.isoformat()}"
    return start.isoformat()


def marc_date(precision: str, start: dt.date | None, end: dt.date | None) -> str:
    """264 $c: the year (2019), 2019-11 or 2019-11-03 for a month or a day, 2005-2008, [1950?] for c. 1950."""
    if not start:
        return ""
    if precision == DatePrecision.CIRCA:
        return f"[{start.year}?]"
    if precision == DatePrecision.RANGE and end:
        return f"{start.year}-{end.year}" if start.year != end.year else str(start.year)
    if precision == DatePrecision.MONTH:
        return start.strftime("%Y-%m")
    if precision == DatePrecision.DAY:
        return start.isoformat()
    return str(start.year)


def parse_marc_date(text: str) -> tuple[str, dt.date | None, dt.date | None]:
    """(precision, start, end) of a 264/260 $c as catalogues write it: 2019, c2019, ©2019, [2019],
    [2019?], ca. 1950, khoảng 1950, 2005-2008, 2019-11, 2019-11-03; ("", None, None) if no year."""
    value = (text or "").strip().rstrip(".").strip()
    value = value.replace("–", "-")
    bare = value.strip("[]").strip()
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", bare):
            return DatePrecision.DAY, dt.date(*map(int, match.groups())), None
        if match := re.fullmatch(r"(\d{4})-(\d{2})", bare):
            return DatePrecision.MONTH, dt.date(int(match[1]), int(match[2]), 1), None
    except ValueError:
        pass
    if match := re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", bare):
        first, last = int(match[1]), int(match[2])
        if first < last:
            return DatePrecision.RANGE, dt.date(first, 1, 1), dt.date(last, 12, 31)
    if match := re.fullmatch(r"(?:ca\.?|c\.|circa|khoảng|~)\s*(\d{4})\??|(\d{4})\s*\?|(\d{4})~", bare, re.IGNORECASE):
        return DatePrecision.CIRCA, dt.date(int(next(g for g in match.groups() if g)), 1, 1), None
    if match := re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", value):
        return DatePrecision.YEAR, dt.date(int(match[1]), 1, 1), None
    return "", None, None


# --- reading a page ----------------------------------------------------------------------------


@dataclasses.dataclass
class Agent:
    name: str
    kind: str  # "person" or "organisation"
    role: str  # a MARC relator code
    dates: str = ""


def _ordered(manager) -> list:
    return sorted(manager.all(), key=lambda item: (item.sort_order if item.sort_order is not None else 0, item.pk or 0))


def agents(page: RecordPage) -> list[Agent]:
    """Who made the item, in order: a library item's creators; a document's issuing body and signer;
    a heritage record's contributors."""
    if isinstance(page, LibraryItemPage):
        return [Agent(c.person.name, c.person.kind, c.role, c.person.dates) for c in _ordered(page.creators)]
    found = []
    if isinstance(page, DocumentPage):
        if page.issuing_body:
            found.append(Agent(page.issuing_body, "organisation", CreatorRole.ISSUING_BODY))
        if page.signer:
            found.append(Agent(page.signer, "person", "sgn"))
    found += [Agent(c.name, "person", CONTRIBUTOR_RELATORS.get(c.role, "ctb")) for c in _ordered(page.contributors)]
    return found


def _host(page: RecordPage) -> "LibraryItemPage | None":
    if not isinstance(page, LibraryItemPage):
        return None
    if page.part_of_id:
        return page.part_of.specific
    if page.pk and page.depth:
        parent = page.get_parent().specific
        if isinstance(parent, LibraryItemPage):
            return parent
    return None


def _parts_text(page: LibraryItemPage) -> str:
    """773 $g: "Vol. 12, no. 3, p. 45-67"."""
    parts = []
    if page.volume:
        parts.append(f"Vol. {page.volume}")
    if page.issue_number:
        parts.append(f"no. {page.issue_number}")
    if page.pages:
        parts.append(f"p. {page.pages}")
    return ", ".join(parts)


def attached_formats(page: RecordPage) -> list[str]:
    """The MIME types of the files attached to the record through ingest (dc:format)."""
    links = getattr(page, "media_links", None)
    if links is None or not page.pk:
        return []
    return list(dict.fromkeys(links.order_by("sort_order", "pk").values_list("original__mime", flat=True)))


def _type_label_en(page: RecordPage) -> str:
    with translation.override("en"):
        return str(page.type_label)


def _text_language(page: RecordPage) -> str | None:
    return page.locale.language_code if page.locale_id else None


def dublin_core(
    page: RecordPage, *, base_url: str | None = None, formats: Iterable[str] | None = None
) -> list[tuple[str, str, str | None]]:
    """The 15 Dublin Core elements of a library item or a document: ``(element, value, xml:lang)``.

    ``formats`` are the MIME types of its files (by default, those attached through ingest).
    """
    found: dict[str, list[tuple[str, str | None]]] = {element: [] for element in DC_ELEMENTS}
    lang = _text_language(page)

    def add(element: str, value, language: str | None = None) -> None:
        text = " ".join(str(value or "").split()) if element != "description" else str(value or "").strip()
        if text and (text, language) not in found[element]:
            found[element].append((text, language))

    item = page if isinstance(page, LibraryItemPage) else None
    add("title", item.full_title if item else page.title, lang)
    for other in _ordered(page.other_titles):
        add("title", other.title, other.language.tag)
    for agent in agents(page):
        add("creator" if agent.role in CREATOR_ROLES else "contributor", agent.name)
    for subject in page.subjects.all():
        add("subject", subject.name, "vi")
    for group in page.ethnic_groups.all():
        add("subject", group.name, "vi")
    add("description", page.summary, lang)
    if item and item.table_of_contents:
        add("description", " -- ".join(item.contents_lines()), lang)
    if item:
        add("publisher", item.publisher)
        if isinstance(item, ThesisPage) and not item.publisher:
            add("publisher", item.institution)
    elif isinstance(page, DocumentPage):
        add("publisher", page.issuing_body)
    date = dc_date(page.date_precision or DatePrecision.DAY, page.date_start, page.date_end)
    if not date and isinstance(page, DocumentPage) and page.issue_date:
        date = page.issue_date.isoformat()
    add("date", date)
    add("type", getattr(page, "dc_type", "Text"))
    add("type", _type_label_en(page), "en")
    for mime in attached_formats(page) if formats is None else formats:
        add("format", mime)
    if item:
        add("format", item.extent, lang)
    add("identifier", persistent_url(page.identifier, base_url) if page.identifier else "")
    if item:
        add("identifier", f"urn:isbn:{item.isbn}" if item.isbn else "")
        add("identifier", f"urn:issn:{item.issn}" if item.issn else "")
        add("identifier", f"https://doi.org/{item.doi}" if item.doi else "")
        if isinstance(item, ReportPage):
            add("identifier", item.report_number)
        for number in item.control_number_list():  # other catalogues' numbers, "(OCoLC)12345678"
            add("identifier", number)
    elif isinstance(page, DocumentPage):
        add("identifier", page.document_number)
    add("source", page.provenance, lang)
    for language in page.languages.all():
        add("language", language.tag)
    if item:
        host = _host(item)
        if host is not None:
            add("relation", persistent_url(host.identifier, base_url) if host.identifier else host.title)
        elif item.container_title:
            add("relation", item.container_title, lang)
        if item.series:
            add("relation", f"{item.series}; {item.series_number}" if item.series_number else item.series, lang)
    for place in page.places.all():
        add("coverage", place.name, "vi")
    add("rights", page.rights_uri)
    return [(element, value, language) for element in DC_ELEMENTS for value, language in found[element]]


# --- MARC 21 out -------------------------------------------------------------------------------


def _field(tag: str, ind: str, *subfields: tuple[str, str]) -> Field | None:
    """A data field of the subfields that have a value, or None when none has."""
    kept = [Subfield(code, " ".join(str(value).split())) for code, value in subfields if value and str(value).strip()]
    if not kept:
        return None
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=kept)


def _publication_country(place: str) -> str:
    name = " ".join((place or "").casefold().split())
    if not name:
        return "xx "
    if name in VIETNAMESE_PLACES or Place.objects.filter(name__iexact=place.strip()).exists():
        return "vm "
    return "xx "


def _fixed_fields(page: RecordPage, record_type: str, level: str, language: str, now: dt.datetime) -> str:
    """008, the 40 fixed positions: date entered, dates, place, the material's positions, language."""
    entered = (page.first_published_at or page.latest_revision_created_at or now).strftime("%y%m%d")
    precision, start, end = page.date_precision, page.date_start, page.date_end
    if not start and isinstance(page, DocumentPage) and page.issue_date:
        precision, start = DatePrecision.DAY, page.issue_date
    if level == "s":
        date_type, first, second = ("c", start.year if start else "uuuu", "9999")
    elif not start:
        date_type, first, second = "n", "uuuu", "    "
    elif precision == DatePrecision.CIRCA:
        date_type, first, second = "q", start.year, start.year
    elif precision == DatePrecision.RANGE and end and end.year != start.year:
        date_type, first, second = "m", start.year, end.year
    else:
        date_type, first, second = "s", start.year, "    "
    place = _publication_country(getattr(page, "publication_place", ""))
    if record_type == "e":  # maps: relief, projection, type of map (a: single map), index
        material = "    " + "  " + " " + "a" + "  " + " " + " " + " " + "0" + " " + "  "
    elif level == "s":  # continuing resources: frequency, regularity, type (p: periodical), entry convention
        material = "|" + "|" + " " + "p" + " " + " " + " " + "   " + " " + "0" + "   " + " " + "0"
    else:  # books: nature of contents (m: thesis), government publication, conference, index, literary form
        nature = "m   " if isinstance(page, ThesisPage) else "    "
        government = "o" if isinstance(page, DocumentPage) else " "
        conference = "1" if isinstance(page, ConferencePaperPage) else "0"
        material = "    " + " " + " " + nature + government + conference + "0" + "0" + " " + "0" + " "
    fixed = f"{entered}{date_type}{first!s:>4}{second!s:>4}{place}{material}{language} d"
    assert len(fixed) == 40, fixed  # noqa: S101 - a programming error, not input
    return fixed


def marc_record(page: RecordPage, *, base_url: str | None = None, now: dt.datetime | None = None) -> Record:
    """The MARC 21 bibliographic record of a library item or a document (UTF-8, no ISBD punctuation)."""
    now = timezone.localtime(now or timezone.now())
    item = page if isinstance(page, LibraryItemPage) else None
    record_type = getattr(page, "marc_record_type", "a")
    level = getattr(page, "marc_bibliographic_level", "m")
    record = Record(leader=f"00000n{record_type}{level} a2200000 c 4500")
    # The language of the text first (008/35-37): the page's own, when the item is in it.
    main = _text_language(page)
    languages = sorted((language.tag for language in page.languages.all()), key=lambda tag: tag != main)
    codes = [marc_language_code(tag) for tag in languages]
    add = record.add_field

    def data(tag: str, ind: str, *subfields: tuple[str, str]) -> None:
        field = _field(tag, ind, *subfields)
        if field is not None:
            add(field)

    if page.identifier:
        add(Field(tag="001", data=page.identifier))
        add(Field(tag="003", data=marc_organisation_code()))
    changed = page.latest_revision_created_at or page.last_published_at or now
    add(Field(tag="005", data=timezone.localtime(changed).strftime("%Y%m%d%H%M%S.0")))
    add(Field(tag="008", data=_fixed_fields(page, record_type, level, codes[0] if codes else "und", now)))
    if item:
        data("020", "  ", ("a", item.isbn.replace("-", "")))
        data("022", "  ", ("a", item.issn))
        data("024", "7 ", ("a", item.doi), ("2", "doi" if item.doi else ""))
        for number in item.control_number_list():
            data("035", "  ", ("a", number))
    elif isinstance(page, DocumentPage):
        data("024", "8 ", ("a", page.document_number))
    if codes:
        add(
            Field(
                tag="041", indicators=Indicators("0", " "), subfields=[Subfield("a", c) for c in dict.fromkeys(codes)]
            )
        )
        exact = [code for tag, marc in zip(languages, codes, strict=True) if (code := iso639_3(tag)) and code != marc]
        if exact:
            add(
                Field(
                    tag="041",
                    indicators=Indicators("0", "7"),
                    subfields=[*(Subfield("a", code) for code in dict.fromkeys(exact)), Subfield("2", "iso639-3")],
                )
            )
    data("040", "  ", ("a", marc_organisation_code()), ("b", marc_language_code("vi")), ("e", "rda"))
    if isinstance(page, ReportPage):
        data("088", "  ", ("a", page.report_number))

    people = agents(page)
    main = people[0] if people and people[0].role in CREATOR_ROLES else None
    for position, agent in enumerate(people):
        is_main = position == 0 and main is not None
        organisation = agent.kind == "organisation"
        tag = ("1" if is_main else "7") + ("10" if organisation else "00")
        ind1 = "2" if organisation else ("1" if "," in agent.name else "0")
        data(
            tag,
            ind1 + " ",
            ("a", agent.name),
            ("d", agent.dates),
            ("e", RELATOR_TERMS.get(agent.role, "")),
            ("4", agent.role),
        )
    if isinstance(page, ConferencePaperPage) and page.conference_name:
        data("711", "2 ", ("a", page.conference_name), ("c", page.conference_place))
    # 245: the title proper, the subtitle, the statement of responsibility (names as on the item).
    responsibility = "; ".join(agent.name for agent in people if agent.role != "sgn")
    data(
        "245",
        ("1" if main else "0") + "0",
        ("a", page.title),
        ("b", item.subtitle if item else ""),
        ("c", responsibility),
    )
    for other in _ordered(page.other_titles):
        data("246", "31", ("a", other.title), ("9", other.language.tag))
    if item:
        data("250", "  ", ("a", item.edition))
        if isinstance(item, MapPage):
            data("255", "  ", ("a", item.scale))
        data(
            "264",
            " 1",
            ("a", item.publication_place),
            ("b", item.publisher),
            ("c", marc_date(page.date_precision, page.date_start, page.date_end)),
        )
        data("300", "  ", ("a", item.extent))
        if isinstance(item, PeriodicalPage):
            data("310", "  ", ("a", item.frequency))
        data("490", "0 ", ("a", item.series), ("v", item.series_number))
        for line in item.notes.splitlines():
            data("500", "  ", ("a", line))
        if isinstance(item, ThesisPage):
            data(
                "502",
                "  ",
                ("b", DEGREES.get(item.degree, "")),
                ("c", item.institution),
                ("d", str(page.date_start.year) if page.date_start else ""),
            )
        if item.table_of_contents:
            data("505", "0 ", ("a", " -- ".join(item.contents_lines())))
    elif isinstance(page, DocumentPage):
        data("264", " 1", ("b", page.issuing_body), ("c", page.issue_date.isoformat() if page.issue_date else ""))
        data("500", "  ", ("a", page.document_type))
    data("520", "3 ", ("a", page.summary))
    data("540", "  ", ("a", rights_label(page.rights_uri) if page.rights_uri else ""), ("u", page.rights_uri))
    data("561", "  ", ("a", page.provenance))
    for subject in page.subjects.all():
        data("650", " 4", ("a", subject.name))
    for place in page.places.all():
        data("651", " 4", ("a", place.name))
    for group in page.ethnic_groups.all():
        data("653", " 0", ("a", group.name))
    if item:
        host = _host(item)
        host_title = host.title if host else item.container_title
        host_identifier = host.identifier if host else ""
        if host_title or host_identifier:
            data(
                "773",
                "0 ",
                ("t", host_title),
                ("x", host.issn if host else ""),
                ("z", host.isbn.replace("-", "") if host else ""),
                ("g", _parts_text(item)),
                ("w", f"({marc_organisation_code()}){host_identifier}" if host_identifier else ""),
            )
        for holding in _ordered(item.holdings):
            data("852", "  ", ("a", holding.institution), ("h", holding.call_number), ("z", holding.note))
    if page.identifier:
        data("856", "40", ("u", persistent_url(page.identifier, base_url)))
    # Fields in tag order, as catalogues expect (the 1XX/7XX loop above adds them in people order).
    record.fields.sort(key=lambda field: field.tag)
    return record


def marc_xml(records: Iterable[Record]) -> bytes:
    """A MARCXML ``collection`` of ``records`` (UTF-8, the MARC21/slim namespace)."""
    ET.register_namespace("", MARC_XML_NS)
    collection = ET.Element(f"{{{MARC_XML_NS}}}collection")
    for record in records:
        node = record_to_xml_node(record)
        for element in node.iter():
            element.tag = f"{{{MARC_XML_NS}}}{element.tag}"
        collection.append(node)
    return ET.tostring(collection, encoding="utf-8", xml_declaration=True)


# --- MARC 21 in --------------------------------------------------------------------------------


@dataclasses.dataclass
class Host:
    """The item an article or issue is part of (773)."""

    title: str = ""
    identifier: str = ""  # ours (dtts-...), from $w
    issn: str = ""
    isbn: str = ""
    volume: str = ""
    issue_number: str = ""
    pages: str = ""


@dataclasses.dataclass
class Holding:
    institution: str
    call_number: str = ""
    note: str = ""


@dataclasses.dataclass
class ItemData:
    """A catalogue record's values, before they are matched to the archive's vocabularies.

    ``present`` names the fields the source describes: a MARC record describes them all, a CSV file
    only its columns (the others are left as they are on an existing item).
    """

    identifier: str = ""  # our persistent identifier, when the record carries it
    control_number: str = ""  # 001 as written
    control_number_source: str = ""  # 003
    # Other catalogues' control numbers: the record's own 001 with its 003 when not ours, then its 035 $a.
    control_numbers: list[str] = dataclasses.field(default_factory=list)
    type_slug: str = ""
    record_type: str = ""  # leader/06
    bibliographic_level: str = ""  # leader/07
    title: str = ""
    subtitle: str = ""
    other_titles: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (BCP-47 tag or "", title)
    creators: list[Agent] = dataclasses.field(default_factory=list)
    publisher: str = ""
    publication_place: str = ""
    date: tuple[str, dt.date | None, dt.date | None] = ("", None, None)
    edition: str = ""
    extent: str = ""
    series: str = ""
    series_number: str = ""
    isbn: str = ""
    issn: str = ""
    doi: str = ""
    report_number: str = ""
    languages: list[str] = dataclasses.field(default_factory=list)  # BCP-47 tags
    subjects: list[str] = dataclasses.field(default_factory=list)  # headings (650)
    index_terms: list[str] = dataclasses.field(default_factory=list)  # uncontrolled terms (653): ethnic groups
    places: list[str] = dataclasses.field(default_factory=list)  # 651
    summary: str = ""
    table_of_contents: str = ""
    notes: str = ""
    provenance: str = ""
    rights_uri: str = ""
    degree: str = ""
    institution: str = ""
    conference_name: str = ""
    conference_place: str = ""
    scale: str = ""
    frequency: str = ""
    container_title: str = ""
    host: Host | None = None
    volume: str = ""
    issue_number: str = ""
    pages: str = ""
    holdings: list[Holding] = dataclasses.field(default_factory=list)
    files: list[str] = dataclasses.field(default_factory=list)  # 856 $u that are local paths (PDFs)
    links: list[str] = dataclasses.field(default_factory=list)  # 856 $u web addresses (not ours)
    not_kept: list[str] = dataclasses.field(default_factory=list)  # tags the mapping has no field for
    present: set[str] = dataclasses.field(default_factory=set)


# The ItemData fields a MARC record always describes (an absent field empties the item's).
MARC_FIELDS = frozenset(
    field.name
    for field in dataclasses.fields(ItemData)
    if field.name
    not in {
        "identifier",
        "control_number",
        "control_number_source",
        "control_numbers",
        "type_slug",
        "record_type",
        "bibliographic_level",
        "files",
        "links",
        "not_kept",
        "present",
    }
)

# Fields read by marc_to_item_data; any other data field is reported as not kept.
MAPPED_TAGS = frozenset(
    {
        *("001", "003", "005", "008", "020", "022", "024", "035", "040", "041", "088", "100", "110", "111"),
        "245",
        *("246", "250", "255", "260", "264", "300", "310", "490", "500", "502", "505", "520", "540", "561"),
        *("650", "651", "653", "700", "710", "711", "773", "830", "852", "856"),
    }
)
IGNORED_TAGS = frozenset({"082", "084", "090"})  # copy-specific numbers nothing needs


def clean(value: str | None, *, period: bool = False) -> str:
    """A subfield without the ISBD punctuation other catalogues end it with (" :", " /", " ;")."""
    text = nfc(" ".join((value or "").split()))
    text = ISBD_TAIL.sub("", text)
    if period and text.endswith(".") and not re.search(r"(\b\w|\.\.)\.$", text):
        text = text[:-1]
    return text.strip()


def _relator(field: Field, default: str) -> str:
    for code in field.get_subfields("4"):
        code = code.strip().lower().rsplit("/", 1)[-1]  # a code or its id.loc.gov URI
        if code in RELATOR_TERMS:
            return code
    for term in field.get_subfields("e"):
        code = RELATOR_ALIASES.get(clean(term, period=True).casefold()) or RELATOR_ALIASES.get(clean(term).casefold())
        if code:
            return code
    return default


def _parts(text: str) -> tuple[str, str, str]:
    """(volume, issue, pages) of a 773 $g such as "Vol. 12, no. 3, p. 45-67" or "Số 3 (2019), tr. 45-67"."""
    text = text or ""
    volume = re.search(r"\b(?:vol|v|t|tập)\.?\s*([\w-]+)", text, re.IGNORECASE)
    issue = re.search(r"\b(?:no|n|số|iss|issue)\.?\s*([\w/-]+)", text, re.IGNORECASE)
    pages = re.search(r"\b(?:pp?|tr|trang)\.?\s*(\d+(?:\s*[-–]\s*\d+)?)", text, re.IGNORECASE)
    return (
        volume[1] if volume else "",
        issue[1] if issue else "",
        re.sub(r"\s*[-–]\s*", "-", pages[1]) if pages else "",
    )


def _degree(text: str) -> str:
    folded = (text or "").casefold()
    for degree, words in DEGREE_WORDS.items():
        if any(word in folded for word in words):
            return degree
    return ""


def _is_ours(control_number: str, source: str) -> bool:
    return control_number.startswith("dtts-") or (bool(source) and source == marc_organisation_code())


def marc_to_item_data(record: Record, *, base_url: str | None = None) -> ItemData:
    """The values of a MARC 21 bibliographic record, as :class:`ItemData` (nothing is looked up)."""
    data = ItemData(present=set(MARC_FIELDS))
    leader = str(record.leader)
    data.record_type, data.bibliographic_level = leader[6:7], leader[7:8]
    control = record.get("001")
    data.control_number = clean(control.data if control else "")
    source = record.get("003")
    data.control_number_source = clean(source.data if source else "")
    if _is_ours(data.control_number, data.control_number_source):
        data.identifier = data.control_number
    elif data.control_number and data.control_number_source:
        data.control_numbers.append(normalise_control_number(f"({data.control_number_source}){data.control_number}"))
    own_prefix = f"({marc_organisation_code()})"
    for field in record.get_fields("035"):
        for value in field.get_subfields("a"):  # $z: cancelled or invalid numbers, not kept
            number = normalise_control_number(clean(value))
            if number.startswith(own_prefix):  # a catalogue that copied our record keeps our 001 here
                data.identifier = data.identifier or number[len(own_prefix) :]
            elif number and number not in data.control_numbers:
                data.control_numbers.append(number)
    ours = persistent_url("IDENTIFIER", base_url).rsplit("IDENTIFIER", 1)[0]

    title = record.get("245")
    if title is not None:
        data.title = clean(" ".join(title.get_subfields("a", "n", "p")), period=True)
        data.subtitle = clean(" ".join(title.get_subfields("b")), period=True)
    for field in record.get_fields("246", "242"):
        text = clean(" ".join(field.get_subfields("a", "b")), period=True)
        tag = next(iter(field.get_subfields("9")), "") or bcp47_tag(next(iter(field.get_subfields("y")), "")) or ""
        if text:
            data.other_titles.append((tag.strip(), text))

    for field in record.get_fields("100", "110", "700", "710"):
        name = clean(" ".join(field.get_subfields("a", "b")), period=True).rstrip(",")
        if not name:
            continue
        organisation = field.tag.endswith("10")
        default = "aut" if field.tag.startswith("1") else "ctb"
        dates = clean(" ".join(field.get_subfields("d")), period=True)
        data.creators.append(Agent(name, "organisation" if organisation else "person", _relator(field, default), dates))
    for field in record.get_fields("111", "711"):
        data.conference_name = data.conference_name or clean(" ".join(field.get_subfields("a", "n")), period=True)
        data.conference_place = data.conference_place or clean(" ".join(field.get_subfields("c")), period=True)

    publication = next((f for f in record.get_fields("264") if f.indicator2 == "1"), None) or next(
        iter(record.get_fields("260", "264")), None
    )
    if publication is not None:
        data.publication_place = clean(next(iter(publication.get_subfields("a")), "")).strip("[]")
        data.publisher = clean(next(iter(publication.get_subfields("b")), ""), period=True)
        data.date = parse_marc_date(next(iter(publication.get_subfields("c")), ""))
    fixed = record.get("008")
    if not data.date[1] and fixed is not None and fixed.data and len(fixed.data) >= 15:
        date_type, first, second = fixed.data[6], fixed.data[7:11], fixed.data[11:15]
        if first.isdigit():
            if date_type in "mi" and second.isdigit() and second > first:
                data.date = (DatePrecision.RANGE, dt.date(int(first), 1, 1), dt.date(int(second), 12, 31))
            elif date_type == "q":
                data.date = (DatePrecision.CIRCA, dt.date(int(first), 1, 1), None)
            else:
                data.date = (DatePrecision.YEAR, dt.date(int(first), 1, 1), None)

    data.edition = clean(" ".join(f.value() for f in record.get_fields("250")), period=True)
    data.scale = clean(" ".join(s for f in record.get_fields("255") for s in f.get_subfields("a")), period=True)
    data.extent = clean(" ".join(" ".join(f.get_subfields("a", "b", "c")) for f in record.get_fields("300")))
    data.frequency = clean(" ".join(s for f in record.get_fields("310") for s in f.get_subfields("a")))
    series = next(iter(record.get_fields("490", "830")), None)
    if series is not None:
        data.series = clean(" ".join(series.get_subfields("a")), period=True)
        data.series_number = clean(" ".join(series.get_subfields("v")), period=True)

    data.isbn = next((clean(s).split(" ")[0] for f in record.get_fields("020") for s in f.get_subfields("a")), "")
    data.issn = next((clean(s).split(" ")[0] for f in record.get_fields("022") for s in f.get_subfields("a")), "")
    for field in record.get_fields("024"):
        if field.indicator1 == "7" and "doi" in (s.lower() for s in field.get_subfields("2")):
            data.doi = data.doi or clean(next(iter(field.get_subfields("a")), ""))
    data.report_number = clean(next((s for f in record.get_fields("088") for s in f.get_subfields("a")), ""))

    exact = [code for f in record.get_fields("041") if f.indicator2 == "7" for code in f.get_subfields("a")]
    coded = [code for f in record.get_fields("041") if f.indicator2 != "7" for code in f.get_subfields("a")]
    if not coded and fixed is not None and fixed.data and len(fixed.data) >= 38:
        coded = [fixed.data[35:38]]
    tags = [tag for code in exact if (tag := bcp47_tag(code))]
    tags += [tag for code in coded if (tag := bcp47_tag(code))]
    data.languages = list(dict.fromkeys(tags))

    data.subjects = [
        text
        for f in record.get_fields("650")
        if (text := clean(" -- ".join(f.get_subfields("a", "x", "y", "z")), period=True))
    ]
    data.index_terms = [clean(s, period=True) for f in record.get_fields("653") for s in f.get_subfields("a") if s]
    data.places = [clean(" ".join(f.get_subfields("a")), period=True) for f in record.get_fields("651")]
    data.places = [place for place in data.places if place]

    data.summary = "\n\n".join(clean(" ".join(f.get_subfields("a", "b"))) for f in record.get_fields("520"))
    contents = []
    for field in record.get_fields("505"):
        text = " ".join(field.get_subfields("a", "t", "r", "g"))
        contents += [clean(part, period=True) for part in re.split(r"\s+--\s*", text) if clean(part, period=True)]
    data.table_of_contents = "\n".join(contents)
    data.notes = "\n".join(clean(" ".join(f.get_subfields("a"))) for f in record.get_fields("500"))
    data.provenance = "\n".join(clean(" ".join(f.get_subfields("a"))) for f in record.get_fields("561"))
    data.rights_uri = next((s.strip() for f in record.get_fields("540") for s in f.get_subfields("u")), "")

    thesis = record.get("502")
    if thesis is not None:
        text = " ".join(thesis.get_subfields("b")) or thesis.value()
        data.degree = _degree(text)
        data.institution = clean(" ".join(thesis.get_subfields("c")), period=True)

    host = record.get("773")
    if host is not None:
        identifier = ""
        for value in host.get_subfields("w"):
            candidate = re.sub(r"^\([^)]*\)", "", value.strip())
            if candidate.startswith("dtts-") or value.startswith(f"({marc_organisation_code()})"):
                identifier = candidate
        volume, issue, pages = _parts(" ".join(host.get_subfields("g")))
        data.host = Host(
            title=clean(" ".join(host.get_subfields("t", "a")), period=True),
            identifier=identifier,
            issn=clean(next(iter(host.get_subfields("x")), "")),
            isbn=clean(next(iter(host.get_subfields("z")), "")),
        )
        data.volume, data.issue_number, data.pages = volume, issue, pages
        data.container_title = data.host.title

    data.holdings = [
        Holding(
            clean(" ".join(f.get_subfields("a", "b")), period=True),
            clean(" ".join(f.get_subfields("h", "i"))),
            clean(" ".join(f.get_subfields("z"))),
        )
        for f in record.get_fields("852")
        if f.get_subfields("a", "b")
    ]
    for field in record.get_fields("856"):
        for url in field.get_subfields("u"):
            url = url.strip()
            if url.startswith(ours):
                data.identifier = data.identifier or url[len(ours) :].strip("/")
            elif re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
                data.links.append(url)
            elif url:
                data.files.append(url)
    data.not_kept = sorted(
        {f.tag for f in record.fields if f.tag not in MAPPED_TAGS and f.tag not in IGNORED_TAGS and f.tag < "900"}
    )
    data.type_slug = item_type_slug(record, data)
    return data


TYPE_MODELS = {model.type_slug: model for model in ITEM_TYPES}


def item_type_slug(record: Record, data: ItemData) -> str:
    """The item type a record describes: leader/06 (e, f: a map), leader/07 (s: a periodical, or an
    issue when it names its host), 502 (a thesis), 111/711 (a conference paper), 773 (an article),
    088 (a report); otherwise a book."""
    if data.record_type in ("e", "f"):
        return MapPage.type_slug
    if data.bibliographic_level in ("s", "i"):
        return PeriodicalIssuePage.type_slug if data.host else PeriodicalPage.type_slug
    if record.get("502") is not None:
        return ThesisPage.type_slug
    if record.get("111") is not None or record.get("711") is not None:
        return ConferencePaperPage.type_slug
    if data.host is not None or data.bibliographic_level in ("a", "b"):
        return ArticlePage.type_slug
    if data.report_number:
        return ReportPage.type_slug
    return BookPage.type_slug


__all__ = [
    "CREATOR_ROLES",
    "DC_ELEMENTS",
    "MARC_FIELDS",
    "RELATOR_TERMS",
    "TYPE_MODELS",
    "Agent",
    "Holding",
    "Host",
    "ItemData",
    "agents",
    "bcp47_tag",
    "dc_date",
    "dublin_core",
    "item_type_slug",
    "marc_date",
    "marc_language_code",
    "marc_organisation_code",
    "marc_record",
    "marc_to_item_data",
    "marc_xml",
    "parse_marc_date",
    "persistent_url",
]
