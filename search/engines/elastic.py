"""The Elasticsearch engine, for when one machine is not enough (``ELASTICSEARCH_URL``).

Searches go to the alias ``<prefix>-records``, and searches of the pages of records' documents
(PDFs; ``search.documents.page_documents``) to ``<prefix>-records-pages``; a rebuild fills a new
concrete index for each (``<prefix>-records-<time>``, ``<prefix>-records-pages-<time>``) and
moves both aliases in one atomic call, so searches keep answering throughout. Both mappings carry
``MAPPING_VERSION`` in their ``_meta``: an index of another version is reported as needing a
rebuild, like a missing one. Only a rebuild creates an index: where the alias is missing (a cluster
that lost its data, a new cluster) searches and updates raise :class:`IndexNeedsRebuild`, and
updates are sent with ``require_alias`` so that Elasticsearch never makes an index of them.
Queries are built with ``elasticsearch.dsl``; they mirror the embedded engine's (see
``embedded.py``) so both rank and count alike.
"""

import contextlib
import itertools
import time
from collections.abc import Iterable
from html import escape

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.dsl import Index, Mapping, Q, Search, analyzer, char_filter, normalizer
from elasticsearch.helpers import BulkIndexError, streaming_bulk

from search.analysis import normalise
from search.documents import (
    DOCUMENT_WORDS_FIELD,
    EXACT_FIELDS,
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

FUZZY_FIELDS = ("title", "names", "content", DOCUMENT_WORDS_FIELD)
SPELLING_FIELDS = ("title", "content", DOCUMENT_WORDS_FIELD)  # the term suggester proposes words from these
# The words of a record's documents past their start (``search.documents.document_text``), weighed
# below the record's own text, as in the embedded engine.
DOCUMENT_WORDS_WEIGHT = 0.5
SPELLING_TRIES = 20  # nearest words checked against what the visitor may see, per misspelt word
ORDERINGS = {"date": {"date": "desc"}, "oldest": {"date_asc": "asc"}, "title": {"title_sort": "asc"}}
# Bump when a mapping or what goes into it changes: an index of another version is reported as
# needing a rebuild (the task worker's repair, or `manage.py search_index rebuild`).
MAPPING_VERSION = "4"
REBUILD_HINT = (
    "The task worker rebuilds it from the database when it next runs; `manage.py search_index rebuild` does it now."
)
SCHEMA_CHECK_SECONDS = 30  # how long a process trusts the versions it read

# Split words where tantivy's tokenizer does (apostrophes, underscores, dots), then lowercase.
_split = char_filter(
    "vi_split", type="mapping", mappings=["' => \\u0020", "’ => \\u0020", "_ => \\u0020", ". => \\u0020"]
)
VI_EXACT = analyzer("vi_exact", tokenizer="standard", char_filter=[_split], filter=["lowercase"])
VI_FOLDED = analyzer("vi_folded", tokenizer="standard", char_filter=[_split], filter=["lowercase", "asciifolding"])
KEYWORD_LOWER = normalizer("vi_keyword", filter=["lowercase"])


def _mapping() -> Mapping:
    mapping = Mapping()
    mapping.meta("_meta", {"schema_version": MAPPING_VERSION})
    mapping.field("pk", "integer")
    mapping.field("restrictions", "integer")  # ids of the view restrictions covering the record
    for name in ("identifier", "url", "locale", "access", "title_sort"):
        mapping.field(name, "keyword")
    for name in TEXT_FIELDS:
        mapping.field(name, "text", analyzer=VI_FOLDED)  # as written, folded
        if name in EXACT_FIELDS:
            mapping.field(f"{name}_exact", "text", analyzer=VI_EXACT)  # tone marks normalised, kept
    mapping.field(KEYWORD_FIELD, "keyword", normalizer=KEYWORD_LOWER)
    for name in JOINED_FIELDS:  # "longtong", "hmong": each a whole term (``search.analysis.joined_forms``)
        mapping.field(name, "keyword")
    # The rest of a record's documents, each word once: only looked up (no positions, frequencies or norms).
    mapping.field(DOCUMENT_WORDS_FIELD, "text", analyzer=VI_FOLDED, index_options="docs", norms=False)
    mapping.field("date", "integer")
    mapping.field("date_asc", "integer")
    for facet in FACETS.values():
        mapping.field(facet.field, "keyword")
    return mapping


def _pages_mapping() -> Mapping:
    mapping = Mapping()
    mapping.meta("_meta", {"schema_version": MAPPING_VERSION})
    for name in ("record", "original", "page", "page_sort", "restrictions"):
        mapping.field(name, "integer")
    for name in ("identifier", "locale", "access", "type"):
        mapping.field(name, "keyword")
    for facet in FACETS.values():
        mapping.field(facet.field, "keyword")
    mapping.field("text", "text", analyzer=VI_FOLDED)  # as written, folded, like a record's content
    return mapping


def _page_source(page: dict) -> dict:
    body = {name: page[name] for name in ("record", "original", "page", "page_sort", "identifier", "locale")}
    body.update(access=page["access"], restrictions=list(page["restrictions"]), type=page["type"], text=page["text"])
    for facet in FACETS.values():
        body[facet.field] = page[facet.field]
    return body


def _page_id(page: dict) -> str:
    return f"{page['record']}:{page['original']}:{page['page']}"


def _source(data: dict) -> dict:
    body = {name: data[name] for name in ("pk", "identifier", "url", "locale", "access", "title_sort")}
    body["restrictions"] = list(data["restrictions"])
    for name in TEXT_FIELDS:
        value = data[name] if isinstance(data[name], list) else [data[name]]
        body[name] = "\n".join(value)
        if name in EXACT_FIELDS:
            body[f"{name}_exact"] = normalise(body[name])
    body[KEYWORD_FIELD] = [normalise(keyword) for keyword in data[KEYWORD_FIELD]]
    for name in JOINED_FIELDS:
        body[name] = data[name]
    if data.get(DOCUMENT_WORDS_FIELD):
        body[DOCUMENT_WORDS_FIELD] = data[DOCUMENT_WORDS_FIELD]
    body["date"] = data.get("date") or NO_DATE_DESC
    body["date_asc"] = data.get("date") or NO_DATE_ASC
    for facet in FACETS.values():
        body[facet.field] = data[facet.field]
    return body


class ElasticsearchEngine(SearchEngine):
    name = "elasticsearch"

    def __init__(self, url: str, prefix: str = "heritage", client: Elasticsearch | None = None, timeout: float = 5.0):
        self.url = url
        self.alias = f"{prefix}-records"
        self.pages_alias = f"{self.alias}-pages"
        self.client = client or Elasticsearch(url, request_timeout=timeout, retry_on_timeout=False, max_retries=1)
        self._schema_checked_at = None

    # --- errors and the index --------------------------------------------------------

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except NotFoundError as exc:
            if _error_type(exc) == "index_not_found_exception":
                raise self._missing() from exc
            raise EngineUnavailable(f"Elasticsearch at {self._safe_url()} answered: {_describe(exc)}") from exc
        except (TransportError, ApiError, BulkIndexError) as exc:
            raise EngineUnavailable(f"Elasticsearch at {self._safe_url()} did not answer: {_describe(exc)}") from exc

    def _guarded(self, iterable):
        """``iterable``'s items, its failures made :class:`EngineUnavailable` as :meth:`_call` does."""
        iterator = iter(iterable)
        while True:
            try:
                item = self._call(next, iterator)
            except StopIteration:
                return
            yield item

    def _missing(self) -> IndexNeedsRebuild:
        return IndexNeedsRebuild(
            f"Elasticsearch at {self._safe_url()} has no index {self.alias} (a new or emptied cluster). The task "
            "worker rebuilds it from the database when it next runs; `manage.py search_index rebuild` does it now."
        )

    def _safe_url(self) -> str:
        # Never print credentials that may be part of the URL.
        return self.url.split("@")[-1] if self.url else "(client)"

    def _new_index(self, alias: str | None = None, mapping: Mapping | None = None) -> str:
        alias = alias or self.alias
        name = f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 1_000_000:06d}"
        index = Index(name, using=self.client)
        index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=10_000)
        index.mapping(mapping or _mapping())
        self._call(self.client.indices.create, index=name, **index.to_dict())
        return name

    def _aliased_indices(self, alias: str | None = None) -> list[str]:
        try:
            return list(self._call(self.client.indices.get_alias, name=alias or self.alias).body)
        except EngineUnavailable as exc:
            if isinstance(exc.__cause__, NotFoundError):
                return []
            raise

    def _check_schema(self, force: bool = False) -> None:
        """Raise :class:`IndexNeedsRebuild` unless both aliases name indices of this mapping version.

        Read at most every ``SCHEMA_CHECK_SECONDS`` per process (and at each write and status)."""
        now = time.monotonic()
        if not force and self._schema_checked_at is not None and now - self._schema_checked_at < SCHEMA_CHECK_SECONDS:
            return
        for alias in (self.alias, self.pages_alias):
            try:
                mappings = self._call(self.client.indices.get_mapping, index=alias).body
            except IndexNeedsRebuild:
                if alias == self.alias:
                    raise
                raise IndexNeedsRebuild(
                    f"Elasticsearch at {self._safe_url()} has no index {alias} (the pages of records' documents, "
                    f"which a rebuild by this version of the site makes). {REBUILD_HINT}"
                ) from None
            for name, body in mappings.items():
                version = str((body.get("mappings", {}).get("_meta") or {}).get("schema_version", "1"))
                if version != MAPPING_VERSION:
                    raise IndexNeedsRebuild(
                        f"The search index {name} at {self._safe_url()} was built by another version of the site "
                        f"(mapping version {version}, expected {MAPPING_VERSION}). {REBUILD_HINT}"
                    )
        self._schema_checked_at = now

    # --- writing ----------------------------------------------------------------------

    def update(self, documents: list[dict], removed: Iterable[int] = ()) -> None:
        removed = list(removed)
        touched = sorted({doc["pk"] for doc in documents} | set(removed))
        if not touched:
            return
        self._check_schema(force=True)
        # The records' pages go first (those of changed records are written again below). Missing,
        # the pages alias answers index_not_found: a rebuild is needed, not an index made here.
        self._call(
            self.client.delete_by_query,
            index=self.pages_alias,
            query={"terms": {"record": touched}},
            refresh=True,
            conflicts="proceed",
        )
        records = [{"_op_type": "index", "_index": self.alias, "_id": doc["pk"], **_source(doc)} for doc in documents]
        records += [{"_op_type": "delete", "_index": self.alias, "_id": pk} for pk in removed]
        pages = (
            {"_op_type": "index", "_index": self.pages_alias, "_id": _page_id(page), **_page_source(page)}
            for page in page_documents(documents)
        )
        # require_alias: where the alias is missing, Elasticsearch would otherwise make an index
        # holding these documents alone.
        stream = streaming_bulk(
            self.client,
            itertools.chain(records, pages),
            refresh="wait_for",
            raise_on_error=False,
            require_alias=True,
        )
        failures = [item for ok, item in self._call(list, stream) if not ok and not _is_missing_delete(item)]
        if any(_item_error_type(item) == "index_not_found_exception" for item in failures):
            raise self._missing()
        if failures:
            raise EngineUnavailable(f"Elasticsearch refused {len(failures)} index updates: {failures[0]}")

    def prepare(self, document: dict) -> dict | tuple[dict, list[dict]]:
        """The record's source; where it has pages, with their sources. This runs where the documents
        are made (``search.feed``: a process of its own in a rebuild), so reading the pages' texts is
        not the indexing process's work."""
        prepared = {"_id": document["pk"], **_source(document)}
        seed = page_seed(document)
        if seed is None:
            return prepared
        return prepared, [{"_id": _page_id(page), **_page_source(page)} for page in page_documents([seed])]

    def rebuild(self, documents: Iterable[dict | tuple[dict, list[dict]]], progress: Progress | None = None) -> int:
        name = self._new_index()
        made = [name]
        count = 0

        def actions(pages_index: str):
            nonlocal count
            for data in documents:
                count += 1
                if progress and count % 500 == 0:
                    progress(count)
                data, pages = data if isinstance(data, tuple) else (data, ())
                yield {"_op_type": "index", "_index": name, **data}
                for page in pages:
                    yield {"_op_type": "index", "_index": pages_index, **page}

        try:
            pages_name = self._new_index(self.pages_alias, _pages_mapping())
            made.append(pages_name)
            stream = streaming_bulk(self.client, actions(pages_name), chunk_size=1000, raise_on_error=False)
            for ok, item in self._guarded(stream):
                if not ok:
                    raise EngineUnavailable(f"Elasticsearch refused a document: {item}")
            self._call(self.client.indices.refresh, index=",".join(made))
        except BaseException:
            # The failure being raised is the one to report; a leftover index is harmless.
            with contextlib.suppress(TransportError, ApiError):
                self.client.indices.delete(index=",".join(made), ignore_unavailable=True)
            raise
        swap, retired = [], []
        for alias, index in ((self.alias, name), (self.pages_alias, pages_name)):
            old = self._aliased_indices(alias)
            if not old and self._call(self.client.indices.exists, index=alias):
                # An index, not an alias, by the alias's name: made by a write while the alias was missing.
                self._call(self.client.indices.delete, index=alias)
            swap += [{"remove": {"index": previous, "alias": alias}} for previous in old]
            swap.append({"add": {"index": index, "alias": alias}})
            retired += old
        self._call(self.client.indices.update_aliases, actions=swap)
        for index in retired:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        self._schema_checked_at = None
        if progress:
            progress(count)
        return count

    # --- reading ----------------------------------------------------------------------

    def count(self) -> int:
        self._check_schema()
        return self._call(self.client.count, index=self.alias)["count"]

    def describe(self) -> dict:
        indices = self._aliased_indices()
        if not indices:
            raise self._missing()
        self._check_schema(force=True)
        return {
            "engine": self.name,
            "location": self._safe_url(),
            "index": ", ".join(indices),
            "documents": self.count(),
            "pages": self._call(self.client.count, index=self.pages_alias)["count"],
        }

    # --- the people index (see the end of this module) --------------------------------

    @property
    def people_alias(self) -> str:
        return self.alias.removesuffix("-records") + "-experts"

    def _people_missing(self) -> IndexNeedsRebuild:
        return IndexNeedsRebuild(
            f"Elasticsearch at {self._safe_url()} has no index {self.people_alias} (the expert directory's). "
            f"{REBUILD_HINT}"
        )

    def _people_call(self, function, *args, **kwargs):
        try:
            return self._call(function, *args, **kwargs)
        except IndexNeedsRebuild:
            raise self._people_missing() from None

    def search_people(self, query: PeopleQuery) -> PeopleResult:
        terms = query.terms
        filters = [Q("term", level=query.level)]
        filters += [Q("term", facet_values=f"{name}={value}") for name, value in query.filters.items()]
        must = _people_match(terms) if terms else [Q("match_all")]
        search = Search(using=self.client, index=self.people_alias).query(
            Q("bool", filter=filters, must=must, should=_people_ranking(terms) if terms else [])
        )
        if query.facets:
            search.aggs.bucket("facets", "terms", field="facet_values", size=10_000)
        if not terms:
            search = search.sort({"sort": "asc"})
        search = search.source(["stored"]).extra(track_total_hits=True)[query.offset : query.offset + query.limit]
        response = self._people_call(search.execute)
        facets = {name: {} for name in query.facets}
        if query.facets:
            for bucket in response.aggregations["facets"]["buckets"]:
                name, _sep, value = bucket["key"].partition("=")
                if name in facets:
                    facets[name][value] = bucket["doc_count"]
        hits = [hit.to_dict()["stored"] for hit in response.hits]
        return PeopleResult(count=response.hits.total.value, hits=hits, facets=facets)

    def update_people(self, documents: list[dict], removed: Iterable[int] = ()) -> None:
        touched = sorted({data["pk"] for data in documents} | set(removed))
        if not touched:
            return
        self._people_call(
            self.client.delete_by_query,
            index=self.people_alias,
            query={"terms": {"pk": touched}},
            refresh=True,
            conflicts="proceed",
        )
        actions = [
            {"_op_type": "index", "_index": self.people_alias, "_id": data["id"], **_person_source(data)}
            for data in documents
        ]
        if not actions:
            return
        stream = streaming_bulk(self.client, actions, refresh="wait_for", raise_on_error=False, require_alias=True)
        failures = [item for ok, item in self._people_call(list, stream) if not ok]
        if any(_item_error_type(item) == "index_not_found_exception" for item in failures):
            raise self._people_missing()
        if failures:
            raise EngineUnavailable(f"Elasticsearch refused {len(failures)} people index updates: {failures[0]}")

    def rebuild_people(self, documents: Iterable[dict]) -> int:
        alias = self.people_alias
        name = self._new_index(alias, _people_mapping())
        count = 0

        def actions():
            nonlocal count
            for data in documents:
                count += 1
                yield {"_op_type": "index", "_index": name, "_id": data["id"], **_person_source(data)}

        try:
            for ok, item in self._guarded(
                streaming_bulk(self.client, actions(), chunk_size=1000, raise_on_error=False)
            ):
                if not ok:
                    raise EngineUnavailable(f"Elasticsearch refused a people document: {item}")
            self._call(self.client.indices.refresh, index=name)
        except BaseException:
            with contextlib.suppress(TransportError, ApiError):
                self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        old = self._aliased_indices(alias)
        if not old and self._call(self.client.indices.exists, index=alias):
            self._call(self.client.indices.delete, index=alias)
        swap = [{"remove": {"index": previous, "alias": alias}} for previous in old]
        swap.append({"add": {"index": name, "alias": alias}})
        self._call(self.client.indices.update_aliases, actions=swap)
        for index in old:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        return count

    def count_people(self) -> int:
        return self._people_call(self.client.count, index=self.people_alias)["count"]

    def _filters(self, query: SearchQuery) -> list:
        """The visitor's scope: language, audience keys held, view restrictions failed; and the facet
        values the query keeps ``within``."""
        filters = [Q("term", locale=query.locale), Q("terms", access=list(query.access))]
        if query.hidden:
            filters.append(Q("bool", must_not=[Q("terms", restrictions=list(query.hidden))]))
        filters += [self._facet_filter(name, values) for name, values in query.within.items() if name in FACETS]
        return filters

    def _facet_filter(self, name: str, values: list[str]):
        return Q("terms", **{FACETS[name].field: list(values)})

    def _text_query(self, terms: list[Term], fuzzy: bool = False):
        required = [Q("bool", should=self._term_alternatives(term, fuzzy), minimum_should_match=1) for term in terms]
        bonus = []
        flat = " ".join(word for term in terms for word in term.folded)
        if len(flat.split()) > 1:
            bonus += [
                Q("match_phrase", title={"query": flat, "boost": 8.0}),
                Q("match_phrase", names={"query": flat, "boost": 3.0}),
                Q("match_phrase", content={"query": flat, "boost": 3.0}),
                Q("match_phrase", content={"query": flat, "slop": 3, "boost": 1.5}),
            ]
            exact = " ".join(word for term in terms for word in term.parts)
            if exact != flat:
                bonus.append(Q("match_phrase", title_exact={"query": exact, "boost": 4.0}))
        return Q("bool", must=required, should=bonus)

    def _term_alternatives(self, term: Term, fuzzy: bool) -> list:
        alternatives = [Q("term", **{KEYWORD_FIELD: {"value": term.keyword, "boost": 20.0}})]
        # Its syllables typed together ("longtong", "H'Mong"): a name's or a title's joined form.
        alternatives += [
            Q("term", **{field: {"value": term.joined, "boost": weight}}) for field, weight in JOINED_FIELDS.items()
        ]
        if term.is_compound:
            text = " ".join(term.folded)
            alternatives += [
                Q("match_phrase", **{field: {"query": text, "boost": weight}}) for field, weight in TEXT_FIELDS.items()
            ]
            # Past the start of a document there are no positions: its parts anywhere in it.
            words = {"query": text, "operator": "and", "boost": DOCUMENT_WORDS_WEIGHT}
            alternatives.append(Q("match", **{DOCUMENT_WORDS_FIELD: words}))
            return alternatives
        word, exact = term.folded[0], term.parts[0]
        for field, weight in TEXT_FIELDS.items():
            alternatives.append(Q("match", **{field: {"query": word, "boost": weight}}))
            if term.has_diacritics and field in EXACT_FIELDS:
                alternatives.append(Q("match", **{f"{field}_exact": {"query": exact, "boost": weight * 1.5}}))
        alternatives.append(Q("match", **{DOCUMENT_WORDS_FIELD: {"query": word, "boost": DOCUMENT_WORDS_WEIGHT}}))
        if fuzzy and len(word) >= FUZZY_MIN_LENGTH:
            distance = 2 if len(word) >= 8 else 1
            alternatives += [
                Q("fuzzy", **{field: {"value": word, "fuzziness": distance, "boost": 0.2}}) for field in FUZZY_FIELDS
            ]
        return alternatives

    def _search(self) -> Search:
        return Search(using=self.client, index=self.alias)

    def search(self, query: SearchQuery) -> EngineResult:
        self._check_schema()
        result = self._search_once(query, fuzzy=False)
        terms = query.terms
        if result.count == 0 and any(len(w) >= FUZZY_MIN_LENGTH for term in terms for w in term.folded):
            # Nothing matches as typed: tolerate typos in the longer words.
            result = self._search_once(query, fuzzy=True)
        if result.count == 0 and terms:
            result.suggestion = self._did_you_mean(query, terms)
        return result

    def _search_once(self, query: SearchQuery, fuzzy: bool) -> EngineResult:
        terms = query.terms
        text_query = self._text_query(terms, fuzzy) if terms else Q("match_all")
        facet_filters = {
            name: self._facet_filter(name, values)
            for name, values in query.filters.items()
            if values and name in FACETS
        }
        search = self._search().query(Q("bool", must=[text_query], filter=self._filters(query)))
        if facet_filters:
            # Hits obey every facet; each facet's counts obey all the others (OR within, AND across).
            search = search.post_filter(Q("bool", filter=list(facet_filters.values())))
        for name in query.facets:
            others = [clause for other, clause in facet_filters.items() if other != name]
            search.aggs.bucket(name, "filter", Q("bool", filter=others)).bucket("values", FACETS[name].aggregation())
        sort = query.sort if terms or query.sort != "relevance" else "title"
        if sort in ORDERINGS:
            search = search.sort(ORDERINGS[sort])
        if terms and query.snippets:
            search = search.highlight(
                SNIPPET_FIELD, fragment_size=SNIPPET_CHARS, number_of_fragments=1, no_match_size=SNIPPET_CHARS
            ).highlight_options(encoder="html", pre_tags=["<mark>"], post_tags=["</mark>"])
        search = search.source(["pk", "identifier", "title", "url", "type", SNIPPET_FIELD]).extra(track_total_hits=True)
        search = search[query.offset : query.offset + query.limit]
        response = self._call(search.execute)
        hits = [self._hit(hit) for hit in response.hits]
        facets = {}
        for name in query.facets:
            buckets = response.aggregations[name]["values"]["buckets"]
            facets[name] = {bucket["key"]: bucket["doc_count"] for bucket in buckets}
        return EngineResult(count=response.hits.total.value, hits=hits, facets=facets)

    def _hit(self, hit) -> Hit:
        fragments = getattr(getattr(hit.meta, "highlight", None), SNIPPET_FIELD, None)
        snippet = " ".join(fragments[0].split()) if fragments else ""
        if not snippet:
            text = " ".join((getattr(hit, SNIPPET_FIELD, "") or "").split())
            snippet = escape(text[:SNIPPET_CHARS])
        return Hit(
            pk=hit.pk,
            identifier=hit.identifier,
            title=hit.title,
            url=hit.url,
            type=hit.type,
            snippet=snippet,
            score=hit.meta.score or 0.0,
        )

    def _did_you_mean(self, query: SearchQuery, terms: list[Term]) -> str:
        """The query with each word the visitor's documents lack replaced by the nearest one they hold.

        The term suggester (the whole index, deleted documents included) only proposes words; one
        more request counts, in the query's scope, the documents holding each typed word and each
        proposal, and only a word the visitor can find is known or offered.
        """
        words = [word for term in terms for word in term.folded]
        search = self._search().extra(size=0)
        for field in SPELLING_FIELDS:
            options = {"field": field, "suggest_mode": "always", "size": SPELLING_TRIES}
            search = search.suggest(field, " ".join(words), term=options)
        response = self._call(search.execute)
        proposed: dict[str, list[tuple[str, int]]] = {word: [] for word in words}
        for field in SPELLING_FIELDS:
            for entry in response.suggest[field]:
                if entry.text in proposed:
                    proposed[entry.text] += [(option.text, option.freq) for option in entry.options]
        ranked = {word: nearest_words(word, found)[:SPELLING_TRIES] for word, found in proposed.items()}
        # Each typed word in any text field; each proposal in the fields it was drawn from.
        known_in = (*TEXT_FIELDS, DOCUMENT_WORDS_FIELD)
        checks = {f"known:{word}": [Q("term", **{field: word}) for field in known_in] for word in proposed}
        for nearest in ranked.values():
            for _distance, word in nearest:
                checks[f"fix:{word}"] = [Q("term", **{field: word}) for field in SPELLING_FIELDS]
        counts = self._visible_counts(query.scope, checks)
        corrected, changed = [], False
        for word in words:
            better = None
            if len(word) >= 3 and not counts[f"known:{word}"]:
                better = nearest_visible(ranked[word], lambda candidate: counts[f"fix:{candidate}"])
            changed |= better is not None
            corrected.append(better or word)
        return " ".join(corrected) if changed else ""

    def _visible_counts(self, scope: SearchQuery, checks: dict[str, list]) -> dict[str, int]:
        """For each named check (queries, any of which may match), how many documents in ``scope`` match it."""
        search = self._search().query(Q("bool", filter=self._filters(scope))).extra(size=0)
        filters = {name: Q("bool", should=queries, minimum_should_match=1) for name, queries in checks.items()}
        search.aggs.bucket("visible", "filters", filters=filters)
        buckets = self._call(search.execute).aggregations["visible"]["buckets"]
        return {name: buckets[name]["doc_count"] for name in checks}

    def suggest(self, prefix: str, scope: SearchQuery, limit: int = 6) -> Suggestions:
        self._check_schema()
        words = " ".join(word for term in SearchQuery(text=prefix).terms for word in term.folded)
        if not words:
            return Suggestions(titles=[], values={})
        filters = self._filters(scope.scope)
        # A half-typed name with its syllables run together ("longt", "hmo"): the start of a joined form.
        joined = joined_prefix(words.split())

        def starting(field: str, joined_field: str):
            prefix = Q("match_phrase_prefix", **{field: words})
            if joined is None:
                return prefix
            return Q("bool", should=[prefix, Q("prefix", **{joined_field: joined})], minimum_should_match=1)

        titles = self._search().query(Q("bool", must=[starting("title", "title_joined")], filter=filters))
        titles = titles.source(["pk", "identifier", "title", "url", "type"])[:limit]
        names = self._search().query(Q("bool", must=[starting("names", "names_joined")], filter=filters))
        names = names.extra(size=0)
        for name in SUGGESTED_FACETS:
            names.aggs.bucket(name, "terms", field=FACETS[name].field, size=50)
        title_response = self._call(titles.execute)
        names_response = self._call(names.execute)
        values = {
            name: {bucket["key"]: bucket["doc_count"] for bucket in names_response.aggregations[name]["buckets"]}
            for name in SUGGESTED_FACETS
        }
        return Suggestions(titles=[self._hit(hit) for hit in title_response.hits], values=values)

    # --- pages ------------------------------------------------------------------------

    def _pages(self) -> Search:
        return Search(using=self.client, index=self.pages_alias)

    def _page_filters(self, query: SearchQuery, record_ids) -> list:
        filters = self._filters(query)
        if record_ids is not None:
            filters.append(Q("terms", record=list(record_ids)))
        filters += [
            self._facet_filter(name, values) for name, values in query.filters.items() if values and name in FACETS
        ]
        return filters

    @staticmethod
    def _page_text_query(terms: list[Term]):
        """Every term in the page (a compound one as a phrase), scored; words close together score more."""
        required = [
            Q("match_phrase", text=" ".join(term.folded)) if term.is_compound else Q("match", text=term.folded[0])
            for term in terms
        ]
        flat = " ".join(word for term in terms for word in term.folded)
        bonus = [Q("match_phrase", text={"query": flat, "slop": 3, "boost": 3.0})] if len(flat.split()) > 1 else []
        return Q("bool", must=required, should=bonus)

    def _page_search(self, query: SearchQuery, record_ids, terms: list[Term]) -> Search:
        text_query = self._page_text_query(terms) if terms else Q("match_all")
        search = self._pages().query(Q("bool", must=[text_query], filter=self._page_filters(query, record_ids)))
        if terms and query.snippets:
            search = search.highlight(
                "text", fragment_size=SNIPPET_CHARS, number_of_fragments=1, no_match_size=SNIPPET_CHARS
            ).highlight_options(encoder="html", pre_tags=["<mark>"], post_tags=["</mark>"])
        return search.source(["text", "page_sort"])

    def search_pages(
        self, query: SearchQuery, record_ids: Iterable[int] | None = None, order: str = "relevance"
    ) -> PageResult:
        self._check_schema()
        terms = query.terms
        ids = None if record_ids is None else sorted(set(record_ids))
        if ids == []:
            return PageResult(count=0, hits=[])
        search = self._page_search(query, ids, terms).extra(track_total_hits=True)
        if order == "page" or not terms:
            search = search.sort({"record": "asc"}, {"page_sort": "asc"})
        response = self._call(search[query.offset : query.offset + query.limit].execute)
        return PageResult(count=response.hits.total.value, hits=[_page_hit(hit) for hit in response.hits])

    def best_pages(self, query: SearchQuery, record_ids: Iterable[int]) -> dict[int, PageHit]:
        terms = query.terms
        ids = sorted(set(record_ids))
        if not terms or not ids:
            return {}
        self._check_schema()
        # One hit a record: its best page.
        search = self._page_search(query, ids, terms).extra(collapse={"field": "record"})[: len(ids)]
        response = self._call(search.execute)
        best = [_page_hit(hit) for hit in response.hits]
        return {hit.pk: hit for hit in best}


def _page_hit(hit) -> PageHit:
    """A page from its hit; the record, document and page from its id ("record:original:page")."""
    record, original, page = (int(part) for part in hit.meta.id.split(":"))
    fragments = getattr(getattr(hit.meta, "highlight", None), "text", None)
    snippet = " ".join(fragments[0].split()) if fragments else ""
    if not snippet:
        text = " ".join((getattr(hit, "text", "") or "").split())
        snippet = escape(text[:SNIPPET_CHARS])
    document = int(getattr(hit, "page_sort", 0) or 0) // PAGE_SORT_STRIDE
    return PageHit(
        pk=record, page=page, original=original, snippet=snippet, score=hit.meta.score or 0.0, document=document
    )


def _is_missing_delete(item: dict) -> bool:
    """A delete of a document the index does not hold (not one refused for want of an index)."""
    result = item.get("delete", {})
    return result.get("status") == 404 and "error" not in result


def _item_error_type(item: dict) -> str:
    for result in item.values():
        error = result.get("error") if isinstance(result, dict) else None
        if isinstance(error, dict):
            return error.get("type", "")
    return ""


def _error_type(exc: ApiError) -> str:
    """The ``error.type`` of an Elasticsearch error answer ("index_not_found_exception")."""
    body = getattr(exc, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("type", "") if isinstance(error, dict) else ""


def _describe(exc: Exception) -> str:
    message = getattr(exc, "message", "") or exc.__class__.__name__
    return str(message)[:300]


# --- the people index (``search.people``) -----------------------------------------------------
# Its own index behind the alias ``<prefix>-experts``, rebuilt and swapped in as the records' are:
# one document per person and audience level; every query filters on its level.

PEOPLE_MAPPING_VERSION = "1"
PEOPLE_NAMES_WEIGHT = 3.0  # as in the embedded engine
PEOPLE_EXACT_WEIGHT = 1.5


def _people_mapping() -> Mapping:
    mapping = Mapping()
    mapping.meta("_meta", {"schema_version": PEOPLE_MAPPING_VERSION})
    mapping.field("pk", "integer")
    for name in ("level", "sort", "facet_values"):
        mapping.field(name, "keyword")
    for name in ("names", "text"):
        mapping.field(name, "text", analyzer=VI_FOLDED)
        mapping.field(f"{name}_exact", "text", analyzer=VI_EXACT)
    mapping.field("stored", "object", enabled=False)  # shown, never searched
    return mapping


def _person_source(data: dict) -> dict:
    return {**people_fields(data), "stored": data["stored"]}


def _people_match(terms: list[Term]) -> list:
    """Every term in a name or the rest of the text, folded; the last one may be half typed."""
    required = []
    for position, term in enumerate(terms):
        text, last = " ".join(term.folded), position == len(terms) - 1
        options = []
        for field in ("names", "text"):
            if term.is_compound:
                options.append(Q("match_phrase", **{field: text}))
                if last:
                    options.append(Q("match_phrase_prefix", **{field: text}))
            else:
                options.append(Q("match", **{field: text}))
                if last and text.isalnum():
                    options.append(Q("prefix", **{field: {"value": text}}))
        required.append(Q("bool", should=options, minimum_should_match=1))
    return required


def _people_ranking(terms: list[Term]) -> list:
    clauses = []
    for term in terms:
        for word, exact in zip(term.folded, term.parts, strict=False):
            clauses.append(Q("match", names={"query": word, "boost": PEOPLE_NAMES_WEIGHT}))
            if word != exact:
                for field in ("names_exact", "text_exact"):
                    clauses.append(Q("match", **{field: {"query": exact, "boost": PEOPLE_EXACT_WEIGHT}}))
    return clauses
