"""The reader's first page on a simulated 3G network, for ``bench/library.py``.

A 300-page, ~50 MB PDF (each page a noisy ~165 KB JPEG, as a scan is, and a line of text) goes
through ingest as an upload does (``ingest.services.ingest_file``: the access copy with its objects
packed in object streams, text, page images), attached to a public library item. The site is then served by gunicorn
(``bench/library_settings.py``: collected, compressed static files as production's WhiteNoise
serves them; ``/media/`` through the access-checked view, with byte ranges) and opened in Debian's
Chromium (Playwright) at 360×740, with the browser cache disabled and Chromium's network
throttling set by CDP ``Network.emulateNetworkConditions`` to one of DevTools' presets.

Ways of getting to the first page, alternated run by run:

* ``reader``: the item page at ``#page=1`` (as a library hit or a page link opens it). Three
  moments, from navigation start: the **first page shown**, when the pipeline's readable image of
  the page (the srcset's choice: at 360 px and device scale 2, the 640 px copy),
  which the reader shows in the page's place until pdf.js has drawn it, is painted (Chromium's
  Element Timing, ``elementtiming="pdf-reader-preview"``); the **canvas**, the frame after pdf.js's
  drawn page enters the reader (frontend/reader.js adds its sheet once drawn); and the **text
  layer** ready (selectable, searchable, the words highlighted: the sheet's ``data-ready``);
* ``reader alone``: the same reader markup and script, and the same PDF by the same byte ranges,
  in a bare page (no site header, styles, metadata or page images): what the page around the
  reader adds;
* ``reader, nested tree`` and ``reader, packed copy``: the same pages in other PDFs (see
  ``bench/library.py``);
* ``no JavaScript``: the item page with JavaScript off; the time until the pipeline's image of
  page 1 has arrived: the readable image the reader's frame shows without its script (or, for
  outputs made before readable images, the first thumbnail of the page list), which is what a
  visitor without JavaScript sees first.

Without range requests pdf.js would need the whole file before drawing: that time is computed
from the profile (size ÷ throughput + latency), not measured.
"""

import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chrome DevTools' presets (front_end/core/sdk/NetworkManager.ts): bytes/s and milliseconds.
# DevTools renamed "Fast 3G" to "Slow 4G" and "Slow 3G" to "3G" in 2024; the values are the same.
PROFILES = {
    "fast3g": {
        "label": 'DevTools "Fast 3G" (now "Slow 4G"): 1.44 Mbit/s down, 675 kbit/s up, 562.5 ms latency',
        "conditions": {
            "offline": False,
            "latency": 150 * 3.75,
            "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
            "uploadThroughput": 750 * 1000 / 8 * 0.9,
        },
    },
    "slow3g": {
        "label": 'DevTools "Slow 3G" (now "3G"): 400 kbit/s down and up, 2,000 ms latency',
        "conditions": {
            "offline": False,
            "latency": 400 * 5,
            "downloadThroughput": 500 * 1000 / 8 * 0.8,
            "uploadThroughput": 500 * 1000 / 8 * 0.8,
        },
    },
}
PAGE_SIZE = (1100, 1500)  # pixels of each page's image
SERVER_WORKERS = 3
PDF_POINTS = (595, 842)

# Runs before the page's scripts: when the reader's image of the page is painted (Element Timing), the
# moment page 1's sheet (its canvas drawn) enters the page and the frame after it, and when its text
# layer is ready.
WATCH_FIRST_PAGE = """
window.__bench = {};
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier === "pdf-reader-preview" && !window.__bench.preview) {
        window.__bench.preview = entry.renderTime || entry.loadTime;
        window.__bench.previewImage = { url: entry.url, width: entry.naturalWidth, height: entry.naturalHeight };
      }
    }
  }).observe({ type: "element", buffered: true });
} catch (error) {
  window.__bench.noElementTiming = String(error);
}
new MutationObserver((changes, observer) => {
  const sheet = document.querySelector('.pdf-reader-page[data-page="1"]');
  if (!sheet) return;
  if (!window.__bench.shown) {
    window.__bench.shown = performance.now();
    requestAnimationFrame(() => { window.__bench.painted = performance.now(); });
  }
  if (sheet.dataset.ready && !window.__bench.ready) {
    window.__bench.ready = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"] });
"""
INK = """() => {
  const canvas = document.querySelector('.pdf-reader-page[data-page="1"] canvas');
  if (!canvas) return 0;
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let dark = 0;
  for (let i = 0; i < data.length; i += 16) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) dark++;
  return dark;
}"""


# --- the PDF ---------------------------------------------------------------------------------


def make_pdf(path: Path, pages: int, megabytes: float, balanced: bool = False, log=print) -> Path:
    """A PDF of ``pages`` pages, each a noisy JPEG scan (sized so the file is about ``megabytes``)
    with a line of text over it (a text layer, so ingest needs no OCR). Not linearized: the pipeline's
    access copy is. Its page tree is flat (every page a kid of the root, as pikepdf, img2pdf or fpdf2
    write it), or with ``balanced`` nested ten kids a node (as LaTeX and many typesetters write it)."""
    import pikepdf
    from PIL import Image

    target = megabytes * 1_000_000 / pages
    sigma, started = 15.0, time.perf_counter()
    for _attempt in range(3):  # JPEG size grows about linearly with the noise's sigma
        sample = _scan(Image, sigma)
        sigma *= target / len(sample)
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    width, height = PDF_POINTS
    drawn_width = width - 40
    drawn_height = drawn_width * PAGE_SIZE[1] / PAGE_SIZE[0]
    for number in range(1, pages + 1):
        image = pikepdf.Stream(pdf, _scan(Image, sigma))
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height = PAGE_SIZE
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        image.Filter = pikepdf.Name.DCTDecode
        line = f"Trang {number}/{pages}. Tai lieu dien da ve le hoi Long Tong cua nguoi Tay o Cao Bang."
        content = (
            f"q {drawn_width:.1f} 0 0 {drawn_height:.1f} 20 {height - 20 - drawn_height:.1f} cm /Scan Do Q "
            f"BT /F1 11 Tf 24 18 Td ({line}) Tj ET"
        )
        page = pdf.add_blank_page(page_size=PDF_POINTS)
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Scan=image), Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(content.encode("ascii"))
    if balanced:
        _balance(pdf)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    log(f"  made {path} ({path.stat().st_size / 1e6:.1f} MB, {pages} pages) in {time.perf_counter() - started:.0f} s")
    return path


def _balance(pdf, fanout: int = 10) -> None:
    """Nest the flat page tree: intermediate /Pages nodes of ``fanout`` kids, each with its /Count."""
    import pikepdf

    root = pdf.Root.Pages
    level = [(kid, 1) for kid in root.Kids]
    while len(level) > fanout:
        grouped = []
        for first in range(0, len(level), fanout):
            members = level[first : first + fanout]
            count = sum(size for _kid, size in members)
            node = pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Pages, Kids=pikepdf.Array([kid for kid, _size in members]), Count=count
                )
            )
            for kid, _size in members:
                kid.Parent = node
            grouped.append((node, count))
        level = grouped
    for kid, _size in level:
        kid.Parent = root
    root.Kids = pikepdf.Array([kid for kid, _size in level])


def _scan(Image, sigma: float) -> bytes:
    noise = Image.effect_noise(PAGE_SIZE, sigma).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=35)
    return buffer.getvalue()


def packed_item(pdf_path: Path, log=print) -> dict:
    """What-if: the item of the same pages whose access copy is replaced, on disk, by one that is not
    linearized and keeps its small objects (page dictionaries included) in object streams, as
    ``qpdf --object-streams=generate`` writes it. The pipeline does not make such copies (it linearizes);
    this shows what such a copy would change for pdf.js, which reads no linearization hints."""
    import pikepdf

    from django.core.files.storage import default_storage

    source = pdf_path.with_name(f"{pdf_path.stem}-packed.pdf")
    if not source.exists():  # other bytes than the flat PDF's, or ingest would find the same original
        with pikepdf.open(pdf_path) as pdf:
            pdf.save(source, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    item = reader_item(source, log=log)
    copy = Path(default_storage.path(item["pdf"].removeprefix("/media/")))
    with pikepdf.open(source) as pdf:
        pdf.save(copy.with_suffix(".tmp"), object_stream_mode=pikepdf.ObjectStreamMode.generate, linearize=False)
    copy.with_suffix(".tmp").replace(copy)
    item["pdf_bytes"] = copy.stat().st_size
    return item


def forget_reader_items(log=print) -> int:
    """Delete the reader's items and their PDFs' database rows (the files stay on disk), so that the next
    run takes the PDFs in again through the pipeline as it is now (an access copy made by an older
    pipeline would otherwise be measured)."""
    from ingest.models import Original
    from library.models import BookPage

    items = list(BookPage.objects.filter(slug__startswith="bench-reader-"))
    originals = Original.objects.filter(links__record__in=[item.pk for item in items]).distinct()
    removed = originals.count()
    originals.delete()
    for item in items:
        item.delete()
    log(f"  forgot {len(items)} reader items and {removed} PDFs: they are made again")
    return len(items)


def reader_item(pdf_path: Path, log=print) -> dict:
    """The public library item showing the PDF (made, and the PDF ingested, on first use; one item per
    PDF file name)."""
    from ingest import services as ingest_services
    from ingest.models import DerivativeSet, JobState, ProcessingJob
    from library.models import BookPage, LibraryPage

    slug = f"bench-{pdf_path.stem}"
    item = BookPage.objects.filter(slug=slug).first()
    if item is None:
        library = LibraryPage.objects.filter(locale__language_code="vi").order_by("depth", "pk").first()
        item = BookPage(
            title=f"Sách mẫu cho benchmark trình đọc ({pdf_path.stem})",
            slug=slug,
            summary="Bản quét mẫu (ảnh nhiễu) do benchmark tạo ra.",
            access_level="public",
            publisher="Nhà xuất bản mẫu",
            extent="300 tr. ; 24 cm",
        )
        library.add_child(instance=item)
        item.save_revision().publish()
        item.refresh_from_db()
    link = item.media_links.select_related("original").first()
    ingest_seconds = None
    if link is None:
        started = time.perf_counter()
        original, _created = ingest_services.ingest_file(pdf_path, f"sach-mau-{pdf_path.name}", item)
        ingest_seconds = time.perf_counter() - started
        log(f"  ingested the PDF (processing included, immediate task backend) in {ingest_seconds:.0f} s")
    else:
        original = link.original
    job = ProcessingJob.objects.get(original=original)
    if job.state != JobState.DONE:
        raise RuntimeError(f"The reader's PDF was not processed: {job.state} {job.message}")
    derived = DerivativeSet.objects.get(original=original)
    manifest = derived.manifest.get("derivatives", {})
    access_copy = derived.path(manifest["pdf"])
    from django.core.files.storage import default_storage

    return {
        "url": item.url,
        "identifier": item.identifier,
        "pdf": "/media/" + access_copy,
        "pdf_bytes": default_storage.size(access_copy),
        "original_bytes": original.size,
        "pages": manifest.get("page_count"),
        "thumbnail": "/media/" + derived.path(manifest["thumbnails"][0]) if manifest.get("thumbnails") else "",
        # The readable image of page 1 and its smaller copies (what the reader's srcset offers), if any.
        "page_images": [
            "/media/" + derived.path(entry["file"])
            for first in manifest.get("page_images", [])[:1]
            for entry in [first, *first.get("smaller", [])]
        ],
        "ingest_seconds": ingest_seconds,
    }


# --- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the benchmark's database with ``bench.library_settings``."""

    def __init__(self, env: dict, log=print):
        self.log = log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # SITE_URL: the absolute base of media URLs (WAGTAILADMIN_BASE_URL), which the page links.
        self.env = {**env, "DJANGO_SETTINGS_MODULE": "bench.library_settings", "SITE_URL": self.url}
        self.process = None

    def collectstatic(self) -> float:
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            # --clear: files of earlier builds (chunks under other hashes) would be counted and served too.
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        return time.perf_counter() - started

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(gunicorn),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(SERVER_WORKERS),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/robots.txt", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 90 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=60) as response:  # noqa: S310
            return response.read().decode()


def bare_reader_page(page_html: str) -> str:
    """The item page's reader (its figure, without the page images) and the media script, alone."""
    script = re.search(r'<script[^>]+src="([^"]*record-media[^"]*\.js)"[^>]*>', page_html)
    figure = re.search(r'<figure class="media media-document".*?</figure>', page_html, re.S)
    section = re.search(r"<(section|div)[^>]*data-record-media[^>]*>", page_html)
    if not (script and figure and section):
        raise RuntimeError("The item page has no reader (script, figure or media section missing).")
    markup = re.sub(r'(<noscript>)?<ol class="media-pages".*?</ol>(</noscript>)?', "", figure.group(0), flags=re.S)
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>Reader alone</title><script type="module" src="{script.group(1)}"></script></head>'
        f"<body>{section.group(0)}{markup}</{section.group(1)}></body></html>"
    )


# --- the browser -----------------------------------------------------------------------------


class Network:
    """What the page fetched, from CDP's Network events (their monotonic timestamps, seconds)."""

    def __init__(self, cdp):
        self.requests: dict[str, dict] = {}
        self.document = None
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def _entry(self, request_id: str) -> dict:
        return self.requests.setdefault(request_id, {"url": "", "chunks": [], "finished": None, "total": 0})

    def _sent(self, event):
        entry = self._entry(event["requestId"])
        headers = {name.lower(): value for name, value in event["request"]["headers"].items()}
        entry.update(url=event["request"]["url"], range=headers.get("range", ""))
        entry["sent"] = event["timestamp"]
        if event.get("type") == "Document" and self.document is None:
            self.document = {"timestamp": event["timestamp"], "wall": event["wallTime"]}

    def _response(self, event):
        self._entry(event["requestId"])["status"] = event["response"]["status"]

    def _data(self, event):
        self._entry(event["requestId"])["chunks"].append((event["timestamp"], event["encodedDataLength"]))

    def _finished(self, event):
        entry = self._entry(event["requestId"])
        entry.update(finished=event["timestamp"], total=event["encodedDataLength"])

    def _failed(self, event):
        self._entry(event["requestId"]).update(failed=event["timestamp"])

    def finished(self, suffix: str):
        for entry in self.requests.values():
            if entry["url"].endswith(suffix) and entry["finished"]:
                return entry["finished"]
        return None

    def bytes_until(self, moment: float, contains: str = "") -> tuple[int, int]:
        """(bytes received by ``moment``, requests sent by then) in all, or for URLs holding ``contains``."""
        received = sent = 0
        for entry in self.requests.values():
            if contains and contains not in entry["url"]:
                continue
            if entry.get("sent", moment + 1) > moment:
                continue
            sent += 1
            if entry["finished"] is not None and entry["finished"] <= moment:
                received += max(entry["total"], sum(size for _at, size in entry["chunks"]))
            else:
                received += sum(size for at, size in entry["chunks"] if at <= moment)
        return received, sent


def _preview_image(image: dict | None, network: Network, start: float, moment: float | None) -> dict | None:
    if not image or not image.get("url"):
        return None
    path = image["url"].split("?")[0]
    entry = next((entry for entry in network.requests.values() if entry["url"].split("?")[0] == path), None)
    return {
        "file": "/".join(path.rsplit("/", 3)[-3:]),
        "width": image.get("width"),
        "height": image.get("height"),
        "bytes": (entry["total"] or sum(size for _at, size in entry["chunks"])) if entry else None,
        "sent_s": round(entry["sent"] - start, 3) if entry and entry.get("sent") else None,
        "finished_s": round(entry["finished"] - start, 3) if entry and entry["finished"] else None,
    }


def _run(browser, url: str, profile: dict, kind: str, reader: dict, timeout_s: float) -> dict:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        java_script_enabled=kind != "no JavaScript",
    )
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        network = Network(cdp)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", profile["conditions"])
        page.add_init_script(WATCH_FIRST_PAGE)
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        deadline = time.monotonic() + timeout_s
        moment = seconds = ink = shown = ready = None
        shown_moment = None
        marks = {}
        # Polled from here: wait_for_function evaluates a string, which the site's CSP forbids.
        while moment is None and time.monotonic() < deadline:
            page.wait_for_timeout(25)
            if kind == "no JavaScript":
                # The readable image of page 1 in the reader (the srcset's choice), or the first thumbnail of the
                # page list where the pipeline made no readable images: whichever is in first.
                arrived = [network.finished(url) for url in (*reader.get("page_images", []), reader["thumbnail"])]
                if (finished := min((at for at in arrived if at is not None), default=None)) is not None:
                    moment = shown_moment = finished
                    seconds = shown = moment - network.document["timestamp"]
                continue
            marks = page.evaluate("() => window.__bench || {}")
            if marks.get("painted") and marks.get("ready"):
                origin = page.evaluate("performance.timeOrigin")
                # From the page's clock (ms from navigation start) to CDP's (the document request's wall time).
                moment = network.document["timestamp"] + (origin + marks["painted"]) / 1000 - network.document["wall"]
                seconds, ready = marks["painted"] / 1000, marks["ready"] / 1000
                # The first page shown: its image, or the drawn page where that came first (or there is no image).
                shown = min(marks.get("preview") or marks["painted"], marks["painted"]) / 1000
                shown_moment = moment - (seconds - shown)
                ink = page.evaluate(INK)
        if moment is None and marks.get("preview"):  # given up before the drawn page: its image was shown
            shown = marks["preview"] / 1000
            shown_moment = network.document["timestamp"] + shown
        timed_out = moment is None
        if timed_out:  # what had arrived when it was given up
            moment = max(
                [at for entry in network.requests.values() for at, _size in entry["chunks"]]
                + [network.document["timestamp"]]
            )
        start = network.document["timestamp"]
        total, requests = network.bytes_until(moment)
        pdf_bytes, pdf_requests = network.bytes_until(moment, reader["pdf"])
        timeline = [
            {
                "range": entry.get("range", ""),
                "sent_s": round(entry["sent"] - start, 3),
                "finished_s": round(entry["finished"] - start, 3) if entry["finished"] else None,
                "bytes": entry["total"] or sum(size for _at, size in entry["chunks"]),
            }
            for entry in sorted(network.requests.values(), key=lambda entry: entry.get("sent", 0))
            if reader["pdf"] in entry["url"] and entry.get("sent", moment + 1) <= moment
        ]
        others = [
            {
                "url": entry["url"].split("?")[0].rsplit("/", 2)[-2:],
                "sent_s": round(entry["sent"] - start, 3),
                "finished_s": round(entry["finished"] - start, 3) if entry["finished"] else None,
                "bytes": entry["total"] or sum(size for _at, size in entry["chunks"]),
            }
            for entry in sorted(network.requests.values(), key=lambda entry: entry.get("sent", 0))
            if reader["pdf"] not in entry["url"] and entry.get("sent", moment + 1) <= moment
        ]
        shown_bytes, _shown_requests = network.bytes_until(shown_moment) if shown_moment else (None, None)
        return {
            "seconds": round(seconds, 3) if seconds is not None else None,  # the drawn page (canvas)
            "shown_s": round(shown, 3) if shown is not None else None,  # the first page shown
            "text_ready_s": round(ready, 3) if ready is not None else None,
            "bytes_before_shown": shown_bytes,
            "element_timing": "noElementTiming" not in marks,
            "timed_out": timed_out,
            "waited_s": round(moment - start, 1),
            "bytes": total,
            "requests": requests,
            "pdf_bytes": pdf_bytes,
            "pdf_requests": pdf_requests,
            "pdf_timeline": timeline,
            "other_requests": others,
            "ink": ink,
            # Which page image the reader showed (the srcset's choice) and its size: the readable image,
            # or the thumbnail of outputs made before readable images existed.
            "preview_image": _preview_image(marks.get("previewImage"), network, start, shown_moment),
        }
    finally:
        context.close()


def measure(
    env: dict,
    readers: dict[str, dict],
    *,
    runs: int,
    profiles: list[str],
    timeout_s: float,
    repeat_under_s: float,
    log=print,
) -> dict:
    """Serve the site with gunicorn and time each kind ``runs`` times on each profile, alternating.

    ``readers``: the item of the PDF as uploaded ("flat") and, optionally, of the same pages with a
    nested page tree ("balanced"). A kind whose run took longer than ``repeat_under_s`` (or was
    given up after ``timeout_s``) is not run again: its figure is then one run."""
    from playwright.sync_api import sync_playwright

    reader = readers["flat"]
    server = Server(env, log)
    report = {"collectstatic_seconds": round(server.collectstatic(), 1), "profiles": {}}
    static_root = Path(env["BENCH_DIR"]) / "static-collected"
    server.start()
    try:
        page_html = server.get(reader["url"])
        alone = static_root / "bench" / "reader-alone.html"
        alone.parent.mkdir(parents=True, exist_ok=True)
        alone.write_text(bare_reader_page(page_html))
        server.stop()
        server.start()  # WhiteNoise reads the static folder when it starts
        report["page_html_bytes"] = len(page_html.encode())
        report["assets_gzip_bytes"] = {  # what WhiteNoise sends (the worker's bytes are not in the page's counts)
            name: sum(
                path.stat().st_size
                for path in static_root.glob(pattern)
                if not re.search(r"\.[0-9a-f]{12}\.", path.name)  # the manifest's hashed copy of the same file
            )
            for name, pattern in (
                ("record-media.js", "dist/record-media.js.gz"),
                ("reader chunk (pdf.js)", "dist/chunks/reader-*.js.gz"),
                ("pdf.js worker", "dist/pdfjs/pdf.worker.min.js.gz"),
            )
        }
        kinds = {
            "reader": (f"{server.url}{reader['url']}#page=1", reader),
            "reader alone": (f"{server.url}/static/bench/reader-alone.html#page=1", reader),
        }
        if "balanced" in readers:
            kinds["reader, nested tree"] = (f"{server.url}{readers['balanced']['url']}#page=1", readers["balanced"])
        if "packed" in readers:
            kinds["reader, packed copy"] = (f"{server.url}{readers['packed']['url']}#page=1", readers["packed"])
        kinds["no JavaScript"] = (f"{server.url}{reader['url']}", reader)
        report["urls"] = {kind: url.replace(server.url, "") for kind, (url, _item) in kinds.items()}
        # A server that has been running: each worker has answered the pages once (templates loaded,
        # database connection open), as in production; the first visit of a cold worker is not measured.
        for _round in range(3 * SERVER_WORKERS):
            for url, _item in kinds.values():
                server.get(url.split("#")[0].replace(server.url, ""))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                for name in profiles:
                    profile = PROFILES[name]
                    samples = {kind: [] for kind in kinds}
                    for number in range(runs):
                        for kind, (url, item) in kinds.items():
                            done = samples[kind]
                            if done and (done[-1]["timed_out"] or done[-1]["seconds"] > repeat_under_s):
                                continue  # a slow kind once: the whole run stays within its time
                            sample = _run(browser, url, profile, kind, item, timeout_s)
                            done.append(sample)
                            drawn = f"{sample['seconds']:6.2f} s" if not sample["timed_out"] else f"> {timeout_s:.0f} s"
                            first = f"{sample['shown_s']:5.2f} s" if sample["shown_s"] is not None else "  —   "
                            log(
                                f"  {name} run {number + 1}/{runs} {kind:<20} shown {first}, drawn {drawn}  "
                                f"{sample['bytes'] / 1000:7.0f} kB ({sample['requests']} requests; PDF "
                                f"{sample['pdf_bytes'] / 1000:.0f} kB in {sample['pdf_requests']})"
                            )
                    conditions = profile["conditions"]
                    whole = reader["pdf_bytes"] / conditions["downloadThroughput"] + conditions["latency"] / 1000
                    report["profiles"][name] = {
                        "label": profile["label"],
                        "conditions": conditions,
                        "kinds": {kind: _summary(values) for kind, values in samples.items()},
                        "samples": samples,
                        "whole_file_seconds_computed": round(whole, 1),
                    }
            finally:
                browser.close()
    finally:
        server.stop()
    return report


def _summary(samples: list[dict]) -> dict:
    """Median and worst; a run given up counts as its waiting time (so the figure is a lower bound)."""
    seconds = [sample["seconds"] if not sample["timed_out"] else sample["waited_s"] for sample in samples]
    shown = [sample["shown_s"] if sample["shown_s"] is not None else sample["waited_s"] for sample in samples]
    ready = [sample["text_ready_s"] or sample["waited_s"] for sample in samples]
    return {
        "median_shown_s": round(statistics.median(shown), 3),  # the first page shown
        "worst_shown_s": round(max(shown), 3),
        "median_s": round(statistics.median(seconds), 3),  # the drawn page (the canvas)
        "worst_s": round(max(seconds), 3),
        "best_s": round(min(seconds), 3),
        "median_text_ready_s": round(statistics.median(ready), 3),
        "timed_out": sum(sample["timed_out"] for sample in samples),
        "median_bytes": int(statistics.median(sample["bytes"] for sample in samples)),
        "median_pdf_bytes": int(statistics.median(sample["pdf_bytes"] for sample in samples)),
        "median_pdf_requests": statistics.median(sample["pdf_requests"] for sample in samples),
        # When pdf.js first asked for the PDF (its scripts and worker loaded by then), from navigation start.
        "median_first_pdf_request_s": statistics.median(
            [sample["pdf_timeline"][0]["sent_s"] for sample in samples if sample["pdf_timeline"]] or [0]
        ),
        "runs": len(samples),
    }


def clean_static(env: dict) -> None:
    shutil.rmtree(Path(env["BENCH_DIR"]) / "static-collected" / "bench", ignore_errors=True)


def _log(message: str) -> None:
    print(message, flush=True)


def main() -> None:
    """The reader's measurement alone, on the library database of ``bench/library.py`` (its first run makes
    it; this needs only the reader's items, made here on first use): ``python bench/library_reader.py``."""
    import argparse
    import json

    sys.path.insert(0, str(ROOT))
    from bench import library

    parser = argparse.ArgumentParser(description="The PDF reader's first page on a simulated 3G network, alone.")
    parser.add_argument("--dir", default=os.environ.get("BENCH_DIR", library.FOLDER), help="the library's folder")
    parser.add_argument("--runs", type=int, default=5, help="runs of each kind (default 5)")
    parser.add_argument("--profiles", default="fast3g", help="throttling profiles, comma-separated: fast3g,slow3g")
    parser.add_argument("--pdf-pages", type=int, default=300)
    parser.add_argument("--pdf-mb", type=float, default=50.0)
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds a run may take")
    parser.add_argument("--repeat-under", type=float, default=60.0, help="a kind slower than this (s) is run once")
    parser.add_argument("--flat-only", action="store_true", help="not the PDF with a nested page tree")
    parser.add_argument(
        "--fresh-reader", action="store_true", help="take the reader's PDFs in again through the pipeline of now"
    )
    args = parser.parse_args()
    report = {"args": vars(args), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    began = time.perf_counter()
    if not (Path(args.dir) / "library.sqlite3").exists():
        raise SystemExit(f"No library database in {args.dir}: run bench/library.py first.")
    env = library.setup(args)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a database copied before the code's latest migrations
    report["load_average_start"] = os.getloadavg()
    if args.fresh_reader:
        forget_reader_items(log=_log)
    readers = {}
    for tree in ("flat",) if args.flat_only else ("flat", "balanced"):
        suffix = "" if tree == "flat" else "-nested"
        pdf = Path(args.dir) / f"reader-{args.pdf_pages}p-{args.pdf_mb:g}mb{suffix}.pdf"
        if not pdf.exists():
            make_pdf(pdf, args.pdf_pages, args.pdf_mb, balanced=tree == "balanced", log=_log)
        readers[tree] = reader_item(pdf, log=_log)
    report["reader_items"] = readers
    profiles = [name.strip() for name in args.profiles.split(",") if name.strip()]
    report["reader"] = measure(
        env,
        readers,
        runs=args.runs,
        profiles=profiles,
        timeout_s=args.timeout,
        repeat_under_s=args.repeat_under,
        log=_log,
    )
    report["load_average_end"] = os.getloadavg()
    report["seconds"] = round(time.perf_counter() - began)
    for name, profile in report["reader"]["profiles"].items():
        _log(f"Reader, {profile['label']}:")
        for kind, values in profile["kinds"].items():
            _log(
                f"  {kind:<20} first page shown: median {values['median_shown_s']:5.2f} s, worst "
                f"{values['worst_shown_s']:5.2f} s; drawn (canvas): median {values['median_s']:6.2f} s, worst "
                f"{values['worst_s']:6.2f} s ({values['runs']} runs)"
            )
        previews = {
            (sample["preview_image"] or {}).get("file"): sample["preview_image"]
            for sample in profile["samples"].get("reader", [])
        }
        _log(f"  page image shown by the reader ({name}): {json.dumps(list(previews.values()), ensure_ascii=False)}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"library-reader-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    _log(f"Written to {path} ({report['seconds']} s in all)")


__all__ = ["PROFILES", "make_pdf", "measure", "reader_item"]


if __name__ == "__main__":
    main()
