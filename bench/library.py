"""E-library benchmark (issue 15): a generated library beside the synthetic corpus.

One command, from the repository root::

    .venv/bin/python bench/library.py                       # 2,000 items × 300 pages beside 100,000 records
    .venv/bin/python bench/library.py --items 200 --pages 100 --records 10000   # smaller

It starts from a database made by ``generate_corpus`` (``--corpus``, default
``/tmp/hb/corpus100k.sqlite3``, made with ``--records`` records when missing, as
bench/search.py's docstring says), copies it to ``$BENCH_DIR/library.sqlite3`` (``--dir``,
default ``/tmp/hb/library``) and adds a library there (``bench/library_data.py``): N items of P
pages, their page texts registered as ingest registers a processed PDF's. Later runs reuse it
(``--fresh`` starts again from the corpus). Then, with the answer cache off:

1. **Indexing**: ``search.services.rebuild(workers=2)`` (what ``manage.py search_index rebuild``
   runs) into ``$BENCH_DIR/library.search``, pages/s; and the **engine alone**: the same record and
   page documents, made beforehand, written by the embedded engine's own tantivy writer into a
   scratch generation (``_start_generation``/``_add``/``_commit``), read back from a file.
2. **Library search**: the library page (``LibraryPage``) with words and facets through the whole
   Django stack (test client; its HTML is the library's API), ``search.pages.scoped_search`` (the
   service the page calls) and the engine alone (``engine.search`` + ``engine.best_pages`` with
   the queries prebuilt): words of page texts and of titles (half typed without diacritics), and
   the same with one or two facet values chosen. The layers and the baseline (``GET
   /robots.txt``) take turns query by query, so that all meet the same load of a shared machine.
3. **Search inside an item**: ``/api/v1/search-inside/<id>.json?q=…`` against
   ``engine.search_pages(query, [pk], order="page")``, taking turns in the same way.
4. **The reader on 3G** (``bench/library_reader.py``): a 300-page, 50 MB PDF through ingest,
   gunicorn, Chromium at 360×740 with DevTools' "Fast 3G" throttling: when the first page is shown
   (the pipeline's image of it, in the reader), drawn by pdf.js, and its text layer ready; the same
   pages with a nested page tree; the bare reader; the first page image without JavaScript.

Results are printed and written to ``bench/results/library-<time>.json`` (git-ignored). The
default run takes about 18 minutes on the 2-core machine once the corpus exists (2.5 more to
make it).
"""

import argparse
import contextlib
import dataclasses
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = "/tmp/hb/corpus100k.sqlite3"  # noqa: S108 - throw-away benchmark databases, as bench/search.py's
FOLDER = "/tmp/hb/library"  # noqa: S108


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=CORPUS, help="database made by generate_corpus")
    parser.add_argument("--records", type=int, default=100_000, help="records of the corpus when it must be made")
    parser.add_argument("--dir", default=os.environ.get("BENCH_DIR", FOLDER), help="the library's folder")
    parser.add_argument("--items", type=int, default=2000, help="library items (default 2,000)")
    parser.add_argument("--pages", type=int, default=300, help="pages of each item (default 300)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--fresh", action="store_true", help="copy the corpus again and generate the library anew")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per layer (default 300)")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--skip-rebuild", action="store_true", help="reuse the index of an earlier run")
    parser.add_argument("--skip-engine-rebuild", action="store_true", help="no engine-alone indexing")
    parser.add_argument("--skip-reader", action="store_true", help="no browser measurement")
    parser.add_argument("--reader-runs", type=int, default=5, help="runs of each reader measurement (default 5)")
    parser.add_argument("--profiles", default="fast3g", help="throttling profiles, comma-separated: fast3g,slow3g")
    parser.add_argument("--pdf-pages", type=int, default=300)
    parser.add_argument("--pdf-mb", type=float, default=50.0)
    parser.add_argument("--reader-timeout", type=float, default=240.0, help="seconds a reader run may take")
    parser.add_argument(
        "--reader-repeat-under", type=float, default=60.0, help="a kind slower than this (s) is run once"
    )
    parser.add_argument("--flat-only", action="store_true", help="not the PDF with a nested page tree")
    parser.add_argument(
        "--fresh-reader",
        action="store_true",
        help="take the reader's PDFs in again, so that their access copies and page images are the pipeline's of now",
    )
    parser.add_argument(
        "--what-if-packed",
        action="store_true",
        help="also an item whose access copy is replaced on disk by a non-linearized one with object streams",
    )
    return parser.parse_args()


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values, q):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def figures(samples) -> dict:
    return {"p50": percentile(samples, 50), "p95": percentile(samples, 95), "n": len(samples)}


def interleaved(functions: dict, inputs, warmup=30) -> tuple[dict, dict]:
    """Time each function on each input, the functions taking turns input by input (in a rotating
    order), so that every layer meets the same moments of a shared machine: (figures, samples) by name."""
    for function in functions.values():
        for item in inputs[:warmup]:
            function(item)
    names = list(functions)
    samples = {name: [] for name in names}
    for number, item in enumerate(inputs):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            start = time.perf_counter()
            functions[name](item)
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: figures(values) for name, values in samples.items()}, samples


def timed(function, inputs, warmup=30) -> tuple[dict, list[float]]:
    for item in inputs[:warmup]:
        function(item)
    samples = []
    for item in inputs:
        start = time.perf_counter()
        function(item)
        samples.append((time.perf_counter() - start) * 1000)
    return figures(samples), samples


# --- the database --------------------------------------------------------------------------


def prepare_database(args) -> dict:
    """The corpus (made when missing) copied to the library's database, unless that is there already."""
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "library.sqlite3"
    facts = {"corpus": args.corpus, "database": str(db)}
    corpus = Path(args.corpus)
    if args.fresh:
        for path in folder.glob("library.sqlite3*"):
            path.unlink()
        shutil.rmtree(folder / "library.search", ignore_errors=True)
    if db.exists():
        return facts
    if not corpus.exists():
        log(f"No corpus at {corpus}: making one of {args.records} records (migrate, load_demo, generate_corpus)")
        started = time.perf_counter()
        corpus.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{corpus}",
            "DATA_DIR": str(corpus.parent / "data"),
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        }
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "-v0"],
            ["load_demo", "--no-images"],
            ["generate_corpus", "--records", str(args.records)],
        ):
            with (corpus.parent / "make-corpus.log").open("a") as output:
                subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, stdout=output, stderr=output)  # noqa: S603
        facts["corpus_seconds"] = round(time.perf_counter() - started, 1)
        log(f"  made in {facts['corpus_seconds']} s")
    started = time.perf_counter()
    source, target = sqlite3.connect(corpus), sqlite3.connect(db)
    with target:
        source.backup(target)
    source.close()
    target.close()
    facts["copy_seconds"] = round(time.perf_counter() - started, 1)
    log(f"Copied {corpus} to {db} in {facts['copy_seconds']} s")
    return facts


def setup(args) -> dict:
    folder = Path(args.dir)
    env = {
        "BENCH_DIR": str(folder),
        "BENCH_DB": str(folder / "library.sqlite3"),
        "SEARCH_INDEX_DIR": str(folder / "library.search"),
        "DATA_DIR": str(folder / "data"),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        # Playwright's sync API runs an event loop in this thread; the ORM work is done by then.
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    os.environ.update(env)
    (folder / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT of bench.settings: WhiteNoise warns without it
    import django

    django.setup()
    return {**os.environ, **env}


def make_library(args, report: dict) -> None:
    from django.core.management import call_command

    from bench.library_data import existing_items, generate_library
    from search.models import PendingUpdate

    call_command("migrate", verbosity=0)  # a database copied before the code's latest migrations
    have = existing_items()
    pages = _pages_of_first_item() if have else args.pages
    if have and (have, pages) != (args.items, args.pages):
        raise SystemExit(
            f"The library database holds {have} generated items of {pages} pages, not {args.items} of "
            f"{args.pages}: run with --fresh (or another --dir)."
        )
    if not have:
        log(f"Generating {args.items} library items × {args.pages} pages (seed {args.seed})")

        def progress(done, total, seconds):
            if done % 250 == 0 or done == total:
                log(f"  {done}/{total} items in {seconds:.0f} s")

        made = generate_library(args.items, args.pages, args.seed, progress=progress)
        report["generate"] = dataclasses.asdict(made) | {"seconds": round(made.seconds, 1)}
        log(
            f"  {made.items} items, {made.pages} pages, {made.characters / made.pages:.0f} characters a page, "
            f"in {made.seconds:.0f} s; types {made.by_type}; access {made.access}"
        )
    # generate_corpus queues every record it writes; the rebuild below covers them all. Left queued,
    # services.rebuild would apply them again afterwards, one batch of 500 at a time.
    queued = PendingUpdate.objects.filter(applied_at__isnull=True).count()
    if queued:
        from django.utils import timezone

        PendingUpdate.objects.filter(applied_at__isnull=True).update(applied_at=timezone.now())
        report["queue_cleared"] = queued
        log(f"Marked {queued} queued index updates (from generate_corpus) applied: the rebuild covers them.")


def _pages_of_first_item() -> int:
    from bench.library_data import IDENTIFIER_PREFIX
    from ingest.models import DerivativeSet

    found = DerivativeSet.objects.filter(original__links__record__identifier__startswith=IDENTIFIER_PREFIX).first()
    return found.manifest["derivatives"]["page_count"] if found else 0


# --- indexing ------------------------------------------------------------------------------


def library_boundary() -> tuple[int, int]:
    """(indexable records before the first generated item, generated items indexable)."""
    from bench.library_data import IDENTIFIER_PREFIX
    from search.documents import indexable_records

    first = (
        indexable_records()
        .filter(identifier__startswith=IDENTIFIER_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    before = indexable_records().filter(pk__lt=first).count() if first else indexable_records().count()
    items = indexable_records().filter(identifier__startswith=IDENTIFIER_PREFIX).count()
    return before, items


def rebuild(report: dict) -> None:
    from search import services
    from search.engines import get_engine

    before, _items = library_boundary()
    marks = []
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    count = services.rebuild(progress=lambda done: marks.append((done, time.perf_counter(), _cpu())), workers=2)
    seconds = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    described = get_engine().describe()
    pages = described["pages"]
    # Records come in pk order (one document maker), the generated items last: the time from the last
    # progress mark before them to the end is the items' share (their records, pages and the commit).
    start_items, cpu_at_items = max(
        ((at, cpu_at) for done, at, cpu_at in marks if done <= before), default=(started, _cpu(cpu_before))
    )
    items_seconds = seconds - (start_items - started)
    report["rebuild"] = {
        "documents": count,
        "pages": pages,
        "seconds": round(seconds, 1),
        "records_per_s": round(count / seconds),
        "pages_per_s_whole_rebuild": round(pages / seconds),
        "library_phase_seconds": round(items_seconds, 1),
        "pages_per_s_library_phase": round(pages / items_seconds) if items_seconds > 0 else None,
        "cpu_s_indexing_process": round(cpu.ru_utime + cpu.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime, 1),
        "cpu_s_indexing_process_library_phase": round(_cpu(cpu) - cpu_at_items, 1),
        # The forked process making documents (joined by the end of the rebuild): CPU time, which the
        # load of other work on a shared machine changes far less than the wall time.
        "cpu_s_document_maker": round(
            children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime, 1
        ),
        "peak_rss_mb_indexing_process": round(cpu.ru_maxrss / 1024),
        "peak_rss_mb_document_maker": round(children.ru_maxrss / 1024),
        "index_bytes": _folder_size(Path(described["location"])),
    }
    r = report["rebuild"]
    log(
        f"Rebuild: {count} records and {pages} pages in {seconds:.1f} s; the library's part (its records, pages, "
        f"the commit) {items_seconds:.1f} s = {r['pages_per_s_library_phase']} pages/s "
        f"({r['pages_per_s_whole_rebuild']} pages/s over the whole rebuild); index {r['index_bytes'] / 1e9:.2f} GB; "
        f"CPU {r['cpu_s_indexing_process']} s indexing, {r['cpu_s_document_maker']} s making documents"
    )


def _cpu(usage=None) -> float:
    """CPU seconds (user and system) of this process, all its threads (the engine's writer included)."""
    usage = usage or resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _folder_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def engine_alone_rebuild(args, report: dict) -> None:
    """The same documents, made beforehand (in the rebuild's order), written by the engine's writer."""
    from search.documents import iter_documents
    from search.engines import get_engine

    engine = get_engine()
    before, _items = library_boundary()
    scratch = Path(args.dir) / "engine-alone-documents.bin"
    started = time.perf_counter()
    written = boundary_offset = records = 0
    with scratch.open("wb") as out:

        def put(data: bytes) -> None:
            out.write(struct.pack("<I", len(data)))
            out.write(data)

        # What the rebuild indexes, in its order: each record, then its pages (engine.prepare).
        for data in iter_documents():
            if records == before:
                boundary_offset = written
            prepared = engine.prepare(data)
            record, pages = prepared if isinstance(prepared, tuple) else (prepared, ())
            put(record)
            records += 1
            written += 1
            for page in pages:
                put(page)
                written += 1
    prepare_seconds = time.perf_counter() - started
    size = scratch.stat().st_size
    log(f"Engine alone: {written} documents ({size / 1e9:.2f} GB of JSON) made in {prepare_seconds:.0f} s (not timed)")

    def documents():
        with scratch.open("rb", buffering=8 * 1024 * 1024) as source:
            while header := source.read(4):
                yield source.read(struct.unpack("<I", header)[0])

    started = time.perf_counter()
    for _document in documents():
        pass
    read_seconds = time.perf_counter() - started

    name, path, writer = engine._start_generation()
    try:
        started, cpu_started = time.perf_counter(), _cpu()
        at_boundary, cpu_at_boundary = started, cpu_started
        for number, document in enumerate(documents()):
            if number == boundary_offset:
                at_boundary, cpu_at_boundary = time.perf_counter(), _cpu()
            engine._add(writer, document)
        engine._commit(writer)
        seconds, cpu_end = time.perf_counter() - started, _cpu()
    finally:
        shutil.rmtree(path, ignore_errors=True)
        scratch.unlink(missing_ok=True)
    pages = written - records
    library_seconds = seconds - (at_boundary - started)
    report["engine_alone_rebuild"] = {
        "documents": written,
        "pages": pages,
        "json_bytes": size,
        "prepare_seconds_untimed": round(prepare_seconds, 1),
        "read_file_seconds": round(read_seconds, 1),
        "seconds": round(seconds, 1),
        "library_phase_seconds": round(library_seconds, 1),
        "pages_per_s_whole_rebuild": round(pages / seconds),
        "pages_per_s_library_phase": round(pages / library_seconds) if library_seconds > 0 else None,
        "cpu_s": round(cpu_end - cpu_started, 1),
        "cpu_s_library_phase": round(cpu_end - cpu_at_boundary, 1),
    }
    log(
        f"Engine alone: {seconds:.1f} s for everything ({pages / seconds:.0f} pages/s), the library's part "
        f"{library_seconds:.1f} s ({pages / library_seconds:.0f} pages/s); reading the file alone: {read_seconds:.1f} s"
    )


# --- searching -----------------------------------------------------------------------------

WORD = re.compile(r"[^\W\d_]+")


def _phrase(rng, text: str) -> str | None:
    words = WORD.findall(text)
    if len(words) < 2:
        return None
    start = rng.randrange(len(words) - 1)
    return " ".join(words[start : start + rng.choice((1, 2, 2))])


def sample_queries(rng, count: int) -> dict:
    """Library searches (page words, title words, either with facets) and search-inside queries."""
    from bench.library_data import IDENTIFIER_PREFIX
    from ingest.models import DerivativeSet
    from search.analysis import fold
    from search.documents import indexable_records

    items = list(
        indexable_records()
        .filter(identifier__startswith=IDENTIFIER_PREFIX, access_level="public", locale__language_code="vi")
        .order_by("pk")
        .values_list("pk", "identifier", "title")
    )
    chosen = [rng.choice(items) for _ in range(count)]
    texts = {}
    wanted = sorted({pk for pk, _identifier, _title in chosen})
    for first in range(0, len(wanted), 50):
        rows = DerivativeSet.objects.filter(original__links__record_id__in=wanted[first : first + 50]).values_list(
            "original__links__record_id", "text"
        )
        for pk, text in rows:
            texts[pk] = text.split("\f")

    def typed(phrase: str) -> str:
        return phrase if rng.random() < 0.5 else fold(phrase)

    library, inside = [], []
    for pk, identifier, title in chosen:
        pages = texts[pk]
        page_phrase = None
        while not page_phrase:
            page_phrase = _phrase(rng, rng.choice(pages))
        inside.append({"pk": pk, "identifier": identifier, "q": typed(page_phrase)})
        roll = rng.random()
        if roll < 0.4:
            library.append(("page words", {"q": typed(page_phrase)}))
        elif roll < 0.7:
            library.append(("title words", {"q": typed(_phrase(rng, title) or title)}))
        else:
            library.append(
                ("words + facets", {"q": typed(page_phrase if rng.random() < 0.5 else _phrase(rng, title) or title)})
            )
    return {"library": library, "inside": inside}


def add_facets(rng, library: list, facet_values: dict) -> None:
    """Give the "words + facets" searches one or two facet values the library offers."""
    names = [name for name, values in facet_values.items() if values]
    for kind, params in library:
        if kind != "words + facets":
            continue
        for name in rng.sample(names, rng.choice((1, 1, 2))):
            params[name] = rng.choice(facet_values[name])


def measure_searches(args, report: dict) -> None:
    import dataclasses as dc

    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict
    from django.test import Client

    from library.models import LibraryPage
    from library.views_search import LIBRARY_FACETS, library_types
    from search import pages, services
    from search.engines import get_engine

    rng = random.Random(args.seed)
    engine = get_engine()
    generation = engine._current()
    generation.answers.entries = 0  # every search afresh; the cache is measured on its own row
    anonymous = AnonymousUser()
    within = {"type": library_types()}
    library_page = LibraryPage.objects.filter(locale__language_code="vi").order_by("depth", "pk").first()
    library_url = library_page.url
    client = Client()

    browse = pages.scoped_search(
        QueryDict(""), anonymous, "vi", within=within, facets=LIBRARY_FACETS, default_sort="title"
    )
    report["library_documents_visible"] = browse.count
    facet_values = {
        name: [value.value for value in values[:30] if value.count] for name, values in browse.facets.items()
    }
    samples = sample_queries(rng, args.requests)
    add_facets(rng, samples["library"], facet_values)
    library = samples["library"]
    params = [QueryDict(mutable=True) for _ in library]
    for query_dict, (_kind, values) in zip(params, library, strict=True):
        for name, value in values.items():
            query_dict[name] = value

    def api(index):
        response = client.get(library_url, library[index][1])
        assert response.status_code == 200, response.status_code

    def service(index):
        text = library[index][1].get("q", "").strip()
        pages.scoped_search(
            params[index], anonymous, "vi", within=within, facets=LIBRARY_FACETS,
            default_sort="relevance" if text else "title",
        )  # fmt: skip

    prebuilt = []
    for query_dict in params:
        query, _number = services.parse_query(query_dict, anonymous, "vi")
        prebuilt.append(
            dc.replace(
                query,
                within=within,
                facets=LIBRARY_FACETS,
                filters={name: values for name, values in query.filters.items() if name in LIBRARY_FACETS},
                sort="relevance",
            )
        )

    hits_seen = []

    def engine_alone(index):
        query = prebuilt[index]
        result = engine.search(query)
        if query.terms and result.hits:
            engine.best_pages(query, [hit.pk for hit in result.hits])
        hits_seen.append(result.count)

    def baseline(_index):
        assert client.get("/robots.txt").status_code == 200

    order = list(range(len(library)))
    layers = {"api": api, "service": service, "engine": engine_alone, "baseline": baseline}
    rows, raw = interleaved(layers, order, warmup=args.warmup)
    report["baseline"] = rows.pop("baseline")
    for layer, values in rows.items():
        log(f"  library search, {layer}: p50 {values['p50']:.1f} ms, p95 {values['p95']:.1f} ms")
    generation.answers.entries = 256
    generation.answers.clear()
    rows["api+cache"], raw["api+cache"] = timed(api, order, warmup=0)
    generation.answers.entries = 0
    by_kind = {}
    for kind in ("page words", "title words", "words + facets"):
        indexes = [i for i, (k, _params) in enumerate(library) if k == kind]
        by_kind[kind] = {layer: figures([raw[layer][i] for i in indexes]) for layer in ("api", "service", "engine")}
    matches = hits_seen[-len(library) :]
    report["library_search"] = {
        "url": library_url,
        "rows": rows,
        "by_kind": by_kind,
        "matches_p50": percentile(matches, 50),
        "matches_max": max(matches),
        "examples": [params for _kind, params in library[:8]],
    }

    inside = samples["inside"]
    scope = services.scope(anonymous, "vi")
    inside_queries = [dc.replace(scope, text=entry["q"], offset=0, limit=pages.INSIDE_PAGE_SIZE) for entry in inside]
    inside_counts = []

    def inside_api(index):
        entry = inside[index]
        response = client.get(f"/api/v1/search-inside/{entry['identifier']}.json", {"q": entry["q"], "lang": "vi"})
        assert response.status_code == 200, response.status_code

    def inside_engine(index):
        found = engine.search_pages(inside_queries[index], [inside[index]["pk"]], order="page")
        inside_counts.append(found.count)

    inside_rows, _samples = interleaved({"api": inside_api, "engine": inside_engine}, order, warmup=args.warmup)
    for layer, values in inside_rows.items():
        log(f"  search inside, {layer}: p50 {values['p50']:.1f} ms, p95 {values['p95']:.1f} ms")
    counts = inside_counts[-len(inside) :]
    report["search_inside"] = {
        "rows": inside_rows,
        "pages_matching_p50": percentile(counts, 50),
        "pages_matching_p95": percentile(counts, 95),
        "examples": inside[:5],
    }

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = {}
    for name, function in (("library page", api), ("search inside (API)", inside_api)):
        counts = []
        for index in order[:10]:
            with CaptureQueriesContext(connection) as captured:
                function(index)
            counts.append(len(captured.captured_queries))
        queries[name] = {"min": min(counts), "max": max(counts)}
    report["sql_queries_per_request"] = queries


# --- the report ----------------------------------------------------------------------------


def print_table(report: dict) -> None:
    base = report["baseline"]["p50"]
    log(f"\nBaseline GET /robots.txt: p50 {base:.2f} ms, p95 {report['baseline']['p95']:.2f} ms")
    log(f"{'what':<34}{'layer':<12}{'p50 ms':>9}{'p95 ms':>9}{'p95/engine':>12}{'p50/baseline':>14}")
    search, inside = report["library_search"], report["search_inside"]
    for title, rows in (("library search, all facets", search["rows"]), ("search inside an item", inside["rows"])):
        engine_p95 = rows["engine"]["p95"]
        for layer, values in rows.items():
            log(
                f"{title:<34}{layer:<12}{values['p50']:>9.2f}{values['p95']:>9.2f}"
                f"{values['p95'] / engine_p95:>11.2f}×{values['p50'] / base:>13.1f}×"
            )
    log(
        "SQL queries a request: "
        + ", ".join(f"{k} {v['min']}–{v['max']}" for k, v in report["sql_queries_per_request"].items())
    )
    for kind, rows in search["by_kind"].items():
        log(f"  {kind:<32}" + "  ".join(f"{layer} {v['p50']:.1f}/{v['p95']:.1f}" for layer, v in rows.items()))
    for name in ("rebuild", "engine_alone_rebuild"):
        if name in report:
            r = report[name]
            log(
                f"{name:<22} {r['seconds']:>7.1f} s, library part {r['library_phase_seconds']:.1f} s: "
                f"{r['pages_per_s_library_phase']} pages/s ({r['pages_per_s_whole_rebuild']} over all)"
            )
    if "rebuild" in report and "engine_alone_rebuild" in report:
        ours, alone = report["rebuild"], report["engine_alone_rebuild"]
        log(
            f"rebuild ÷ engine alone: {ours['seconds'] / alone['seconds']:.2f}× "
            f"(library part {ours['library_phase_seconds'] / alone['library_phase_seconds']:.2f}×)"
        )
    reader = report.get("reader", {})
    for profile in reader.get("profiles", {}).values():
        kinds = profile["kinds"]
        log(f"Reader, {profile['label']}:")
        for kind, values in kinds.items():
            log(
                f"  {kind:<20} first page shown: median {values['median_shown_s']:5.2f} s, worst "
                f"{values['worst_shown_s']:5.2f} s; drawn (canvas): median {values['median_s']:6.2f} s, worst "
                f"{values['worst_s']:6.2f} s, text layer {values['median_text_ready_s']:6.2f} s "
                f"({values['runs']} runs{', given up' if values['timed_out'] else ''}); "
                f"{values['median_bytes'] / 1000:.0f} kB before it, PDF {values['median_pdf_bytes'] / 1000:.0f} kB "
                + (
                    f"in {values['median_pdf_requests']:.0f} requests, the first at "
                    f"{values['median_first_pdf_request_s']:.1f} s"
                    if values["median_pdf_requests"]
                    else "(none)"
                )
            )
        flat, alone = kinds["reader"]["median_s"], kinds["reader alone"]["median_s"]
        line = f"  reader ÷ reader alone {flat / alone:.2f}×"
        if "reader, nested tree" in kinds:
            line += f"; flat ÷ nested page tree {flat / kinds['reader, nested tree']['median_s']:.1f}×"
        if "reader, packed copy" in kinds:
            line += f"; flat ÷ packed copy {flat / kinds['reader, packed copy']['median_s']:.1f}×"
        line += f"; reader ÷ first page image without JS {flat / kinds['no JavaScript']['median_s']:.0f}×"
        log(f"{line}; the whole file, without ranges, ≥ {profile['whole_file_seconds_computed']:.0f} s (computed)")
    if reader:
        sizes = ", ".join(f"{name} {size / 1000:.0f} kB" for name, size in reader["assets_gzip_bytes"].items())
        log(f"  scripts (gzip): {sizes}; item page HTML {reader['page_html_bytes'] / 1000:.0f} kB")


def main():
    args = parse_args()
    report = {"args": vars(args), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    began = time.perf_counter()
    report["database"] = prepare_database(args)
    env = setup(args)
    report["load_average_start"] = os.getloadavg()
    make_library(args, report)

    from archive.models import RecordPage
    from search.documents import indexable_records

    report["corpus"] = {"record_pages": RecordPage.objects.count(), "indexable": indexable_records().count()}
    if not args.skip_rebuild:
        rebuild(report)
    if not args.skip_engine_rebuild:
        engine_alone_rebuild(args, report)
    log("Searching")
    measure_searches(args, report)
    if not args.skip_reader:
        from bench import library_reader

        log("Reader on 3G")
        if args.fresh_reader:
            library_reader.forget_reader_items(log=log)
        readers = {}
        for tree in ("flat", "balanced") if not args.flat_only else ("flat",):
            suffix = "" if tree == "flat" else "-nested"
            pdf = Path(args.dir) / f"reader-{args.pdf_pages}p-{args.pdf_mb:g}mb{suffix}.pdf"
            if not pdf.exists():
                library_reader.make_pdf(pdf, args.pdf_pages, args.pdf_mb, balanced=tree == "balanced", log=log)
            readers[tree] = library_reader.reader_item(pdf, log=log)
        if args.what_if_packed:
            readers["packed"] = library_reader.packed_item(
                Path(args.dir) / f"reader-{args.pdf_pages}p-{args.pdf_mb:g}mb.pdf"
            )
        report["reader_items"] = readers
        profiles = [name.strip() for name in args.profiles.split(",") if name.strip()]
        report["reader"] = library_reader.measure(
            env,
            readers,
            runs=args.reader_runs,
            profiles=profiles,
            timeout_s=args.reader_timeout,
            repeat_under_s=args.reader_repeat_under,
            log=log,
        )
    report["load_average_end"] = os.getloadavg()
    report["seconds"] = round(time.perf_counter() - began)
    print_table(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"library-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    log(f"Written to {path} ({report['seconds']} s in all)")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
