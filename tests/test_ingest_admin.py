"""Ingest in the Wagtail admin: the media listing with job state, retry of failed jobs, multi-file upload."""

import pytest

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.users.models import UserProfile

from cms.setup import CURATORS
from ingest import attachments, services
from ingest.models import JobState, Original, ProcessingJob, RecordMedia
from tests.conftest import build_collection, build_homes, create_record, create_user
from tests.ingest_support import make_corrupt_jpeg, make_png, run_on_commit, sandbox

INDEX = "/admin/ingest/originals/"


@pytest.fixture(scope="module")
def people(module_db):
    record = create_record(build_collection(build_homes()))
    curator = create_user("curator", [Group.objects.get(name=CURATORS)])
    onlooker = create_user("onlooker")  # may enter the admin, may not edit records
    onlooker.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return {"record": record, "curator": curator, "onlooker": onlooker, "researcher": create_user("researcher")}


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path)


@pytest.fixture
def failed(db, people, media_root, tmp_path):
    """A damaged photo on the record, whose processing failed."""
    with run_on_commit():
        original, _ = services.ingest_file(make_corrupt_jpeg(tmp_path / "broken.jpg"), "ảnh hỏng.jpg", people["record"])
    assert ProcessingJob.objects.get(original=original).state == JobState.FAILED
    return original


def test_the_listing_shows_state_reason_and_a_retry_button(failed, people, client_for):
    response = client_for(people["curator"]).get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ảnh hỏng.jpg" in html and people["record"].title in html
    # The reason as the curator reads it: stored in English by the pipeline, shown in the admin's language.
    assert "Ảnh bị hỏng hoặc không đầy đủ nên không giải mã được." in html and "damaged" not in html
    assert reverse("ingest_originals:retry", args=[failed.pk]) in html
    assert client_for(people["curator"]).get(f"{INDEX}?job__state=done").content.decode().count("ảnh hỏng") == 0


def test_reasons_stored_in_english_are_shown_in_the_language_of_the_admin(failed, people, client_for):
    """The pipeline stores its reasons and notes in English (rows written before the translations included); the
    admin shows them in the curator's language, Vietnamese unless the curator chose English."""
    ProcessingJob.objects.filter(original=failed).update(
        message=(
            "The image is 20,000 × 15,000 pixels (300 megapixels), over the limit of 100 megapixels. Save it at a "
            "lower resolution and upload it again, or ask an administrator to raise the limit for large scans."
        ),
        notes=[
            "The file name ends in .png but the content is a JPEG image; it was accepted as a JPEG image. "
            "Consider renaming it to .jpg."
        ],
    )
    curator = client_for(people["curator"])
    html = curator.get(INDEX).content.decode()
    assert (
        "Ảnh có kích thước 20,000 × 15,000 điểm ảnh (300 megapixel), vượt giới hạn 100 megapixel. Hãy lưu ảnh ở độ "
        "phân giải thấp hơn rồi tải lên lại, hoặc đề nghị quản trị viên nâng giới hạn cho các bản quét lớn."
    ) in html
    assert (
        "Tên tệp có đuôi .png nhưng nội dung là ảnh JPEG; tệp đã được nhận là ảnh JPEG. Nên đổi đuôi tên tệp thành .jpg."
    ) in html
    assert "megapixels" not in html
    media = curator.get(reverse("ingest_upload", args=[people["record"].pk])).content.decode()
    assert "vượt giới hạn 100 megapixel" in media and "nội dung là ảnh JPEG" in media

    profile = UserProfile.get_for_user(people["curator"])
    profile.preferred_language = "en"
    profile.save()
    html = curator.get(INDEX).content.decode()
    assert "over the limit of 100 megapixels" in html and "the content is a JPEG image" in html


def test_an_upload_refused_by_the_pipeline_says_why_in_the_language_of_the_admin(
    db, people, client_for, media_root, tmp_path
):
    url = reverse("ingest_upload", args=[people["record"].pk])
    program = SimpleUploadedFile("phim.mp4", b"\x7fELF\x02\x01\x01" + b"\0" * 200)
    response = client_for(people["curator"]).post(url, {"files": [program]}, HTTP_ACCEPT="application/json")
    (result,) = response.json()["results"]
    assert result["outcome"] == "rejected"
    assert result["message"] == (
        "Tệp này là một chương trình Linux (ELF), không phải tư liệu, dù tên tệp nói gì. Chương trình và tập lệnh "
        "không bao giờ được chấp nhận."
    )
    assert not Original.objects.exists()


def test_the_listing_is_for_staff_and_originals_cannot_be_edited(failed, people, client_for):
    assert client_for(people["researcher"]).get(INDEX).status_code == 302  # to the admin login
    onlooker = client_for(people["onlooker"])
    assert onlooker.get(INDEX).status_code == 200
    inspect = onlooker.get(reverse("ingest_originals:inspect", args=[failed.pk]))
    assert inspect.status_code == 200 and failed.sha256 in inspect.content.decode()
    for url in (reverse("ingest_originals:add"), reverse("ingest_originals:edit", args=[failed.pk])):
        assert client_for(people["curator"]).get(url).status_code in (302, 403)
    assert reverse("ingest_originals:retry", args=[failed.pk]) not in onlooker.get(INDEX).content.decode()


def test_retry_needs_post_and_permission_and_runs_the_job_again(failed, people, client_for, media_root):
    url = reverse("ingest_originals:retry", args=[failed.pk])
    assert client_for(people["curator"]).get(url).status_code == 405
    refused = client_for(people["onlooker"]).post(url)
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")  # Wagtail's "permission denied"
    assert ProcessingJob.objects.get(original=failed).attempts == 1
    # The curator replaced the damaged file's problem (here: the job is simply run again and fails again).
    before = ProcessingJob.objects.get(original=failed).finished_at
    with run_on_commit():
        response = client_for(people["curator"]).post(url, {"next": INDEX})
    assert response.status_code == 302 and response["Location"] == INDEX
    job = ProcessingJob.objects.get(original=failed)
    assert job.state == JobState.FAILED and job.attempts == 1 and job.finished_at > before


def test_retry_of_a_job_that_can_now_succeed(db, people, client_for, media_root, tmp_path):
    with run_on_commit():
        original, _ = services.ingest_file(make_png(tmp_path / "p.png"), "p.png", people["record"])
    ProcessingJob.objects.filter(original=original).update(state=JobState.FAILED, message="storage was full")
    with run_on_commit():
        client_for(people["curator"]).post(reverse("ingest_originals:retry", args=[original.pk]))
    job = ProcessingJob.objects.get(original=original)
    assert (job.state, job.message) == (JobState.DONE, "")


def test_upload_several_files_onto_a_record(db, people, client_for, media_root, tmp_path):
    url = reverse("ingest_upload", args=[people["record"].pk])
    curator = client_for(people["curator"])
    form = curator.get(url)
    assert form.status_code == 200
    assert 'type="file" name="files" multiple' in form.content.decode()
    png = make_png(tmp_path / "p.png").read_bytes()
    files = [
        SimpleUploadedFile("lễ hội.png", png),
        SimpleUploadedFile("bản sao.png", png),
        SimpleUploadedFile("vẽ.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ]
    with run_on_commit():
        response = curator.post(url, {"files": files})
    assert response.status_code == 200
    html = response.content.decode()
    # The admin speaks Vietnamese by default, the processing layer's reasons included.
    assert "lễ hội.png</strong>:\n" in html and "đã lưu" in html
    assert "bản sao.png</strong>:" in html and "Đã có trong kho lưu trữ với tên “lễ hội.png”" in html
    assert "vẽ.svg</strong>:" in html and "Không chấp nhận hình vẽ SVG vì chúng có thể chứa mã lệnh" in html
    original = Original.objects.get()
    assert original.filename == "lễ hội.png"
    # The record is live: the photo is in its draft, once, until a reviewer publishes it.
    assert not RecordMedia.objects.exists()
    assert [link.original_id for link in attachments.draft_links(people["record"])] == [original.pk]
    assert ProcessingJob.objects.get(original=original).state == JobState.DONE
    assert "Tư liệu của bản ghi này" in html and "lễ hội.png</span>" in html
    assert 'data-media-status="added"' in html and "data-media-review" in html


def test_upload_answers_json_for_the_script(db, people, client_for, media_root, tmp_path):
    url = reverse("ingest_upload", args=[people["record"].pk])
    with run_on_commit():
        response = client_for(people["curator"]).post(
            url, {"files": [SimpleUploadedFile("empty.mp4", b"")]}, HTTP_ACCEPT="application/json"
        )
    (result,) = response.json()["results"]
    assert result["outcome"] == "rejected" and result["original_id"] is None
    assert result["message"].startswith("Tệp trống (0 byte).")


def test_upload_needs_permission_to_edit_the_record(db, people, client_for, media_root):
    url = reverse("ingest_upload", args=[people["record"].pk])
    for response in (
        client_for(people["onlooker"]).get(url),
        client_for(people["onlooker"]).post(url, {"files": [SimpleUploadedFile("a.png", b"x")]}),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")  # Wagtail's "permission denied"
    assert client_for(people["researcher"]).get(url)["Location"].startswith("/admin/login/")
    assert client_for(people["curator"]).get(reverse("ingest_upload", args=[999999])).status_code == 404
    assert not Original.objects.exists()


def test_the_record_editor_links_to_its_media(db, people, client_for):
    edit = client_for(people["curator"]).get(reverse("wagtailadmin_pages:edit", args=[people["record"].pk]))
    assert edit.status_code == 200
    assert reverse("ingest_upload", args=[people["record"].pk]) in edit.content.decode()
