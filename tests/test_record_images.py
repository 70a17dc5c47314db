"""One way to put images on a record: ingest media. A record opens with its first image the visitor may see
(a drawn placeholder only when there is none), listings and search results show its thumbnail by the same
rule, captions come in one language each, and the gallery of old (``RecordImage``) moves into media.
"""

import pytest
from bs4 import BeautifulSoup

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Locale

from archive import media
from ingest import attachments
from ingest.models import JobState, MediaKind, Original, ProcessingJob, RecordMedia
from search import services as search_services
from tests.conftest import attach_image, create_record, create_user, png_image
from tests.ingest_support import run_on_commit, sandbox


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path)


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def thumbnails_in(soup) -> list[str]:
    return [img["src"] for img in soup.select(".card-thumb img")]


def test_a_record_opens_with_its_image_and_lists_it_as_a_thumbnail(media_root, collection, client, engine):
    record = create_record(collection, title="Lễ hội Lồng Tồng", translate="Lồng Tồng Festival")
    attach_image(record, caption="Người Tày xuống đồng", size=(900, 600))
    page = soup_of(client, record.url)
    lead = page.select_one("figure.record-lead")
    assert lead is not None and page.select_one(".record-placeholder") is None
    img = lead.select_one("img")
    assert img["alt"] == "Lễ hội Lồng Tồng, ảnh" and not img.has_attr("loading")  # the first thing on the page
    assert "/image/web/" in img["src"] and img["width"] and img["height"]
    assert lead.select_one(".media-caption").get_text() == "Người Tày xuống đồng"
    assert not lead.select_one(".media-caption").has_attr("lang")  # the page's own language
    assert page.select_one("[data-record-media]") is None  # nothing else to show: no empty media section

    # The English page: the English alt text; the Vietnamese caption marked as Vietnamese.
    english = record.get_translation(Locale.objects.get(language_code="en"))
    page = soup_of(client, english.url)
    assert page.select_one("figure.record-lead img")["alt"] == "Lồng Tồng Festival, image"
    assert page.select_one("figure.record-lead .media-caption")["lang"] == "vi"
    # Given a caption of its own, it shows that one, unmarked: one language per caption.
    original = RecordMedia.objects.get(record=record).original
    attachments.attach_published(original, english)
    attachments.caption_published(original, english, "The Tày go down to the fields")
    caption = soup_of(client, english.url).select_one("figure.record-lead .media-caption")
    assert caption.get_text() == "The Tày go down to the fields" and not caption.has_attr("lang")

    # Listings and search results: the small copy, sized, decorative beside the title.
    for url in (collection.url, "/vi/"):
        [src] = thumbnails_in(soup_of(client, url))
        assert "/image/web/240." in src
    card = soup_of(client, collection.url).select_one(".card-thumb img")
    assert card["alt"] == "" and card["width"] == "240" and card["height"] == "160"
    assert not card.has_attr("loading")  # among the first three: loaded at once
    assert (
        soup_of(client, collection.url)
        .select_one(".card-thumb source[type='image/webp']")["srcset"]
        .endswith("/image/web/240.webp")
    )
    search_services.rebuild()
    results = soup_of(client, "/vi/search/?q=Lồng+Tồng")
    assert [src.rsplit("/", 1)[-1] for src in thumbnails_in(results)] == ["240.jpg"]
    assert client.get(thumbnails_in(results)[0].split("testserver", 1)[-1].split("8000", 1)[-1]).status_code == 200


def test_a_record_without_an_image_opens_with_the_drawn_placeholder(media_root, collection, client):
    record = create_record(collection, title="Chưa có ảnh")
    page = soup_of(client, record.url)
    assert page.select_one(".record-placeholder[aria-hidden=true]") is not None
    assert page.select_one("figure.record-lead") is None
    assert thumbnails_in(soup_of(client, collection.url)) == []


def test_the_record_opens_with_its_first_image_however_its_media_are_ordered(media_root, collection, client, tmp_path):
    from ingest.services import ingest_file
    from tests.ingest_support import make_srt

    record = create_record(collection, title="Có bản ghi chép")
    with run_on_commit():  # a transcript first, then two images
        ingest_file(make_srt(tmp_path / "loi.vi.srt"), "lời.vi.srt", record)
    first = attach_image(record, caption="Ảnh thứ nhất")
    attach_image(record, caption="Ảnh thứ hai")
    page = soup_of(client, record.url)
    assert page.select_one("figure.record-lead .media-caption").get_text() == "Ảnh thứ nhất"
    assert first.derivative_set.prefix in page.select_one("figure.record-lead img")["src"]
    others = page.select("[data-record-media] figure.media-image-figure")
    assert [f.select_one(".media-caption").get_text() for f in others] == ["Ảnh thứ hai"]


def test_a_thumbnail_only_where_the_visitor_may_fetch_the_image(media_root, collection, client_for, engine):
    """An image that a stricter record also shows, or one still waiting for review, is never a thumbnail."""
    curator = create_user("curator", is_staff=True, is_superuser=True)
    public = create_record(collection, title="Lễ hội công khai zqthumb")
    staff_only = create_record(collection, title="Ghi chép nội bộ zqthumb", access_level="staff")
    shared = attach_image(public, caption="Ảnh dùng chung")
    attachments.attach_published(shared, staff_only)
    waiting = create_record(collection, title="Lễ hội chờ duyệt zqthumb")
    with_draft = Original.objects.get(pk=attach_image(waiting).pk)
    RecordMedia.objects.filter(record=waiting).delete()  # published without it …
    attachments.attach_to_draft(with_draft, waiting, curator)  # … and added to its draft, for review
    search_services.rebuild()

    assert media.thumbnails([public.pk, staff_only.pk, waiting.pk], None) == {}
    seen = media.thumbnails([public.pk, staff_only.pk, waiting.pk], curator)
    assert set(seen) == {public.pk, staff_only.pk}
    for visitor, expected in ((None, 0), (curator, 2)):
        browser = client_for(visitor)
        for url in (collection.url, "/vi/search/?q=zqthumb"):
            thumbs = thumbnails_in(soup_of(browser, url))
            assert len(thumbs) == expected, (visitor, url)
            assert with_draft.sha256 not in " ".join(thumbs)
    # The file itself answers by the same verdict.
    path = seen[public.pk].url.split("/media/", 1)[1]
    assert client_for(None).get(f"/media/{path}").status_code == 404
    assert client_for(curator).get(f"/media/{path}").status_code == 200


def test_a_listing_asks_for_its_thumbnails_in_a_few_queries_whatever_its_length(media_root, collection):
    records = [create_record(collection, title=f"Bản ghi {n}", image=f"Ảnh {n}") for n in range(6)]

    def queries(pages) -> int:
        with CaptureQueriesContext(connection) as captured:
            found = media.thumbnails([page.pk for page in pages], None)
        assert set(found) == {page.pk for page in pages}
        return len(captured)

    queries(records[:1])  # caches warmed (content types, the default locale)
    assert queries(records[:2]) == queries(records) <= 6


# Restores the database's first contents afterwards, as the browser tests that follow expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_gallery_images_into_the_records_media(settings, tmp_path):
    """A record's gallery (two images, captions, an order) becomes its first media, queued for processing,
    in its rows and in its revisions, before the gallery is dropped."""
    from django.db.migrations.executor import MigrationExecutor

    from tests.conftest import build_collection, build_homes

    sandbox(settings, tmp_path)
    collection = build_collection(build_homes())
    record = create_record(collection, title="Bản ghi có thư viện ảnh")
    earlier = attach_image(record, caption="Đã có từ trước")
    images = [png_image("anh-mot"), png_image("anh-hai", colour=(10, 200, 10))]

    before = [("ingest", "0003_recordmedia_caption")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        gallery = executor.loader.project_state(before).apps.get_model("archive", "RecordImage")
        gallery.objects.create(page_id=record.pk, image_id=images[1].pk, caption="Ảnh hai", sort_order=1)
        gallery.objects.create(page_id=record.pk, image_id=images[0].pk, caption="Ảnh một", sort_order=0)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    links = list(RecordMedia.objects.filter(record=record).order_by("sort_order").select_related("original"))
    assert [link.caption for link in links] == ["Ảnh một", "Ảnh hai", "Đã có từ trước"]
    assert links[2].original == earlier
    for link, image in zip(links, images, strict=False):
        assert link.original.kind == MediaKind.IMAGE
        with link.original.file.open("rb") as moved, image.file.open("rb") as kept:
            assert moved.read() == kept.read()
        job = ProcessingJob.objects.get(original=link.original)
        assert job.state == JobState.QUEUED and job.next_attempt_at <= job.queued_at  # due: the sweep sends it
    record.refresh_from_db()
    listed = record.live_revision.content["media_links"]
    assert [(item["original"], item["caption"]) for item in sorted(listed, key=lambda i: i["sort_order"])] == [
        (link.original_id, link.caption) for link in links
    ]
    assert "images" not in record.live_revision.content
    # A later publish keeps the moved list.
    record.get_latest_revision().publish()
    assert RecordMedia.objects.filter(record=record).count() == 3


def test_the_demo_illustrates_only_records_without_an_image_one_language_per_caption(media_root, collection, client):
    from cms.demo_media import ILLUSTRATION_CAPTIONS, load_demo_illustrations

    photographed = create_record(collection, title="Có ảnh chụp", image="Ảnh chụp thật", translate=True)
    bare = create_record(collection, title="Chưa có ảnh", translate="No photo yet")
    with run_on_commit():  # the demo's worker makes the access copies
        assert load_demo_illustrations() == {"illustrations": 1}
    assert load_demo_illustrations() == {"illustrations": 0}  # a second run adds nothing
    assert RecordMedia.objects.filter(record=photographed).count() == 1  # its photo leads, no stand-in
    vietnamese = soup_of(client, bare.url).select_one("figure.record-lead")
    assert vietnamese.select_one(".media-caption").get_text() == ILLUSTRATION_CAPTIONS["vi"]
    english = soup_of(client, bare.get_translation(Locale.objects.get(language_code="en")).url)
    lead = english.select_one("figure.record-lead")
    assert lead.select_one("img")["alt"] == "No photo yet, image"
    caption = lead.select_one(".media-caption")
    assert caption.get_text() == ILLUSTRATION_CAPTIONS["en"] and not caption.has_attr("lang")
