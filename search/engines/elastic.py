"""The Elasticsearch engine, for when one machine is not enough (``ELASTICSEARCH_URL``).

Searches go to the alias ``<prefix>-records``; a rebuild fills a new concrete index
``<prefix>-records-<time>`` and moves the alias in one atomic call, so searches keep
answering throughout. Only a rebuild creates an index: where the alias is missing (a cluster
that lost its data, a new cluster) searches and updates raise :class:`IndexNeedsRebuild`, and
updates are sent with ``require_alias`` so that Elasticsearch never makes an index of them.
Queries are built with ``elasticsearch.dsl``; they mirror the embedded engine's (see
``embedded.py``) so both rank and count alike.
"""

import contextlib
import time
from collections.abc import Iterable
from html import escape

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.dsl import Index, Mapping, Q, Search, analyzer, char_filter, normalizer
from elasticsearch.helpers import BulkIndexError, streaming_bulk

from search.analysis import normalise
from search.documents import EXACT_FIELDS, FACETS, KEYWORD_FIELD, SNIPPET_FIELD, TEXT_FIELDS
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
    Progress,
    SearchEngine,
    SearchQuery,
    Suggestions,
    Term,
)
from search.engines.suggest import nearest_visible, nearest_words

FUZZY_FIELDS = ("title", "names", "content")
SPELLING_FIELDS = ("title", "content")  # the term suggester proposes words from these
SPELLING_TRIES = 20  # nearest words checked against what the visitor may see, per misspelt word
ORDERINGS = {"date": {"date": "desc"}, "oldest": {"date_asc": "asc"}, "title": {"title_sort": "asc"}}

# Split words where tantivy's tokenizer does (apostrophes, underscores, dots), then lowercase.
_split = char_filter(
    "vi_split", type="mapping", mappings=["' => \\u0020", "’ => \\u0020", "_ => \\u0020", ". => \\u0020"]
)
VI_EXACT = analyzer("vi_exact", tokenizer="standard", char_filter=[_split], filter=["lowercase"])
VI_FOLDED = analyzer("vi_folded", tokenizer="standard", char_filter=[_split], filter=["lowercase", "asciifolding"])
KEYWORD_LOWER = normalizer("vi_keyword", filter=["lowercase"])


def _mapping() -> Mapping:
    mapping = Mapping()
    mapping.field("pk", "integer")
    mapping.field("restrictions", "integer")  # ids of the view restrictions covering the record
    for name in ("identifier", "url", "locale", "access", "title_sort"):
        mapping.field(name, "keyword")
    for name in TEXT_FIELDS:
        mapping.field(name, "text", analyzer=VI_FOLDED)  # as written, folded
        if name in EXACT_FIELDS:
            mapping.field(f"{name}_exact", "text", analyzer=VI_EXACT)  # tone marks normalised, kept
    mapping.field(KEYWORD_FIELD, "keyword", normalizer=KEYWORD_LOWER)
    mapping.field("date", "integer")
    mapping.field("date_asc", "integer")
    for facet in FACETS.values():
        mapping.field(facet.field, "keyword")
    return mapping


def _source(data: dict) -> dict:
    body = {name: data[name] for name in ("pk", "identifier", "url", "locale", "access", "title_sort")}
    body["restrictions"] = list(data["restrictions"])
    for name in TEXT_FIELDS:
        value = data[name] if isinstance(data[name], list) else [data[name]]
        body[name] = "\n".join(value)
        if name in EXACT_FIELDS:
            body[f"{name}_exact"] = normalise(body[name])
    body[KEYWORD_FIELD] = [normalise(keyword) for keyword in data[KEYWORD_FIELD]]
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
        self.client = client or Elasticsearch(url, request_timeout=timeout, retry_on_timeout=False, max_retries=1)

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

    def _missing(self) -> IndexNeedsRebuild:
        return IndexNeedsRebuild(
            f"Elasticsearch at {self._safe_url()} has no index {self.alias} (a new or emptied cluster). The task "
            "worker rebuilds it from the database when it next runs; `manage.py search_index rebuild` does it now."
        )

    def _safe_url(self) -> str:
        # Never print credentials that may be part of the URL.
        return self.url.split("@")[-1] if self.url else "(client)"

    def _new_index(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 1_000_000:06d}"
        index = Index(name, using=self.client)
        index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=10_000)
        index.mapping(_mapping())
        self._call(self.client.indices.create, index=name, **index.to_dict())
        return name

    def _aliased_indices(self) -> list[str]:
        try:
            return list(self._call(self.client.indices.get_alias, name=self.alias).body)
        except EngineUnavailable as exc:
            if isinstance(exc.__cause__, NotFoundError):
                return []
            raise

    # --- writing ----------------------------------------------------------------------

    def update(self, documents: list[dict], removed: Iterable[int] = ()) -> None:
        actions = [{"_op_type": "index", "_index": self.alias, "_id": doc["pk"], **_source(doc)} for doc in documents]
        actions += [{"_op_type": "delete", "_index": self.alias, "_id": pk} for pk in removed]
        if not actions:
            return
        # require_alias: where the alias is missing, Elasticsearch would otherwise make an index
        # holding these documents alone.
        stream = streaming_bulk(self.client, actions, refresh="wait_for", raise_on_error=False, require_alias=True)
        failures = [item for ok, item in self._call(list, stream) if not ok and not _is_missing_delete(item)]
        if any(_item_error_type(item) == "index_not_found_exception" for item in failures):
            raise self._missing()
        if failures:
            raise EngineUnavailable(f"Elasticsearch refused {len(failures)} index updates: {failures[0]}")

    def prepare(self, document: dict) -> dict:
        return {"_id": document["pk"], **_source(document)}

    def rebuild(self, documents: Iterable[dict], progress: Progress | None = None) -> int:
        name = self._new_index()
        count = 0

        def actions():
            nonlocal count
            for data in documents:
                count += 1
                if progress and count % 500 == 0:
                    progress(count)
                yield {"_op_type": "index", "_index": name, **data}

        try:
            for ok, item in self._call(streaming_bulk, self.client, actions(), chunk_size=1000, raise_on_error=False):
                if not ok:
                    raise EngineUnavailable(f"Elasticsearch refused a document: {item}")
            self._call(self.client.indices.refresh, index=name)
        except BaseException:
            # The failure being raised is the one to report; a leftover index is harmless.
            with contextlib.suppress(TransportError, ApiError):
                self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        old = self._aliased_indices()
        if not old and self._call(self.client.indices.exists, index=self.alias):
            # An index, not an alias, by the alias's name: made by a write while the alias was missing.
            self._call(self.client.indices.delete, index=self.alias)
        swap = [{"remove": {"index": index, "alias": self.alias}} for index in old]
        swap.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=swap)
        for index in old:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        if progress:
            progress(count)
        return count

    # --- reading ----------------------------------------------------------------------

    def count(self) -> int:
        return self._call(self.client.count, index=self.alias)["count"]

    def describe(self) -> dict:
        indices = self._aliased_indices()
        if not indices:
            raise self._missing()
        return {
            "engine": self.name,
            "location": self._safe_url(),
            "index": ", ".join(indices),
            "documents": self.count(),
        }

    def _filters(self, query: SearchQuery) -> list:
        """The visitor's scope: language, audience keys held, view restrictions failed."""
        filters = [Q("term", locale=query.locale), Q("terms", access=list(query.access))]
        if query.hidden:
            filters.append(Q("bool", must_not=[Q("terms", restrictions=list(query.hidden))]))
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
        if term.is_compound:
            text = " ".join(term.folded)
            alternatives += [
                Q("match_phrase", **{field: {"query": text, "boost": weight}}) for field, weight in TEXT_FIELDS.items()
            ]
            return alternatives
        word, exact = term.folded[0], term.parts[0]
        for field, weight in TEXT_FIELDS.items():
            alternatives.append(Q("match", **{field: {"query": word, "boost": weight}}))
            if term.has_diacritics and field in EXACT_FIELDS:
                alternatives.append(Q("match", **{f"{field}_exact": {"query": exact, "boost": weight * 1.5}}))
        if fuzzy and len(word) >= FUZZY_MIN_LENGTH:
            distance = 2 if len(word) >= 8 else 1
            alternatives += [
                Q("fuzzy", **{field: {"value": word, "fuzziness": distance, "boost": 0.2}}) for field in FUZZY_FIELDS
            ]
        return alternatives

    def _search(self) -> Search:
        return Search(using=self.client, index=self.alias)

    def search(self, query: SearchQuery) -> EngineResult:
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
        checks = {f"known:{word}": [Q("term", **{field: word}) for field in TEXT_FIELDS] for word in proposed}
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
        words = " ".join(word for term in SearchQuery(text=prefix).terms for word in term.folded)
        if not words:
            return Suggestions(titles=[], values={})
        filters = self._filters(scope.scope)
        titles = self._search().query(Q("bool", must=[Q("match_phrase_prefix", title=words)], filter=filters))
        titles = titles.source(["pk", "identifier", "title", "url", "type"])[:limit]
        names = self._search().query(Q("bool", must=[Q("match_phrase_prefix", names=words)], filter=filters))
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
