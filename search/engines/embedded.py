"""The embedded engine: a tantivy index in a folder on local disk, no server.

Layout under ``SEARCH_INDEX_DIR``::

    records/CURRENT        name of the live generation (replaced atomically on a swap)
    records/<generation>/  one tantivy index

A generation holds two kinds of document: one per record, and one per page of a record's
documents (PDFs; ``search.documents.page_documents``). They share no field that a query of the
other kind requires: every record query requires a term of ``scope``, which pages lack, and every
page query one of ``page_scope``, which records lack. So a record and its pages are written,
removed and swapped in together, in one commit, and each kind's searches never see the other.

tantivy allows one writer per index across all processes, so writes come from the task
worker (and ``search_index rebuild``, which writes a new generation); web processes only
read, and reopen the index when ``CURRENT`` or the index's ``meta.json`` changes.

Only :meth:`EmbeddedEngine.rebuild` makes an index (``search_index rebuild``, or the task
worker repairing a missing one). Nothing else creates a folder: a search or an update that
finds no index, a damaged one or one of an older format raises :class:`IndexNeedsRebuild`,
and every other failure (a file where the folder should be, permissions, a full disk,
tantivy's own errors) :class:`EngineUnavailable`, each with a message saying what to do.
"""

import concurrent.futures
import errno
import functools
import logging
import os
import re
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from html import escape
from pathlib import Path

import orjson
from tantivy import Filter, Index, Occur, Order, Query, SchemaBuilder, TextAnalyzerBuilder, Tokenizer

from search.analysis import fold, normalise, word_pairs, words
from search.documents import (
    DOCUMENT_WORDS_FIELD,
    FACETS,
    JOINED_FIELDS,
    KEYWORD_FIELD,
    PAGE_SORT_STRIDE,
    SNIPPET_FIELD,
    TEXT_FIELDS,
    page_documents,
    page_seed,
)
from search.engines.base import (
    FUZZY_MIN_LENGTH,
    NO_DATE_ASC,
    NO_DATE_DESC,
    SNIPPET_CHARS,
    SUGGESTED_FACETS,
    EngineResult,
    EngineUnavailable,
    Hit,
    IndexNeedsRebuild,
    PageHit,
    PageResult,
    PeopleQuery,
    PeopleResult,
    Progress,
    SearchEngine,
    SearchQuery,
    Suggestions,
    Term,
    joined_prefix,
    people_fields,
)
from search.engines.suggest import nearest_visible, nearest_words
from search.snippets import highlight

logger = logging.getLogger(__name__)

EXACT, FOLDED, KEYWORD, STORED_ONLY = "vi_exact", "vi_folded", "vi_keyword", "stored_only"
# Neighbouring title words as single terms ("cong chieng"), folded and as written: the query
# as a title phrase scores as a few term lookups instead of reading positions of every match.
TITLE_PAIRS, TITLE_PAIRS_EXACT = "title_pairs", "title_pairs_exact"
# A pair is one term, weighed by one idf where a phrase query sums its words' idfs: twice the
# weight the title phrase had keeps "cầu mùa" in a long title ahead of "Mùa lễ cầu".
PAIR_WEIGHT = 16.0
ALL_FIELD, EXCERPT_FIELD, SCOPE_FIELD = "all_folded", "excerpt", "scope"
# The ids of the view restrictions covering a record, as text terms ("12"): a query excludes
# those its visitor fails.
RESTRICTIONS_FIELD = "restrictions"
# Every facet value of a record as "facet=value" in one field: one terms aggregation counts
# all facets at once (about a third cheaper than one aggregation per facet).
FACET_VALUES_FIELD = "facet_values"
ALL_FACETS = "_facets"
_ALL_FACETS_REQUEST = {ALL_FACETS: {"terms": {"field": FACET_VALUES_FIELD, "size": 100_000}}}
EXCERPT_CHARS = 4000
WRITER_HEAP = 64_000_000
# Page documents: the record's pk, the page's number, its document, its place in reading order,
# its text folded (positions kept: phrases; stored as written: snippets), and its scope
# ("vi:public") in a field of its own, so that no record query matches a page.
PAGE_OF, PAGE_NUMBER, PAGE_ORIGINAL, PAGE_SORT = "page_of", "page_no", "page_original", "page_sort"
PAGE_SCOPE_FIELD, PAGE_TEXT = "page_scope", "page_text"
# The words of a record's documents past their start (``search.documents.document_text``), weighed
# below the record's own text: a record found only by them ranks after those that hold the words.
DOCUMENT_WORDS_WEIGHT = 0.5
# Bump when the schema or what goes into it changes: an index of an older version is not read
# (search says it is unavailable) until a rebuild (the task worker's repair, or `manage.py
# search_index rebuild`) makes a new one. An index of a newer version is left alone: it is this
# process that is out of date.
SCHEMA_VERSION = "11"
REBUILD_HINT = (
    "The task worker rebuilds it from the database when it next runs; `manage.py search_index rebuild` does it now."
)
TITLE_WEIGHT = TEXT_FIELDS["title"]
# The fields whose words as written (diacritics kept) the ranking reads: only term lookups,
# so they keep frequencies but no positions.
EXACT_SCORED = ("title", "names")
RERANK_WINDOW = 100  # best matches re-scored for phrases and proximity in the whole text
SPELLING_TRIES = 20  # nearest words checked against what the visitor may see, per misspelt word
TOTAL = "_total"
ORDERINGS = {"date": ("date", Order.Desc), "oldest": ("date_asc", Order.Asc), "title": ("title_sort", Order.Asc)}


def folded(field: str) -> str:
    """The folded twin of a text field; the description's is the all-text field."""
    return ALL_FIELD if field == SNIPPET_FIELD else f"{field}_folded"


def _facet_field(name: str) -> str:
    return f"facet_{name}"


# Each facet: its name, the document field it reads, its own column.
_FACET_COLUMNS = [(name, facet.field, _facet_field(name)) for name, facet in FACETS.items()]


def _analyzers():
    return {
        EXACT: TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.lowercase()).build(),
        # Folding first: lowercasing what is left is then plain ASCII work (an eighth of the
        # indexing time), and the result is always lowercase.
        FOLDED: TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.ascii_fold()).filter(Filter.lowercase()).build(),
        KEYWORD: TextAnalyzerBuilder(Tokenizer.raw()).filter(Filter.lowercase()).build(),
        # Keeps no term: for text that is only stored (tantivy indexes every text field).
        STORED_ONLY: TextAnalyzerBuilder(Tokenizer.raw()).filter(Filter.remove_long(0)).build(),
    }


def build_schema():
    builder = SchemaBuilder()
    builder.add_integer_field("pk", stored=True, indexed=True, fast=True)
    for name in ("identifier", "url"):  # shown with each hit, never searched (keywords hold identifiers)
        builder.add_text_field(name, stored=True, tokenizer_name=STORED_ONLY, index_option="basic")
    # "vi:public", "vi:sacred-12": language and audience in one term, so the filter every search
    # applies is one cheap term per audience key the visitor holds.
    # Fields only filtered on, sorted by or shown index document ids alone ("basic"); fields
    # only looked up as terms keep frequencies ("freq"); positions only where phrases are read.
    builder.add_text_field(SCOPE_FIELD, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(RESTRICTIONS_FIELD, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        if name in EXACT_SCORED:
            builder.add_text_field(name, tokenizer_name=EXACT, index_option="freq")
        # The folded title is stored as written: it is what results show.
        if name != SNIPPET_FIELD:  # the description's folded form is the bulk of ALL_FIELD already
            builder.add_text_field(folded(name), stored=name == "title", tokenizer_name=FOLDED)
    # Every text field together, folded: one field to decide what matches, count and facet.
    builder.add_text_field(ALL_FIELD, tokenizer_name=FOLDED)
    # The start of the description, stored (not indexed) for snippets: bounded, so making one
    # stays cheap.
    builder.add_text_field(EXCERPT_FIELD, stored=True, tokenizer_name=STORED_ONLY, index_option="basic")
    builder.add_text_field(KEYWORD_FIELD, tokenizer_name=KEYWORD, index_option="freq")
    # The rest of a record's documents, each word once: only looked up, so only document ids.
    builder.add_text_field(DOCUMENT_WORDS_FIELD, tokenizer_name=FOLDED, index_option="basic")
    for name in (TITLE_PAIRS, TITLE_PAIRS_EXACT, *JOINED_FIELDS):  # one term per value
        builder.add_text_field(name, tokenizer_name="raw", index_option="freq")
    builder.add_text_field("title_sort", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("date", fast=True)
    builder.add_integer_field("date_asc", fast=True)
    # Facets live in one field ("group=tay"): filtered by its terms, counted by one aggregation.
    builder.add_text_field(FACET_VALUES_FIELD, fast=True, tokenizer_name="raw", index_option="basic")
    # And each facet in a column of its own: counting one selected facet over every record
    # reads one or two values per record, not all of them.
    for name in FACETS:
        builder.add_text_field(_facet_field(name), fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("type", stored=True, tokenizer_name="raw", index_option="basic")  # shown with each hit
    # Pages (restrictions and facet values in the fields records use).
    builder.add_integer_field(PAGE_OF, stored=True, indexed=True, fast=True)
    builder.add_integer_field(PAGE_NUMBER, stored=True)
    builder.add_integer_field(PAGE_ORIGINAL, stored=True)
    builder.add_integer_field(PAGE_SORT, stored=True, fast=True)
    builder.add_text_field(PAGE_SCOPE_FIELD, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(PAGE_TEXT, stored=True, tokenizer_name=FOLDED)
    return builder.build()


def _document_json(data: dict) -> bytes:
    """The index document as JSON (UTF-8), handed to tantivy in one call (much cheaper than
    field by field). Kept as bytes until tantivy reads it: a rebuild passes it between processes."""
    doc = {name: data[name] for name in ("pk", "title_sort", "identifier", "url")}
    doc[SCOPE_FIELD] = f"{data['locale']}:{data['access']}"
    doc[RESTRICTIONS_FIELD] = [str(restriction) for restriction in data["restrictions"]]
    everything = []
    doc[EXCERPT_FIELD] = ""
    for name in TEXT_FIELDS:
        value = data[name]
        text = "\n".join(value) if isinstance(value, list) else value
        if not text:
            continue
        if name in EXACT_SCORED:
            doc[name] = normalise(text)
        if name == SNIPPET_FIELD:
            doc[EXCERPT_FIELD] = text[:EXCERPT_CHARS]
        else:
            doc[folded(name)] = text
        everything.append(text)
    doc[ALL_FIELD] = everything
    if data.get(DOCUMENT_WORDS_FIELD):
        doc[DOCUMENT_WORDS_FIELD] = data[DOCUMENT_WORDS_FIELD]
    doc[KEYWORD_FIELD] = [normalise(keyword) for keyword in data[KEYWORD_FIELD]]
    doc[TITLE_PAIRS] = word_pairs(words(fold(data["title"])))
    doc[TITLE_PAIRS_EXACT] = word_pairs(words(data["title"]))
    for name in JOINED_FIELDS:
        doc[name] = data[name]
    date = data.get("date")
    doc["date"] = date or NO_DATE_DESC
    doc["date_asc"] = date or NO_DATE_ASC
    facet_values = []
    for name, source, column in _FACET_COLUMNS:
        values = data[source]
        values = values if isinstance(values, list) else [values]
        doc[column] = values
        facet_values += [f"{name}={value}" for value in values]
    doc[FACET_VALUES_FIELD] = facet_values
    doc["type"] = data["type"]
    return orjson.dumps(doc)


def _pages_json(pages: Iterable[dict]) -> Iterator[bytes]:
    """Page documents (``search.documents.page_documents``) as JSON for tantivy. What a record's
    pages share (record, scope, restrictions, facet values) is encoded once a record."""
    record, shared = None, b""
    for page in pages:
        if page["record"] != record:
            record = page["record"]
            facet_values = []
            for name, source, _column in _FACET_COLUMNS:
                values = page[source]
                facet_values += [f"{name}={value}" for value in (values if isinstance(values, list) else [values])]
            shared = orjson.dumps(
                {
                    PAGE_OF: record,
                    PAGE_SCOPE_FIELD: f"{page['locale']}:{page['access']}",
                    RESTRICTIONS_FIELD: [str(restriction) for restriction in page["restrictions"]],
                    FACET_VALUES_FIELD: facet_values,
                }
            )[:-1]
        own = orjson.dumps(
            {
                PAGE_NUMBER: page["page"],
                PAGE_ORIGINAL: page["original"],
                PAGE_SORT: page["page_sort"],
                PAGE_TEXT: page["text"],
            }
        )
        yield shared + b"," + own[1:]


def _page_json(page: dict) -> bytes:
    """One page document as JSON for tantivy."""
    return next(_pages_json([page]))


class _Generation:
    """One opened index generation and the state needed to notice changes to it."""

    def __init__(self, name: str, path: Path, cache_entries: int = 0, version: str = SCHEMA_VERSION):
        self.name = name
        self.path = path
        _check_generation(path, version)
        self.index = Index.open(str(path))
        for tokenizer, analyzer in _analyzers().items():
            self.index.register_tokenizer(tokenizer, analyzer)
        # Reloaded only by us, so a version and its searcher always go together.
        self.index.config_reader("manual")
        self.schema = self.index.schema
        self.meta_version = self._meta_version()
        self.snapshot = (self.meta_version, self.index.searcher())
        self.answers = _Answers(cache_entries)

    def _meta_version(self) -> tuple[int, int]:
        """Changes with every commit: tantivy replaces meta.json (a new file) each time."""
        meta = (self.path / "meta.json").stat()
        return (meta.st_ino, meta.st_mtime_ns)

    def refresh(self) -> None:
        try:
            version = self._meta_version()
        except FileNotFoundError:
            _check_generation(self.path)  # says what is missing
            raise
        if version != self.meta_version:
            self.reload()

    def reload(self) -> None:
        self.meta_version = self._meta_version()
        self.index.reload()
        self.snapshot = (self.meta_version, self.index.searcher())
        self.answers.clear()


def _check_generation(path: Path, expected: str = SCHEMA_VERSION) -> None:
    """Raise :class:`IndexNeedsRebuild` unless ``path`` holds a whole index of this format."""
    if not path.is_dir():
        raise IndexNeedsRebuild(f"The live search index {path} is missing. {REBUILD_HINT}")
    try:
        version = (path / "SCHEMA_VERSION").read_text().strip()
    except FileNotFoundError:
        version = "?"
    if version != expected:
        if version.isdigit() and int(version) > int(expected):
            raise EngineUnavailable(
                f"The search index at {path} was built by a newer version of the site (index format {version}; "
                f"this process reads format {expected}). Restart this process on the new version."
            )
        raise IndexNeedsRebuild(
            f"The search index at {path} was built by another version of the site (index format {version}, "
            f"expected {expected}). {REBUILD_HINT}"
        )
    try:
        orjson.loads((path / "meta.json").read_bytes())
    except FileNotFoundError:
        raise IndexNeedsRebuild(
            f"The search index at {path} is incomplete (it has no meta.json). {REBUILD_HINT}"
        ) from None
    except orjson.JSONDecodeError as exc:
        raise IndexNeedsRebuild(f"The search index at {path} is damaged (meta.json: {exc}). {REBUILD_HINT}") from exc


def _abandon(writer) -> None:
    """Roll back a failed write. The failure itself is what the caller reports: an index folder
    that broke under the writer often fails the rollback too, and that second error says less."""
    try:
        writer.rollback()
        writer.wait_merging_threads()
    except (OSError, ValueError, RuntimeError) as exc:
        logger.warning("Rolling back a failed search index write also failed: %s", exc)


# How tantivy names an I/O error's kind (Rust's std::io::ErrorKind) in its messages.
_IO_KINDS = {
    "PermissionDenied": "permission denied",
    "ReadOnlyFilesystem": "the file system is read-only",
    "StorageFull": "the disk is full",
    "NotADirectory": "a file stands where a folder should be",
}


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, NotADirectoryError):
        return "a file stands where a folder should be"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return exc.strerror or exc.__class__.__name__


def _failures(doing: str):
    """Turn the engine's failures, in a method of :class:`EmbeddedEngine`, into
    :class:`EngineUnavailable` with a message a person can act on (``doing``: "read", "written")."""

    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except EngineUnavailable:
                raise
            except OSError as exc:
                raise EngineUnavailable(self._file_trouble(exc.filename or self.root, doing, _os_reason(exc))) from exc
            except (ValueError, RuntimeError) as exc:  # tantivy's errors, file system ones among them
                reason = next((reason for kind, reason in _IO_KINDS.items() if kind in str(exc)), None)
                if reason is not None:
                    raise EngineUnavailable(self._file_trouble(self.root, doing, reason)) from exc
                raise EngineUnavailable(
                    f"The search index at {self.root} could not be {doing}: {str(exc)[:300]}. "
                    "`manage.py search_index status` shows its state; `manage.py search_index rebuild` makes a new one."
                ) from exc

        return guarded

    return decorate


class _Answers:
    """Counts, facet counts and result pages of recent searches, for one version of the index.

    Like Elasticsearch's shard request cache: a common query ("lễ hội" matches a third of the
    archive) is counted once per change to the index rather than on every visit. Keys carry the
    index version; the cache empties when the index changes.
    """

    def __init__(self, entries: int):
        self.entries = entries
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        if not self.entries:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        if not self.entries:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class EmbeddedEngine(SearchEngine):
    name = "embedded"

    def __init__(self, directory, cache_entries: int = 0):
        self.root = Path(directory) / "records"
        self.cache_entries = cache_entries
        self._lock = threading.Lock()
        self._generation: _Generation | None = None
        self.people = _PeopleIndex(Path(directory) / "experts")

    # --- opening and swapping -------------------------------------------------------

    @property
    def _pointer(self) -> Path:
        return self.root / "CURRENT"

    def _create_generation(self) -> tuple[str, Path]:
        name = time.strftime("g%Y%m%d%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
        path = self.root / name
        path.mkdir(parents=True)
        index = Index(build_schema(), path=str(path))
        del index
        (path / "SCHEMA_VERSION").write_text(SCHEMA_VERSION)
        return name, path

    def _swap_to(self, name: str) -> None:
        temporary = self._pointer.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(name)
        os.replace(temporary, self._pointer)

    def _file_trouble(self, where, doing: str, reason: str) -> str:
        return (
            f"The search index at {where} could not be {doing}: {reason}. Check that SEARCH_INDEX_DIR "
            f"({self.root.parent}) is a folder this process may read and write."
        )

    def _live_name(self) -> str:
        """The live generation's name, from ``CURRENT``; never creates anything."""
        try:
            name = self._pointer.read_text().strip()
        except FileNotFoundError:
            raise IndexNeedsRebuild(
                f"There is no search index at {self.root}: the folder is missing or the index was never built. "
                f"{REBUILD_HINT}"
            ) from None
        if not name or "/" in name or name.startswith("."):
            raise IndexNeedsRebuild(
                f"The search index pointer {self._pointer} names no index ({name!r}). {REBUILD_HINT}"
            )
        return name

    def _current(self) -> _Generation:
        with self._lock:
            generation = self._generation
            try:
                name = self._live_name()
                if generation is None or generation.name != name:
                    generation = _Generation(name, self.root / name, self.cache_entries)
                else:
                    generation.refresh()
            except BaseException:
                # Opened afresh next time, so a mended (or rebuilt) index is found again.
                self._generation = None
                raise
            self._generation = generation
            return generation

    def _writer(self, generation: _Generation):
        try:
            return generation.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                raise EngineUnavailable(
                    "The search index is being written by another process; the update will be retried."
                ) from exc
            raise

    # --- writing ----------------------------------------------------------------------

    @_failures("written")
    def update(self, documents: list[dict], removed: Iterable[int] = ()) -> None:
        delete_pks = {data["pk"] for data in documents} | set(removed)
        if not documents and not delete_pks:
            return
        generation = self._current()
        writer = self._writer(generation)
        try:
            for pk in delete_pks:
                writer.delete_documents_by_term("pk", pk)
                writer.delete_documents_by_term(PAGE_OF, pk)
            for data in documents:
                writer.add_json(_document_json(data).decode())
            for page in _pages_json(page_documents(documents)):
                writer.add_json(page.decode())
            writer.commit()
        except BaseException:
            _abandon(writer)
            raise
        writer.wait_merging_threads()
        with self._lock:
            generation.reload()

    def prepare(self, document: dict) -> bytes | tuple[bytes, list[bytes]]:
        """The record as JSON; where it has pages, with its pages as JSON. This runs where the
        documents are made (``search.feed``: a process of its own in a rebuild), so reading the
        pages' texts and encoding them is not the indexing process's work."""
        seed = page_seed(document)
        if seed is None:
            return _document_json(document)
        return _document_json(document), list(_pages_json(page_documents([seed])))

    def rebuild(self, documents: Iterable[bytes | tuple[bytes, list[bytes]]], progress: Progress | None = None) -> int:
        name, path, writer = self._start_generation()
        count = 0
        try:
            # Errors making documents are not the engine's: they go up as they are.
            for document in documents:
                if isinstance(document, tuple):
                    document, pages = document
                    self._add(writer, document)
                    self._add_all(writer, pages)
                else:
                    self._add(writer, document)
                count += 1
                if progress and count % 500 == 0:
                    progress(count)
            self._commit(writer)
        except BaseException:
            _abandon(writer)
            shutil.rmtree(path, ignore_errors=True)
            raise
        if progress:
            progress(count)
        self._go_live(name)
        return count

    @_failures("created")
    def _start_generation(self):
        self.root.mkdir(parents=True, exist_ok=True)
        name, path = self._create_generation()
        index = Index.open(str(path))
        for tokenizer, analyzer in _analyzers().items():
            index.register_tokenizer(tokenizer, analyzer)
        return name, path, index.writer(heap_size=WRITER_HEAP * 4, num_threads=1)

    @_failures("written")
    def _add(self, writer, document: bytes) -> None:
        writer.add_json(document.decode())

    @_failures("written")
    def _add_all(self, writer, documents: Iterable[bytes]) -> None:
        for document in documents:
            writer.add_json(document.decode())

    @_failures("written")
    def _commit(self, writer) -> None:
        writer.commit()
        writer.wait_merging_threads()

    @_failures("swapped in")
    def _go_live(self, name: str) -> None:
        previous = self._pointer.read_text().strip() if self._pointer.exists() else None
        self._swap_to(name)
        self._remove_old_generations(keep={name, previous})

    def _remove_old_generations(self, keep: set) -> None:
        # The previous generation stays until the next swap: a process may still be reading it.
        for child in self.root.iterdir():
            if child.is_dir() and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    # --- reading ----------------------------------------------------------------------

    @_failures("read")
    def count(self) -> int:
        return _count(self._current().index.searcher(), "pk")

    @_failures("read")
    def describe(self) -> dict:
        generation = self._current()
        searcher = generation.index.searcher()
        return {
            "engine": self.name,
            "location": str(generation.path),
            "index": generation.name,
            "documents": _count(searcher, "pk"),
            "pages": _count(searcher, PAGE_OF),
        }

    # --- the people index -----------------------------------------------------------------

    def search_people(self, query: PeopleQuery) -> PeopleResult:
        return self.people.search(query)

    def update_people(self, documents: list[dict], removed: Iterable[int] = ()) -> None:
        self.people.update(documents, removed)

    def rebuild_people(self, documents: Iterable[dict]) -> int:
        return self.people.rebuild(documents)

    def count_people(self) -> int:
        return self.people.count()

    def _filters(self, schema, query: SearchQuery, skip: str | None = None) -> list:
        """The visitor's scope (language, audiences, view restrictions) and the facet filters."""
        clauses = [
            _any_of(schema, SCOPE_FIELD, [f"{query.locale}:{audience}" for audience in query.access]),
        ]
        clauses += _facet_clauses(schema, query, skip)
        filters = [(Occur.Must, Query.const_score_query(clause, 0.0)) for clause in clauses]
        if query.hidden:
            hidden = _any_of(schema, RESTRICTIONS_FIELD, [str(restriction) for restriction in query.hidden])
            filters.append((Occur.MustNot, hidden))
        return filters

    def _match_query(self, schema, terms: list[Term], fuzzy: bool):
        """Which records match: every term somewhere in the record's text (or as a whole keyword).

        One field, no scoring: cheap enough to count and facet every match.
        """
        required = []
        for term in terms:
            options = [Query.term_query(schema, KEYWORD_FIELD, term.keyword)]
            # Its syllables typed together ("longtong", "H'Mong"): a name's or a title's joined form.
            options += [Query.term_query(schema, field, term.joined) for field in JOINED_FIELDS]
            if term.is_compound:
                options.append(Query.phrase_query(schema, ALL_FIELD, term.folded))
                # Past the start of a document there are no positions: its parts anywhere in it.
                parts = [(Occur.Must, Query.term_query(schema, DOCUMENT_WORDS_FIELD, part)) for part in term.folded]
                options.append(Query.boolean_query(parts))
            else:
                word = term.folded[0]
                options.append(Query.term_query(schema, ALL_FIELD, word))
                options.append(Query.term_query(schema, DOCUMENT_WORDS_FIELD, word))
                if fuzzy and len(word) >= FUZZY_MIN_LENGTH:
                    distance = 2 if len(word) >= 8 else 1
                    options.append(Query.fuzzy_term_query(schema, ALL_FIELD, word, distance=distance))
                    options.append(Query.fuzzy_term_query(schema, DOCUMENT_WORDS_FIELD, word, distance=distance))
            required.append(Query.boolean_query([(Occur.Should, option) for option in options]))
        return Query.boolean_query([(Occur.Must, clause) for clause in required])

    def _ranking_query(self, schema, terms: list[Term]):
        """How matches rank: field weights, exact diacritics, whole keywords, the query as a title phrase."""
        clauses = []
        for term in terms:
            clauses.append(Query.boost_query(Query.term_query(schema, KEYWORD_FIELD, term.keyword), 20.0))
            for field, weight in JOINED_FIELDS.items():
                clauses.append(Query.boost_query(Query.term_query(schema, field, term.joined), weight))
            if term.is_compound:
                for field, weight in TEXT_FIELDS.items():
                    phrase = Query.phrase_query(schema, folded(field), term.folded)
                    clauses.append(Query.boost_query(phrase, weight))
                continue
            word, exact = term.folded[0], term.parts[0]
            # The whole text counts once; a title counts on top of that. (Scoring every text
            # field separately was measured at three times the cost for the same order.)
            clauses.append(Query.term_query(schema, ALL_FIELD, word))
            clauses.append(
                Query.boost_query(Query.term_query(schema, DOCUMENT_WORDS_FIELD, word), DOCUMENT_WORDS_WEIGHT)
            )
            clauses.append(Query.boost_query(Query.term_query(schema, "title_folded", word), TITLE_WEIGHT))
            if term.has_diacritics:
                # The word exactly as typed, diacritics included, ranks first.
                clauses.append(Query.boost_query(Query.term_query(schema, "title", exact), TITLE_WEIGHT * 1.5))
                clauses.append(Query.boost_query(Query.term_query(schema, "names", exact), 1.5))
        # The query as a title phrase, pair by pair: the whole phrase gets every pair's bonus.
        flat = [word for term in terms for word in term.folded]
        for pair in word_pairs(flat):
            clauses.append(Query.boost_query(Query.term_query(schema, TITLE_PAIRS, pair), PAIR_WEIGHT))
        exact = [word for term in terms for word in term.parts]
        if exact != flat:
            for pair in word_pairs(exact):
                clauses.append(Query.boost_query(Query.term_query(schema, TITLE_PAIRS_EXACT, pair), PAIR_WEIGHT / 2))
        return Query.boolean_query([(Occur.Should, clause) for clause in clauses])

    def _proximity_query(self, schema, terms: list[Term]):
        """The query as a phrase, or its words within three of each other, anywhere in the text."""
        flat = [word for term in terms for word in term.folded]
        if len(flat) < 2:
            return None
        # One sloppy phrase: it scores words side by side higher than words a few apart.
        return Query.boost_query(Query.phrase_query(schema, ALL_FIELD, flat, slop=3), 3.0)

    def _query(self, schema, query: SearchQuery, match, skip: str | None = None, ranking=None):
        clauses = self._filters(schema, query, skip)
        if match is not None:
            clauses.append((Occur.Must, Query.const_score_query(match, 0.0)))
        elif not clauses:
            clauses.append((Occur.Must, Query.all_query()))
        if ranking is not None:
            clauses.append((Occur.Should, ranking))
        return Query.boolean_query(clauses)

    @_failures("read")
    def search(self, query: SearchQuery) -> EngineResult:
        generation = self._current()
        version, searcher = generation.snapshot
        schema = generation.schema
        terms = query.terms
        key = (version, _query_key(query, terms))
        highlighted = terms if query.snippets else []
        answer = generation.answers.get(key)
        if answer is None:
            answer, hits = self._answer(schema, searcher, query, terms, highlighted, generation.answers, version)
            generation.answers.put(key, answer)
        else:
            hits = self._hits(schema, searcher, answer[2], highlighted)
        facets, count, _found, suggestion = answer
        return EngineResult(
            count=count,
            hits=hits,
            facets={name: dict(values) for name, values in facets.items()},
            suggestion=suggestion,
        )

    def _answer(self, schema, searcher, query: SearchQuery, terms: list[Term], highlighted, answers, version):
        """Facet counts, the count, the page of results (scores and addresses) and a suggestion;
        and the page's hits.

        The page and its hits are made on another thread while this one counts: tantivy lets go
        of the GIL while it searches and counts, so on two cores a search costs about the longer
        of the two rather than both.
        """

        def page_and_hits(match) -> tuple[list, list[Hit]]:
            found = self._page(schema, searcher, query, terms, match)
            return found, self._hits(schema, searcher, found, highlighted)

        match = self._match_query(schema, terms, fuzzy=False) if terms else None
        page = _in_background(page_and_hits, match)
        try:
            facets, count = self._facets_and_count(schema, searcher, query, terms, match, False, answers, version)
        finally:
            found, hits = page.result()
        if count == 0 and any(len(w) >= FUZZY_MIN_LENGTH for term in terms for w in term.folded):
            # Nothing matches as typed: tolerate typos in the longer words.
            match = self._match_query(schema, terms, fuzzy=True)
            facets, count = self._facets_and_count(schema, searcher, query, terms, match, True, answers, version)
            found, hits = page_and_hits(match) if count else ([], [])
        if query.offset >= count:
            found, hits = [], []
        suggestion = self._did_you_mean(schema, searcher, query, terms) if count == 0 and terms else ""
        return (facets, count, found, suggestion), hits

    def _page(self, schema, searcher, query: SearchQuery, terms: list[Term], match) -> list:
        """The requested page of matches (score, address), in the query's order."""
        sort = query.sort if terms or query.sort != "relevance" else "title"
        field, direction = ORDERINGS.get(sort, (None, Order.Desc))
        if field is None:
            return self._ranked(schema, searcher, query, terms, match)
        return searcher.search(
            self._query(schema, query, match),
            limit=query.limit,
            count=False,
            offset=query.offset,
            order_by_field=field,
            order=direction,
        ).hits

    def _ranked(self, schema, searcher, query: SearchQuery, terms: list[Term], match) -> list:
        """The page of results in relevance order, ranked in two steps.

        Phrase and proximity scoring over the whole text of every match of a common word
        would cost tens of milliseconds, so: first the best matches by field weights,
        exact diacritics, keywords and title phrase; then, among only those, the ones
        that have the query as a phrase or its words close together in the text move up.
        """
        window = max(RERANK_WINDOW, query.offset + query.limit)
        candidates = searcher.search(
            self._query(schema, query, match, ranking=self._ranking_query(schema, terms)), limit=window, count=False
        ).hits
        proximity = self._proximity_query(schema, terms)
        if not candidates or proximity is None:
            return candidates[query.offset : query.offset + query.limit]
        addresses = [address for _score, address in candidates]
        pks = searcher.fast_field_values("pk", addresses)
        within = Query.boolean_query(
            [
                (Occur.Must, Query.const_score_query(_any_of(schema, "pk", pks), 0.0)),
                (Occur.Must, proximity),
            ]
        )
        bonus = {
            (address.segment_ord, address.doc): score
            for score, address in searcher.search(within, limit=window, count=False).hits
        }
        rescored = [
            (score + bonus.get((address.segment_ord, address.doc), 0.0), address) for score, address in candidates
        ]
        rescored.sort(key=lambda item: -item[0])
        return rescored[query.offset : query.offset + query.limit]

    def _hits(self, schema, searcher, found, terms: list[Term]) -> list[Hit]:
        words = [word for term in terms for word in term.folded]
        hits = []
        for score, address in found:
            doc = searcher.doc(address)
            excerpt = _text(doc, EXCERPT_FIELD)
            snippet = highlight(excerpt, words, SNIPPET_CHARS) if words else ""
            hit = self._hit(doc)
            hit.snippet = snippet or escape(_leading(excerpt))
            hit.score = score if isinstance(score, float) else 0.0
            hits.append(hit)
        return hits

    @staticmethod
    def _hit(doc) -> Hit:
        return Hit(
            pk=doc.get_first("pk"),
            identifier=_text(doc, "identifier"),
            title=doc.get_first("title_folded"),
            url=_text(doc, "url"),
            type=doc.get_first("type"),
        )

    def _facets_and_count(self, schema, searcher, query, terms, match, fuzzy, answers, version) -> tuple[dict, int]:
        """Counts per facet value and in all: AND across facets, OR within one.

        A selected facet is counted without its own filter, so its other values stay visible:
        one more count per selected facet, over its own column only, made on other threads
        while this one counts the rest.
        """
        selected = [name for name in query.facets if query.filters.get(name)]
        plain = [name for name in query.facets if name not in selected]
        pending = {}
        for skip in selected:
            # Browsing one ethnic group after another asks the same question each time, so the
            # answer is remembered.
            others = {name: values for name, values in query.filters.items() if name != skip and values}
            key = (
                version,
                skip,
                fuzzy,
                tuple((term.keyword, tuple(term.folded)) for term in terms),
                query.locale,
                tuple(sorted(query.access)),
                tuple(sorted(query.hidden)),
                tuple(sorted((name, tuple(sorted(values))) for name, values in others.items())),
                _within_key(query.within),
            )
            counts = answers.get(key)
            if counts is None:
                pending[skip] = (key, _in_background(self._facet_counts, schema, searcher, query, match, skip))
            else:
                pending[skip] = (None, counts)
        try:
            aggregations = {TOTAL: {"value_count": {"field": "date"}}}  # every document has a date key
            if plain:
                aggregations.update(_ALL_FACETS_REQUEST)
            answer = searcher.aggregate(self._query(schema, query, match), aggregations)
        finally:
            done = {}
            for skip, (key, counts) in pending.items():
                done[skip] = (key, counts.result() if key is not None else counts)
        count = int(answer[TOTAL]["value"])
        facets = _split_facets(answer[ALL_FACETS], plain) if plain else {}
        for skip, (key, counts) in done.items():
            if key is not None:
                answers.put(key, counts)
            facets[skip] = dict(counts)
        return facets, count

    def _facet_counts(self, schema, searcher, query, match, name: str) -> dict[str, int]:
        """One facet's counts for the query without that facet's own filter."""
        field = _facet_field(name)
        answer = searcher.aggregate(
            self._query(schema, query, match, skip=name), {name: {"terms": {"field": field, "size": 100_000}}}
        )
        return _top(answer[name]["buckets"], FACETS[name].size)

    def _did_you_mean(self, schema, searcher, query: SearchQuery, terms: list[Term]) -> str:
        """The query with each word the visitor's documents lack replaced by the nearest one they hold.

        The term dictionaries (the whole index, deleted documents included) only propose words: a
        word is known, or offered, only if a search in the query's scope (language, audiences, view
        restrictions; never deleted documents) finds it, so no correction reveals a hidden record.
        """
        scope = query.scope

        def visible(word: str) -> int:
            # Every text field, titles included, and the words of documents past their start.
            found = _any_field(schema, (ALL_FIELD, DOCUMENT_WORDS_FIELD), word)
            return searcher.search(self._query(schema, scope, found), limit=1, count=True).count

        corrected, changed = [], False
        for term in terms:
            words = []
            for word in term.folded:
                if len(word) < 3 or visible(word):
                    words.append(word)
                    continue
                candidates = searcher.terms_with_prefix("title_folded", word[0], limit=5000)
                candidates += searcher.terms_with_prefix(ALL_FIELD, word[0], limit=5000)
                candidates += searcher.terms_with_prefix(DOCUMENT_WORDS_FIELD, word[0], limit=5000)
                better = nearest_visible(nearest_words(word, candidates)[:SPELLING_TRIES], visible)
                changed |= better is not None
                words.append(better or word)
            corrected.append(" ".join(words))
        return " ".join(corrected) if changed else ""

    @_failures("read")
    def suggest(self, prefix: str, scope: SearchQuery, limit: int = 6) -> Suggestions:
        generation = self._current()
        schema, searcher = generation.schema, generation.index.searcher()
        words = [word for term in SearchQuery(text=prefix).terms for word in term.folded]
        if not words:
            return Suggestions(titles=[], values={})
        base = scope.scope

        # A half-typed name with its syllables run together ("longt", "hmo"): the start of a joined form.
        joined = joined_prefix(words)

        def starting(field: str, joined_field: str):
            prefix = Query.phrase_prefix_query(schema, field, words)
            if joined is None:
                return prefix
            started = Query.regex_query(schema, joined_field, re.escape(joined) + ".*")
            return Query.boolean_query([(Occur.Should, prefix), (Occur.Should, started)])

        def titles() -> list[Hit]:
            prefix = starting("title_folded", "title_joined")
            found = searcher.search(self._query(schema, base, prefix, ranking=prefix), limit=limit, count=False)
            return [self._hit(searcher.doc(address)) for _score, address in found.hits]

        titles_found = _in_background(titles)  # while the names are counted here
        try:
            names_query = self._query(schema, base, starting("names_folded", "names_joined"))
            answer = searcher.aggregate(
                names_query,
                {name: {"terms": {"field": _facet_field(name), "size": 100_000}} for name in SUGGESTED_FACETS},
            )
        finally:
            hits = titles_found.result()
        values = {name: _top(answer[name]["buckets"], 50) for name in SUGGESTED_FACETS}
        return Suggestions(titles=hits, values=values)

    # --- pages ------------------------------------------------------------------------

    def _page_query(self, schema, query: SearchQuery, record_ids, match, ranking=None):
        """Pages in ``query``'s scope (language, audiences, restrictions, facet values), of
        ``record_ids`` (or any), that ``match`` (or all), scored by ``ranking``."""
        clauses = [_any_of(schema, PAGE_SCOPE_FIELD, [f"{query.locale}:{audience}" for audience in query.access])]
        if record_ids is not None:
            clauses.append(_any_of(schema, PAGE_OF, list(record_ids)))
        clauses += _facet_clauses(schema, query)
        if match is not None:
            clauses.append(match)
        filters = [(Occur.Must, Query.const_score_query(clause, 0.0)) for clause in clauses]
        if query.hidden:
            hidden = _any_of(schema, RESTRICTIONS_FIELD, [str(restriction) for restriction in query.hidden])
            filters.append((Occur.MustNot, hidden))
        if ranking is not None:
            filters.append((Occur.Should, ranking))
        return Query.boolean_query(filters)

    @staticmethod
    def _page_match(schema, terms: list[Term]):
        """Pages holding every term: a word folded, a compound ("101/KH-UBND") as a phrase."""
        required = []
        for term in terms:
            if term.is_compound:
                required.append(Query.phrase_query(schema, PAGE_TEXT, term.folded))
            else:
                required.append(Query.term_query(schema, PAGE_TEXT, term.folded[0]))
        return Query.boolean_query([(Occur.Must, clause) for clause in required])

    @staticmethod
    def _page_ranking(schema, terms: list[Term], proximity: bool = True):
        """Word frequencies in the page (BM25), and (``proximity``) the words side by side or close
        together: a phrase reads the positions of every page holding all the words, ten times the
        cost, so the best page of each hit (twenty records a search) goes without."""
        flat = [word for term in terms for word in term.folded]
        clauses = [Query.term_query(schema, PAGE_TEXT, word) for word in dict.fromkeys(flat)]
        if proximity and len(flat) > 1:
            clauses.append(Query.boost_query(Query.phrase_query(schema, PAGE_TEXT, flat, slop=3), 3.0))
        return Query.boolean_query([(Occur.Should, clause) for clause in clauses])

    def _page_hits(self, searcher, found, terms: list[Term]) -> list[PageHit]:
        words = [word for term in terms for word in term.folded]
        hits = []
        for score, address in found:
            doc = searcher.doc(address)
            text = _text(doc, PAGE_TEXT)
            snippet = highlight(text, words, SNIPPET_CHARS) if words else ""
            hits.append(
                PageHit(
                    pk=doc.get_first(PAGE_OF),
                    page=doc.get_first(PAGE_NUMBER),
                    original=doc.get_first(PAGE_ORIGINAL),
                    snippet=snippet or escape(_leading(text)),
                    score=score if isinstance(score, float) else 0.0,
                    document=doc.get_first(PAGE_SORT) // PAGE_SORT_STRIDE,
                )
            )
        return hits

    @_failures("read")
    def search_pages(self, query: SearchQuery, record_ids: Iterable[int] | None = None, order: str = "relevance"):
        generation = self._current()
        version, searcher = generation.snapshot
        schema = generation.schema
        terms = query.terms
        ids = None if record_ids is None else sorted(set(record_ids))
        if ids == []:
            return PageResult(count=0, hits=[])
        by_page = order == "page" or not terms
        key = ("pages", version, _query_key(query, terms), None if ids is None else tuple(ids), by_page)
        found = generation.answers.get(key)
        if found is None:
            match = self._page_match(schema, terms) if terms else None
            if by_page:
                answer = searcher.search(
                    self._page_query(schema, query, ids, match),
                    limit=query.limit,
                    offset=query.offset,
                    count=True,
                    order_by_field=PAGE_SORT,
                    order=Order.Asc,
                )
            else:
                ranking = self._page_ranking(schema, terms)
                answer = searcher.search(
                    self._page_query(schema, query, ids, match, ranking),
                    limit=query.limit,
                    offset=query.offset,
                    count=True,
                )
            found = (answer.count, answer.hits)
            generation.answers.put(key, found)
        count, addresses = found
        return PageResult(count=count, hits=self._page_hits(searcher, addresses, terms if query.snippets else []))

    @_failures("read")
    def best_pages(self, query: SearchQuery, record_ids: Iterable[int]) -> dict[int, PageHit]:
        terms = query.terms
        ids = sorted(set(record_ids))
        if not terms or not ids:
            return {}
        generation = self._current()
        version, searcher = generation.snapshot
        schema = generation.schema
        key = ("best-pages", version, _query_key(query, terms), tuple(ids))
        found = generation.answers.get(key)
        if found is None:
            match, ranking = self._page_match(schema, terms), self._page_ranking(schema, terms, proximity=False)

            def best_of(pks: list[int]) -> list:
                # One small search a record (its pages only): tantivy has no "best hit per group".
                hits = []
                for pk in pks:
                    query_pages = self._page_query(schema, query, [pk], match, ranking)
                    hits += searcher.search(query_pages, limit=1, count=False).hits
                return hits

            # Half the records on another thread: tantivy lets go of the GIL while it searches.
            half = (len(ids) + 1) // 2
            others = _in_background(best_of, ids[half:]) if len(ids) > 1 else None
            try:
                found = best_of(ids[:half])
            finally:
                found_others = others.result() if others is not None else []
            found += found_others
            generation.answers.put(key, found)
        return {hit.pk: hit for hit in self._page_hits(searcher, found, terms)}


_background: concurrent.futures.ThreadPoolExecutor | None = None
_background_lock = threading.Lock()


def _forget_background() -> None:
    global _background
    _background = None  # a forked child has none of its parent's threads


os.register_at_fork(after_in_child=_forget_background)


def _in_background(function, *args) -> concurrent.futures.Future:
    """Run ``function(*args)`` on the shared search thread pool (at once, where there is one core)."""
    global _background
    if (os.cpu_count() or 1) < 2:
        future = concurrent.futures.Future()
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future
    with _background_lock:
        if _background is None:
            _background = concurrent.futures.ThreadPoolExecutor(
                max_workers=os.cpu_count(), thread_name_prefix="search-page"
            )
    return _background.submit(function, *args)


def _any_of(schema, field: str, values: list):
    """Documents with any of ``values`` in ``field``. A term query, or a union of them: for a few
    values this is several times cheaper than tantivy's term-set query, which walks the field's
    term dictionary."""
    if len(values) == 1:
        return Query.term_query(schema, field, values[0])
    return Query.boolean_query([(Occur.Should, Query.term_query(schema, field, value)) for value in values])


def _any_field(schema, fields, word: str):
    """Documents with ``word`` in any of ``fields``."""
    return Query.boolean_query([(Occur.Should, Query.term_query(schema, field, word)) for field in fields])


def _query_key(query: SearchQuery, terms: list[Term]) -> tuple:
    """Everything that decides a search's answer, as a hashable value."""
    return (
        tuple((term.keyword, tuple(term.parts)) for term in terms),
        query.locale,
        tuple(sorted(query.access)),
        tuple(sorted(query.hidden)),
        tuple(sorted((name, tuple(sorted(values))) for name, values in query.filters.items() if values)),
        _within_key(query.within),
        query.sort,
        query.offset,
        query.limit,
        tuple(query.facets),
    )


def _within_key(within: dict[str, list[str]]) -> tuple:
    """``SearchQuery.within`` as a hashable value; a facet with no value (nothing kept) included."""
    return tuple(sorted((name, tuple(sorted(values))) for name, values in within.items()))


def _facet_clauses(schema, query: SearchQuery, skip: str | None = None) -> list:
    """The query's facet filters (but ``skip``'s) and the values it keeps ``within``: any value of
    a facet, every facet."""
    clauses = []
    for name, values in query.within.items():
        if name in FACETS:
            # A facet with no value at all keeps nothing (an empty union matches no document).
            clauses.append(_any_of(schema, FACET_VALUES_FIELD, [f"{name}={value}" for value in values]))
    for name, values in query.filters.items():
        if values and name != skip and name in FACETS:
            clauses.append(_any_of(schema, FACET_VALUES_FIELD, [f"{name}={value}" for value in values]))
    return clauses


def _count(searcher, field: str) -> int:
    """Documents with a value in the fast field ``field``: "pk" counts records, "page_of" pages."""
    return searcher.search(Query.exists_query(field), limit=1, count=True).count


def _split_facets(aggregation: dict, names) -> dict[str, dict[str, int]]:
    """Counts per facet from the "facet=value" buckets, each facet cut to its own size as its
    own terms aggregation would be (most frequent first, then by value)."""
    buckets: dict[str, list] = {name: [] for name in names}
    for bucket in aggregation["buckets"]:
        name, _sep, value = bucket["key"].partition("=")
        if name in buckets:
            buckets[name].append({"key": value, "doc_count": bucket["doc_count"]})
    return {name: _top(found, FACETS[name].size) for name, found in buckets.items()}


def _top(buckets: list[dict], size: int) -> dict[str, int]:
    """The ``size`` most frequent values of a terms aggregation, ties in value order."""
    found = sorted((-bucket["doc_count"], bucket["key"]) for bucket in buckets)
    return {value: -count for count, value in found[:size]}


def _text(doc, field: str) -> str:
    return doc.get_first(field) or ""


def _leading(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


# --- the people index (``search.people``) -----------------------------------------------------
# Its own folder beside the records' (``<SEARCH_INDEX_DIR>/experts``), generations swapped in as the
# records' are. One document per person and audience level; every query requires its level's term.

PEOPLE_SCHEMA_VERSION = "1"
PEOPLE_NAMES_WEIGHT = 3.0  # a word of a name counts this much more than one of the rest
PEOPLE_EXACT_WEIGHT = 1.5  # the word as typed, diacritics included, ranks first
PEOPLE_STORED = "stored"


def build_people_schema():
    builder = SchemaBuilder()
    builder.add_integer_field("pk", stored=True, indexed=True, fast=True)
    builder.add_text_field("level", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("sort", fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("names", "text"):
        builder.add_text_field(name, tokenizer_name=FOLDED)  # positions: a compound word is a phrase
        builder.add_text_field(f"{name}_exact", tokenizer_name=EXACT, index_option="freq")
    builder.add_text_field(FACET_VALUES_FIELD, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(PEOPLE_STORED, stored=True, tokenizer_name=STORED_ONLY, index_option="basic")
    return builder.build()


def _person_json(data: dict) -> str:
    return orjson.dumps({**people_fields(data), PEOPLE_STORED: orjson.dumps(data["stored"]).decode()}).decode()


class _PeopleIndex:
    """The people index of one embedded engine."""

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()
        self._generation: _Generation | None = None

    def _file_trouble(self, where, doing: str, reason: str) -> str:
        return (
            f"The people index at {where} could not be {doing}: {reason}. Check that SEARCH_INDEX_DIR "
            f"({self.root.parent}) is a folder this process may read and write."
        )

    def _current(self) -> _Generation:
        with self._lock:
            generation = self._generation
            try:
                try:
                    name = (self.root / "CURRENT").read_text().strip()
                except FileNotFoundError:
                    raise IndexNeedsRebuild(
                        f"There is no people index at {self.root} (the expert directory's). {REBUILD_HINT}"
                    ) from None
                if not name or "/" in name or name.startswith("."):
                    raise IndexNeedsRebuild(f"The people index pointer names no index ({name!r}). {REBUILD_HINT}")
                if generation is None or generation.name != name:
                    generation = _Generation(name, self.root / name, 0, PEOPLE_SCHEMA_VERSION)
                else:
                    generation.refresh()
            except BaseException:
                self._generation = None
                raise
            self._generation = generation
            return generation

    @_failures("written")
    def update(self, documents: list[dict], removed: Iterable[int] = ()) -> None:
        pks = {data["pk"] for data in documents} | set(removed)
        if not pks:
            return
        generation = self._current()
        try:
            writer = generation.index.writer(heap_size=15_000_000, num_threads=1)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                raise EngineUnavailable(
                    "The people index is being written by another process; the update will be retried."
                ) from exc
            raise
        try:
            for pk in pks:
                writer.delete_documents_by_term("pk", pk)
            for data in documents:
                writer.add_json(_person_json(data))
            writer.commit()
        except BaseException:
            _abandon(writer)
            raise
        writer.wait_merging_threads()
        with self._lock:
            generation.reload()

    @_failures("built")
    def rebuild(self, documents: Iterable[dict]) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        name = time.strftime("g%Y%m%d%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
        path = self.root / name
        path.mkdir()
        try:
            index = Index(build_people_schema(), path=str(path))
            (path / "SCHEMA_VERSION").write_text(PEOPLE_SCHEMA_VERSION)
            for tokenizer, analyzer in _analyzers().items():
                index.register_tokenizer(tokenizer, analyzer)
            writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
            count = 0
            try:
                for data in documents:
                    writer.add_json(_person_json(data))
                    count += 1
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                _abandon(writer)
                raise
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        pointer = self.root / "CURRENT"
        previous = pointer.read_text().strip() if pointer.exists() else None
        temporary = pointer.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(name)
        os.replace(temporary, pointer)
        for child in self.root.iterdir():
            if child.is_dir() and child.name not in {name, previous}:
                shutil.rmtree(child, ignore_errors=True)
        return count

    @_failures("read")
    def count(self) -> int:
        return _count(self._current().index.searcher(), "pk")

    @_failures("read")
    def search(self, query: PeopleQuery) -> PeopleResult:
        generation = self._current()
        _version, searcher = generation.snapshot
        schema = generation.schema
        terms = query.terms
        clauses = [Query.term_query(schema, "level", query.level)]
        clauses += [
            Query.term_query(schema, FACET_VALUES_FIELD, f"{name}={value}") for name, value in query.filters.items()
        ]
        if terms:
            clauses.append(self._match(schema, terms))
        filtered = [(Occur.Must, Query.const_score_query(clause, 0.0)) for clause in clauses]
        aggregations = {TOTAL: {"value_count": {"field": "pk"}}}
        if query.facets:
            aggregations.update(_ALL_FACETS_REQUEST)

        def page():
            if terms:
                ranked = Query.boolean_query([*filtered, (Occur.Should, self._ranking(schema, terms))])
                found = searcher.search(ranked, limit=query.limit, offset=query.offset, count=False)
            else:
                found = searcher.search(
                    Query.boolean_query(filtered),
                    limit=query.limit,
                    offset=query.offset,
                    count=False,
                    order_by_field="sort",
                    order=Order.Asc,
                )
            return [orjson.loads(searcher.doc(address).get_first(PEOPLE_STORED)) for _score, address in found.hits]

        hits = _in_background(page)  # while this thread counts
        try:
            answer = searcher.aggregate(Query.boolean_query(filtered), aggregations)
        finally:
            stored = hits.result()
        count = int(answer[TOTAL]["value"])
        facets = {name: {} for name in query.facets}
        if query.facets:
            for bucket in answer[ALL_FACETS]["buckets"]:
                name, _sep, value = bucket["key"].partition("=")
                if name in facets:
                    facets[name][value] = bucket["doc_count"]
        return PeopleResult(count=count, hits=stored, facets=facets)

    @staticmethod
    def _match(schema, terms: list[Term]):
        """Every term in a name or the rest of the text, folded; the last one may be half typed."""
        required = []
        for position, term in enumerate(terms):
            options = []
            for field in ("names", "text"):
                if term.is_compound:
                    options.append(Query.phrase_query(schema, field, term.folded))
                else:
                    options.append(Query.term_query(schema, field, term.folded[0]))
                if position == len(terms) - 1:
                    # Its last word as the start of a word (for one word, six times cheaper than a regex).
                    options.append(Query.phrase_prefix_query(schema, field, term.folded))
            required.append(Query.boolean_query([(Occur.Should, option) for option in options]))
        return Query.boolean_query([(Occur.Must, clause) for clause in required])

    @staticmethod
    def _ranking(schema, terms: list[Term]):
        clauses = []
        for term in terms:
            for word, exact in zip(term.folded, term.parts, strict=False):
                clauses.append(Query.term_query(schema, "text", word))
                clauses.append(Query.boost_query(Query.term_query(schema, "names", word), PEOPLE_NAMES_WEIGHT))
                if word != exact:
                    for field in ("names_exact", "text_exact"):
                        clauses.append(Query.boost_query(Query.term_query(schema, field, exact), PEOPLE_EXACT_WEIGHT))
        return Query.boolean_query([(Occur.Should, clause) for clause in clauses])
