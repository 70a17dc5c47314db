"""Media on the public record page: what each visitor sees, and that every link answers for them alone.

The media are real: tiny files made with ffmpeg, Pillow and a hand-written PDF, processed by the pipeline with
the immediate task backend. Data is built once for the module.
"""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from django.contrib.auth.models import User
from django.test import override_settings

from archive.models import RecordPage
from ingest import services
from ingest.models import DerivativeSet, JobState, ProcessingJob
from tests.conftest import build_collection, build_homes, create_record, create_visitors
from tests.ingest_support import (
    make_clip,
    make_corrupt_jpeg,
    make_png,
    make_sine,
    make_srt,
    make_text_pdf,
    run_on_commit,
)

RESTRICTED = ["registered", "staff", "sacred"]


@pytest.fixture(scope="module")
def archive(module_db, tmp_path_factory):
    from django.contrib.auth.models import Group

    root = tmp_path_factory.mktemp("record-media")
    files = tmp_path_factory.mktemp("record-media-sources")
    with override_settings(MEDIA_ROOT=root / "media", INGEST_WORK_DIR=root / "work"):
        collection = build_collection(build_homes())
        group = Group.objects.create(name="Cộng đồng Dao")
        visitors = create_visitors(group)
        visitors["superuser"] = User.objects.create_superuser("root", password="pw-123456")
        public = create_record(collection, title="Lễ hội Lồng Tồng", translate=True)
        records = {
            level: create_record(collection, access_level=level, sacred_group=group if level == "sacred" else None)
            for level in RESTRICTED
        }
        media = {}
        with run_on_commit():
            media["video"] = services.ingest_file(make_clip(files / "le-hoi.mp4"), "lễ hội.mp4", public)[0]
            captions = make_srt(files / "le-hoi.vi.srt")
            media["captions"] = services.ingest_file(captions, "lễ hội.vi.srt", public)[0]
            media["audio"] = services.ingest_file(make_sine(files / "hat.wav", seconds=2), "hát.wav", public)[0]
            media["image"] = services.ingest_file(make_png(files / "anh.png", size=(900, 600)), "ảnh.png", public)[0]
            pdf = make_text_pdf(files / "bien-ban.pdf", ["Bien ban le hoi", "Trang hai"])
            media["pdf"] = services.ingest_file(pdf, "biên bản.pdf", public)[0]
            media["failed"] = services.ingest_file(make_corrupt_jpeg(files / "hong.jpg"), "hỏng.jpg", public)[0]
            for number, level in enumerate(RESTRICTED):
                png = make_png(files / f"{level}.png", colour=(30 * number, 10, 10))
                media[level] = services.ingest_file(png, f"{level}.png", records[level])[0]
            # An original shown by the public record and by a staff-only one: as strict as the strictest.
            shared = make_png(files / "shared.png", colour=(9, 9, 9))
            media["shared"] = services.ingest_file(shared, "chung.png", public)[0]
            services.ingest_file(shared, "chung.png", records["staff"])
        # Received but not processed yet: its task never ran (no commit).
        media["queued"] = services.ingest_file(make_png(files / "cho.png", colour=(1, 2, 3)), "chờ.png", public)[0]
        states = dict(ProcessingJob.objects.values_list("original_id", "state"))
        assert states[media["failed"].pk] == JobState.FAILED
        assert states[media["queued"].pk] == JobState.QUEUED
        assert all(states[media[name].pk] == JobState.DONE for name in ("video", "audio", "image", "pdf", "captions"))
        yield {"public": public, "records": records, "media": media, "visitors": visitors, "root": root}


@pytest.fixture
def media_settings(archive, settings):
    settings.MEDIA_ROOT = archive["root"] / "media"
    settings.INGEST_WORK_DIR = archive["root"] / "work"


def record_page(client, record):
    response = client.get(record.url)
    assert response.status_code == 200
    return response, BeautifulSoup(response.content, "html.parser")


def media_path(url: str) -> str:
    """The path of a media URL (absolute, made by ``services.public_url``), for the test client."""
    return urlsplit(url).path


def prefix(original) -> str:
    return DerivativeSet.objects.get(original=original).prefix


def linked_urls(soup) -> set[str]:
    """Every media URL the page's lead image and media section link or load, however they name it."""
    urls = set()
    for element in (e for part in soup.select("[data-record-lead], [data-record-media]") for e in part.find_all(True)):
        for attribute in ("src", "href", "poster", "data-hls", "data-iiif", "data-peaks"):
            if element.get(attribute) and "/media/" in element[attribute]:
                urls.add(element[attribute])
        for attribute in ("srcset",):
            for candidate in (element.get(attribute) or "").split(","):
                if candidate.strip():
                    urls.add(candidate.split()[0])
    return urls


def test_a_public_record_shows_each_kind_of_finished_media(db, archive, media_settings, client_for):
    _response, soup = record_page(client_for(None), archive["public"])
    section = soup.select_one("section.record-media[data-record-media]")
    assert section is not None
    media = archive["media"]

    video = section.select_one("figure.media-video video")
    video_prefix = prefix(media["video"])
    assert video.has_attr("controls") and video["preload"] == "none"
    assert media_path(video["poster"]) == f"/media/{video_prefix}/video/poster.jpg"
    assert media_path(video["data-hls"]) == f"/media/{video_prefix}/video/hls/master.m3u8"
    sources = video.select("source")
    assert [media_path(s["src"]) for s in sources] == [f"/media/{video_prefix}/video/mp4/360p.mp4"]
    assert all(s["type"] == "video/mp4" for s in sources)
    track = video.select_one("track")
    assert media_path(track["src"]) == f"/media/{prefix(media['captions'])}/captions/captions.vtt"
    assert track["srclang"] == "vi" and track["kind"] == "subtitles" and track.has_attr("default")
    assert track["label"] == "Tiếng Việt"
    # The captions went to the video; they are not listed again as a separate transcript.
    assert section.select("[data-media-kind=captions]") == []

    audio = section.select_one("figure.media-audio audio")
    audio_prefix = prefix(media["audio"])
    assert audio["preload"] == "none"
    assert [(media_path(s["src"]), s["type"]) for s in audio.select("source")] == [
        (f"/media/{audio_prefix}/audio/audio.opus", "audio/ogg; codecs=opus"),
        (f"/media/{audio_prefix}/audio/audio.m4a", "audio/mp4"),
    ]
    waveform = section.select_one(".media-waveform")
    assert media_path(waveform["data-peaks"]) == f"/media/{audio_prefix}/audio/peaks.json"
    assert waveform["data-audio"] == audio["id"]

    # The record opens with its image, above the section.
    images = soup.select("figure.media-image-figure")
    assert len(images) == 1  # the shared one is stricter than this record; the failed one has no copies
    assert images[0].has_attr("data-record-lead") and section.select("figure.media-image-figure") == []
    image_prefix = prefix(media["image"])
    assert media_path(images[0]["data-iiif"]) == f"/media/{image_prefix}/image/iiif/info.json"
    img = images[0].select_one("img")
    assert not img.has_attr("loading") and img["alt"] == "Lễ hội Lồng Tồng, ảnh"  # the Vietnamese page
    copies = DerivativeSet.objects.get(original=media["image"]).manifest["derivatives"]["web"]
    jpegs = [c for c in copies if c["format"] == "jpeg"]
    assert len(jpegs) >= 2
    assert img["srcset"].split(", ") == [
        f"http://127.0.0.1:8000/media/{image_prefix}/image/web/{c['file']} {c['width']}w" for c in jpegs
    ]
    assert media_path(images[0].select_one("a.media-image")["href"]).endswith(f"/web/{jpegs[-1]['file']}")
    assert images[0].select_one("source[type='image/webp']")["srcset"].count(".webp") >= 2
    assert images[0].select_one("button[data-zoom-toggle]").has_attr("hidden")  # shown by the script only

    document = section.select_one("figure.media-document")
    pdf_prefix = prefix(media["pdf"])
    assert [media_path(i["src"]) for i in document.select(".media-pages img")] == [
        f"/media/{pdf_prefix}/document/pages/0001.jpg",
        f"/media/{pdf_prefix}/document/pages/0002.jpg",
    ]
    assert "2 trang" in document.get_text(" ", strip=True)
    # The page images (thumbnail, readable and phone sizes of every page) are recorded as one folder.
    pages = DerivativeSet.objects.get(original=media["pdf"]).files.get(role="pages")
    assert (pages.kind, pages.path, pages.file_count) == ("folder", f"{pdf_prefix}/document/pages", 6)
    assert media_path(document.select_one(".media-downloads a")["href"]) == f"/media/{pdf_prefix}/document/text.txt"

    # One small module script, which fetches each library only where its media is.
    assert [s["src"] for s in section.select("script[type=module]")] == ["/static/dist/record-media.js"]


def test_unfinished_media_is_not_linked_for_the_public_but_staff_see_its_state(db, archive, media_settings, client_for):
    media = archive["media"]
    _response, soup = record_page(client_for(None), archive["public"])
    html = str(soup.select_one("[data-record-media]"))
    for name in ("failed", "queued"):
        assert media[name].sha256 not in html
        assert media[name].filename not in html
    assert soup.select_one(".media-states") is None
    note = soup.select_one(".media-preparing")
    assert note is not None and "đang được chuẩn bị" in note.get_text()  # the queued one; the failed one is silent

    _response, soup = record_page(client_for(archive["visitors"]["staff"]), archive["public"])
    rows = {
        row.select_one("td").get_text(strip=True): row["data-media-state"]
        for row in soup.select(".media-states tbody tr")
    }
    assert rows["hỏng.jpg"] == JobState.FAILED and rows["chờ.png"] == JobState.QUEUED
    assert rows["lễ hội.mp4"] == JobState.DONE
    assert "chung.png" in rows  # staff may see the staff record that shares it
    failed_row = next(r for r in soup.select(".media-states tbody tr") if "hỏng.jpg" in r.get_text())
    # The reason is stored in English by the pipeline and shown in the page's language.
    assert ProcessingJob.objects.get(original=media["failed"]).message.startswith("The image is damaged")
    assert "Ảnh bị hỏng hoặc không đầy đủ nên không giải mã được." in failed_row.get_text()
    assert soup.select_one(".media-preparing") is None
    # Still no links to the copies of unfinished media: there are none.
    assert all(media["failed"].sha256 not in url for url in linked_urls(soup))


def test_restricted_records_media_never_reach_anonymous_visitors(db, archive, media_settings, client_for):
    anonymous = client_for(None)
    for level in RESTRICTED:
        record = archive["records"][level]
        response = anonymous.get(record.url)
        assert response.status_code in (302, 404)
        assert archive["media"][level].sha256.encode() not in response.content
    # The original shared with a staff record is not on the public page for the public...
    _response, soup = record_page(anonymous, archive["public"])
    assert archive["media"]["shared"].sha256 not in str(soup)
    # ...and the sacred record's media only for its community.
    sacred = archive["records"]["sacred"]
    _response, soup = record_page(client_for(archive["visitors"]["community"]), sacred)
    assert any(archive["media"]["sacred"].sha256 in url for url in linked_urls(soup))
    assert client_for(archive["visitors"]["staff"]).get(sacred.url).status_code == 404


@pytest.mark.parametrize(
    ("who", "record"),
    [("anonymous", "public"), ("staff", "public"), ("researcher", "registered"), ("community", "sacred")],
)
def test_every_media_url_on_the_page_answers_for_its_visitor_only(db, archive, media_settings, client_for, who, record):
    page = archive["public"] if record == "public" else archive["records"][record]
    viewer = client_for(archive["visitors"][who])
    _response, soup = record_page(viewer, page)
    urls = linked_urls(soup)
    assert urls
    for url in sorted(urls):
        response = viewer.get(media_path(url))
        assert response.status_code == 200, url
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    # Files the page loads indirectly: the HLS variant playlists and a segment, IIIF tiles.
    if record == "public":
        master = next(u for u in urls if u.endswith("master.m3u8"))
        folder = media_path(master).rpartition("/")[0]
        assert viewer.get(f"{folder}/360p.m3u8").status_code == 200
        assert viewer.get(f"{folder}/360p_0000.ts").status_code == 200
    outsiders = [name for name in archive["visitors"] if name != who]
    for name in outsiders:
        if record == "public" or (record == "registered" and name in ("staff", "community", "superuser")):
            continue
        stranger = client_for(archive["visitors"][name])
        for url in sorted(urls):
            assert stranger.get(media_path(url)).status_code in (403, 404), (name, url)


def test_public_media_urls_are_refused_once_the_record_is_restricted_elsewhere(db, archive, media_settings, client_for):
    """The shared original: the public page does not show it, and its URLs answer only to staff."""
    shared = prefix(archive["media"]["shared"])
    url = f"/media/{shared}/image/iiif/info.json"
    assert client_for(None).get(url).status_code == 404
    assert client_for(archive["visitors"]["staff"]).get(url).status_code == 200


def test_translations_show_the_same_media(db, archive, media_settings, client_for):
    english = archive["public"].get_translations().get()
    _response, soup = record_page(client_for(None), english)
    _response, vietnamese = record_page(client_for(None), archive["public"])
    assert linked_urls(soup) and linked_urls(soup) == linked_urls(vietnamese)
    assert soup.select_one("#record-media-heading").get_text() == "Media"


def test_cached_pages_for_anonymous_visitors_hold_no_staff_content(db, archive, media_settings, client_for, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_PREFIXES = ("/",)
    anonymous = client_for(None)
    first = anonymous.get(archive["public"].url)
    assert first["X-Page-Cache"] == "miss"
    staff = client_for(archive["visitors"]["staff"]).get(archive["public"].url)
    assert "X-Page-Cache" not in staff and b"media-states" in staff.content
    again = anonymous.get(archive["public"].url)
    assert again["X-Page-Cache"] == "hit"
    assert b"media-states" not in again.content and "hỏng.jpg".encode() not in again.content


def test_a_record_without_media_has_no_media_section(db, archive, media_settings, client_for):
    bare = create_record(archive["public"].get_parent(), title="Không có tệp")
    _response, soup = record_page(client_for(None), bare)
    assert soup.select_one("[data-record-media]") is None
    assert soup.select("script[type=module]") == []


def test_reprocessing_keeps_the_current_copies_on_show_and_in_search(db, archive, media_settings, client_for):
    from archive.media import summarise_many

    video = archive["media"]["video"]
    before = prefix(video)
    assert services.reprocess(video)  # queued again; its task runs only after a commit, which never comes here
    assert ProcessingJob.objects.get(original=video).state == JobState.QUEUED
    _response, soup = record_page(client_for(None), archive["public"])
    urls = linked_urls(soup)
    assert any(before in url for url in urls)  # still the current set, until the new one is recorded
    for url in urls:
        if before in url:
            assert client_for(None).get(media_path(url)).status_code == 200
    assert "video" in summarise_many([archive["public"].pk])[archive["public"].pk].kinds


def test_cached_record_pages_change_when_their_media_changes(db, archive, media_settings, client_for, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_PREFIXES = ("/",)
    anonymous = client_for(None)
    assert anonymous.get(archive["public"].url)["X-Page-Cache"] == "miss"
    assert anonymous.get(archive["public"].url)["X-Page-Cache"] == "hit"
    image = archive["media"]["image"]
    assert services.detach(image, archive["public"])
    # Detached in the record's draft: what visitors see, cached or not, waits for the draft to be published.
    waiting = anonymous.get(archive["public"].url)
    assert waiting["X-Page-Cache"] == "hit" and prefix(image) in waiting.content.decode()
    RecordPage.objects.get(pk=archive["public"].pk).get_latest_revision().publish()
    response = anonymous.get(archive["public"].url)
    assert response["X-Page-Cache"] == "miss"
    assert prefix(image) not in response.content.decode()
