"""Queues benchmark (issue 14): a person's upload while a large import runs, against the same on an idle worker.

    .venv/bin/python bench/queues.py                 # 10,000 rows, 50 uploads
    .venv/bin/python bench/queues.py --quick         # 500 rows, 10 uploads: enough to check a change

Builds a fresh SQLite database (bench/queues_settings.py: the benchmark settings with the database task
backend and a shared file cache) with the taxonomies and the site's sections, and starts a real task
worker beside it, as ``make demo`` does (``manage.py db_worker --queue-name '*'``, its own process). Then:

1. **idle**: ``--uploads`` photos uploaded one after the other through ``ingest.services.ingest_file`` (the
   call the admin's upload view makes), each once the previous one's access copies are ready;
2. **bulk**: ``manage.py import_records --publish`` of a ``--rows`` CSV manifest (festival records, every
   ``--media-every``-th row with a photo of its own), in its own process, wrapped in
   ``ingest.bulk.bulk_work()`` as the importer is meant to be; while it runs, the same number of
   photos (other content, same size) is uploaded, spread over the import (upload *i* once
   (i + ½) / uploads of the rows are in).

It prints the import's rows per second, the time from each upload to its access copies being ready
(p50, p95, max) idle and during the import with their ratio (goal: p95 ≤ 2 × idle), the tasks the import
queued by kind, and what the worker ran meanwhile. Results also go to bench/results/queues-<timestamp>.json.
"""

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("BENCH_DIR", "/tmp/heritage-bench-queues")  # noqa: S108 - a throw-away benchmark folder
os.environ["BENCH_DB"] = str(Path(os.environ["BENCH_DIR"]) / "db.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.queues_settings"

import django  # noqa: E402

PREFIX = "dtts-q-"
GOAL = 2.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the imported manifest (10,000)")
    parser.add_argument("--uploads", type=int, default=50, help="photos uploaded, idle and during the import (50)")
    parser.add_argument("--quick", action="store_true", help="500 rows, 10 uploads")
    parser.add_argument("--media-every", type=int, default=10, help="every N-th row has a photo (10; 0: none)")
    parser.add_argument("--photo-size", default="2000x1500", help="uploaded photos, WxH (2000x1500, 3 MP)")
    parser.add_argument("--import-photo-size", default="2000x1500", help="the import's photos, WxH")
    parser.add_argument("--drafts", action="store_true", help="import drafts instead of --publish")
    parser.add_argument("--timeout", type=float, default=3600, help="give up waiting for the uploads after this")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--child-import", nargs=2, metavar=("MANIFEST", "MEDIA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.rows, args.uploads = 500, 10
    return args


def size_of(text: str) -> tuple[int, int]:
    width, _x, height = text.partition("x")
    return int(width), int(height)


def photo(size: tuple[int, int], seed: int) -> bytes:
    """A camera-like JPEG of its own content: a gradient with shapes and fine noise."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = size
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = Image.new("RGB", (width, height), tuple(rng.randrange(40, 220) for _ in range(3)))
    image = Image.blend(base, tint, 0.5)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, max(21, width // 6))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


# --- the import, in its own process ------------------------------------------------------------------------


def child_import(manifest: str, media: str, drafts: bool) -> None:
    """Run ``manage.py import_records`` inside ``bulk_work()``; print one JSON line with the outcome."""
    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from ingest.bulk import bulk_work

    out = io.StringIO()
    options = ["--media", media, "--no-progress"] + ([] if drafts else ["--publish"])
    started, error = time.perf_counter(), ""
    with bulk_work():
        try:
            call_command("import_records", manifest, *options, stdout=out, stderr=io.StringIO())
        except CommandError as exc:
            error = str(exc)
    seconds = time.perf_counter() - started
    text = out.getvalue()
    accepted = re.search(r"accepted (\d+)", text)
    rejected = [line for line in text.splitlines() if line.startswith("  line ") and "created" not in line]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "accepted": int(accepted.group(1)) if accepted else 0,
                "error": error,
                "rejected_examples": rejected[:3],
            }
        ),
        flush=True,
    )


# --- setting up ---------------------------------------------------------------------------------------------


def setup(args):
    from django.core.cache import cache

    from bench.pages import fresh_database, load_site

    cache.clear()  # the marks of an earlier run (one index task waiting, an upload being taken in)
    path, migrate_seconds = fresh_database(reuse=False)
    print(f"database {path} migrated in {migrate_seconds:.0f} s", flush=True)
    report, site_seconds = load_site()
    print(f"site loaded in {site_seconds:.0f} s ({report.get('demo')})", flush=True)

    from django.contrib.auth.models import User

    from archive.models import RecordPage
    from search import services as search_services

    search_services.rebuild()
    user = User.objects.create_superuser("bench", "bench@example.org", "bench-password")
    record = RecordPage.objects.live().order_by("pk").first()
    if record is None:
        raise SystemExit("no record to upload onto: the demo records did not load")
    return user, record


def write_manifest(folder: Path, rows: int, media_every: int, size: tuple[int, int], seed: int) -> Path:
    media = folder / "media"
    (media / "anh").mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["identifier", "type", "collection", "title", "summary", "ethnic_groups", "media"])
    made = 0
    for number in range(1, rows + 1):
        cell = ""
        if media_every and number % media_every == 0:
            name = f"anh/{number:06d}.jpg"
            (media / name).write_bytes(photo(size, seed * 1_000_003 + number))
            cell, made = name, made + 1
        writer.writerow(
            [
                f"{PREFIX}{number:06d}",
                "festival",
                "le-hoi",
                f"Lễ hội thử hàng đợi {number}",
                f"Bản ghi thử số {number} của lần nhập hàng loạt.",
                f"{number % 54 + 1:02d}",
                cell,
            ]
        )
    manifest = folder / "manifest.csv"
    manifest.write_text(buffer.getvalue(), encoding="utf-8")
    print(f"manifest: {rows:,} rows, {made:,} photos {size[0]}×{size[1]}", flush=True)
    return manifest


# --- the worker and the uploads -------------------------------------------------------------------------------


def start_worker(log: Path) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    command += ["--queue-name", "*"]  # as `make demo`
    return subprocess.Popen(command, cwd=REPO, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # the worker finishes the task it is on
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Seconds each upload's intake took (``ingest_file``: receiving, checking, storing, its rows and its task), by
# original id: the part of the wait spent before the worker could take the job.
INTAKE: dict[int, float] = {}


def upload(record, user, size, seed: int) -> tuple[int, float]:
    """One photo through the admin's intake; (original id, when the upload began)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ingest import services

    content = photo(size, seed)
    started, clock = time.time(), time.perf_counter()
    original, created = services.ingest_file(
        SimpleUploadedFile(f"ảnh {seed}.jpg", content, content_type="image/jpeg"), f"ảnh {seed}.jpg", record, user
    )
    INTAKE[original.pk] = time.perf_counter() - clock
    assert created, "the same photo twice"
    return original.pk, started


def cache_entries() -> int | None:
    """Entries in the shared file cache (Django's file cache lists its whole folder on every write)."""
    from django.conf import settings

    location = settings.CACHES["default"].get("LOCATION")
    if "filebased" not in settings.CACHES["default"]["BACKEND"] or not location:
        return None
    return sum(1 for _ in Path(location).glob("*.djcache"))


def finished(began: dict[int, float]) -> dict[int, float]:
    """Seconds from upload to access copies ready, of those uploads whose job is done (or failed: -1)."""
    from ingest.models import JobState, ProcessingJob

    rows = ProcessingJob.objects.filter(original_id__in=list(began), state__in=[JobState.DONE, JobState.FAILED])
    return {
        row.original_id: (row.finished_at.timestamp() - began[row.original_id]) if row.state == JobState.DONE else -1.0
        for row in rows.only("original_id", "state", "finished_at")
    }


def wait_for(began: dict[int, float], timeout: float) -> dict[int, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = finished(began)
        if len(done) == len(began):
            return done
        time.sleep(0.1)
    raise SystemExit(f"uploads not processed within {timeout:.0f} s: {len(began) - len(finished(began))} left")


def drain(timeout: float) -> int:
    """Wait until the worker has run every task that is due (the site's setup queued Wagtail's index tasks)."""
    from django_tasks_db.models import DBTaskResult

    deadline, due = time.monotonic() + timeout, -1
    while time.monotonic() < deadline:
        due = DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()
        if due == 0:
            return 0
        time.sleep(0.5)
    return due


def idle_phase(args, user, record) -> tuple[list[float], list[float]]:
    """(upload → ready, intake) seconds of each upload on the idle worker."""
    size, latencies, intake = size_of(args.photo_size), [], []
    wait_for(dict([upload(record, user, size, seed=args.seed * 31 - 1)]), args.timeout)  # warms the worker up
    for number in range(args.uploads):
        pk, began = upload(record, user, size, seed=args.seed * 7919 + number)
        latencies += list(wait_for({pk: began}, args.timeout).values())
        intake.append(INTAKE[pk])
        time.sleep(0.2)
    return latencies, intake


def bulk_phase(args, user, record, folder: Path) -> dict:
    from django_tasks_db.models import DBTaskResult

    from django.db.models import Count, Sum
    from django.utils import timezone

    from archive.models import PersistentIdentifier
    from search.models import PendingUpdate

    manifest = write_manifest(folder, args.rows, args.media_every, size_of(args.import_photo_size), args.seed)
    size, began = size_of(args.photo_size), {}
    during = 0
    window_start = timezone.now()
    command = [sys.executable, str(Path(__file__).resolve()), "--child-import", str(manifest), str(folder / "media")]
    child = subprocess.Popen(command + (["--drafts"] if args.drafts else []), cwd=REPO, stdout=subprocess.PIPE)
    imported = PersistentIdentifier.objects.filter(identifier__startswith=PREFIX)
    next_upload = 0
    while next_upload < args.uploads:
        running = child.poll() is None
        rows = imported.count()
        if not running or rows >= (next_upload + 0.5) * args.rows / args.uploads:
            pk, started = upload(record, user, size, seed=args.seed * 104729 + next_upload)
            began[pk] = started
            during += running
            next_upload += 1
            continue
        time.sleep(0.2)
    output, _ = child.communicate()
    window_end = timezone.now()
    entries_at_end = cache_entries()
    outcome = json.loads(output.decode().strip().splitlines()[-1])
    backlog_at_end = DBTaskResult.objects.ready().count()
    latencies = list(wait_for(began, args.timeout).values())
    in_window = DBTaskResult.objects.filter(enqueued_at__gte=window_start, enqueued_at__lte=window_end)
    enqueued = Counter(in_window.values_list("task_path", flat=True))
    ran = DBTaskResult.objects.filter(finished_at__gte=window_start, finished_at__lte=window_end).count()
    # The discovery index's queue: rows made during the import, and the changes counted on them (one waiting
    # row a record, however often a row of the import changes it).
    queue = PendingUpdate.objects.filter(created_at__gte=window_start, created_at__lte=window_end)
    return {
        "import": outcome,
        "rows_per_second": outcome["accepted"] / outcome["seconds"] if outcome["seconds"] else 0,
        "uploads_during_import": during,
        "latencies": latencies,
        "intake": [INTAKE[pk] for pk in began],
        "cache_entries_at_import_end": entries_at_end,
        "tasks_enqueued_during_import": dict(enqueued.most_common()),
        "tasks_run_during_import": ran,
        "index_queue_during_import": queue.aggregate(rows=Count("pk"), changes=Sum("changes")),
        "worker_tasks_per_second": ran / max((window_end - window_start).total_seconds(), 1e-9),
        "backlog_at_import_end": backlog_at_end,
        "backlog_now": DBTaskResult.objects.ready().count(),
    }


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]

    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": pick(0.95),
        "max": ordered[-1],
        "failed": sum(1 for value in ordered if value < 0),
    }


def main():
    args = parse_args()
    if args.child_import:
        child_import(*args.child_import, drafts=args.drafts)
        return
    django.setup()
    from django.conf import settings

    bench_dir = Path(settings.BENCH_DIR)
    print(
        f"queues benchmark: {args.rows:,} rows, {args.uploads} uploads, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Django {django.get_version()}",
        flush=True,
    )
    started = time.perf_counter()
    user, record = setup(args)
    worker = start_worker(bench_dir / "worker.log")
    try:
        waiting = drain(args.timeout)
        print(f"worker started; the setup's tasks run ({waiting} still due)", flush=True)
        print("idle: uploading one photo at a time…", flush=True)
        idle_latencies, idle_intake = idle_phase(args, user, record)
        idle = summary(idle_latencies)
        idle_intake = summary(idle_intake)
        print(f"  p50 {idle['p50']:.2f} s, p95 {idle['p95']:.2f} s", flush=True)
        print("bulk: importing, uploading meanwhile…", flush=True)
        folder = bench_dir / "import"
        with contextlib.suppress(FileNotFoundError):
            for path in sorted(folder.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
        bulk = bulk_phase(args, user, record, folder)
    finally:
        stop(worker)
    under = summary(bulk.pop("latencies"))
    under_intake = summary(bulk.pop("intake"))
    ratio = under["p95"] / idle["p95"] if idle["p95"] else float("inf")
    outcome = bulk["import"]

    print()
    print(
        f"import: {outcome['accepted']:,} of {args.rows:,} rows in {outcome['seconds']:.0f} s: "
        f"{bulk['rows_per_second']:.1f} rows/s" + (f"  ({outcome['error']})" if outcome["error"] else "")
    )
    print(f"{'upload → access copies ready':32} {'n':>4} {'p50 s':>8} {'p95 s':>8} {'max s':>8}")
    for label, row in (("idle worker", idle), (f"during the import ({bulk['uploads_during_import']} in it)", under)):
        print(f"{label:32} {row['n']:>4} {row['p50']:>8.2f} {row['p95']:>8.2f} {row['max']:>8.2f}")
    print(f"p95 during ÷ idle: {ratio:.2f}× (goal ≤ {GOAL:g}×: {'met' if ratio <= GOAL else 'NOT met'})")
    print(
        f"of which the intake (ingest_file): idle p50 {idle_intake['p50']:.2f} / p95 {idle_intake['p95']:.2f} s, "
        f"during the import p50 {under_intake['p50']:.2f} / p95 {under_intake['p95']:.2f} s"
    )
    if bulk["cache_entries_at_import_end"] is not None:
        print(f"entries in the shared file cache at the import's end: {bulk['cache_entries_at_import_end']:,}")
    queue = bulk["index_queue_during_import"]
    print(
        f"discovery index updates queued during the import: {queue['changes'] or 0:,} changes "
        f"in {queue['rows']:,} rows (one waiting row a record)"
    )
    print(f"tasks queued during the import: {sum(bulk['tasks_enqueued_during_import'].values()):,}")
    for path, count in bulk["tasks_enqueued_during_import"].items():
        print(f"  {count:>7,}  {path}")
    print(
        f"worker ran {bulk['tasks_run_during_import']:,} tasks during the import "
        f"({bulk['worker_tasks_per_second']:.1f}/s); waiting at its end {bulk['backlog_at_import_end']:,}, "
        f"when the last upload was ready {bulk['backlog_now']:,}"
    )
    load = os.getloadavg()
    print(f"whole run {(time.perf_counter() - started) / 60:.1f} min; load average now {load[0]:.1f} / {load[1]:.1f}")

    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    out = results / f"queues-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "args": vars(args),
                "idle": idle,
                "during_import": under,
                "p95_ratio": ratio,
                "intake_idle": idle_intake,
                "intake_during_import": under_intake,
                "load": load,
                **bulk,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"results: {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
