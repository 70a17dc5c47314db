"""Access-rule benchmark: what the archive's visibility rule (``archive.access``) costs a request.

    .venv/bin/python bench/access.py --records 2000      # quick: about 7.5 minutes on 2 cores
    .venv/bin/python bench/access.py                      # 10,000 records: about 18 minutes

Builds a fresh SQLite database with bench/pages.py's machinery (bench/settings.py, the
taxonomies, the demo site and N synthetic records), attaches a few images to public records,
signs a researcher in, and then measures through django.test.Client, as an anonymous visitor
and as the researcher, with the anonymous page cache off:

* server time of the listing pages (an ethnic-group page, a record-type page, the festival
  calendar for a month, the home page), a record page, a /media/ image of a public record and
  GET /robots.txt (the trivial baseline), with **no** view restriction in the database
  ("without") against **R** restrictions ("with": password, login and groups restrictions on
  random records, and one login restriction on a whole collection). The two states alternate
  round by round (ABBA order), every round requests the same URLs in both, and kinds are
  interleaved request by request, so both states meet the same background load;
* SQL queries per request of each kind, in both states, the statements the restrictions add and
  the SQL time per request with the statement that takes longest;
* a probe of the listing query alone with 0 to 400 failed restrictions (SQL cost against R), and
  the number of failed restrictions at which SQLite refuses it.

Results go to stdout and bench/results/access-<timestamp>.json. See bench/README.md.
"""

import argparse
import datetime as dt
import gc
import io
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# Its own throw-away folder (database, media, search index), so it never touches var/ or a
# concurrent bench/pages.py run; the rule must be exercised, so the anonymous page cache is off.
os.environ.setdefault("BENCH_DIR", "/tmp/heritage-bench-access")  # noqa: S108 - throw-away benchmark files
_DB = Path(os.environ.get("BENCH_DB", Path(os.environ["BENCH_DIR"]) / "db.sqlite3"))
os.environ.setdefault("DATA_DIR", str(_DB.with_suffix("")) + "-data")  # one search index per database
os.environ["BENCH_PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

from bench import pages  # noqa: E402  (sets DJANGO_SETTINGS_MODULE=bench.settings unless given)

KINDS = ["baseline", "media", "record", "group", "type", "calendar", "home"]
LABELS = {
    "baseline": "GET /robots.txt (baseline)",
    "media": "/media/ image, public record",
    "record": "record page",
    "group": "ethnic-group page",
    "type": "record-type page",
    "calendar": "festival calendar (month)",
    "home": "home page",
}
USERS = ["anonymous", "researcher"]
STATES = ["without", "with"]
RESTRICTION_KINDS = ["password", "login", "groups"]
IMAGE_NAME = "bench-access-{}.png"
RESEARCHER = "bench-access-researcher"
GROUP = "bench-access-group"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000, help="synthetic records to generate (default 10000)")
    parser.add_argument(
        "--restrictions",
        type=int,
        default=20,
        help="view restrictions in the 'with' state: R-1 on random records (password, login, groups in turn) "
        "and one login restriction on a whole collection (default 20)",
    )
    parser.add_argument("--rounds", type=int, default=10, help="rounds; each times both states (default 10)")
    parser.add_argument(
        "--requests", type=int, default=20, help="timed requests per kind, visitor, state and round (default 20)"
    )
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per kind and visitor first (10)")
    parser.add_argument("--images", type=int, default=4, help="public records given an image (default 4)")
    parser.add_argument("--query-urls", type=int, default=5, help="URLs per kind whose queries are counted (5)")
    parser.add_argument(
        "--probe-sizes",
        default="0,1,20,100,400",
        help="failed-restriction counts for the listing-query probe (default 0,1,20,100,400; empty: skip)",
    )
    parser.add_argument("--probe-repeats", type=int, default=9, help="timings per probe size (default 9)")
    # Passed on to bench/pages.py's generator.
    parser.add_argument("--method", choices=["auto", "publish", "fast"], default="auto", help="as bench/pages.py")
    parser.add_argument("--budget", type=float, default=300, help="seconds the publish path may take in auto mode")
    parser.add_argument("--batch", type=int, default=100, help="records per transaction (default 100)")
    parser.add_argument("--seed", type=int, default=20250701)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database (records are added)")
    parser.add_argument(
        "--measure-only", action="store_true", help="measure the existing database ($BENCH_DB) as it is: no generation"
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip SQLite ANALYZE before measuring (by default it runs: a deployed site's planner statistics "
        "are refreshed by every migrate)",
    )
    args = parser.parse_args()
    if args.restrictions < 1:
        parser.error("--restrictions must be at least 1 (the 'without' state is the comparison)")
    args.checkpoint = 0  # for pages.Generator
    args.analyze = not args.no_analyze  # for pages.analyze
    return args


# --- setting up --------------------------------------------------------------------------


def default_locale():
    from wagtail.models import Locale

    return Locale.get_default()


def researcher():
    from django.contrib.auth.models import User

    user = User.objects.filter(username=RESEARCHER).first()
    if user is None:
        user = User.objects.create_user(username=RESEARCHER, password="bench-pw-123456")  # noqa: S106
    return user


def public_records(locale):
    """(pk, path) of the live public synthetic records, in a stable order."""
    from archive.models import RecordPage

    return list(
        RecordPage.objects.filter(live=True, access_level="public", locale=locale, identifier__startswith="dtts-bench-")
        .order_by("pk")
        .values_list("pk", "path")
    )


class Plan:
    """Which pages get restrictions, and which records stay open (their pages and images are timed)."""

    def __init__(self, args, locale):
        from archive.models import CollectionPage

        rng = random.Random(args.seed + 13)
        collections = list(
            CollectionPage.objects.filter(locale=locale, depth=3).order_by("path").values_list("pk", "path", "title")
        )
        records = public_records(locale)
        # A collection that holds synthetic records.
        collections = [c for c in collections if any(path.startswith(c[1]) for _pk, path in records)]
        self.collection = rng.choice(collections)
        outside = [(pk, path) for pk, path in records if not path.startswith(self.collection[1])]
        restricted = rng.sample(outside, args.restrictions - 1)
        self.records = [
            (pk, path, RESTRICTION_KINDS[index % len(RESTRICTION_KINDS)]) for index, (pk, path) in enumerate(restricted)
        ]
        taken = {pk for pk, _path in restricted}
        self.open_records = [pk for pk, _path in outside if pk not in taken]
        self.ids: list[int] = []

    def describe(self):
        return {
            "collection": {"pk": self.collection[0], "title": self.collection[2], "kind": "login"},
            "records": dict(Counter(kind for _pk, _path, kind in self.records)),
        }

    def add(self):
        """Create the restrictions as an editor would (the archive's and the site's signals run)."""
        from django.contrib.auth.models import Group
        from django.db import transaction

        from wagtail.models import PageViewRestriction

        group, _created = Group.objects.get_or_create(name=GROUP)
        with transaction.atomic():
            made = [PageViewRestriction.objects.create(page_id=self.collection[0], restriction_type="login")]
            for pk, _path, kind in self.records:
                restriction = PageViewRestriction.objects.create(
                    page_id=pk,
                    restriction_type=kind,
                    password="bench-secret" if kind == "password" else "",  # noqa: S106
                )
                if kind == "groups":
                    restriction.groups.set([group])
                made.append(restriction)
        self.ids = [restriction.pk for restriction in made]

    def remove(self):
        from django.db import transaction

        from wagtail.models import PageViewRestriction

        with transaction.atomic():
            for restriction in PageViewRestriction.objects.filter(pk__in=self.ids):
                restriction.delete()
        self.ids = []


def attach_images(count, open_records):
    """An image on each of ``count`` open public records, attached as media and processed (as the demo and
    tests/conftest.py attach_image do); returns the ``/media/`` URL of a web copy of each."""
    from PIL import Image

    from archive.models import RecordPage
    from ingest.models import Derivative, MediaKind, RecordMedia
    from ingest.services import ingest_file

    originals = []
    for number in range(count):
        record = RecordPage.objects.get(pk=open_records[number]).specific
        link = RecordMedia.objects.filter(record=record, original__kind=MediaKind.IMAGE).first()
        if link is None:
            buffer = io.BytesIO()
            Image.new("RGB", (40, 30), (120, 30 + number * 20, 20)).save(buffer, format="PNG")
            buffer.seek(0)
            # Processed at once: bench/settings.py runs tasks immediately, and this runs outside a transaction.
            originals.append(ingest_file(buffer, name=IMAGE_NAME.format(number), record=record)[0])
        else:
            originals.append(link.original)
    copies = Derivative.objects.filter(derivative_set__original__in=originals, role="web").order_by("path")
    first = {}
    for original_id, path in copies.values_list("derivative_set__original_id", "path"):
        first.setdefault(original_id, f"/media/{path}")
    missing = [original.filename for original in originals if original.pk not in first]
    if missing:
        raise SystemExit(f"no access copies were made of {', '.join(missing)}: see the ingest job's message")
    return [first[original.pk] for original in originals]


class Urls:
    """Random URLs of every kind; the same lists serve both states of a round."""

    def __init__(self, seed, open_records, media_urls):
        from archive.models import RECORD_TYPES
        from cms.models import RecordTypeIndexPage

        self.pages_urls = pages.Urls(seed)
        self.rng = self.pages_urls.rng
        locale = self.pages_urls.locale
        self.type_urls = [
            f"{RecordTypeIndexPage.objects.live().get(locale=locale).get_url()}{model.type_slug}/"
            for model in RECORD_TYPES
        ]
        self.home_url = pages.default_home().get_url()
        self.open_records = open_records
        self.record_url_cache = {}
        self.media_urls = list(media_urls)

    def records(self, count):
        from wagtail.models import Page

        chosen = [self.rng.choice(self.open_records) for _ in range(count)]
        missing = [pk for pk in set(chosen) if pk not in self.record_url_cache]
        for page in Page.objects.filter(pk__in=missing).specific():
            self.record_url_cache[page.pk] = page.get_url()
        return [self.record_url_cache[pk] for pk in chosen]

    def of(self, kind, count):
        if kind == "baseline":
            return ["/robots.txt"] * count
        if kind == "media":
            return [self.rng.choice(self.media_urls) for _ in range(count)]
        if kind == "record":
            return self.records(count)
        if kind == "group":
            return self.pages_urls.groups(count, min_records=3)
        if kind == "type":
            return [self.rng.choice(self.type_urls) for _ in range(count)]
        if kind == "calendar":
            return self.pages_urls.calendar(count)
        return [self.home_url] * count


def make_clients():
    clients = {"anonymous": pages.make_client(), "researcher": pages.make_client()}
    clients["researcher"].force_login(researcher())
    return clients


# --- measuring ---------------------------------------------------------------------------


def fetch(client, url):
    response = client.get(url)
    if response.streaming:  # a file: read it as the server would send it
        b"".join(response.streaming_content)
    response.close()
    return response.status_code


def warm(clients, urls, count):
    for user in USERS:
        for kind in KINDS:
            for url in urls.of(kind, count):
                status = fetch(clients[user], url)
                if status != 200:
                    raise RuntimeError(f"{user}: GET {url} answered {status} during warm-up")


def time_block(clients, round_urls):
    """One state of one round: every (visitor, kind) interleaved request by request."""
    gc.collect()
    samples = {(user, kind): [] for user in USERS for kind in KINDS}
    statuses = {key: Counter() for key in samples}
    for index in range(len(round_urls[KINDS[0]])):
        for user in USERS:
            for kind in KINDS:
                started = time.perf_counter()
                status = fetch(clients[user], round_urls[kind][index])
                samples[(user, kind)].append((time.perf_counter() - started) * 1000)
                statuses[(user, kind)][status] += 1
    return samples, statuses


def summary(values):
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 3),
        "p95_ms": round(pages.percentile(values, 95), 3),
        "mean_ms": round(statistics.fmean(values), 3),
        "max_ms": round(max(values), 3),
    }


def listed_counts(locale, user):
    """How many records the listings show each visitor in the current state."""
    from archive.access import Viewer
    from archive.models import RecordPage

    return {
        "anonymous": RecordPage.objects.listed_for(Viewer(None), locale).count(),
        "researcher": RecordPage.objects.listed_for(Viewer(user), locale).count(),
    }


def count_all(clients, query_urls):
    out = {}
    for user in USERS:
        for kind in KINDS:
            out[f"{user}/{kind}"] = [pages.count_queries(clients[user], url) for url in query_urls[kind]]
    return out


class StatementTimer:
    """A ``connection.execute_wrapper``: the time of every statement run inside it."""

    def __init__(self):
        self.rows = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((sql, (time.perf_counter() - started) * 1000))


def sql_time(clients, query_urls, repeats=2):
    """Per visitor and kind: median request and SQL time, and the statements that took longest
    (mean ms per request, normalised SQL). Not interleaved with the other state: for attribution."""
    from django.db import connection

    out = {}
    for user in USERS:
        for kind in KINDS:
            urls = query_urls[kind] * repeats
            totals, sql_totals, per_statement = [], [], Counter()
            for url in urls:
                timer = StatementTimer()
                with connection.execute_wrapper(timer):
                    started = time.perf_counter()
                    fetch(clients[user], url)
                    totals.append((time.perf_counter() - started) * 1000)
                sql_totals.append(sum(ms for _sql, ms in timer.rows))
                for sql, ms in timer.rows:
                    per_statement[pages.normalise_sql(sql)] += ms / len(urls)
            out[f"{user}/{kind}"] = {
                "request_ms": round(statistics.median(totals), 3),
                "sql_ms": round(statistics.median(sql_totals), 3),
                "top": [{"sql": sql, "ms": round(ms, 3)} for sql, ms in per_statement.most_common(5)],
            }
    return out


def query_diff(without, with_):
    """Per visitor and kind: the statements (normalised) the restrictions add, on the first URL."""
    report = {}
    for key, before_list in without.items():
        before, after = before_list[0], with_[key][0]
        added = Counter(map(pages.normalise_sql, after["sql"])) - Counter(map(pages.normalise_sql, before["sql"]))
        removed = Counter(map(pages.normalise_sql, before["sql"])) - Counter(map(pages.normalise_sql, after["sql"]))
        report[key] = {
            "without": [item["queries"] for item in before_list],
            "with": [item["queries"] for item in with_[key]],
            "added": [{"sql": sql, "times": n} for sql, n in added.items()],
            "removed": [{"sql": sql, "times": n} for sql, n in removed.items()],
        }
    return report


def subquery_statements(captured):
    """Statements of one request that carry the restriction subquery (path LIKE … inside IN)."""
    return [sql for sql in captured["sql"] if "LIKE" in sql and "translation_key" in sql]


# --- the listing query alone against the number of failed restrictions ----------------------


def probe(locale, sizes, repeats, seed):
    """Time ``RecordPage.objects.listed_for(...).count()`` for a viewer failing 0…R restrictions.

    The restrictions are not in the database: a Viewer is handed R failed restrictions on
    random record paths, so this isolates the SQL the rule adds to a listing. Sizes alternate
    repeat by repeat. It also times the same exclusion written as path ranges (``path >= p AND
    path < p || '~'``), which SQLite can answer from the index on the path, for comparison only;
    and it finds the number of failed restrictions at which the rule's query stops running.
    """
    from django.db import DatabaseError
    from django.db.models import Q

    from wagtail.models import Page

    from archive.access import Restriction, Viewer, access_filter
    from archive.models import RecordPage

    if not sizes:
        return None
    rng = random.Random(seed + 29)
    paths = list(RecordPage.objects.filter(locale=locale).values_list("path", flat=True))
    chosen = rng.sample(paths, len(paths))

    def failed(size):
        # Past the corpus (the limit search), paths repeat: the query's shape is what counts then.
        return [Restriction(-(i + 1), "password", (chosen[i % len(chosen)],), None) for i in range(size)]

    def rule_queryset(size):
        viewer = Viewer(None)
        viewer.failed = failed(size)  # cached_property: an instance attribute replaces it
        return RecordPage.objects.listed_for(viewer, locale)

    def ranges_queryset(size):
        viewer = Viewer(None)
        viewer.failed = []
        queryset = RecordPage.objects.filter(locale=locale).filter(Q(live=True) & access_filter(viewer))
        covered = Q()
        for restriction in failed(size):
            for prefix in restriction.prefixes:
                covered |= Q(path__gte=prefix, path__lt=prefix + "~")
        if covered:
            queryset = queryset.exclude(translation_key__in=Page.objects.filter(covered).values("translation_key"))
        return queryset

    variants = {"rule (path LIKE)": rule_queryset, "path ranges (comparison)": ranges_queryset}
    timings = {name: {size: [] for size in sizes} for name in variants}
    counts = {name: {} for name in variants}
    errors = {}
    for _repeat in range(repeats):
        for size in sizes:
            for name, make in variants.items():
                if (name, size) in errors:
                    continue
                queryset = make(size)
                started = time.perf_counter()
                try:
                    counts[name][size] = queryset.count()
                except DatabaseError as exc:
                    errors[(name, size)] = str(exc)
                    continue
                timings[name][size].append((time.perf_counter() - started) * 1000)

    def runs(size):
        try:
            rule_queryset(size).count()
        except DatabaseError:
            return False
        return True

    # The largest number of failed restrictions the rule's listing query still runs with.
    limit, ceiling = None, 5000
    if not runs(ceiling):
        low, high = 0, ceiling  # runs(low), not runs(high)
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if runs(middle) else (low, middle)
        limit = low
    mid = sorted(sizes)[len(sizes) // 2]
    return {
        "records_in_locale": len(paths),
        "sizes": sizes,
        "median_ms": {
            name: {str(size): round(statistics.median(values), 3) if values else None for size, values in per.items()}
            for name, per in timings.items()
        },
        "counts": {name: {str(size): n for size, n in per.items()} for name, per in counts.items()},
        "errors": {f"{name} @ {size}": error for (name, size), error in errors.items()},
        "rule_limit": limit,
        "rule_limit_tried_up_to": ceiling,
        "rule_limit_error": None if limit is None else _error_of(rule_queryset(limit + 1)),
        "explain_size": mid,
        "sql_two_restrictions": str(rule_queryset(2).values("pk").query),
        "explain": {name: make(mid).explain() for name, make in variants.items()},
    }


def _error_of(queryset):
    from django.db import DatabaseError

    try:
        queryset.count()
    except DatabaseError as exc:
        return str(exc)
    return None


# --- report ------------------------------------------------------------------------------


def ratio(a, b):
    return round(a / b, 3) if b else None


def analyse(samples, statuses, rounds):
    """Pooled p50/p95 per state, with/without ratios, and the spread of per-round ratios."""
    table = {}
    for user in USERS:
        for kind in KINDS:
            key = f"{user}/{kind}"
            row = {}
            for state in STATES:
                row[state] = summary([value for rnd in samples[state] for value in rnd[(user, kind)]])
                row[state]["statuses"] = dict(sum((Counter(rnd[(user, kind)]) for rnd in statuses[state]), Counter()))
            per_round = [
                statistics.median(samples["with"][r][(user, kind)])
                / statistics.median(samples["without"][r][(user, kind)])
                for r in range(rounds)
            ]
            row["ratio_p50"] = ratio(row["with"]["p50_ms"], row["without"]["p50_ms"])
            row["ratio_p95"] = ratio(row["with"]["p95_ms"], row["without"]["p95_ms"])
            row["per_round_ratio_p50"] = {
                "median": round(statistics.median(per_round), 3),
                "min": round(min(per_round), 3),
                "max": round(max(per_round), 3),
                "values": [round(value, 3) for value in per_round],
            }
            table[key] = row
    for user in USERS:
        base = {state: table[f"{user}/baseline"][state]["p50_ms"] for state in STATES}
        for kind in KINDS:
            for state in STATES:
                table[f"{user}/{kind}"][state]["p50_x_baseline"] = round(
                    table[f"{user}/{kind}"][state]["p50_ms"] / base[state], 1
                )
    return table


def print_report(table, queries, probe_result, listed, args):
    print("\n" + "=" * 118)
    print(
        f"RESULTS: {args.restrictions} restrictions vs none; {args.rounds} rounds x {args.requests} requests "
        "per kind, visitor and state"
    )
    print("=" * 118)
    print(
        f"{'visitor / kind':<42}{'without p50/p95 ms':>20}{'with p50/p95 ms':>18}{'ratio p50':>10}{'p95':>7}"
        f"{'rounds (min-max)':>18}{'SQL w/o':>8}{'SQL w/':>7}"
    )
    for user in USERS:
        for kind in KINDS:
            key = f"{user}/{kind}"
            row = table[key]
            spread = row["per_round_ratio_p50"]
            q = queries[key]
            print(
                f"{user + ' / ' + LABELS[kind]:<42}"
                f"{row['without']['p50_ms']:>9.2f} /{row['without']['p95_ms']:>8.2f}"
                f"{row['with']['p50_ms']:>9.2f} /{row['with']['p95_ms']:>7.2f}"
                f"{row['ratio_p50']:>10.2f}{row['ratio_p95']:>7.2f}"
                f"{spread['min']:>10.2f}-{spread['max']:.2f}"
                f"{max(q['without']):>8}{max(q['with']):>7}"
            )
            bad = {state: {code: n for code, n in row[state]["statuses"].items() if code != 200} for state in STATES}
            if any(bad.values()):
                print(f"    non-200 answers: {bad}")
    print("(ratio: with ÷ without of the pooled p50 / p95; rounds: the spread of the per-round p50 ratios;")
    print(" SQL: most queries of one request among the counted URLs)")
    print(f"\nRecords listed: without restrictions {listed['without']}, with {listed['with']}")
    print("\nStatements the restrictions add (first counted URL of each kind, normalised):")
    for key, diff in queries.items():
        if diff["added"] or diff["removed"]:
            print(f"  {key}: {diff['without'][0]} -> {diff['with'][0]}")
            for added in diff["added"]:
                print(f"    +{added['times']} x {pages.short_sql(added['sql'], 160)}")
            for removed in diff["removed"]:
                print(f"    -{removed['times']} x {pages.short_sql(removed['sql'], 160)}")
    if probe_result:
        records = probe_result["records_in_locale"]
        print(f"\nListing query alone (count of the locale's visible records; {records} records in the locale):")
        print(f"  {'failed restrictions':<28}" + "".join(f"{size:>10}" for size in probe_result["sizes"]))
        for name, per in probe_result["median_ms"].items():
            print(
                f"  {name + ' ms':<28}"
                + "".join(
                    f"{per[str(size)]:>10.2f}" if per[str(size)] is not None else f"{'error':>10}"
                    for size in probe_result["sizes"]
                )
            )
        if probe_result["rule_limit"] is not None:
            print(
                f"  The rule's listing query fails above {probe_result['rule_limit']} failed restrictions: "
                f"{probe_result['rule_limit_error']}"
            )
        else:
            tried = probe_result["rule_limit_tried_up_to"]
            print(f"  The rule's listing query ran with up to {tried} failed restrictions.")
        print(f"  EXPLAIN QUERY PLAN at {probe_result['explain_size']} (rule):")
        for line in probe_result["explain"]["rule (path LIKE)"].splitlines():
            print(f"    {line}")


def print_sql_time(sql_times):
    print("\nSQL time per request (median ms; requests of the query count, the states not interleaved):")
    print(f"  {'visitor / kind':<42}{'SQL w/o':>9}{'SQL w/':>9}{'request w/o':>13}{'w/':>8}   longest statement with")
    for key, without in sql_times["without"].items():
        with_ = sql_times["with"][key]
        top = with_["top"][0] if with_["top"] else {"sql": "-", "ms": 0}
        user, kind = key.split("/")
        print(
            f"  {user + ' / ' + LABELS[kind]:<42}{without['sql_ms']:>9.2f}{with_['sql_ms']:>9.2f}"
            f"{without['request_ms']:>13.2f}{with_['request_ms']:>8.2f}"
            f"   {top['ms']:.2f} ms {pages.short_sql(top['sql'], 70)}"
        )


def main():
    args = parse_args()
    django.setup()
    from django.conf import settings

    from wagtail.models import PageViewRestriction

    run_started = time.perf_counter()
    print(
        f"settings {os.environ['DJANGO_SETTINGS_MODULE']}, DEBUG={settings.DEBUG}, "
        f"page cache {'ON' if settings.PAGE_CACHE_SECONDS else 'off'}, "
        f"database {settings.DATABASES['default']['NAME']}",
        flush=True,
    )
    migrate_seconds = site_seconds = generation_seconds = 0.0
    generation = {}
    if args.measure_only:
        db_path = Path(settings.DATABASES["default"]["NAME"])
        if not db_path.exists():
            raise SystemExit(f"--measure-only: no database at {db_path}")
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    else:
        db_path, migrate_seconds = pages.fresh_database(args.reuse)
        print(f"database {db_path} migrated in {migrate_seconds:.1f} s", flush=True)
        site_report, site_seconds = pages.load_site()
        print(f"site and taxonomies loaded in {site_seconds:.1f} s: {site_report}", flush=True)
        generator = pages.Generator(args)
        generator.generate_until(args.records)
        generation = generator.summary()
        generation_seconds = generator.stats["publish"]["seconds"] + generator.stats["fast"]["seconds"]
    if PageViewRestriction.objects.exists():
        raise SystemExit(
            "the database already holds view restrictions: the 'without' state needs none (use a fresh database)"
        )
    pages.analyze(args)

    locale = default_locale()
    plan = Plan(args, locale)
    media_urls = attach_images(args.images, plan.open_records)
    user = researcher()
    clients = make_clients()
    urls = Urls(args.seed, plan.open_records, media_urls)
    counts = pages.corpus_counts()
    print(
        f"corpus: {counts['records']} records ({counts['public']} public), {counts['festivals']} festivals; "
        f"restricted collection: {plan.collection[2]}",
        flush=True,
    )

    setup = {}
    listed = {"without": listed_counts(locale, user)}
    query_urls = {kind: urls.of(kind, args.query_urls) for kind in KINDS}
    queries = {"without": count_all(clients, query_urls)}
    sql_times = {"without": sql_time(clients, query_urls)}
    started = time.perf_counter()
    plan.add()
    setup["add_seconds_first"] = round(time.perf_counter() - started, 2)
    listed["with"] = listed_counts(locale, user)
    queries["with"] = count_all(clients, query_urls)
    sql_times["with"] = sql_time(clients, query_urls)
    print(f"SQL queries counted; records listed without / with restrictions: {listed}", flush=True)

    warm(clients, urls, args.warmup)
    samples = {state: [] for state in STATES}
    statuses = {state: [] for state in STATES}
    toggles = []
    load = []
    state = "with"
    for rnd in range(args.rounds):
        round_urls = {kind: urls.of(kind, args.requests) for kind in KINDS}
        order = STATES if rnd % 2 == 0 else STATES[::-1]
        for wanted in order:
            if wanted != state:
                started = time.perf_counter()
                if wanted == "with":
                    plan.add()
                else:
                    plan.remove()
                toggles.append(round(time.perf_counter() - started, 2))
                state = wanted
                warm(clients, urls, 1)  # caches a restriction change cleared (navigation, content version)
            block, block_statuses = time_block(clients, round_urls)
            samples[state].append(block)
            statuses[state].append(block_statuses)
        load.append(os.getloadavg()[0])
        print(f"  round {rnd + 1}/{args.rounds} done ({' then '.join(order)}), load average {load[-1]:.2f}", flush=True)
    if state == "with":
        plan.remove()

    table = analyse(samples, statuses, args.rounds)
    query_report = query_diff(queries["without"], queries["with"])
    out = pages.result_path("access")
    payload = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "args": vars(args),
        "environment": pages.environment(db_path),
        "corpus": counts,
        "generation": {**generation, "total_seconds": round(generation_seconds, 1)},
        "restrictions": plan.describe(),
        "records_listed": listed,
        "setup": {**setup, "toggle_seconds": toggles, "load_average_per_round": load},
        "timing": table,
        "queries": query_report,
        "sql_time": sql_times,
        "queries_sql": {state: {key: items[0]["sql"] for key, items in per.items()} for state, per in queries.items()},
        "subquery_statements": {key: len(subquery_statements(items[0])) for key, items in queries["with"].items()},
    }
    pages.write_results(out, payload)  # now, so a failing probe loses nothing

    sizes = [int(size) for size in args.probe_sizes.split(",") if size.strip()]
    started = time.perf_counter()
    payload["probe"] = probe(locale, sizes, args.probe_repeats, args.seed)
    probe_seconds = time.perf_counter() - started
    print_report(table, query_report, payload["probe"], listed, args)
    print_sql_time(sql_times)
    total = time.perf_counter() - run_started
    print(
        f"\nWhole run: {total / 60:.1f} min (migrate {migrate_seconds:.0f} s, site {site_seconds:.0f} s, "
        f"generation {generation_seconds:.0f} s, probe {probe_seconds:.0f} s); restriction toggles "
        f"{min(toggles, default=0):.1f}-{max(toggles, default=0):.1f} s; load average per round "
        f"{min(load):.2f}-{max(load):.2f} on {os.cpu_count()} CPUs"
    )
    payload["total_seconds"] = round(total, 1)
    pages.write_results(out, payload)
    print(f"results written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
