"""The small interface both search engines implement, and the shapes they exchange."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from archive.text import nfc
from search.analysis import fold, has_diacritics, normalise, words

SORTS = ("relevance", "date", "oldest", "title")
# Shared by both engines, so they answer alike.
SNIPPET_CHARS = 220
FUZZY_MIN_LENGTH = 5  # typo tolerance only for words this long, and only when nothing matched as typed
SUGGESTED_FACETS = ("group", "province", "place")  # autocomplete offers these beside record titles
NO_DATE_DESC, NO_DATE_ASC = 0, 99_999_999  # sort keys that put undated records last either way


class EngineUnavailable(Exception):
    """The engine cannot be reached or answered with an error; the message says which, in words a
    person can act on. Searches answer "unavailable" (503) and queued updates wait and retry."""


class IndexNeedsRebuild(EngineUnavailable):
    """The engine answers but its index is missing, damaged or made by an older version of the site.

    Only a full rebuild mends it (``manage.py search_index rebuild``, or the task worker's repair):
    updates are never written into an index made afresh, which would hold only them.
    """


@dataclass
class Term:
    """One word of a query as the user typed it (a "101/KH-UBND" or "H'Mông" is one term)."""

    raw: str
    parts: list[str]  # words with diacritics, normalised and lowercased
    folded: list[str]

    @property
    def is_compound(self) -> bool:
        return len(self.parts) > 1

    @property
    def has_diacritics(self) -> bool:
        return self.parts != self.folded

    @property
    def joined(self) -> str:
        """Its parts run together, folded ("H'Mông" → "hmong"), as names' joined forms are indexed
        (``search.analysis.joined_forms``)."""
        return "".join(self.folded)

    @property
    def keyword(self) -> str:
        return normalise(self.raw).lower()


def parse_terms(text: str) -> list[Term]:
    terms = []
    for raw in nfc(text).split():
        parts = words(raw)
        if parts:
            terms.append(Term(raw=raw, parts=parts, folded=[fold(part) for part in parts]))
    return terms[:16]


def joined_prefix(words: list[str]) -> str | None:
    """The start of a joined form (``search.analysis.joined_forms``) that a suggestion's prefix may
    be, half typed: its one or two folded words together ("longt"; "h mo" → "hmo"), once it has at
    least three letters; else None."""
    joined = "".join(words)
    return joined if len(words) <= 2 and len(joined) >= 3 and joined.isalnum() else None


@dataclass
class SearchQuery:
    text: str = ""
    locale: str = "vi"
    # The audience keys the visitor holds: "public", "registered", "staff", "sacred-<group id>".
    access: tuple[str, ...] = ("public",)
    # The view restrictions (ids) the visitor fails: a document under any of them never matches.
    hidden: tuple[int, ...] = ()
    filters: dict[str, list[str]] = field(default_factory=dict)
    # Facet values every answer keeps to, hits and counts alike, and never counted as a choice the
    # visitor made (the library searches only its own types: ``{"type": [...]}``).
    within: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = ()
    snippets: bool = True

    @property
    def terms(self) -> list[Term]:
        return parse_terms(self.text)

    @property
    def has_diacritics(self) -> bool:
        return has_diacritics(self.text)

    @property
    def scope(self) -> "SearchQuery":
        """Only what decides which documents the search may reach: language, audiences, restrictions,
        and the part of the index it keeps to (``within``)."""
        return SearchQuery(locale=self.locale, access=self.access, hidden=self.hidden, within=self.within)


@dataclass
class Hit:
    pk: int
    identifier: str
    title: str
    url: str
    type: str
    snippet: str = ""  # HTML: the text escaped, matches in <mark>
    score: float = 0.0
    type_label: str = ""
    text_language: str = ""  # the language of its text when not the page's (a record not yet translated)


@dataclass
class EngineResult:
    count: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # facet name -> {value: count}
    suggestion: str = ""


@dataclass
class PageHit:
    """A page of one of a record's documents (PDFs) that matched."""

    pk: int  # the record's
    page: int  # 1-based, in its document
    original: int  # the document (an ingest original's id)
    snippet: str = ""  # HTML: the page's text escaped, matches in <mark>
    score: float = 0.0
    document: int = 0  # which of the record's documents, in the order the record shows them (0: the first)


@dataclass
class PageResult:
    count: int
    hits: list[PageHit]


PAGE_ORDERS = ("relevance", "page")


@dataclass
class Suggestions:
    titles: list[Hit]
    values: dict[str, dict[str, int]]  # facet name ("group", "place", "province") -> {value: count}


Progress = Callable[[int], None]


# --- the people index ---------------------------------------------------------------------
# A second, small index beside the records': one document per person and audience level (the
# expert directory, ``search.people``). A document carries only what that level may see, so a
# query filtered on one level never matches, counts or shows a hidden part. Shape of a document
# (made by the app that registers a builder with ``search.people``):
#
#   {"id": "12:public", "pk": 12, "level": "public", "sort": collation key of the name,
#    "names": [names, as written], "text": [every other visible text, as written],
#    "facets": {"field": ["slug", ...], ...}, "stored": {what a result shows, JSON-able}}

PEOPLE_LEVELS = ("public", "registered", "staff")


@dataclass
class PeopleQuery:
    text: str = ""
    level: str = "public"  # the visitor's widest level: only documents of that level are read
    filters: dict[str, str] = field(default_factory=dict)  # facet -> one chosen value
    facets: tuple[str, ...] = ()
    offset: int = 0
    limit: int = 20

    @property
    def terms(self) -> list[Term]:
        return parse_terms(self.text)


@dataclass
class PeopleResult:
    count: int
    hits: list[dict]  # each document's "stored" value, in order (relevance, else name)
    facets: dict[str, dict[str, int]]  # facet -> {value: people}, among all that match


def people_fields(data: dict) -> dict:
    """A people document's indexed fields, as both engines index them: names and the rest of the text
    normalised (each twice: folded and with diacritics), and the facets as ``name=value`` keywords."""
    names = normalise("\n".join(value for value in data["names"] if value))
    text = normalise("\n".join(value for value in data["text"] if value))
    return {
        "pk": data["pk"],
        "level": data["level"],
        "sort": data["sort"],
        "names": names,
        "names_exact": names,
        "text": text,
        "text_exact": text,
        "facet_values": [f"{name}={value}" for name, values in data["facets"].items() for value in values],
    }


class PeopleIndex(ABC):
    """What an engine does for the people index (``SearchEngine`` subclasses implement it too)."""

    @abstractmethod
    def search_people(self, query: PeopleQuery) -> PeopleResult:
        """Documents of ``query.level`` holding every word of the query (folded, so with or without
        diacritics; the last word may be half typed), with every chosen facet value; counted and
        faceted in one go."""

    @abstractmethod
    def update_people(self, documents: list[dict], removed: Iterable[int] = ()) -> None:
        """Replace every document of the people in ``documents`` and of ``removed`` (pks) by
        ``documents``; raises :class:`IndexNeedsRebuild` where there is no people index."""

    @abstractmethod
    def rebuild_people(self, documents: Iterable[dict]) -> int:
        """A fresh people index from ``documents``, swapped in when complete; how many documents."""

    @abstractmethod
    def count_people(self) -> int:
        """Documents in the live people index (one per person and level they show anything at)."""


class SearchEngine(PeopleIndex, ABC):
    name = ""

    @abstractmethod
    def search(self, query: SearchQuery) -> EngineResult: ...

    @abstractmethod
    def suggest(self, prefix: str, scope: SearchQuery, limit: int = 6) -> Suggestions:
        """Titles and facet values (``SUGGESTED_FACETS``) starting with ``prefix``, among the documents
        ``scope`` may see (only its ``locale``, ``access`` and ``hidden`` are read)."""

    @abstractmethod
    def search_pages(
        self, query: SearchQuery, record_ids: Iterable[int] | None = None, order: str = "relevance"
    ) -> PageResult:
        """Pages of documents holding every word of ``query.text`` (folded, as in records' text), of
        the records ``record_ids`` (or any), that ``query``'s scope may see (language, audiences,
        restrictions, ``within`` and ``filters``), from ``query.offset`` for ``query.limit``; in
        relevance order or in reading ``order`` ("page": each document's pages in turn). Without
        words, every page in that order."""

    @abstractmethod
    def best_pages(self, query: SearchQuery, record_ids: Iterable[int]) -> dict[int, PageHit]:
        """For each of ``record_ids`` with a page holding every word of ``query.text`` in ``query``'s
        scope, its best such page."""

    @abstractmethod
    def update(self, documents: list[dict], removed: Iterable[int] = ()) -> None:
        """Add or replace ``documents`` (and their pages: ``search.documents.page_documents``) and
        remove the records ``removed`` and their pages, into the live index; raises
        :class:`IndexNeedsRebuild` rather than create one where there is none."""

    def prepare(self, document: dict) -> object:
        """``document`` as this engine indexes it; for a record with pages, the pair (that, its pages
        as this engine indexes them). Picklable: a rebuild makes it in another process
        (``search.feed``), where reading and encoding the pages' texts is best done."""
        return document

    @abstractmethod
    def rebuild(self, documents: Iterable, progress: Progress | None = None) -> int:
        """Build a fresh index from ``documents`` (each made by :meth:`prepare`) and swap it in;
        searches keep working meanwhile. The only way an index comes to be. Returns the number of
        records indexed."""

    @abstractmethod
    def count(self) -> int:
        """Records in the live index (their pages not counted)."""

    @abstractmethod
    def describe(self) -> dict:
        """Name, location and state of the live index, for ``search_index status``."""
