"""The PDF reader on a record page, in Debian Chromium on a 360 px phone: the pipeline's readable image of the page
(800 px wide) shown at once, in the place of the page pdf.js then draws from a few byte ranges, turning pages, `#page=N` and the words of `?q=` highlighted whatever their diacritics, searching inside the
document, zoom, the keyboard, the Content-Security-Policy; without JavaScript the page images, each opening its readable
image, and the files; outputs made before readable images existed (the thumbnail instead); and a visitor who may not
see the record gets neither reader nor file.

The PDF is real (made with pdfium, with an embedded font for the Vietnamese text) and processed by the pipeline;
the scripts are the ones ``make assets`` builds from npm packages into ``static/dist/``.
"""

import ctypes
import io
import random
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from PIL import Image

from django.conf import settings as django_settings
from django.core.files.storage import default_storage

from wagtail.models import Locale

from ingest import services
from ingest.models import DerivativeSet, JobState, ProcessingJob
from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.conftest import build_collection, build_homes, create_record
from tests.ingest_support import sandbox

BUNDLE = Path(django_settings.BASE_DIR) / "static" / "dist" / "record-media.js"
FONTS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
]
FONT = next((font for font in FONTS if font.exists()), None)

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(
        not BUNDLE.exists(), reason=f"the media scripts are not built ({BUNDLE} is missing): run `make assets`"
    ),
    pytest.mark.skipif(FONT is None, reason=f"a font with Vietnamese letters is needed to make the PDF: {FONTS}"),
]

# One line of text or more per page; pages 4 and 5 also carry a large photo, so that most of the file is there.
PAGES = [
    ["Tài liệu về lễ hội", "Trang một"],
    ["Trang hai", "Nghi lễ cầu mùa"],
    ["Lễ hội Lồng Tồng ở Tuyên Quang", "Xuống đồng đầu năm"],
    ["Trang bốn", "LONG TONG (viết không dấu)"],
    ["Đàn tính và hát then"],
]
HEAVY_PAGES = (4, 5)

# Collected before any script of the page runs (violations in the page; Chromium also logs each on the console).
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def make_pdf(path: Path, pages: list[list[str]], heavy=()) -> Path:
    """A PDF with the lines of each page in an embedded TrueType font, and a noisy photo on the ``heavy`` pages."""
    pdf = pdfium.PdfDocument.new()
    data = FONT.read_bytes()
    font_data = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    font = pdfium_raw.FPDFText_LoadFont(pdf, font_data, len(data), pdfium_raw.FPDF_FONT_TRUETYPE, True)
    assert font, "pdfium could not load the font"
    noise = random.Random(15)
    for number, lines in enumerate(pages, start=1):
        page = pdf.new_page(595, 842)
        for row, line in enumerate(lines):
            text = pdfium_raw.FPDFPageObj_CreateTextObj(pdf, font, 22)
            encoded = (line + "\0").encode("utf-16-le")
            buffer = ctypes.create_string_buffer(encoded, len(encoded))
            assert pdfium_raw.FPDFText_SetText(text, ctypes.cast(buffer, ctypes.POINTER(pdfium_raw.FPDF_WCHAR)))
            pdfium_raw.FPDFPageObj_Transform(text, 1, 0, 0, 1, 60, 770 - 40 * row)
            pdfium_raw.FPDFPage_InsertObject(page, text)
        if number in heavy:
            photo = Image.frombytes("RGB", (1000, 700), noise.randbytes(1000 * 700 * 3))
            jpeg = path.with_name(f"photo-{number}.jpg")
            photo.save(jpeg, "JPEG", quality=95)
            image = pdfium.PdfImage.new(pdf)
            image.load_jpeg(str(jpeg), inline=False)
            image.set_matrix(pdfium.PdfMatrix().scale(475, 332).translate(60, 300))
            page.insert_obj(image)
        page.gen_content()
    buffer = io.BytesIO()
    pdf.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def access_copy(original) -> str:
    """The storage path of the PDF access copy the pipeline made for ``original``."""
    derivative_set = DerivativeSet.objects.get(original=original)
    name = derivative_set.manifest["derivatives"].get("pdf")
    assert name == "document.pdf", "the pipeline makes a PDF access copy"
    return derivative_set.path(name)


@pytest.fixture
def archive(live_server, media_view, settings, tmp_path):
    """A public record showing a five-page PDF, and a record for registered researchers showing another."""
    sandbox(settings, tmp_path)
    settings.INGEST_PUBLIC_BASE_URL = live_server.url
    collection = build_collection(build_homes())
    public = create_record(collection, title="Lễ hội Lồng Tồng", translate="Long Tong festival")
    restricted = create_record(collection, title="Hồ sơ hạn chế", access_level="registered")
    source = make_pdf(tmp_path / "long-tong.pdf", PAGES, heavy=HEAVY_PAGES)
    other = make_pdf(tmp_path / "han-che.pdf", [["Tài liệu hạn chế"], ["Trang hai"]])
    document = services.ingest_file(source, "lồng tồng.pdf", public)[0]
    hidden = services.ingest_file(other, "hạn chế.pdf", restricted)[0]
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    return {
        "url": live_server.url + public.url,
        "english_url": live_server.url + public.get_translation(Locale.objects.get(language_code="en")).url,
        "restricted_url": live_server.url + restricted.url,
        "size": default_storage.size(access_copy(document)),
        "pdf": "/media/" + access_copy(document),
        "hidden_pdf": "/media/" + access_copy(hidden),
        "live": live_server.url,
        "public": public,
        "hidden_source": other,
    }


def watched_phone(browser, **options):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, **options)
    page = context.new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    messages = []

    def console(message):
        if not message.location.get("url", "").endswith("/favicon.ico"):  # the site has none; not the reader's
            messages.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return context, page, messages


def problems(page, messages) -> list[str]:
    """Policy violations, errors and uncaught exceptions."""
    reported = [text for text in messages if text.startswith(("error", "pageerror")) or "Content Security" in text]
    return page.evaluate("window.__violations") + reported


def shown_page(page, number: int):
    """Wait until page ``number`` is drawn with its text layer, and return its sheet."""
    sheet = page.locator(f".pdf-reader-page[data-page='{number}'][data-ready]")
    sheet.wait_for(timeout=15000)
    return sheet


def ink(page, sheet) -> int:
    """How many pixels of the sheet's canvas are not white (a drawn page has its letters at least)."""
    return page.evaluate(
        """sheet => {
            const canvas = sheet.querySelector("canvas");
            const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            let dark = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) dark++;
            return dark;
        }""",
        sheet.element_handle(),
    )


def marks(page) -> list[str]:
    return page.locator(".pdf-reader-page .textLayer mark.pdf-reader-hit").all_text_contents()


def test_the_reader_on_a_phone(browser, archive, tmp_path):
    context, page, messages = watched_phone(browser, locale="vi-VN")
    ranges = []
    page.on(
        "response",
        lambda response: (
            ranges.append((response.status, response.request.headers.get("range"), response.headers))
            if archive["pdf"] in response.url
            else None
        ),
    )
    response = page.goto(archive["url"])
    assert "script-src 'self'" in response.headers["content-security-policy"].split("; ")
    reader = page.locator("[data-pdf-reader]")
    page.locator("figure.media-document").scroll_into_view_if_needed()

    sheet = shown_page(page, 1)
    assert reader.is_visible()
    assert ink(page, sheet) > 500
    # The first page came from byte ranges, well before the whole file (mostly the photos of pages 4 and 5).
    partial = [(status, asked, headers) for status, asked, headers in ranges if status == 206]
    assert partial and all(asked and asked.startswith("bytes=") for _status, asked, _headers in partial)
    fetched = sum(int(headers["content-length"]) for _status, _asked, headers in partial)
    assert fetched < archive["size"] * 0.75, (fetched, archive["size"])
    assert "1" in page.locator("[data-reader-position]").text_content()
    assert "5" in page.locator("[data-reader-position]").text_content()
    # The page images stand aside for the reader; the files stay.
    assert not page.locator(".media-pages").is_visible()
    assert page.locator("a[data-reader-source=pdf]").is_visible()

    # It fits the phone: the page is as wide as the reader, and nothing scrolls sideways.
    box = sheet.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert box["width"] > 250
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "pdf-reader-360.png"), full_page=True)

    # Turning pages: the buttons, the page number box, the keyboard.
    page.locator("[data-reader-next]").click()
    shown_page(page, 2)
    page.locator("[data-reader-page]").fill("4")
    page.locator("[data-reader-page]").press("Enter")
    shown_page(page, 4)
    assert "4" in page.locator("[data-reader-position]").text_content()
    page.locator("[data-reader-viewport]").focus()
    page.keyboard.press("ArrowLeft")
    shown_page(page, 3)
    page.locator("[data-reader-previous]").focus()
    page.keyboard.press("Enter")
    shown_page(page, 2)
    assert page.evaluate("location.hash") == "#page=2"

    # Zoom: the page grows past the screen and its box scrolls sideways, never the whole page; fit width undoes it.
    page.locator("[data-reader-zoom-in]").click()
    page.locator("[data-reader-zoom-in]").click()
    page.wait_for_function("() => document.querySelector('.pdf-reader-page').getBoundingClientRect().width > 400")
    shown_page(page, 2)
    assert page.evaluate("v => v.scrollWidth > v.clientWidth", page.locator("[data-reader-viewport]").element_handle())
    assert no_horizontal_scroll(page)
    page.locator("[data-reader-fit]").click()
    page.wait_for_function("() => document.querySelector('.pdf-reader-page').getBoundingClientRect().width <= 360")
    assert no_horizontal_scroll(page)
    page.wait_for_load_state("networkidle")
    assert problems(page, messages) == []
    context.close()


def test_the_address_opens_a_page_with_the_searched_words_highlighted(browser, archive, tmp_path):
    context, page, messages = watched_phone(browser, locale="vi-VN")
    # Typed without diacritics, as most visitors do: "Lồng Tồng" on page 3 is found.
    page.goto(archive["url"] + "?q=long+tong#page=3")
    sheet = shown_page(page, 3)
    assert ink(page, sheet) > 500
    assert marks(page) == ["Lồng", "Tồng"]
    assert page.locator("[data-reader-page]").input_value() == "3"
    assert page.locator("[data-reader-query]").input_value() == "long tong"
    # Each highlight lies over the drawn words, inside the page.
    page_box = sheet.bounding_box()
    for mark in page.locator("mark.pdf-reader-hit").all():
        box = mark.bounding_box()
        assert page_box["x"] <= box["x"] and box["x"] + box["width"] <= page_box["x"] + page_box["width"]
        assert page_box["y"] <= box["y"] < page_box["y"] + page_box["height"] / 3  # the first lines of the page
        assert 4 < box["height"] < 60
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "pdf-reader-q-360.png"))

    # And the other way round, in capitals: "lồng tồng" finds "LONG TONG" on page 4.
    page.goto(archive["url"] + "?q=l%E1%BB%93ng+t%E1%BB%93ng#page=4")
    shown_page(page, 4)
    assert marks(page) == ["LONG", "TONG"]
    assert problems(page, messages) == []
    context.close()

    # On a wide screen, in English: the page is as wide as the column.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(archive["english_url"] + "?q=hat+then#page=5")
    sheet = shown_page(page, 5)
    assert marks(page) == ["hát", "then"]
    assert 600 < sheet.bounding_box()["width"] <= 1280
    page.screenshot(path=str(tmp_path / "pdf-reader-1280.png"), full_page=True)
    context.close()

    # A record with two documents: `original` (as search results link) says which one the address is for.
    source = make_pdf(tmp_path / "thu-hai.pdf", [["Tài liệu thứ hai"], ["Hát then ở trang hai"]])
    second = services.ingest_file(source, "thứ hai.pdf", archive["public"])[0]
    access_copy(second)
    context, page, messages = watched_phone(browser, locale="vi-VN")
    page.goto(f"{archive['url']}?q=hat+then&original={second.pk}#page=2")
    reader = page.locator(f"#pdf-reader-{second.pk}")
    reader.locator(".pdf-reader-page[data-page='2'][data-ready]").wait_for(timeout=15000)
    assert reader.locator("mark.pdf-reader-hit").all_text_contents() == ["Hát", "then"]
    assert problems(page, messages) == []
    context.close()


def test_the_page_image_shows_at_once_and_the_drawn_page_takes_its_place(browser, archive):
    context, page, messages = watched_phone(browser, locale="vi-VN")
    # The reader's script is held back, as on a slow network, until the page image has been looked at.
    held = []
    page.route("**/dist/chunks/reader-*.js", lambda route: held.append(route))
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(archive["url"] + "#page=1")
    preview = page.locator("[data-pdf-reader] [data-reader-preview] img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview.element_handle())
    assert preview.is_visible()
    # A readable image: the phone's reader is 312 CSS px wide, 624 device pixels, so of the srcset's thumbnail
    # (300 px), readable image (800 px, the src) and its 640 px copy, the copy; sized in the markup (the readable
    # image's size) so that nothing moves when it comes.
    srcset = preview.get_attribute("srcset").split(", ")
    src = preview.get_attribute("src")
    assert src.endswith("/document/pages/read/0001.jpg")
    assert [candidate.rsplit("/", 2)[-2:] for candidate in srcset] == [
        ["pages", "0001.jpg 300w"],
        ["read-640", "0001.jpg 640w"],
        ["read", "0001.jpg 800w"],
    ]
    shown_image = preview.evaluate("img => img.currentSrc")
    assert shown_image.endswith("/document/pages/read-640/0001.jpg")
    with Image.open(io.BytesIO(page.request.get(shown_image).body())) as image:
        assert image.width == 640 and abs(image.height - 640 * 842 / 595) <= 1  # A4
    with Image.open(io.BytesIO(page.request.get(src).body())) as image:
        assert image.width == 800 and [int(preview.get_attribute(name)) for name in ("width", "height")] == list(
            image.size
        )
    # The page images below stand for the reader without JavaScript (<noscript>): with it they are neither shown
    # nor fetched, so that the page's image has the line to itself.
    assert page.locator(".media-pages").count() == 0
    assert not [url for url in requested if re.search(r"/pages/000[1-4]\.jpg$", url)]
    assert preview.get_attribute("alt") == "Trang 1"
    assert not page.locator("[data-reader-toolbar]").is_visible()  # no controls before they work
    assert page.locator(".pdf-reader-page").count() == 0
    # As wide as the reader, shaped like the page (A4 here).
    shown = preview.bounding_box()
    viewport = page.locator("[data-reader-viewport]").bounding_box()
    assert abs(shown["width"] - (viewport["width"] - 16)) <= 2  # the viewport's padding: .5rem each side
    assert abs(shown["height"] / shown["width"] - 842 / 595) < 0.02
    # pdf.js's worker loads beside the reader's script, not after it.
    page.wait_for_timeout(300)
    assert any(url.endswith("/dist/pdfjs/pdf.worker.min.js") for url in requested)
    assert len(held) == 1
    held[0].continue_()
    sheet = shown_page(page, 1)
    assert ink(page, sheet) > 500
    assert page.locator("[data-reader-preview]").count() == 0  # the drawn page took its place
    drawn = sheet.bounding_box()
    assert abs(drawn["width"] - shown["width"]) <= 2 and abs(drawn["height"] - shown["height"]) <= 3
    assert page.locator("[data-reader-toolbar]").is_visible()
    assert no_horizontal_scroll(page)
    assert problems(page, messages) == []
    context.close()


def test_the_page_image_is_of_the_page_the_address_asks_for(browser, archive):
    context, page, messages = watched_phone(browser, locale="vi-VN")
    held = []
    page.route("**/dist/chunks/reader-*.js", lambda route: held.append(route))
    page.goto(archive["url"] + "?q=long+tong#page=3")
    preview = page.locator("[data-reader-preview] img")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0 && img.currentSrc.endsWith('/read-640/0003.jpg')",
        arg=preview.element_handle(),
    )
    assert preview.get_attribute("alt") == "Trang 3"
    srcset = preview.get_attribute("srcset")
    assert preview.get_attribute("src").endswith("/pages/read/0003.jpg") and "/0001.jpg" not in srcset
    assert "/pages/0003.jpg 300w" in srcset and "/pages/read-640/0003.jpg 640w" in srcset
    held[0].continue_()
    shown_page(page, 3)
    assert marks(page) == ["Lồng", "Tồng"]
    # A page the pipeline made no image of: no image rather than another page's.
    page.route("**/document/pages/**/0005.jpg", lambda route: route.fulfill(status=404))
    page.unroute("**/dist/chunks/reader-*.js")
    page.goto(archive["url"] + "#page=5")
    shown_page(page, 5)
    assert page.locator("[data-reader-preview]").count() == 0
    assert [text for text in problems(page, messages) if "0005.jpg" not in text and "404" not in text] == []
    context.close()


def test_searching_inside_the_document(browser, archive, tmp_path):
    context, page, messages = watched_phone(browser, locale="vi-VN")
    page.goto(archive["url"])
    page.locator("figure.media-document").scroll_into_view_if_needed()
    shown_page(page, 1)

    query = page.locator("[data-reader-query]")
    query.fill("dan tinh")
    query.press("Enter")
    shown_page(page, 5)
    assert page.locator("mark.pdf-reader-hit.is-current").all_text_contents() == ["Đàn tính"]
    assert re.search(r"1\D+1\b", page.locator("[data-reader-found]").text_content())

    # A word on several pages: a count, and next and previous go from one to the other, round the end.
    query.fill("TRANG")
    page.locator("[data-reader-search] button[type=submit]").click()
    shown_page(page, 1)
    assert re.search(r"1\D+3\b", page.locator("[data-reader-found]").text_content())
    assert page.locator("mark.pdf-reader-hit.is-current").all_text_contents() == ["Trang"]
    page.locator("[data-reader-next-match]").click()
    shown_page(page, 2)
    assert re.search(r"2\D+3\b", page.locator("[data-reader-found]").text_content())
    page.locator("[data-reader-next-match]").click()
    shown_page(page, 4)
    page.locator("[data-reader-next-match]").click()
    shown_page(page, 1)
    page.locator("[data-reader-previous-match]").click()
    shown_page(page, 4)
    assert marks(page) == ["Trang"]

    query.fill("không có chữ này")
    query.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-reader-found]').textContent.length > 0")
    page.wait_for_function("() => !document.querySelector('mark.pdf-reader-hit')")
    assert not re.search(r"\d", page.locator("[data-reader-found]").text_content())
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "pdf-reader-search-360.png"))
    assert problems(page, messages) == []
    context.close()


def test_without_javascript_the_page_images_and_the_files(browser, archive):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(archive["url"])
    # The reader shows the readable image of page 1, without the controls that need the script.
    preview = page.locator("[data-pdf-reader] [data-reader-preview] img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview.element_handle())
    assert preview.is_visible() and "/document/pages/read" in preview.evaluate("img => img.currentSrc")
    assert not page.locator("[data-reader-toolbar]").is_visible()
    images = page.locator(".media-pages img")
    assert images.count() == 4
    for image in images.all():
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    # Each page image opens the readable image of its page: 800 px wide, the text large enough to read.
    links = page.locator(".media-pages a")
    assert [link.get_attribute("href").rsplit("/", 3)[-3:] for link in links.all()] == [
        ["pages", "read", f"{number:04d}.jpg"] for number in range(1, 5)
    ]
    assert links.first.locator("img").get_attribute("alt") == "Trang 1"
    links.nth(2).click()
    opened = page.locator("img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=opened.element_handle())
    assert page.url.endswith("/document/pages/read/0003.jpg")
    assert opened.evaluate("img => img.naturalWidth") == 800  # the image alone, not a srcset's candidate
    page.go_back()
    download = page.locator("a[data-reader-source=pdf]")
    assert download.is_visible()
    pdf = page.request.get(download.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert page.request.get(page.locator("a[data-reader-source=text]").get_attribute("href")).status == 200
    assert no_horizontal_scroll(page)
    context.close()


def test_outputs_made_before_readable_images_show_the_thumbnails(browser, archive):
    # A document processed before the pipeline made readable images: its manifest names thumbnails only.
    derivative_set = DerivativeSet.objects.get(original__links__record=archive["public"])
    derivatives = derivative_set.manifest["derivatives"]
    for name in ("page_images", "thumbnail_width"):
        derivatives.pop(name)
    derivative_set.save(update_fields=["manifest"])
    context, page, messages = watched_phone(browser, locale="vi-VN")
    held = []
    page.route("**/dist/chunks/reader-*.js", lambda route: held.append(route))
    page.goto(archive["url"] + "#page=2")
    preview = page.locator("[data-reader-preview] img")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0 && img.currentSrc.endsWith('/pages/0002.jpg')",
        arg=preview.element_handle(),
    )
    assert preview.get_attribute("srcset") is None and preview.get_attribute("width") is None
    assert preview.evaluate("img => img.naturalWidth") == 300  # no srcset: the file's own width
    held[0].continue_()
    shown_page(page, 2)
    assert problems(page, messages) == []
    context.close()
    # Without JavaScript: the thumbnails, as before, without links to readable images they do not have.
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(archive["url"])
    assert page.locator(".media-pages img").count() == 4 and page.locator(".media-pages a").count() == 0
    assert page.locator(".media-pages img").first.get_attribute("src").endswith("/document/pages/0001.jpg")
    context.close()


def test_a_visitor_who_may_not_see_the_record_gets_no_reader_and_no_file(browser, archive):
    # The restricted PDF is also shown by the public record: as restricted as the strictest record showing it.
    services.ingest_file(archive["hidden_source"], "hạn chế.pdf", archive["public"])
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(archive["restricted_url"])
    assert page.locator("[data-pdf-reader]").count() == 0
    assert page.locator("a[data-reader-source]").count() == 0
    assert page.request.get(archive["live"] + archive["hidden_pdf"]).status == 404

    # On the public record, only its own document has a reader and files; the restricted one is not there.
    page.goto(archive["url"])
    shown_page(page, 1)
    assert page.locator("[data-pdf-reader]").count() == 1
    assert [
        link.get_attribute("href").endswith(archive["pdf"]) for link in page.locator("a[data-reader-source=pdf]").all()
    ] == [True]
    assert archive["hidden_pdf"] not in page.content()
    # The public copy answers, so the 404 above is the rule at work.
    assert page.request.get(archive["live"] + archive["pdf"]).status == 200
    context.close()
