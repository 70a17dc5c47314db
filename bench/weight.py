"""Page weight benchmark: what a first visit to the home page and a record page transfers, and how soon a
phone on a slow network shows the record's title and text.

    .venv/bin/python bench/weight.py [--runs 3]

Needs Debian's Chromium (/usr/bin/chromium), Playwright and the built front end (`make assets`: the web font
and the scripts are copied to static/dist/ by frontend/build.mjs). Builds (once; --fresh rebuilds) a SQLite
database with the demo site and its media (bench/weight_settings.py), serves it on a free local port with
Django's threaded server, responses compressed as nginx compresses them (deploy/nginx.conf), and drives
Chromium through the DevTools protocol, one new browser context per load, the cache disabled:

* transferred bytes (Network.loadingFinished encodedDataLength: headers and compressed bodies) of the home
  page and of a record page (the demo's "Lễ hội Lồng Tồng": pictures, a video, a recording) at 360 px and
  1280 px, once the page is loaded and the network idle, nothing scrolled, played or zoomed (so no map tile,
  no video segment), by kind (document, stylesheet, font, script, image, other), against the budget
  (150 KB = 153,600 bytes) and against the in-run baseline: the same page with its document and stylesheets
  only (every font, script and picture refused);
* on a throttled "Slow 3G" profile (Network.emulateNetworkConditions: 2,000 ms latency per request,
  50,000 bytes/s down and up: Chrome DevTools' own "Slow 3G" preset), the time from navigation start until
  the record's title (h1) and first paragraph are painted (Element Timing, the elementtiming attribute set
  by an init script as the parser adds them), against the 3 s budget and against the in-run baseline: the
  time the page's HTML took to arrive (responseEnd), which no page can beat.

Results go to stdout and bench/results/weight-<timestamp>.json. See bench/README.md and docs/benchmarks.md.
"""

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.weight_settings")

CHROMIUM = "/usr/bin/chromium"
BUDGET_BYTES = 150 * 1024
BUDGET_VISIBLE_MS = 3000
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
PAGES = {"home": "/vi/", "record": "/vi/le-hoi/le-hoi-long-tong/"}
KINDS = ("Document", "Stylesheet", "Font", "Script", "Image")
# Marks the title and the first paragraph for Element Timing as the parser adds them, and records their paint.
TIMING_SCRIPT = """
window.__painted = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__painted[entry.identifier] = entry.renderTime || entry.loadTime;
}).observe({ type: "element", buffered: true });
new MutationObserver(() => {
  for (const [selector, name] of [["main h1", "title"], ["main .lead, main .description p, main p", "text"]]) {
    const element = document.querySelector(selector);
    if (element && !element.hasAttribute("elementtiming")) element.setAttribute("elementtiming", name);
  }
}).observe(document, { childList: true, subtree: true });
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="loads of each page and scenario; medians (default 3)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database even if one exists")
    parser.add_argument(
        "--port",
        type=int,
        default=8431,
        help="the local server's port (default 8431; media links made when the "
        "database is built name it, so a database built on another port needs --fresh)",
    )
    return parser.parse_args()


# --- the site --------------------------------------------------------------------------------


def prepare(fresh: bool) -> str:
    """The demo site with its media in the benchmark's database (built once)."""
    from django.conf import settings
    from django.core.management import call_command

    db = Path(settings.DATABASES["default"]["NAME"])
    if fresh and db.exists():
        for path in db.parent.glob(db.name + "*"):
            path.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    built = db.exists()
    call_command("migrate", verbosity=0, interactive=False)
    if built:
        return f"database {db} (reused; --fresh rebuilds it)"
    started = time.perf_counter()
    call_command("load_demo", verbosity=0)  # tasks run inline: the media's access copies are made here
    return f"database {db} built with the demo site and media in {time.perf_counter() - started:.0f} s"


def serve(port: int):
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler, allow_reuse_address=True)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- measuring -------------------------------------------------------------------------------


def load(browser, url: str, width: int, *, throttle: dict | None = None, only_text: bool = False) -> dict:
    """One first visit: bytes by kind, and (throttled) when the title and text were painted."""
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="vi-VN")
    if only_text:
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.resource_type in ("document", "stylesheet") else route.abort()
            ),
        )
    context.add_init_script(TIMING_SCRIPT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    requests: dict[str, dict] = {}
    cdp.on("Network.requestWillBeSent", lambda e: requests.setdefault(e["requestId"], {"url": e["request"]["url"]}))
    cdp.on("Network.responseReceived", lambda e: requests.setdefault(e["requestId"], {}).update(kind=e["type"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: requests.setdefault(e["requestId"], {}).update(bytes=e["encodedDataLength"]),
    )
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", throttle)
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_load_state("networkidle", timeout=120_000)
    painted = page.evaluate("() => window.__painted")
    html_arrived = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseEnd")
    fcp = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: null}).startTime"
    )
    context.close()
    by_kind = dict.fromkeys((*KINDS, "Other"), 0)
    for request in requests.values():
        if "bytes" in request:
            kind = request.get("kind", "Other")
            by_kind[kind if kind in KINDS else "Other"] += int(request["bytes"])
    return {
        "bytes": sum(by_kind.values()),
        "by_kind": by_kind,
        "requests": sorted(
            (r["url"].split("//", 1)[-1].split("/", 1)[-1], r.get("kind"), int(r["bytes"]))
            for r in requests.values()
            if "bytes" in r
        ),
        "title_ms": painted.get("title"),
        "text_ms": painted.get("text"),
        "html_ms": html_arrived,
        "fcp_ms": fcp,
    }


def median_of(loads: list[dict], key: str):
    values = [item[key] for item in loads if item[key] is not None]
    return statistics.median(values) if values else None


def measure(base: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    results: dict = {"weight": {}, "slow3g": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
        )
        for name, path in PAGES.items():
            for width in (360, 1280):
                full = [load(browser, base + path, width) for _ in range(runs)]
                text = [load(browser, base + path, width, only_text=True) for _ in range(runs)]
                results["weight"][f"{name} {width}px"] = {
                    "bytes": median_of(full, "bytes"),
                    "baseline_bytes": median_of(text, "bytes"),
                    "by_kind": full[0]["by_kind"],
                    "requests": full[0]["requests"],
                }
            slow = [load(browser, base + path, 360, throttle=SLOW_3G) for _ in range(runs)]
            results["slow3g"][name] = {
                key: median_of(slow, key) for key in ("title_ms", "text_ms", "html_ms", "fcp_ms", "bytes")
            } | {"runs": [{k: item[k] for k in ("title_ms", "text_ms", "html_ms", "fcp_ms")} for item in slow]}
        browser.close()
    return results


# --- report ----------------------------------------------------------------------------------


def report(results: dict) -> None:
    print(f"\n== transferred on a first visit (cache disabled), budget {BUDGET_BYTES:,} bytes (150 KB)")
    print(f"  {'page':<14}{'bytes':>10}{'of budget':>11}{'text only':>11}{'× text':>8}   by kind")
    for name, item in results["weight"].items():
        kinds = ", ".join(f"{kind.lower()} {size:,}" for kind, size in item["by_kind"].items() if size)
        print(
            f"  {name:<14}{item['bytes']:>10,.0f}{item['bytes'] / BUDGET_BYTES:>10.0%} {item['baseline_bytes']:>10,.0f}"
            f"{item['bytes'] / item['baseline_bytes']:>8.1f}   {kinds}"
        )
    print(
        f"\n== Slow 3G (latency {SLOW_3G['latency']} ms, {SLOW_3G['downloadThroughput']:,} bytes/s down and up), "
        f"360 px, budget {BUDGET_VISIBLE_MS} ms to the title and first paragraph"
    )
    print(f"  {'page':<8}{'HTML in':>9}{'first paint':>13}{'title':>8}{'text':>8}{'of budget':>11}{'× HTML':>8}")
    for name, item in results["slow3g"].items():
        shown = max(item["title_ms"] or 0, item["text_ms"] or 0) or None
        print(
            f"  {name:<8}{item['html_ms']:>9.0f}{item['fcp_ms'] or 0:>13.0f}{item['title_ms'] or 0:>8.0f}"
            f"{item['text_ms'] or 0:>8.0f}{(shown or 0) / BUDGET_VISIBLE_MS:>10.0%} "
            f"{(shown or 0) / item['html_ms']:>8.2f}"
        )


def main():
    args = parse_args()
    port = args.port
    base = f"http://127.0.0.1:{port}"
    os.environ["SITE_URL"] = base  # media links are absolute (settings.WAGTAILADMIN_BASE_URL)
    import django

    django.setup()
    print(prepare(args.fresh))
    from django.conf import settings

    dist = Path(settings.BASE_DIR) / "static" / "dist" / "fonts"
    if not dist.exists():
        sys.exit(f"{dist} is missing: build the front end first (`make assets` or `npm run build`)")
    server = serve(port)
    try:
        started = time.perf_counter()
        results = measure(base, args.runs)
        took = time.perf_counter() - started
    finally:
        server.shutdown()
    report(results)
    load_average = os.getloadavg()
    cpus = os.cpu_count()
    print(f"\n  {args.runs} loads each, medians; {took:.0f} s; load average {load_average[0]:.2f} on {cpus} CPUs")
    out = REPO / "bench" / "results" / f"weight-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "budget_bytes": BUDGET_BYTES,
        "budget_visible_ms": BUDGET_VISIBLE_MS,
        "slow_3g": SLOW_3G,
    }
    out.write_text(json.dumps({"meta": meta, **results}, indent=1, ensure_ascii=False))
    print(f"  written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
