"""Claiming a profile (an invitation, signing in, proposing changes, staff approval) and the staff's
exports and list of stale profiles."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group
from django.core import mail, signing
from django.test import Client

from archive.models import Language
from experts import claims
from experts.models import Expert, ExpertiseField, ProfileChange
from tests.conftest import create_user
from tests.experts_support import make_expert

pytestmark = pytest.mark.django_db


def client_as(user):
    browser = Client()
    if user is not None:
        browser.force_login(user)
    return browser


@pytest.fixture
def expert(db):
    return make_expert(
        "Hà Văn Thư",
        email="thu@example.org",
        phone="0988 000 111",
        organisation="Viện Dân tộc học",
        biography="Tiểu sử cũ",
    )


@pytest.fixture
def admin_user(db):
    return create_user("admin-experts", is_superuser=True, is_staff=True)


def test_an_invited_person_claims_edits_and_staff_approve(expert, admin_user):
    weaving = ExpertiseField.objects.create(name="Dệt thổ cẩm")
    tay = Language.objects.create(tag="tyz", name="Tiếng Tày")
    # Staff send the invitation from the admin.
    admin = client_as(admin_user)
    page = admin.get(f"/admin/experts/invite/{expert.pk}/")
    assert page.status_code == 200
    assert admin.post(f"/admin/experts/invite/{expert.pk}/").status_code == 302
    assert mail.outbox[-1].to == ["thu@example.org"]
    link = re.search(r"https?://[^/\s]+(/vi/chuyen-gia/moi/\S+/)", mail.outbox[-1].body).group(1)
    assert claims.expert_for_token(link.rstrip("/").rsplit("/", 1)[1]) == expert
    # Not signed in: to the sign-in page, back to the link after.
    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    person = create_user("thu")
    browser = client_as(person)
    claimed = browser.get(link)
    assert claimed.status_code == 302 and claimed["Location"].endswith(f"/chuyen-gia/{expert.slug}/sua/")
    expert.refresh_from_db()
    assert expert.user == person
    form = browser.get(claimed["Location"])
    assert form.status_code == 200 and "Tiểu sử cũ" in form.content.decode()
    assert "thu@example.org" not in form.content.decode() and "0988" not in form.content.decode()
    sent = browser.post(
        claimed["Location"],
        {
            "organisation": "Học viện Dân tộc",
            "biography": "Tiểu sử mới",
            "fields": [weaving.pk],
            "languages_spoken": [tay.pk],
            "confirm": "on",
        },
    )
    assert sent.status_code == 302
    # Nothing changes before review.
    expert.refresh_from_db()
    assert expert.organisation == "Viện Dân tộc học"
    assert "Tiểu sử mới" not in Client().get(f"/vi/chuyen-gia/{expert.slug}/").content.decode()
    change = ProfileChange.objects.get()
    review = admin.get(f"/admin/experts/review/{change.pk}/")
    assert review.status_code == 200 and "Học viện Dân tộc" in review.content.decode()
    assert admin.post(f"/admin/experts/review/{change.pk}/", {"action": "approve"}).status_code == 302
    expert.refresh_from_db()
    assert expert.organisation == "Học viện Dân tộc" and expert.biography == "Tiểu sử mới"
    assert list(expert.fields.all()) == [weaving] and list(expert.languages_spoken.all()) == [tay]
    assert expert.last_confirmed == dt.date.today()
    profile = Client().get(f"/vi/chuyen-gia/{expert.slug}/").content.decode()
    assert "Tiểu sử mới" in profile and "Dệt thổ cẩm" in profile
    # The directory finds the approved text.
    assert expert.person.name in Client().get("/vi/chuyen-gia/", {"q": "hoc vien"}).content.decode()


def test_a_rejected_change_changes_nothing(expert, admin_user):
    change = claims.propose(expert, None, {"organisation": "Sai", "biography": "Sai"})
    assert client_as(admin_user).post(f"/admin/experts/review/{change.pk}/", {"action": "reject"}).status_code == 302
    expert.refresh_from_db()
    change.refresh_from_db()
    assert expert.organisation == "Viện Dân tộc học" and change.status == "rejected"


def test_bad_expired_and_taken_invitations_are_refused_clearly(expert, settings):
    assert Client().get("/vi/chuyen-gia/moi/not-a-token/").status_code == 400
    english = Client().get("/en/chuyen-gia/moi/not-a-token/")
    assert english.status_code == 400 and "not valid" in english.content.decode()
    old = signing.TimestampSigner(salt=claims.SALT)
    settings.EXPERTS_INVITATION_DAYS = 0
    token = claims.invitation_token(expert)
    import time

    time.sleep(1.1)
    expired = Client().get(f"/en/chuyen-gia/moi/{token}/")
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    del old
    settings.EXPERTS_INVITATION_DAYS = 30
    owner, other = create_user("owner"), create_user("other")
    link = claims.invitation_path(expert)
    assert client_as(owner).get(link).status_code == 302
    assert client_as(other).get(link).status_code == 403
    expert.refresh_from_db()
    assert expert.user == owner


def test_only_the_owner_edits(expert):
    stranger = create_user("stranger")
    assert client_as(stranger).get(f"/vi/chuyen-gia/{expert.slug}/sua/").status_code == 403
    assert client_as(stranger).post(f"/vi/chuyen-gia/{expert.slug}/sua/", {"biography": "x"}).status_code == 403
    assert Client().get(f"/vi/chuyen-gia/{expert.slug}/sua/").status_code == 302
    assert not ProfileChange.objects.exists()


def test_erasure_takes_pending_changes_with_it(expert):
    from experts.services import erase

    claims.propose(expert, None, {"biography": "riêng"})
    erase(expert)
    assert not ProfileChange.objects.exists()


# --- staff exports and the stale list ----------------------------------------------------------------


def test_staff_export_csv_and_xlsx_without_contact_details(expert, admin_user):
    make_expert("=HYPERLINK(1)", consent=False)
    admin = client_as(admin_user)
    response = admin.get("/admin/experts/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3
    assert any(row[0] == "Hà Văn Thư" and row[2] == "Viện Dân tộc học" for row in rows)
    assert any(row[0] == "'=HYPERLINK(1)" for row in rows)  # never a formula
    assert "thu@example.org" not in text and "0988" not in text
    workbook = admin.get("/admin/experts/export.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "Hà Văn Thư" in values and not any("thu@example.org" in str(value) for value in values)


def test_exports_and_stale_list_are_for_staff_only(expert):
    curator = client_as(create_user("curator", [Group.objects.get(name="Curators")]))
    assert curator.get("/admin/experts/export.csv").status_code == 200  # curators see the profiles
    assert curator.get("/admin/experts/stale/").status_code in (302, 403)  # reviewers keep them current
    assert curator.get(f"/admin/experts/erase/{expert.pk}/").status_code in (302, 403)  # administrators erase
    researcher = client_as(create_user("researcher"))
    for url in ("/admin/experts/export.csv", "/admin/experts/export.xlsx", "/admin/experts/stale/"):
        assert researcher.get(url).status_code in (302, 403), url
        assert Client().get(url).status_code == 302, url


def test_stale_list_shows_profiles_not_confirmed_for_a_year(expert, admin_user):
    today = dt.date.today()
    fresh = make_expert("Mới Xác Nhận", last_confirmed=today - dt.timedelta(days=30))
    old = make_expert("Lâu Rồi", last_confirmed=today - dt.timedelta(days=400))
    stale = set(Expert.objects.stale())
    assert old in stale and expert in stale and fresh not in stale  # ``expert`` was never confirmed
    reviewer = create_user("reviewer", [Group.objects.get(name="Reviewers")])
    text = client_as(reviewer).get("/admin/experts/stale/").content.decode()
    assert "Lâu Rồi" in text and "Mới Xác Nhận" not in text
