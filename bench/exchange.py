"""Exchange benchmark (issue 16): IIIF manifests, OAI-PMH harvest, open data API, Content Search.

One command, from the repository root::

    .venv/bin/python bench/exchange.py                    # 5,000 records (a few minutes here)
    .venv/bin/python bench/exchange.py --records 100000   # the issue's scale

It makes (when missing) a database in ``--dir`` (default ``/tmp/hb/exchange``) with ``migrate``,
``load_demo --no-images`` and ``generate_corpus --records N`` (settings ``bench.exchange_settings``:
``bench.settings`` with the shared cache on), brings the OAI-PMH table up to date (``oai_sync``: the
stored metadata of every record), builds the search index, and takes in one 300-page PDF of text
(typeset with fpdf2 as ``library/demo_pdf.py`` does) through ingest for a library item. Later runs
reuse all of it (``--fresh`` starts again). Then, as an anonymous visitor:

1. **IIIF manifests** (``/iiif/<id>/manifest``, test client): p95 cold (the cache cleared before each
   request) and cached (the same manifests asked again);
2. **OAI-PMH harvest**: oaipmh-scythe harvests every record (``ListRecords``, ``oai_dc``, 100 a page)
   from a live threaded server (``manage.py runserver``, another process), records/s; in the same run,
   the same records (harvest order, 100 at a time) serialised straight from the database as the
   provider did before it stored them (``metadata.pages_for`` + ``dublin_core`` + ``oai_dc_element``),
   records/s, and the ratio of the two; also one ListRecords page's server time and SQL queries;
3. **Open data API list** with two filters (``/api/v1/records?type=festival&group=<random group>``);
4. **Content Search inside the 300-page item** (``/iiif/<id>/search?q=<word>``);
5. **the same API list over HTTP** from gunicorn (the deployment's server, one worker, another process),
   with the database connection kept between requests (``DATABASE_CONN_MAX_AGE`` 60) and opened for each
   (0), against ``/robots.txt`` over HTTP: the test client never closes the connection, a server does;

each p50/p95 in ms and as a multiple of the in-run baseline (``GET /robots.txt``). Results are printed
and written to ``bench/results/exchange-<time>.json`` (git-ignored).
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FOLDER = "/tmp/hb/exchange"  # noqa: S108 - a throw-away benchmark database
SETTINGS = "bench.exchange_settings"
GOALS = {"harvest_records_per_s": 2000, "harvest_ratio": 1.5, "api_p95_ms": 30, "search_p95_ms": 30}
SEARCH_WORDS = ["điền dã", "nghệ nhân", "nghi lễ", "cộng đồng", "di sản", "phỏng vấn", "bản", "dòng họ", "lễ hội"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="synthetic records (default 5,000; issue: 100,000)")
    parser.add_argument("--dir", default=os.environ.get("BENCH_DIR", FOLDER), help="the benchmark's folder")
    parser.add_argument("--fresh", action="store_true", help="make the database, index and PDF item again")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind (default 200)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--pdf-pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="an empty PostgreSQL database to use instead of SQLite (postgres://user:pass@host/name)",
    )
    return parser.parse_args()


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def figures(samples) -> dict:
    return {"p50": round(percentile(samples, 50), 2), "p95": round(percentile(samples, 95), 2), "n": len(samples)}


def environment(folder: Path, database_url: str = "") -> dict:
    return {
        "BENCH_DIR": str(folder),
        "BENCH_DB": str(folder / "exchange.sqlite3"),
        "BENCH_DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(folder / "exchange.search"),
        "DATA_DIR": str(folder / "data"),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
    }


def prepare_database(args, env: dict) -> dict:
    folder = Path(args.dir)
    if args.fresh:
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "static").mkdir(exist_ok=True)
    db = folder / "exchange.sqlite3"
    facts = {"database": str(db)}
    if args.database_url:  # PostgreSQL: a file in the folder says the database was made
        db = folder / "postgresql.made"
        facts = {"database": args.database_url.rsplit("@", 1)[-1]}
    manage = [sys.executable, "manage.py"]
    if not db.exists():
        log(f"Making {db}: migrate, load_demo --no-images, generate_corpus --records {args.records}")
        started = time.perf_counter()
        for command in (
            ["migrate", "-v0"],
            ["load_demo", "--no-images"],
            ["generate_corpus", "--records", str(args.records)],
        ):
            with (folder / "make.log").open("a") as output:
                subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, stdout=output, stderr=output)  # noqa: S603
        facts["make_seconds"] = round(time.perf_counter() - started, 1)
        if args.database_url:
            db.write_text(f"{args.database_url.rsplit('@', 1)[-1]} {args.records}\n")
        log(f"  made in {facts['make_seconds']} s")
    else:  # migrations added since the database was made
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    return facts


# --- what is measured ----------------------------------------------------------------------------


def sync_oai() -> dict:
    from oai import services

    started = time.perf_counter()
    counts = services.sync_all()
    seconds = time.perf_counter() - started
    log(f"oai_sync: {counts} in {seconds:.1f} s")
    return {"counts": counts, "seconds": round(seconds, 1)}


def build_index(made: bool) -> dict:
    """The search index with every record (``load_demo`` indexed only its own): rebuilt when the database
    was made in this run; the PDF item's pages are indexed by ingest as it takes them in."""
    from search import services

    if not made:
        return {"reused": True}
    started = time.perf_counter()
    services.rebuild(workers=1)
    seconds = time.perf_counter() - started
    log(f"search index rebuilt in {seconds:.1f} s")
    return {"seconds": round(seconds, 1)}


def pdf_item(folder: Path, pages: int) -> dict:
    """A public book with one PDF of ``pages`` pages of typeset text, taken in through ingest."""
    from ingest.models import JobState, ProcessingJob
    from ingest.services.intake import ingest_file
    from library import demo_pdf
    from library.models import BookPage, LibraryPage

    slug = f"bench-exchange-{pages}"
    item = BookPage.objects.filter(slug=slug).first()
    if item is None:
        library = LibraryPage.objects.filter(locale__language_code="vi").order_by("depth", "pk").first()
        item = BookPage(
            title=f"Sách mẫu {pages} trang cho benchmark trao đổi dữ liệu",
            slug=slug,
            summary="Sách mẫu do benchmark tạo ra.",
            access_level="public",
            publisher="Nhà xuất bản mẫu",
        )
        library.add_child(instance=item)
        item.save_revision().publish()
        item.refresh_from_db()
    facts = {"identifier": item.identifier, "pages": pages}
    link = item.media_links.select_related("original").first()
    if link is None:
        path = folder / f"sach-mau-{pages}.pdf"
        started = time.perf_counter()
        demo_pdf.write_booklet(
            path,
            demo_pdf.Booklet(
                seed=slug,
                title=item.title,
                running_title="Sách mẫu",
                pages=pages,
                chapters=("Mở đầu", "Tư liệu điền dã", "Nghi lễ và cộng đồng", "Kết luận"),
                topic=("lễ hội", "nghệ nhân"),
                marker="chim lạc vàng",
                marker_page=pages // 2,
                marker_sentence="Hình chim lạc vàng được khắc trên mặt trống đồng.",
            ),
        )
        facts["pdf_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        original, _created = ingest_file(path, path.name, item)
        facts["ingest_seconds"] = round(time.perf_counter() - started, 1)
        log(f"  PDF written in {facts['pdf_seconds']} s, ingested (processing inline) in {facts['ingest_seconds']} s")
    else:
        original = link.original
    job = ProcessingJob.objects.get(original=original)
    if job.state != JobState.DONE:
        raise RuntimeError(f"The benchmark's PDF was not processed: {job.state} {job.message}")
    return facts


def interleaved(functions: dict, inputs: list, warmup: int) -> dict:
    """Time each function on each input, taking turns input by input, so that all meet the same load."""
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
    return {name: figures(values) for name, values in samples.items()}


def get(client, url: str, status: int = 200):
    response = client.get(url)
    if response.status_code != status:
        raise RuntimeError(f"{url}: HTTP {response.status_code} {response.content[:300]!r}")
    return response


def manifests(client, identifiers: list[str]) -> dict:
    """Cold: the cache cleared before each request; cached: the same manifests again, each asked once
    before the timed pass. Both take turns with the baseline."""
    from django.core.cache import cache

    def cold(identifier):
        cache.clear()
        get(client, f"/iiif/{identifier}/manifest")

    def cached(identifier):
        get(client, f"/iiif/{identifier}/manifest")

    def baseline(_identifier):
        get(client, "/robots.txt")

    found = interleaved({"baseline": baseline, "cold": cold}, identifiers, warmup=10)
    for identifier in identifiers:
        cached(identifier)
    found.update(interleaved({"cached": cached, "baseline_cached": baseline}, identifiers, warmup=0))
    return found


def requests(client, urls: dict[str, list[str]], warmup: int) -> dict:
    """Each kind's URLs (the same number for each), taking turns with the baseline."""
    count = min(len(found) for found in urls.values())
    functions = {name: (lambda i, name=name: get(client, urls[name][i])) for name in urls}
    functions["baseline"] = lambda _i: get(client, "/robots.txt")
    return interleaved(functions, list(range(count)), warmup)


def list_records_page(client) -> dict:
    """One ListRecords page (oai_dc) in this process: server time and SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get(client, "/oai?verb=ListRecords&metadataPrefix=oai_dc")
    samples = []
    for _ in range(10):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            get(client, "/oai?verb=ListRecords&metadataPrefix=oai_dc")
        samples.append((time.perf_counter() - start) * 1000)
    return {**figures(samples), "queries": len(queries)}


def straight_serialisation(page_size: int) -> dict:
    """Every record the harvest receives, 100 at a time in harvest order, read and serialised straight from
    the database (the mapping, then the XML), as the provider did before it stored the metadata."""
    from lxml import etree

    from oai import metadata
    from oai.models import OaiRecord

    keys = list(
        OaiRecord.objects.filter(deleted=False).order_by("datestamp", "pk").values_list("translation_key", flat=True)
    )
    started = time.perf_counter()
    written = size = 0
    for start in range(0, len(keys), page_size):
        versions = metadata.pages_for(keys[start : start + page_size])
        for pages in versions.values():
            size += len(etree.tostring(metadata.oai_dc_element(metadata.dublin_core(pages))))
            written += 1
    seconds = time.perf_counter() - started
    return {"records": written, "seconds": round(seconds, 2), "records_per_s": round(written / seconds), "bytes": size}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(command: list[str], env: dict, ready: str):
    """A server (``command`` with ``{port}`` in it) in another process on a free loopback port, once it answers
    ``ready``; yields its base URL and stops it after."""
    from urllib.request import urlopen

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [part.format(port=port) for part in command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urlopen(f"{base}{ready}", timeout=10) as answer:  # noqa: S310 - our own server
                    if answer.status == 200:
                        break
            except OSError:  # not listening yet (URLError), or slow to answer its first request on a busy machine
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def harvest(env: dict) -> dict:
    """oaipmh-scythe harvests every record from ``manage.py runserver`` (threaded) in another process."""
    from oaipmh_scythe import Scythe
    from oaipmh_scythe.client import HTTPConfig

    runserver = [sys.executable, "manage.py", "runserver", "127.0.0.1:{port}", "--noreload", "--skip-checks"]
    with (
        serving(runserver, env, "/oai?verb=Identify") as base,
        Scythe(f"{base}/oai", http_config=HTTPConfig(timeout=120)) as scythe,
    ):
        list(scythe.list_records(metadata_prefix="oai_dc", set_="type:craft"))  # warm the server up
        started = time.perf_counter()
        records = deleted = 0
        for record in scythe.list_records(metadata_prefix="oai_dc"):
            records += 1
            deleted += bool(record.header.deleted)
        seconds = time.perf_counter() - started
    return {
        "records": records,
        "deleted": deleted,
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds),
    }


def api_over_http(env: dict, urls: list[str], warmup: int) -> dict:
    """The API list as a client receives it from the deployment's server: gunicorn (one sync worker, in
    another process) over HTTP on loopback, a new TCP connection a request, taking turns with the baseline
    ``/robots.txt`` over HTTP. Twice: with the database connection kept between requests (the settings'
    ``DATABASE_CONN_MAX_AGE``, 60 s) and opened for each request (0), the server started afresh for each."""
    from urllib.request import urlopen

    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", "127.0.0.1:{port}"]
    gunicorn += ["--workers", "1", "--log-level", "warning"]
    found = {}
    for label, age in (("kept", "60"), ("per_request", "0")):
        with serving(gunicorn, {**env, "DATABASE_CONN_MAX_AGE": age}, "/robots.txt") as base:

            def fetch(path: str, base: str = base) -> None:
                with urlopen(f"{base}{path}", timeout=30) as answer:  # noqa: S310 - our own server
                    answer.read()

            found[label] = interleaved({"api_list": fetch, "baseline": lambda _url: fetch("/robots.txt")}, urls, warmup)
    return found


def main() -> None:
    args = parse_args()
    folder = Path(args.dir)
    env = {**os.environ, **environment(folder, args.database_url)}
    shown = {**vars(args), "database_url": args.database_url.rsplit("@", 1)[-1]}  # no password in the results
    facts = {"args": shown, "machine": platform.platform(), "cpus": os.cpu_count(), "load": os.getloadavg()}
    facts["database"] = prepare_database(args, env)
    os.environ.update(environment(folder, args.database_url))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from archive.models import EthnicGroup, RecordPage
    from oai.models import OaiRecord

    facts["oai_sync"] = sync_oai()
    facts["index"] = build_index("make_seconds" in facts["database"])
    facts["pdf_item"] = pdf_item(folder, args.pdf_pages)
    rng = random.Random(args.seed)
    client = Client()
    results = {}

    public = list(RecordPage.objects.visible_to(None).order_by().values_list("identifier", flat=True).distinct())
    facts["public_records"] = len(public)
    facts["oai_rows"] = OaiRecord.objects.filter(deleted=False).count()
    log(f"{len(public)} public records, {facts['oai_rows']} OAI records; load {os.getloadavg()}")

    log("IIIF manifests (cold, cached) …")
    results["manifest"] = manifests(client, rng.sample(public, min(args.requests, len(public))))

    log("Open data API list with two filters, Content Search in the PDF item …")
    groups = list(EthnicGroup.objects.values_list("slug", flat=True))
    item = facts["pdf_item"]["identifier"]
    urls = {
        "api_list": [f"/api/v1/records?type=festival&group={rng.choice(groups)}" for _ in range(args.requests)],
        "content_search": [f"/iiif/{item}/search?q={rng.choice(SEARCH_WORDS)}" for _ in range(args.requests)],
    }
    hits = json.loads(get(client, urls["content_search"][0]).content)
    facts["content_search_hits"] = len(hits.get("items", []))
    results.update(requests(client, urls, args.warmup))
    results["list_records_page"] = list_records_page(client)
    log("Open data API list over HTTP (gunicorn), connection kept and not …")
    results["api_http"] = api_over_http(env, urls["api_list"], args.warmup)

    log("OAI-PMH: straight serialisation, then oaipmh-scythe over HTTP …")
    results["straight"] = straight_serialisation(settings.OAI_PAGE_SIZE)
    results["harvest"] = harvest(env)
    results["harvest"]["ratio"] = round(results["harvest"]["seconds"] / results["straight"]["seconds"], 2)

    base = results["baseline"]["p50"] or 1
    log(f"\nExchange benchmark, {facts['oai_rows']} OAI records (load {os.getloadavg()[0]:.1f})")
    log(f"{'':34} {'p50 ms':>8} {'p95 ms':>8} {'p95/base':>9}")
    for name, label in (
        ("baseline", "baseline: GET /robots.txt"),
        ("api_list", "API list, type + group"),
        ("content_search", f"Content Search, {args.pdf_pages}-page item"),
    ):
        row = results[name]
        log(f"{label:34} {row['p50']:8.1f} {row['p95']:8.1f} {row['p95'] / base:9.1f}")
    for name, label in (("kept", "kept"), ("per_request", "new")):
        row, http_base = results["api_http"][name]["api_list"], results["api_http"][name]["baseline"]["p50"]
        label = f"API list, HTTP, {label} connection"
        log(f"{label:34} {row['p50']:8.1f} {row['p95']:8.1f} {row['p95'] / http_base:9.1f}")
    for name in ("cold", "cached"):
        row = results["manifest"][name]
        log(f"{'IIIF manifest, ' + name:34} {row['p50']:8.1f} {row['p95']:8.1f} {row['p95'] / base:9.1f}")
    page = results["list_records_page"]
    log(f"{'ListRecords page (100, in-process)':34} {page['p50']:8.1f} {page['p95']:8.1f}   {page['queries']} queries")
    harvested, straight = results["harvest"], results["straight"]
    log(
        f"harvest (oaipmh-scythe, HTTP): {harvested['records']} records in {harvested['seconds']} s = "
        f"{harvested['records_per_s']} records/s; straight from the database: {straight['records_per_s']} records/s; "
        f"ratio {harvested['ratio']}×"
    )
    goals = {
        "harvest ≥ 2,000 records/s": harvested["records_per_s"] >= GOALS["harvest_records_per_s"],
        "harvest ≤ 1.5× straight": harvested["ratio"] <= GOALS["harvest_ratio"],
        "API list p95 ≤ 30 ms": results["api_list"]["p95"] <= GOALS["api_p95_ms"],
        "API list over HTTP p95 ≤ 30 ms": results["api_http"]["kept"]["api_list"]["p95"] <= GOALS["api_p95_ms"],
        "Content Search p95 ≤ 30 ms": results["content_search"]["p95"] <= GOALS["search_p95_ms"],
    }
    for goal, met in goals.items():
        log(f"  {'met' if met else 'NOT met':8} {goal}")
    out = ROOT / "bench" / "results" / f"exchange-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"facts": facts, "results": results, "goals": goals}, indent=2, ensure_ascii=False))
    log(f"Results: {out}")


if __name__ == "__main__":
    main()
