"""Page benchmark: server time and SQL queries of the public pages against a large corpus.

    .venv/bin/python bench/pages.py --records 10000 [--requests 200]

Builds a fresh SQLite database (bench/settings.py), loads the taxonomies and the demo
site, generates N synthetic records and measures, through django.test.Client as an
anonymous visitor:

* server time (p50/p95) of a record page, an ethnic-group page, the festival calendar
  for random months, and a trivial view (/robots.txt) as the in-run baseline;
* SQL queries per request of each page kind, at a small corpus (--checkpoint records)
  and at the full corpus, for the same URLs, with the statements that were added.

Results go to stdout and bench/results/pages-<timestamp>.json. See bench/README.md.
"""

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

KINDS = ["baseline", "record", "group", "calendar"]
LABELS = {
    "baseline": "baseline: GET /robots.txt",
    "record": "record page",
    "group": "ethnic-group page",
    "calendar": "festival calendar (month)",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000, help="synthetic records to generate (default 10000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page kind (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page kind first (default 20)")
    parser.add_argument(
        "--checkpoint", type=int, default=200, help="also measure after this many records (default 200; 0: off)"
    )
    parser.add_argument(
        "--checkpoint-requests", type=int, default=50, help="timed requests per kind at the checkpoint (default 50)"
    )
    parser.add_argument("--query-urls", type=int, default=10, help="URLs per kind whose queries are counted (10)")
    parser.add_argument(
        "--method",
        choices=["auto", "publish", "fast"],
        default="auto",
        help="publish: add_child + save_revision().publish() per record; fast: add_child of a live page without "
        "revisions; auto (default): publish the first records, switch to fast when the projection exceeds --budget",
    )
    parser.add_argument("--budget", type=float, default=600, help="seconds the publish path may take in auto mode")
    parser.add_argument("--batch", type=int, default=100, help="records per transaction (default 100)")
    parser.add_argument("--seed", type=int, default=20250701)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database (records are added)")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the existing database as it is: no migrate, no site loading, no generation, no checkpoint",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run SQLite ANALYZE before measuring (query planner statistics; off by default, as on a fresh site)",
    )
    parser.add_argument(
        "--page-cache",
        action="store_true",
        help="turn the anonymous whole-page cache on and time cache hits (the same URLs are requested first)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile 20 requests of each kind at the end")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one request of each kind")
    return parser.parse_args()


# --- database and site ------------------------------------------------------------------


def fresh_database(reuse: bool):
    from django.conf import settings

    path = Path(settings.DATABASES["default"]["NAME"])
    path.parent.mkdir(parents=True, exist_ok=True)
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    if not reuse:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return path, time.perf_counter() - started


def load_site():
    """Taxonomies, home pages and browse sections (and the demo records when their data exists)."""
    from django.db import transaction

    import cms.demo
    from archive.demo.loader import DemoDataError, load_taxonomies

    started = time.perf_counter()
    report = {"taxonomies": load_taxonomies()}
    try:
        report["demo"] = cms.demo.load_demo(with_images=False, with_media=False)
    except DemoDataError as exc:
        if "records.yaml" not in str(exc):
            raise
        # No demo records in this checkout: build the same site skeleton without them.
        print(f"  note: {exc}; loading the site sections without demo records")
        with transaction.atomic():
            cms.demo.ensure_site_structure()
            cms.demo._configure_site()
            homes = cms.demo._homes()
            cms.demo._sections(homes)
        report["demo"] = "sections only (no records.yaml)"
    return report, time.perf_counter() - started


def default_home():
    from wagtail.models import Locale

    from cms.models import HomePage

    return HomePage.objects.get(depth=2, locale=Locale.get_default())


# --- corpus generation ------------------------------------------------------------------


class Generator:
    def __init__(self, args):
        from bench import corpus

        self.corpus = corpus
        self.args = args
        self.ctx = corpus.CorpusContext(default_home(), args.seed)
        self.next_index = self._first_free_index()
        self.method = "publish" if args.method == "auto" else args.method
        self.stats = {"publish": {"records": 0, "seconds": 0.0}, "fast": {"records": 0, "seconds": 0.0}}
        self.switched_at = None
        self.projection = None

    def _first_free_index(self):
        from archive.models import RecordPage

        prefix = self.corpus.IDENTIFIER_FORMAT.split("{")[0]
        existing = RecordPage.objects.filter(identifier__startswith=prefix).values_list("identifier", "pk")
        numbers = []
        for identifier, pk in existing:
            numbers.append(int(identifier[len(prefix) :]))
            self.ctx.created_ids.append(pk)
        return max(numbers) + 1 if numbers else 0

    @property
    def created(self):
        return self.stats["publish"]["records"] + self.stats["fast"]["records"]

    def generate_until(self, total: int):
        """Create records until ``total`` synthetic records exist in this run."""
        from django.db import transaction

        while self.created < total:
            batch = min(self.args.batch, total - self.created)
            method = self.method
            started = time.perf_counter()
            with transaction.atomic():
                for _ in range(batch):
                    self.corpus.create_record(self.next_index, self.ctx, method)
                    self.next_index += 1
            elapsed = time.perf_counter() - started
            self.stats[method]["records"] += batch
            self.stats[method]["seconds"] += elapsed
            self._report_progress(total)
            self._maybe_switch()

    def _report_progress(self, total):
        done = self.created
        if done % 1000 == 0 or done == total or done <= 500 and done % 100 == 0:
            rate = {m: (s["seconds"] / s["records"] * 1000 if s["records"] else None) for m, s in self.stats.items()}
            rates = ", ".join(f"{m} {r:.1f} ms/record" for m, r in rate.items() if r is not None)
            print(f"  {done:>6} / {total} records ({rates})", flush=True)

    def _maybe_switch(self):
        if self.args.method != "auto" or self.method != "publish" or self.created < min(200, self.args.records):
            return
        per_record = self.stats["publish"]["seconds"] / self.stats["publish"]["records"]
        self.projection = per_record * self.args.records
        if self.projection > self.args.budget:
            print(
                f"  publish path: {per_record * 1000:.1f} ms/record, {self.args.records} records would take "
                f"~{self.projection / 60:.1f} min (> {self.args.budget / 60:.0f} min): switching to the fast path",
                flush=True,
            )
            self.method = "fast"
            self.switched_at = self.created

    def summary(self):
        out = {"method": self.args.method, "switched_to_fast_after": self.switched_at}
        for method, stat in self.stats.items():
            out[method] = {
                "records": stat["records"],
                "seconds": round(stat["seconds"], 2),
                "ms_per_record": round(stat["seconds"] / stat["records"] * 1000, 2) if stat["records"] else None,
            }
        if self.projection is not None:
            out["projected_publish_seconds_for_all"] = round(self.projection, 1)
        return out


def analyze(args):
    """Give SQLite's query planner statistics (sqlite_stat1), as ANALYZE or PRAGMA optimize would."""
    if not args.analyze:
        return
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  ANALYZE ran in {time.perf_counter() - started:.2f} s")


def corpus_counts():
    from archive.models import FestivalPage, RecordPage

    records = RecordPage.objects.all()
    return {
        "records": records.count(),
        "public": records.filter(access_level="public", live=True).count(),
        "festivals": FestivalPage.objects.count(),
        "by_access": dict(Counter(records.values_list("access_level", flat=True))),
    }


# --- URLs --------------------------------------------------------------------------------


class Urls:
    """Where each page kind lives, and random URLs of each kind."""

    def __init__(self, seed):
        from wagtail.models import Locale

        from archive.models import EthnicGroup
        from cms.models import EthnicGroupIndexPage, FestivalCalendarPage

        self.rng = random.Random(seed)
        locale = Locale.get_default()
        group_index = EthnicGroupIndexPage.objects.live().get(locale=locale)
        calendar = FestivalCalendarPage.objects.live().get(locale=locale)
        self.group_base = group_index.get_url()
        self.calendar_base = calendar.get_url()
        self.group_slugs = list(EthnicGroup.objects.order_by("code").values_list("slug", flat=True))
        self.locale = locale

    def records(self, count, identifier_prefix="dtts-bench-"):
        from archive.models import RecordPage

        ids = list(
            RecordPage.objects.filter(
                live=True, access_level="public", locale=self.locale, identifier__startswith=identifier_prefix
            ).values_list("pk", flat=True)
        )
        chosen = [self.rng.choice(ids) for _ in range(count)] if len(ids) < count else self.rng.sample(ids, count)
        pages = {page.pk: page for page in RecordPage.objects.filter(pk__in=chosen)}
        return [pages[pk].get_url() for pk in chosen]

    def groups(self, count, min_records=0):
        slugs = self.group_slugs
        if min_records:
            # Groups whose page already lists records: an empty listing skips its queries.
            from django.db.models import Count, Q

            from archive.models import EthnicGroup

            listed = Q(records__live=True, records__access_level="public", records__locale=self.locale)
            slugs = (
                list(
                    EthnicGroup.objects.annotate(n=Count("records", filter=listed))
                    .filter(n__gte=min_records)
                    .values_list("slug", flat=True)
                )
                or slugs
            )
        return [f"{self.group_base}{self.rng.choice(slugs)}/" for _ in range(count)]

    def calendar(self, count):
        return [
            f"{self.calendar_base}?year={self.rng.randint(2024, 2027)}&month={self.rng.randint(1, 12)}"
            for _ in range(count)
        ]

    def baseline(self, count):
        return ["/robots.txt"] * count

    def for_counting(self, kind, count):
        """URLs whose query counts are compared between corpus sizes."""
        return self.groups(count, min_records=3) if kind == "group" else self.of(kind, count)

    def of(self, kind, count):
        return {"baseline": self.baseline, "record": self.records, "group": self.groups, "calendar": self.calendar}[
            kind
        ](count)


def make_client():
    from django.test import Client

    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    host = site.hostname if site.port in (80, 443) else f"{site.hostname}:{site.port}"
    return Client(HTTP_HOST=host)


# --- measuring ---------------------------------------------------------------------------


def percentile(values, q):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def time_kinds(client, urls_by_kind, warmup_by_kind):
    """Time every kind, interleaved (one request of each kind in turn).

    Interleaving exposes every kind to the same background load, so the ratios to the
    baseline stay meaningful on a shared or noisy machine.
    """
    for urls in warmup_by_kind.values():
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code} during warm-up")
    gc.collect()
    timings = {kind: [] for kind in urls_by_kind}
    statuses = {kind: Counter() for kind in urls_by_kind}
    for index in range(max(len(urls) for urls in urls_by_kind.values())):
        for kind, urls in urls_by_kind.items():
            if index < len(urls):
                started = time.perf_counter()
                response = client.get(urls[index])
                timings[kind].append((time.perf_counter() - started) * 1000)
                statuses[kind][response.status_code] += 1
    return {
        kind: {
            "n": len(values),
            "p50_ms": round(statistics.median(values), 3),
            "p95_ms": round(percentile(values, 95), 3),
            "mean_ms": round(statistics.fmean(values), 3),
            "max_ms": round(max(values), 3),
            "statuses": {str(code): n for code, n in statuses[kind].items()},
        }
        for kind, values in timings.items()
    }


NUMBER = re.compile(r"\b\d+(\.\d+)?\b")
STRING = re.compile(r"'(?:[^']|'')*'")
IN_LIST = re.compile(r"IN \((?:\?|%s)(?:, (?:\?|%s))*\)")


def normalise_sql(sql: str) -> str:
    sql = STRING.sub("?", sql)
    sql = NUMBER.sub("?", sql)
    return IN_LIST.sub("IN (…)", sql)


def count_queries(client, url):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: per-process caches (content types, site root paths, templates)
    reset_queries()  # request_started clears the log too; start from empty so the slice below is right
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return {
        "url": url,
        "status": response.status_code,
        "queries": len(captured.captured_queries),
        "sql": [query["sql"] for query in captured.captured_queries],
    }


def measure(label, urls_helper, client, args, query_urls, n_requests):
    print(f"\n== measuring at {label}", flush=True)
    counts = corpus_counts()
    print(f"  corpus: {counts['records']} records ({counts['public']} public), {counts['festivals']} festivals")
    result = {"label": label, "corpus": counts, "timing": {}, "queries": {}}
    for kind in KINDS:
        per_url = [count_queries(client, url) for url in query_urls[kind]]
        result["queries"][kind] = per_url
        numbers = [item["queries"] for item in per_url]
        print(f"  {LABELS[kind]:<28} queries per request: min {min(numbers)}, max {max(numbers)}", flush=True)
        if args.show_queries:
            for sql in per_url[0]["sql"]:
                print(f"      {short_sql(sql)}")
    result["load_average_before"] = os.getloadavg()
    timed = {kind: urls_helper.of(kind, n_requests) for kind in KINDS}
    # With the page cache on, warm up with the very URLs that are timed: the timings are cache hits.
    warmup = timed if args.page_cache else {kind: urls_helper.of(kind, args.warmup) for kind in KINDS}
    result["timing"] = time_kinds(client, timed, warmup)
    result["load_average_after"] = os.getloadavg()
    for kind in KINDS:
        timing = result["timing"][kind]
        bad = {code: n for code, n in timing["statuses"].items() if code != "200"}
        print(
            f"  {LABELS[kind]:<28} p50 {timing['p50_ms']:8.2f} ms   p95 {timing['p95_ms']:8.2f} ms"
            + (f"   non-200: {bad}" if bad else ""),
            flush=True,
        )
    load = " / ".join(f"{value:.2f}" for value in result["load_average_after"])
    print(f"  load average after timing (1/5/15 min): {load} on {os.cpu_count()} CPUs", flush=True)
    baseline = result["timing"]["baseline"]["p50_ms"]
    for kind in KINDS:
        timing = result["timing"][kind]
        timing["p50_x_baseline"] = round(timing["p50_ms"] / baseline, 1)
        timing["p95_x_baseline"] = round(timing["p95_ms"] / baseline, 1)
    return result


SPECIFIC_TABLES = {
    '"archive_festivalpage"',
    '"archive_custompage"',
    '"archive_performingartpage"',
    '"archive_craftpage"',
    '"archive_documentpage"',
}


def tables(statements):
    """The first table named after FROM in each statement."""
    found = set()
    for item in statements:
        match = re.search(r' FROM ("[a-z_]+")', item["sql"])
        if match:
            found.add(match.group(1))
    return found


def short_sql(sql: str, width: int = 220) -> str:
    start = sql.find(" FROM ")
    return ("SELECT …" + sql[start:] if start > 0 else sql)[:width]


def compare_queries(small, full):
    """Per kind: did the count for the same URL grow between the two corpus sizes, and by which statements."""
    report = {}
    for kind in KINDS:
        rows, grew = [], False
        for before, after in zip(small["queries"][kind], full["queries"][kind], strict=True):
            added = Counter(map(normalise_sql, after["sql"])) - Counter(map(normalise_sql, before["sql"]))
            removed = Counter(map(normalise_sql, before["sql"])) - Counter(map(normalise_sql, after["sql"]))
            if after["queries"] > before["queries"]:
                grew = True
            rows.append(
                {
                    "url": after["url"],
                    "small": before["queries"],
                    "full": after["queries"],
                    "added": [{"sql": sql, "times": n} for sql, n in added.items()],
                    "removed": [{"sql": sql, "times": n} for sql, n in removed.items()],
                }
            )
        added_tables = {table for row in rows if row["full"] > row["small"] for table in tables(row["added"])}
        report[kind] = {
            "small_max": max(row["small"] for row in rows),
            "full_max": max(row["full"] for row in rows),
            "grew": grew,
            # .specific() runs one query per page type present: growth bounded by the number of record types.
            "bounded": grew and bool(added_tables) and added_tables <= SPECIFIC_TABLES,
            "urls": rows,
        }
    return report


def profile(client, urls_helper, count=20):
    out = {}
    for kind in ("record", "group", "calendar"):
        urls = urls_helper.of(kind, count)
        profiler = cProfile.Profile()
        profiler.enable()
        for url in urls:
            client.get(url)
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(30)
        out[kind] = stream.getvalue()
        print(f"\n== profile: {LABELS[kind]} ({count} requests)\n{out[kind]}")
    return out


# --- report ------------------------------------------------------------------------------


def print_table(final, small, comparison, generation):
    baseline = final["timing"]["baseline"]["p50_ms"]
    n = final["corpus"]["records"]
    small_n = small["corpus"]["records"] if small else None
    print("\n" + "=" * 100)
    print(f"RESULTS — {n} records in the database ({final['corpus']['public']} public)")
    print("=" * 100)
    head_small = f"q@{small_n}" if small else "q@small"
    print(
        f"{'page':<28}{'p50 ms':>9}{'p95 ms':>9}{'p50 x base':>12}{'p95 x base':>12}"
        f"{head_small:>10}{f'q@{n}':>10}{'grew?':>8}"
    )
    for kind in KINDS:
        timing = final["timing"][kind]
        full_q = max(item["queries"] for item in final["queries"][kind])
        small_q = comparison[kind]["small_max"] if comparison else "-"
        grew = "-"
        if comparison:
            grew = ("bounded" if comparison[kind]["bounded"] else "YES") if comparison[kind]["grew"] else "no"
        print(
            f"{LABELS[kind]:<28}{timing['p50_ms']:>9.2f}{timing['p95_ms']:>9.2f}"
            f"{timing['p50_ms'] / baseline:>12.1f}{timing['p95_ms'] / baseline:>12.1f}"
            f"{small_q!s:>10}{full_q!s:>10}{grew:>8}"
        )
    print("(q@N: most SQL queries of one request among the same sampled URLs at each corpus size)")
    if small:
        print(f"\nAt the checkpoint ({small_n} records):")
        for kind in KINDS:
            timing = small["timing"][kind]
            print(f"  {LABELS[kind]:<28} p50 {timing['p50_ms']:8.2f} ms   p95 {timing['p95_ms']:8.2f} ms")
    record_p95 = final["timing"]["record"]["p95_ms"]
    print(f"\nGoal: record page p95 < 50 ms -> {record_p95:.1f} ms: {'MET' if record_p95 < 50 else 'NOT MET'}")
    if comparison:
        growing = [kind for kind in KINDS if comparison[kind]["grew"] and not comparison[kind]["bounded"]]
        bounded = [kind for kind in KINDS if comparison[kind]["bounded"]]
        if bounded:
            print(
                "  'bounded': the same URL ran more queries at the full corpus only because .specific() runs one "
                "query per record type on the page (at most 5): constant once every type appears."
            )
        verdict = "NOT MET for " + ", ".join(growing) if growing else "MET"
        print(f"Goal: query count constant with corpus size -> {verdict}")
        for kind in growing + bounded:
            print(f"  {LABELS[kind]}: statements added at the full corpus (normalised):")
            for row in comparison[kind]["urls"]:
                if row["full"] > row["small"]:
                    print(f"    {row['url']}: {row['small']} -> {row['full']}")
                    for added in row["added"]:
                        print(f"      +{added['times']} x {short_sql(added['sql'])}")
                    break
    gen = generation
    if gen.get("method"):
        print("\nGeneration:")
    for method in ("publish", "fast"):
        if gen.get(method, {}).get("records"):
            print(
                f"  {method:<8} {gen[method]['records']:>6} records in {gen[method]['seconds']:8.1f} s "
                f"({gen[method]['ms_per_record']} ms/record)"
            )
    if gen.get("projected_publish_seconds_for_all"):
        print(f"  publish path projected for all records: {gen['projected_publish_seconds_for_all'] / 60:.1f} min")


def main():
    args = parse_args()
    os.environ["BENCH_PAGE_CACHE_SECONDS"] = "600" if args.page_cache else "0"
    django.setup()
    from django.conf import settings

    run_started = time.perf_counter()
    print(
        f"settings {os.environ['DJANGO_SETTINGS_MODULE']}, DEBUG={settings.DEBUG}, "
        f"page cache {'on (timing cache hits)' if settings.PAGE_CACHE_SECONDS else 'off (timing rendering)'}"
    )
    migrate_seconds = site_seconds = 0.0
    site_report = None
    if args.measure_only:
        db_path = Path(settings.DATABASES["default"]["NAME"])
        if not db_path.exists():
            raise SystemExit(f"--measure-only: no database at {db_path}")
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        print(f"measuring the existing database {db_path}")
        generator = None
    else:
        db_path, migrate_seconds = fresh_database(args.reuse)
        print(f"database {db_path} migrated in {migrate_seconds:.1f} s")
        site_report, site_seconds = load_site()
        print(f"site and taxonomies loaded in {site_seconds:.1f} s: {site_report}")
        generator = Generator(args)
    client = make_client()
    urls = Urls(args.seed)
    checkpoint = args.checkpoint if generator and 0 < args.checkpoint < args.records else None

    small = None
    query_urls = None
    if checkpoint:
        generator.generate_until(checkpoint)
        analyze(args)
        query_urls = {kind: urls.for_counting(kind, args.query_urls) for kind in KINDS}
        small = measure(
            f"checkpoint ({checkpoint} synthetic records)", urls, client, args, query_urls, args.checkpoint_requests
        )
    generation_seconds = 0.0
    if generator:
        generator.generate_until(args.records)
        generation_seconds = generator.stats["publish"]["seconds"] + generator.stats["fast"]["seconds"]
    analyze(args)
    if query_urls is None:
        query_urls = {kind: urls.for_counting(kind, args.query_urls) for kind in KINDS}
    label = "existing database" if args.measure_only else f"full corpus ({args.records} synthetic records)"
    final = measure(label, urls, client, args, query_urls, args.requests)
    comparison = compare_queries(small, final) if small else None
    if small:
        # URLs drawn from the whole corpus too (records created after the checkpoint).
        final["queries_new_urls"] = {
            kind: [count_queries(client, url) for url in urls.for_counting(kind, args.query_urls)] for kind in KINDS
        }
    profiles = profile(client, urls) if args.profile else None

    generation = generator.summary() if generator else {}
    generation["total_seconds"] = round(generation_seconds, 1)
    print_table(final, small, comparison, generation)
    total = time.perf_counter() - run_started
    print(
        f"\nWhole run: {total / 60:.1f} min (migrate {migrate_seconds:.0f} s, site {site_seconds:.0f} s, "
        f"generation {generation_seconds:.0f} s)"
    )

    out = result_path("pages")
    payload = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "args": vars(args),
        "environment": environment(db_path),
        "setup_seconds": {"migrate": round(migrate_seconds, 1), "site": round(site_seconds, 1)},
        "site": site_report,
        "generation": generation,
        "checkpoint": small,
        "full": final,
        "query_growth": comparison,
        "profiles": profiles,
        "total_seconds": round(total, 1),
    }
    write_results(out, payload)
    print(f"results written to {out.relative_to(REPO)}")


def result_path(name: str) -> Path:
    """bench/results/<name>-<timestamp>.json, its folder made if missing."""
    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    return results_dir / f"{name}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"


def environment(db_path) -> dict:
    """What a result depends on besides the code: versions, machine, database."""
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": __import__("wagtail").__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "database": str(db_path),
    }


def write_results(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
