"""A harvested record's metadata as the library's :class:`library.mapping.ItemData`, which the catalogue import
(``library.imports``) then matches to the vocabularies and writes, as it does for a catalogue file.

``marc21`` records go through the library's own MARCXML reader; ``oai_dc`` records are mapped here, element by
element (the Dublin Core elements the library's own ``dublin_core`` writes, read back): the first title is
the title, creators are authors and contributors contributors, the item type comes from ``dc:type``, and the
record's web address (``dc:identifier``) is the link back to the original.
"""

import re

from lxml import etree

from django.utils.translation import gettext as _

from archive.text import nfc
from ingest.imports.values import RowError, parse_date
from library.imports.sources import Entry, SourceError, read_marcxml
from library.mapping import Agent, ItemData, bcp47_tag
from library.models import ArticlePage, BookPage, ConferencePaperPage, MapPage, ReportPage, ThesisPage

# dc:type words (English, Vietnamese, the DCMI and COAR/DRIVER vocabularies' terms) → item type, in order.
TYPE_WORDS = (
    (ThesisPage.type_slug, ("thesis", "dissertation", "luận văn", "luận án", "khóa luận", "doctoralthesis")),
    (ConferencePaperPage.type_slug, ("conference", "proceedings", "hội thảo", "hội nghị", "conferenceobject")),
    (ArticlePage.type_slug, ("article", "bài báo", "bài viết", "contributiontoperiodical")),
    (ReportPage.type_slug, ("report", "báo cáo", "working paper", "technical")),
    (MapPage.type_slug, ("map", "bản đồ", "cartographic")),
)
DOI_IN_TEXT = re.compile(r"(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
ISBN_IN_TEXT = re.compile(r"^(?:urn:isbn:|isbn[:\s]*)([\d\-Xx ]{10,17})$", re.IGNORECASE)
ISSN_IN_TEXT = re.compile(r"^(?:urn:issn:|issn[:\s]*)(\d{4}-?\d{3}[\dXx])$", re.IGNORECASE)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Link preference among several web addresses: a persistent one (handle, DOI) first.
PERSISTENT_HOSTS = ("hdl.handle.net", "doi.org", "n2t.net", "ark:")


def _values(metadata: dict, element: str) -> list[str]:
    return [nfc(" ".join(value.split())) for value in metadata.get(element, []) or [] if value and value.strip()]


def item_type(types: list[str]) -> str:
    """The library item type a record's dc:type values describe; a book when none says otherwise."""
    folded = " ".join(types).casefold()
    for slug, words in TYPE_WORDS:
        if any(word in folded for word in words):
            return slug
    return BookPage.type_slug


def language_tag(value: str) -> str:
    """``en_US`` → ``en``, ``vie`` → ``vi``, ``vi`` → ``vi``; "" when it is not a language code."""
    code = value.strip().replace("_", "-").split("-")[0].lower()
    if re.fullmatch(r"[a-z]{2}", code):
        return code
    return bcp47_tag(code) or ""


def best_link(candidates: list[str]) -> str:
    links = [value for value in candidates if value.startswith(("http://", "https://"))]
    persistent = [link for link in links if any(host in link for host in PERSISTENT_HOSTS)]
    return (persistent or links or [""])[0]


def _date(values: list[str], notes: list[str]) -> tuple[str, object, object] | None:
    """The publication date among dc:date values: DSpace adds its own accession timestamps before the date
    issued, so a value with a time of day is taken only when there is nothing else."""
    ordered = [v for v in values if not TIMESTAMP.match(v)] + [v[:10] for v in values if TIMESTAMP.match(v)]
    for value in ordered:
        try:
            return parse_date(value)
        except RowError:
            continue
    if values:
        notes.append(_("date not understood, left out: %(dates)s") % {"dates": ", ".join(values)})
    return None


def dc_item_data(metadata: dict[str, list[str]]) -> tuple[ItemData, str, list[str]]:
    """(the item's data, its link back, notes) from an oai_dc record's elements (scythe's ``metadata``)."""
    notes: list[str] = []
    data = ItemData()
    titles = _values(metadata, "title")
    data.title = titles[0] if titles else ""
    if len(titles) > 1:
        notes.append(
            _("other titles not kept (their language is not given): %(titles)s") % {"titles": "; ".join(titles[1:])}
        )
    data.creators = [Agent(name, "", "aut") for name in _values(metadata, "creator")]
    data.creators += [Agent(name, "", "ctb") for name in _values(metadata, "contributor")]
    data.subjects = list(dict.fromkeys(_values(metadata, "subject")))
    data.summary = "\n\n".join(
        nfc(value.strip()) for value in metadata.get("description", []) or [] if value and value.strip()
    )
    publishers = _values(metadata, "publisher")
    data.publisher = publishers[0][:255] if publishers else ""
    if (date := _date(_values(metadata, "date"), notes)) is not None:
        data.date = date
    data.languages = list(dict.fromkeys(tag for tag in map(language_tag, _values(metadata, "language")) if tag))
    identifiers = _values(metadata, "identifier")
    for value in identifiers:
        if not data.doi and (match := DOI_IN_TEXT.fullmatch(value)):
            data.doi = match[1]
        elif not data.isbn and (match := ISBN_IN_TEXT.match(value)):
            data.isbn = match[1].replace(" ", "")
        elif not data.issn and (match := ISSN_IN_TEXT.match(value)):
            data.issn = match[1]
    rights = [value for value in _values(metadata, "rights") if value.startswith(("http://", "https://"))]
    data.rights_uri = rights[0] if rights else ""
    data.type_slug = item_type(_values(metadata, "type"))
    data.present = {
        "title",
        "creators",
        "subjects",
        "summary",
        "publisher",
        "date",
        "languages",
        "doi",
        "isbn",
        "issn",
        "rights_uri",
    }
    return data, best_link(identifiers + _values(metadata, "relation")), notes


def marc_entry(metadata: etree._Element) -> tuple[Entry, str]:
    """(the catalogue entry, its link back) of a marc21 record's MARCXML, through the library's own reader."""
    try:
        entries = read_marcxml(etree.tostring(metadata, encoding="utf-8"))
    except SourceError as exc:
        raise RowError(str(exc)) from exc
    entry = entries[0]
    link = best_link(entry.data.links) if entry.data else ""
    if entry.data:
        # The link back is kept with the harvested record, not reported as lost; files are never fetched.
        entry.data.links, entry.data.files = [], []
    return entry, link
