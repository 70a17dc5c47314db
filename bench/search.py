"""Discovery search benchmark: the embedded engine against Wagtail's own database search.

One command, from the repository root, on a database made by ``generate_corpus``::

    DATABASE_URL=sqlite:////tmp/hb/corpus100k.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/hb/corpus100k.sqlite3 .venv/bin/python manage.py generate_corpus \\
        --records 100000 --wagtail-index
    .venv/bin/python bench/search.py --db /tmp/hb/corpus100k.sqlite3

It rebuilds the embedded index (timing records/s), then times, after a warm-up, with
the same queries for each row:

* ``api``: ``GET /api/v1/search`` and ``/api/v1/suggest`` through the whole Django stack
  (middleware, view, labels, JSON) with the test client (no sockets: a constant cost
  the network adds is not ours to measure);
* ``engine``: ``EmbeddedEngine.search()`` alone (query building, tantivy, snippets);
* ``raw``: the tantivy calls alone with the query already built (the aggregations, and the
  page searched on a second thread meanwhile, as the engine does);
* ``wagtail``: Wagtail's database search backend doing the nearest equivalent,
  ``RecordPage.objects.live().search(q)[:20]`` plus ``.facet()`` on the filter field it
  has (access level);
* ``baseline``: ``GET /robots.txt``, a trivial Django view, to show the machine's noise.

Three query kinds: full text + all nine facets, facets only (browsing by ethnic group
and province), autocomplete. Results are printed and written to
``bench/results/search-<time>.json`` (git-ignored).
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLite database made by generate_corpus")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per kind (default 300)")
    parser.add_argument("--wagtail-requests", type=int, default=30, help="timed Wagtail searches (slow; default 30)")
    parser.add_argument("--wagtail-cap", type=float, default=30.0, help="seconds before a Wagtail search is stopped")
    parser.add_argument("--skip-rebuild", action="store_true", help="reuse the index built by an earlier run")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def setup(args):
    os.environ["BENCH_DB"] = args.db
    os.environ.setdefault("BENCH_DIR", str(Path(args.db).parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("SEARCH_INDEX_DIR", str(Path(args.db).with_suffix(".search")))
    import django

    django.setup()


def percentile(values, q):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(function, inputs, warmup=20):
    for item in inputs[:warmup]:
        function(item)
    samples = []
    for item in inputs:
        start = time.perf_counter()
        function(item)
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50": percentile(samples, 50), "p95": percentile(samples, 95), "n": len(samples)}


def sample_queries(rng, count):
    """Two consecutive words of real titles: half typed with diacritics, half without."""
    from archive.models import EthnicGroup, Place
    from search.analysis import fold
    from search.documents import indexable_records

    titles = list(indexable_records().filter(locale__language_code="vi").values_list("title", flat=True)[:20000])
    queries, prefixes = [], []
    for _ in range(count):
        words = rng.choice(titles).split()
        start = rng.randrange(max(1, len(words) - 1))
        phrase = " ".join(words[start : start + 2])
        queries.append(phrase if rng.random() < 0.5 else fold(phrase))
        prefix = fold(words[start])[:3] if rng.random() < 0.5 else words[start][:3]
        prefixes.append(prefix)
    groups = list(EthnicGroup.objects.filter(records__isnull=False).distinct().values_list("slug", flat=True))
    provinces = list(Place.objects.current_provinces().values_list("slug", flat=True))
    browse = [
        ({"group": rng.choice(groups)} if rng.random() < 0.5 else {"province": rng.choice(provinces)})
        for _ in range(count)
    ]
    return queries, browse, prefixes


def main():
    args = parse_args()
    setup(args)
    import tantivy

    from django.contrib.auth.models import AnonymousUser
    from django.db import OperationalError, connection
    from django.http import QueryDict
    from django.test import Client

    from wagtail.models import Locale

    from archive.models import RecordPage
    from search import services
    from search.documents import FACETS, indexable_records
    from search.engines import SearchQuery, get_engine

    rng = random.Random(args.seed)
    engine = get_engine()
    report = {"database": args.db, "records": RecordPage.objects.count(), "indexable": indexable_records().count()}
    print(f"Corpus: {report['records']} record pages, {report['indexable']} to index ({args.db})")

    if not args.skip_rebuild:
        start = time.perf_counter()
        count = services.rebuild(workers=2)
        seconds = time.perf_counter() - start
        report["rebuild"] = {"documents": count, "seconds": round(seconds, 1), "per_second": round(count / seconds)}
        print(f"Rebuild: {count} documents in {seconds:.1f} s = {count / seconds:.0f} records/s")
    report["index_documents"] = engine.count()

    queries, browse, prefixes = sample_queries(rng, args.requests)
    client = Client()
    anonymous = AnonymousUser()

    def api_search(q):
        response = client.get("/api/v1/search", {"q": q})
        assert response.status_code == 200, response.content[:200]

    def api_browse(params):
        assert client.get("/api/v1/search", params).status_code == 200

    def api_suggest(prefix):
        assert client.get("/api/v1/suggest", {"q": prefix}).status_code == 200

    def engine_query(q, filters=None):
        return SearchQuery(text=q, locale="vi", access=("public",), filters=filters or {}, facets=tuple(FACETS))

    def engine_search(q):
        engine.search(engine_query(q))

    def engine_browse(params):
        engine.search(engine_query("", {key: [value] for key, value in params.items()}))

    def engine_suggest(prefix):
        engine.suggest(prefix, SearchQuery(locale="vi"))

    # Raw: the tantivy calls the engine makes, with the query objects already built (what the
    # engine adds is building them, snippets and reading stored fields).
    from search.engines.embedded import ALL_FACETS, FACET_VALUES_FIELD, TOTAL

    generation = engine._current()
    schema, searcher = generation.schema, generation.index.searcher()
    # Rows measure every search afresh; the answer cache is measured on its own row below.
    generation.answers.entries = 0

    def prepared(q, filters=None):
        query = engine_query(q, filters)
        terms = query.terms
        match = engine._match_query(schema, terms, fuzzy=False) if terms else None
        ranking = engine._ranking_query(schema, terms) if terms else None
        # The same aggregation request the engine sends: every facet counted at once.
        aggregations = {
            TOTAL: {"value_count": {"field": "date"}},
            ALL_FACETS: {"terms": {"field": FACET_VALUES_FIELD, "size": 100_000}},
        }
        order = None if terms else "title_sort"
        return (
            engine._query(schema, query, match),
            aggregations,
            engine._query(schema, query, match, ranking=ranking),
            order,
        )

    raw_search_inputs = [prepared(q) for q in queries]
    raw_browse_inputs = [prepared("", {key: [value] for key, value in params.items()}) for params in browse]

    from concurrent.futures import ThreadPoolExecutor

    second_thread = ThreadPoolExecutor(max_workers=1)

    def raw(item):
        # As the engine does: the page is searched on a second thread while this one counts.
        matching, aggregations, ranked, order = item
        page = second_thread.submit(
            searcher.search, ranked, limit=20, count=False, order_by_field=order, order=tantivy.Order.Asc
        )
        searcher.aggregate(matching, aggregations)
        page.result()

    vi = Locale.objects.get(language_code="vi")

    def wagtail(q):
        results = RecordPage.objects.live().filter(locale=vi, access_level="public").search(q)
        try:
            list(results[:20])
            results.facet("access_level")
        except OperationalError:  # stopped by the time cap below: counted as the cap (a lower bound)
            wagtail_capped.append(q)

    # SQLite's full-text search can take minutes on a common word at this size: each query is
    # stopped after WAGTAIL_CAP seconds and counted as that long, so its figure is a lower bound.
    wagtail_capped = []
    deadline = [0.0]

    def stop_when_late():
        return 1 if time.perf_counter() > deadline[0] else 0

    def capped_wagtail(q):
        deadline[0] = time.perf_counter() + args.wagtail_cap
        connection.ensure_connection()
        connection.connection.set_progress_handler(stop_when_late, 10_000)
        try:
            wagtail(q)
        finally:
            connection.connection.set_progress_handler(None, 0)

    def baseline(_):
        assert client.get("/robots.txt").status_code == 200

    rows = {
        "full text + facets": {
            "api": timed(api_search, queries),
            "engine": timed(engine_search, queries),
            "raw": timed(raw, raw_search_inputs),
        },
        "facets only (browse)": {
            "api": timed(api_browse, browse),
            "engine": timed(engine_browse, browse),
            "raw": timed(raw, raw_browse_inputs),
        },
        "autocomplete": {"api": timed(api_suggest, prefixes), "engine": timed(engine_suggest, prefixes)},
    }
    # The answer cache on (as served by default), no warm-up: only repeats within the sample hit it.
    generation.answers.entries = 256
    repeats = len(queries) - len(set(queries))
    rows["full text + facets"][f"api+cache ({repeats} repeats)"] = timed(api_search, queries, warmup=0)
    generation.answers.clear()
    rows["facets only (browse)"]["api+cache"] = timed(api_browse, browse, warmup=0)
    generation.answers.entries = 0
    rows["full text + facets"]["wagtail"] = timed(capped_wagtail, queries[: args.wagtail_requests], warmup=0)
    report["wagtail_capped_queries"] = len(wagtail_capped)
    report["baseline"] = timed(baseline, list(range(args.requests)))
    report["rows"] = rows
    # Sanity: the API answers the same count as the engine for a sample query.
    sample = services.search(QueryDict(f"q={queries[0]}"), anonymous, "vi")
    report["sample"] = {"query": queries[0], "count": sample.count}

    print(f"\nBaseline GET /robots.txt: p50 {report['baseline']['p50']:.2f} ms, p95 {report['baseline']['p95']:.2f} ms")
    print(f"{'kind':<22}{'layer':<24}{'p50 ms':>9}{'p95 ms':>9}{'p50/baseline':>14}")
    for kind, layers in rows.items():
        for layer, figures in layers.items():
            ratio = figures["p50"] / report["baseline"]["p50"]
            print(f"{kind:<22}{layer:<24}{figures['p50']:>9.2f}{figures['p95']:>9.2f}{ratio:>13.1f}×")
    full = rows["full text + facets"]
    speedup = full["wagtail"]["p50"] / full["api"]["p50"]
    overhead = full["api"]["p95"] - full["raw"]["p95"]
    report["summary"] = {
        "api_p95_ms": round(full["api"]["p95"], 2),
        "wagtail_over_api_p50": round(speedup, 1),
        "our_layers_p95_ms": round(overhead, 2),
    }
    print(
        f"\nFull text + all facets through the API: p95 {full['api']['p95']:.1f} ms (goal < 25 ms); "
        f"Wagtail database search takes {speedup:.0f}× as long at p50 (goal ≥ 30×); "
        f"our layers add {overhead:.1f} ms at p95 over raw tantivy (goal < 10 ms)."
    )
    if wagtail_capped:
        print(
            f"{len(wagtail_capped)} of {args.wagtail_requests} Wagtail searches were stopped "
            f"at {args.wagtail_cap:.0f} s."
        )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"search-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"Written to {path}")
    return report


if __name__ == "__main__":
    main()
