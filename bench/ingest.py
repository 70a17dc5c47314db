"""Ingest processing benchmark: the media pipeline against the raw tools, on the same inputs, in one run.

    .venv/bin/python bench/ingest.py            # full size: 24 MP photo, 100 MP scan, 60 s 1080p video
    .venv/bin/python bench/ingest.py --quick    # 6 MP, 25 MP, 10 s 720p: a check in about a minute

Measures, each step in its own child process (peak RSS from ``os.wait4``, which includes the
child's own children such as ffmpeg):

* photo: ``ingest.processing.pipeline.process`` (sniff, probe, web copies and IIIF tiles) against a
  bare pyvips ``dzsave(layout="iiif3", tile_size=512)`` of the same file; also the tiles step alone;
* scan: the same for a 100-megapixel scan: seconds and peak resident memory;
* video: ``pipeline.process`` against the same ffmpeg commands (``video.plan_video``) run directly
  with ``subprocess``; and the realtime factor (video duration ÷ pipeline seconds).

Inputs are generated once under ``--work`` (default /tmp/heritage-bench-ingest) and reused; outputs
are deleted after each step. Results are printed and written to bench/results/ingest-<timestamp>.json.
On a shared machine compare the ratios (and the CPU seconds), not raw seconds.
"""

import argparse
import datetime as dt
import json
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


def measure(command: list[str]) -> dict:
    """Measure ``command`` through a fresh wrapper process (see :func:`wrapped`)."""
    done = subprocess.run([sys.executable, __file__, "--measure", *command], capture_output=True, check=True)
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
        )
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report = {"size": size, "load": load, "machine": platform.platform(), "cpus": os.cpu_count(), "rows": rows}
    (results / f"ingest-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"\nWritten to bench/results/ingest-{stamp}.json")


if __name__ == "__main__":
    main()
