"""Ingest processing benchmark: the media pipeline against the raw tools, on the same inputs, in one run.

    .venv/bin/python bench/ingest.py            # full size: 24 MP photo, 100 MP scan, 60 s 1080p video
    .venv/bin/python bench/ingest.py --quick    # 6 MP, 25 MP, 10 s 720p: a check in about a minute
    .venv/bin/python bench/ingest.py --big-video-gb 2   # only: a 2 GB 1080p video through a real worker

Measures, each step in its own child process (peak RSS from ``os.wait4``, which includes the
child's own children such as ffmpeg). A step's seconds start after its imports, Pillow included (the
pipeline loads it lazily; a worker has it loaded with Django), its CPU seconds cover the whole process:

* photo: ``ingest.processing.pipeline.process`` (sniff, probe, web copies and IIIF tiles) against a
  bare pyvips ``dzsave(layout="iiif3", tile_size=512)`` of the same file; also the tiles step alone;
* scan: the same for a 100-megapixel scan: seconds and peak resident memory;
* video: ``pipeline.process`` against the same ffmpeg commands (``video.plan_video``) run directly
  with ``subprocess``; and the realtime factor (video duration ÷ pipeline seconds).

With ``--big-video-gb N`` it does only this instead: makes an N-gigabyte 1080p MP4 (a 10-second
high-bitrate clip repeated by stream copy), migrates a throw-away SQLite database, receives the file
through ``ingest.services.ingest_file`` in a separate process (as an upload: a file object streamed in
1 MiB chunks), then runs a real ``manage.py db_worker --batch`` and samples ``/proc`` every 0.2 s for the
resident memory of the worker and of its ffmpeg children. Everything is made in ``--work``/big and
deleted afterwards; free disk is checked first (about 3.5 × N GB is needed).

Inputs are generated once under ``--work`` (default /tmp/heritage-bench-ingest) and reused; outputs
are deleted after each step. Results are printed and written to bench/results/ingest-<timestamp>.json.
On a shared machine compare the ratios (and the CPU seconds), not raw seconds.
"""

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

IIIF_ID = "https://archive.example.org/iiif/bench"
SIZES = {
    "full": {"photo": (6000, 4000), "scan": (12000, 8400), "video": ("1920x1080", 60)},
    "quick": {"photo": (3000, 2000), "scan": (6000, 4200), "video": ("1280x720", 10)},
}


# --- inputs -------------------------------------------------------------------------------------------------


def synthetic_photo(path: Path, width: int, height: int) -> Path:
    """A camera-like JPEG: smooth shapes, fine texture and sensor noise (so it compresses like a photo)."""
    from ingest.processing._vips import vips

    pyvips = vips()
    if path.exists():
        return path
    base = pyvips.Image.perlin(width, height, cell_size=max(64, width // 24), uchar=True)
    detail = pyvips.Image.perlin(width, height, cell_size=16, uchar=True)
    noise = pyvips.Image.gaussnoise(width, height, sigma=6, mean=0)
    image = (base.bandjoin([(base + detail) / 2, detail]) + noise).cast("uchar").copy(interpretation="srgb")
    partial = path.with_suffix(".partial.jpg")
    image.jpegsave(os.fspath(partial), Q=90)
    partial.rename(path)
    return path


def synthetic_video(path: Path, size: str, seconds: int) -> Path:
    """A camera-like H.264/AAC MP4: moving test pattern with temporal noise, a tone, 30 fps."""
    from ingest.processing.ffmpeg import ffmpeg_exe

    if path.exists():
        return path
    partial = path.with_suffix(".partial.mp4")
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}:sample_rate=48000",
         "-vf", "noise=alls=8:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-crf", "21",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", "-shortest", "-f", "mp4", str(partial)],
        check=True,
    )  # fmt: skip
    partial.rename(path)
    return path


# --- steps, each run in a child process ---------------------------------------------------------------------


def step(name: str, src: Path, out: Path) -> dict:
    """Run one step in this process; return what it measured itself."""
    import PIL.Image  # noqa: F401 - the pipeline loads Pillow lazily (EXIF); a worker has it from start-up

    from ingest.processing import pipeline

    started = time.perf_counter()
    if name == "pipeline":
        manifest = pipeline.process(src, out, name=src.name, iiif_id=IIIF_ID)
        extra = {"kind": manifest["kind"]}
    elif name == "tiles":
        from ingest.processing import images

        images.make_iiif_tiles(src, out, mime="image/jpeg", service_id=IIIF_ID)
        extra = {}
    elif name == "dzsave":
        from ingest.processing._vips import vips

        vips().Image.new_from_file(os.fspath(src)).dzsave(os.fspath(out), layout="iiif3", id=IIIF_ID, tile_size=512)
        extra = {}
    else:
        raise SystemExit(f"unknown step {name}")
    return {"seconds": time.perf_counter() - started, **extra}


def wrapped(command: list[str]) -> dict:
    """Run ``command`` as this process's only child; report its wall and CPU seconds and peak RSS.

    ``RUSAGE_CHILDREN`` covers the command and everything it waited for (ffmpeg under the pipeline),
    and nothing else, because this wrapper starts nothing else.
    """
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = done.stdout.decode().strip().splitlines()
    return {
        "returncode": done.returncode,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "reported": json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {},
        "stderr": done.stderr.decode(errors="replace")[-2000:],
    }


def measure(command: list[str], env: dict | None = None) -> dict:
    """Measure ``command`` through a fresh wrapper process (see :func:`wrapped`)."""
    done = subprocess.run(
        [sys.executable, __file__, "--measure", *command], capture_output=True, check=True, cwd=REPO, env=env
    )
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise SystemExit(f"{' '.join(command[:4])}… failed ({result['returncode']}):\n{result['stderr']}")
    # A step times itself (without interpreter start-up and imports); a bare command is timed by the wrapper.
    seconds = result["reported"].get("seconds", result["wall"])
    return {"seconds": seconds, "wall": result["wall"], "cpu": result["cpu"], "peak_rss_mb": result["peak_rss_mb"]}


def measure_step(name: str, src: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    try:
        return measure([sys.executable, __file__, "--step", name, str(src), str(out)])
    finally:
        shutil.rmtree(out, ignore_errors=True)


def measure_ffmpeg_directly(src: Path, out: Path) -> dict:
    """The pipeline's own ffmpeg commands for ``src`` (same arguments), run one after another directly."""
    from ingest.processing import probe, video

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    plan = video.plan_video(src, out, probe.probe_media(src, mime="video/mp4"))
    totals = {"wall": 0.0, "cpu": 0.0, "peak_rss_mb": 0.0}
    try:
        for command in plan.commands:
            result = measure(command)
            totals["wall"] += result["wall"]
            totals["cpu"] += result["cpu"]
            totals["peak_rss_mb"] = max(totals["peak_rss_mb"], result["peak_rss_mb"])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    totals["seconds"] = totals["wall"]
    return totals


# --- a big video through a real worker (--big-video-gb) ------------------------------------------------------

BIG_CLIP_SECONDS = 10
INTAKE = """
import json, resource, sys, time
import django
django.setup()
from ingest.services import ingest_file
started = time.perf_counter()
with open(sys.argv[1], "rb") as upload:  # a file object: received as an upload is, in 1 MiB chunks
    original, created = ingest_file(upload, sys.argv[2])
print(json.dumps({"original": original.pk, "created": created, "seconds": time.perf_counter() - started,
                  "self_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def big_video(path: Path, gigabytes: float) -> Path:
    """A 1080p30 H.264/AAC MP4 of about ``gigabytes`` GB: a noisy high-bitrate clip looped by stream copy."""
    from ingest.processing.ffmpeg import ffmpeg_exe

    clip = path.with_name("clip.mp4")
    quiet = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run(
        [*quiet, "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={BIG_CLIP_SECONDS}",
         "-f", "lavfi", "-i", f"sine=frequency=440:duration={BIG_CLIP_SECONDS}:sample_rate=48000",
         "-vf", "noise=alls=12:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "10", "-g", "60",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", "-shortest", str(clip)],
        check=True,
    )  # fmt: skip
    loops = max(0, math.ceil(gigabytes * 1e9 / clip.stat().st_size) - 1)
    partial = path.with_suffix(".partial.mp4")
    subprocess.run(
        [*quiet, "-stream_loop", str(loops), "-i", str(clip), "-c", "copy", "-f", "mp4", str(partial)], check=True
    )
    clip.unlink()
    partial.rename(path)
    return path


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of one process, in kB; empty once it has gone."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return {}
    return found


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(parents.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(parents.get(child, []))
    return found


def run_sampled(command: list[str], env: dict, log: Path, interval: float = 0.2) -> dict:
    """Run ``command`` and sample the resident memory of it and of its descendants until it exits."""
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        own_peak = children_peak = combined_peak = 0
        own_rss = []
        children_seen = set()
        while True:
            own = _proc_status(proc.pid)
            children = {pid: _proc_status(pid) for pid in _descendants(proc.pid)}
            if own:
                own_peak = max(own_peak, own.get("VmHWM", 0))
                own_rss.append(own.get("VmRSS", 0))
            for pid, status in children.items():
                children_seen.add(pid)
                children_peak = max(children_peak, status.get("VmHWM", 0))
            combined_peak = max(combined_peak, own.get("VmRSS", 0) + sum(c.get("VmRSS", 0) for c in children.values()))
            done_pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if done_pid:
                break
            time.sleep(interval)
        proc.returncode = os.waitstatus_to_exitcode(status)
    spread = sorted(own_rss) or [0]
    return {
        "returncode": proc.returncode,
        "seconds": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime,
        "worker_peak_rss_mb": own_peak / 1024,
        "worker_rss_mb_p10_p50_p90": [spread[int(q * (len(spread) - 1))] / 1024 for q in (0.1, 0.5, 0.9)],
        "children_peak_rss_mb": children_peak / 1024,
        "children_started": len(children_seen),
        "peak_rss_sum_mb": combined_peak / 1024,
        "wait4_max_rss_mb": usage.ru_maxrss / 1024,  # the largest single process, worker or child
        "samples": len(own_rss),
    }


def measure_big_video(work: Path, gigabytes: float) -> dict:
    """Ingest a ``gigabytes`` GB video and process it with a real ``manage.py db_worker``; memory and time."""
    import sqlite3

    from ingest.processing import probe

    base = work / "big"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    needed = gigabytes * 3.5e9  # the input, the stored original, the intake's temporary copy, access copies
    free = shutil.disk_usage(base).free
    if free < needed:
        raise SystemExit(f"{base}: {free / 1e9:.1f} GB free, {needed / 1e9:.1f} GB needed for --big-video-gb")
    try:
        print(f"big video: making a {gigabytes:g} GB 1080p MP4 ({free / 1e9:.0f} GB free)…", flush=True)
        source = big_video(base / "big.mp4", gigabytes)
        info = probe.probe_media(source, mime="video/mp4")
        size = source.stat().st_size
        print(f"big video: {size / 1e9:.2f} GB, {info.duration:.0f} s; migrating a throw-away database…", flush=True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "0",  # no query log growing in the worker
            "DATA_DIR": str(base / "data"),
            "DATABASE_URL": "",
            "REDIS_URL": "",  # the database task queue, as `make demo` runs it
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
        print("big video: intake (streamed, as an upload)…", flush=True)
        intake = measure([sys.executable, "-c", INTAKE, str(source), "lễ hội 2 GB.mp4"], env=env)
        print(f"big video: intake {intake['seconds']:.0f} s; processing in manage.py db_worker…", flush=True)
        worker = run_sampled(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
            env,
            base / "worker.log",
        )
        with sqlite3.connect(base / "data" / "db.sqlite3") as db:
            state, message = db.execute("select state, message from ingest_processingjob").fetchone()
            sets = db.execute("select count(*) from ingest_derivativeset").fetchone()[0]
        if worker["returncode"] != 0 or state != "done" or sets != 1:
            tail = (base / "worker.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"the worker did not finish the job ({state}: {message}):\n{tail}")
        return {
            "what": f"video {size / 1e9:.2f} GB 1080p, {info.duration:.0f} s: intake + db_worker",
            "bytes": size,
            "duration_s": info.duration,
            "intake_s": intake["seconds"],
            "intake_peak_rss_mb": intake["peak_rss_mb"],
            "processing_s": worker["seconds"],
            "realtime_factor": info.duration / worker["seconds"],
            **{k: v for k, v in worker.items() if k not in ("returncode", "seconds")},
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- the run ------------------------------------------------------------------------------------------------


def median_of(runs: list[dict]) -> dict:
    keys = [k for k in runs[0] if isinstance(runs[0][k], float)]
    return {k: statistics.median(r[k] for r in runs) for k in keys} | {"runs": len(runs)}


def compare(label: str, pipeline_runs: list[dict], raw_runs: list[dict]) -> dict:
    pipe, raw = median_of(pipeline_runs), median_of(raw_runs)
    row = {
        "what": label,
        "pipeline_s": pipe["seconds"],
        "raw_s": raw["seconds"],
        "ratio": pipe["seconds"] / raw["seconds"],
        "cpu_ratio": pipe["cpu"] / raw["cpu"] if raw.get("cpu") else None,
        # the spread, as min and max: each pipeline run against the raw run made just before it
        "pipeline_s_range": [min(r["seconds"] for r in pipeline_runs), max(r["seconds"] for r in pipeline_runs)],
        "raw_s_range": [min(r["seconds"] for r in raw_runs), max(r["seconds"] for r in raw_runs)],
        "pair_ratios": [p["seconds"] / r["seconds"] for p, r in zip(pipeline_runs, raw_runs, strict=False)],
        "pipeline_peak_rss_mb": max(r["peak_rss_mb"] for r in pipeline_runs),
        "raw_peak_rss_mb": max(r["peak_rss_mb"] for r in raw_runs),
        "runs": pipe["runs"],
    }
    return row


def alternate(repeats: int, first, second) -> tuple[list[dict], list[dict]]:
    """Run two measurements alternately (raw first), so drifting load hits both alike."""
    a, b = [], []
    for _ in range(repeats):
        b.append(second())
        a.append(first())
    return a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for checking")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "heritage-bench-ingest")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each image step (median reported)")
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument(
        "--big-video-gb", type=float, metavar="N", help="only measure a worker ingesting an N GB 1080p video"
    )
    parser.add_argument("--step", nargs=3, metavar=("NAME", "SRC", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(wrapped(args.measure)))
        return
    if args.step:
        name, src, out = args.step
        print(json.dumps(step(name, Path(src), Path(out))))
        return

    from ingest.processing import probe

    if args.big_video_gb:
        big = measure_big_video(args.work, args.big_video_gb)
        print(json.dumps(big, indent=2))
        write_report({"size": f"big-video-{args.big_video_gb:g}gb", "rows": [big]})
        return

    size = "quick" if args.quick else "full"
    work = args.work / size
    work.mkdir(parents=True, exist_ok=True)
    out = work / "out"
    print(f"Generating inputs under {work} (reused on later runs)…", flush=True)
    photo = synthetic_photo(work / "photo.jpg", *SIZES[size]["photo"])
    scan = synthetic_photo(work / "scan.jpg", *SIZES[size]["scan"])
    rows = []

    for label, src in (("photo", photo), ("scan", scan)):
        info = probe.probe_image(src, mime="image/jpeg")
        megapixels = info.width * info.height / 1e6
        print(
            f"{label}: {info.width}×{info.height} ({megapixels:.0f} MP, {src.stat().st_size / 1e6:.1f} MB)…", flush=True
        )
        pipe_runs, raw_runs = alternate(
            args.repeats, lambda s=src: measure_step("pipeline", s, out), lambda s=src: measure_step("dzsave", s, out)
        )
        rows.append(compare(f"{label} {megapixels:.0f} MP: full image pipeline vs dzsave", pipe_runs, raw_runs))
        tile_runs = [measure_step("tiles", src, out) for _ in range(args.repeats)]
        rows.append(compare(f"{label} {megapixels:.0f} MP: tiles step alone vs dzsave", tile_runs, raw_runs))

    if not args.skip_video:
        video_size, seconds = SIZES[size]["video"]
        print(f"video: generating/using {video_size} {seconds} s…", flush=True)
        clip = synthetic_video(work / "video.mp4", video_size, seconds)
        duration = probe.probe_media(clip, mime="video/mp4").duration
        print("video: ffmpeg commands directly…", flush=True)
        raw = measure_ffmpeg_directly(clip, out)
        print("video: pipeline…", flush=True)
        pipe = measure_step("pipeline", clip, out)
        row = compare(f"video {video_size} {seconds} s: video pipeline vs same ffmpeg commands", [pipe], [raw])
        row["realtime_factor"] = duration / pipe["seconds"]
        rows.append(row)

    load = os.getloadavg()
    print(f"\nLoad average {load[0]:.2f} / {load[1]:.2f} on {os.cpu_count()} CPUs\n")
    print(f"{'what':<62} {'pipeline s':>10} {'raw s':>8} {'ratio':>6} {'cpu ratio':>9} {'peak RSS MB':>12}")
    for row in rows:
        cpu = f"{row['cpu_ratio']:.2f}" if row["cpu_ratio"] else "-"
        print(
            f"{row['what']:<62} {row['pipeline_s']:>10.2f} {row['raw_s']:>8.2f} {row['ratio']:>6.2f} {cpu:>9} "
            f"{row['pipeline_peak_rss_mb']:>6.0f} / {row['raw_peak_rss_mb']:.0f}"
            + (f"   realtime ×{row['realtime_factor']:.2f}" if "realtime_factor" in row else "")
            + (f"   pairs {min(row['pair_ratios']):.2f}–{max(row['pair_ratios']):.2f}" if row["runs"] > 1 else "")
        )
    write_report({"size": size, "rows": rows})


def write_report(report: dict) -> None:
    load = os.getloadavg()
    report = {**report, "load": load, "machine": platform.platform(), "cpus": os.cpu_count()}
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (results / f"ingest-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"\nLoad average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; written to bench/results/ingest-{stamp}.json")


if __name__ == "__main__":
    main()
