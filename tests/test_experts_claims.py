"""Claiming a profile (an invitation, signing in, proposing changes as a revision in the records' workflow,
a reviewer approving or rejecting it in Wagtail's admin) and the staff's exports and list of stale
profiles."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from wagtail.models import WorkflowState

from archive.models import Language
from cms.setup import WORKFLOW_NAME
from experts import claims
from experts.models import Expert, ExpertiseField
from experts.wagtail_hooks import write_staff_held
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


def reviewer_client():
    return client_as(create_user("reviewer-experts", [Group.objects.get(name="Reviewers")]))


def action_url(browser, expert, action: str) -> str:
    """The workflow action a reviewer is offered for the profile on the admin's dashboard ("awaiting your
    review"), as they would click it."""
    dashboard = browser.get("/admin/")
    assert dashboard.status_code == 200
    found = re.search(rf"/admin/experts/profiles/workflow/action/{expert.pk}/{action}/\d+/", dashboard.content.decode())
    assert found, f"no {action} link for the profile on the dashboard"
    return found.group(0)


def propose(expert, owner, **values):
    browser = client_as(owner)
    sent = browser.post(f"/vi/chuyen-gia/{expert.slug}/sua/", values)
    assert sent.status_code == 302, sent.content.decode()[:500]
    return browser


def workflow_status(expert) -> str:
    return WorkflowState.objects.for_instance(expert).order_by("-created_at").values_list("status", flat=True)[0]


@pytest.fixture
def index(engine):
    """``index()`` builds the directory's people index from the database (as the directory's tests do)."""
    from search import people

    return people.rebuild


def test_an_invited_person_claims_edits_and_a_reviewer_approves_in_the_workflow(expert, admin_user, index):
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
            "biography": "Tiểu sử mới: thợ rèn bản Khuổi Khon",
            "fields": [weaving.pk],
            "languages_spoken": [tay.pk],
            "confirm": "on",
        },
    )
    assert sent.status_code == 302
    # A revision waits in the records' workflow, requested by the person; nothing changes on the site.
    expert.refresh_from_db()
    assert expert.organisation == "Viện Dân tộc học" and expert.live and expert.has_unpublished_changes
    state = WorkflowState.objects.for_instance(expert).get()
    assert state.status == "in_progress" and state.requested_by == person
    assert state.workflow.name == WORKFLOW_NAME
    assert "Tiểu sử mới" not in Client().get(f"/vi/chuyen-gia/{expert.slug}/").content.decode()
    assert not list(expert.fields.all())
    index()
    assert expert.person.name not in Client().get("/vi/chuyen-gia/", {"q": "khuoi khon"}).content.decode()
    # The person sees their proposal waiting, in the form.
    again = browser.get(claimed["Location"]).content.decode()
    assert "Học viện Dân tộc" in again and "Tiểu sử mới" in again
    assert "waiting for review" in browser.get(f"/en/chuyen-gia/{expert.slug}/sua/").content.decode()
    # A reviewer finds it on the dashboard and in the Workflows report, and approves it there.
    reviewer = reviewer_client()
    report = reviewer.get("/admin/reports/workflow/")
    assert report.status_code == 200 and "Hà Văn Thư" in report.content.decode()
    approved = reviewer.post(action_url(reviewer, expert, "approve"), {"comment": ""})
    assert approved.status_code == 302
    assert workflow_status(expert) == "approved"
    expert.refresh_from_db()
    assert expert.organisation == "Học viện Dân tộc" and expert.biography.startswith("Tiểu sử mới")
    assert not expert.has_unpublished_changes
    assert list(expert.fields.all()) == [weaving] and list(expert.languages_spoken.all()) == [tay]
    assert expert.last_confirmed == dt.date.today()
    # Staff-held fields are as they were.
    assert expert.email == "thu@example.org" and expert.user == person and expert.has_consent
    profile = Client().get(f"/vi/chuyen-gia/{expert.slug}/").content.decode()
    assert "Tiểu sử mới" in profile and "Dệt thổ cẩm" in profile
    # The directory finds the approved text.
    index()
    assert expert.person.name in Client().get("/vi/chuyen-gia/", {"q": "khuoi khon"}).content.decode()


def test_a_rejected_proposal_changes_nothing(expert):
    owner = create_user("owner-reject")
    claims.claim(expert, owner)
    propose(expert, owner, organisation="Sai", biography="Sai")
    reviewer = reviewer_client()
    rejected = reviewer.post(action_url(reviewer, expert, "reject"), {"comment": "Chưa đúng"})
    assert rejected.status_code == 302
    assert workflow_status(expert) == "needs_changes"
    expert.refresh_from_db()
    assert expert.organisation == "Viện Dân tộc học" and expert.biography == "Tiểu sử cũ"
    assert "Sai" not in Client().get(f"/vi/chuyen-gia/{expert.slug}/").content.decode()
    # The person is told, with the reviewer's comment, and may send again.
    form = client_as(owner).get(f"/en/chuyen-gia/{expert.slug}/sua/").content.decode()
    assert "asked for changes" in form and "Chưa đúng" in form
    propose(expert, owner, organisation="Đúng rồi")
    assert workflow_status(expert) == "in_progress"


def test_a_new_proposal_replaces_one_waiting(expert):
    owner = create_user("owner-twice")
    claims.claim(expert, owner)
    propose(expert, owner, organisation="Lần một")
    propose(expert, owner, organisation="Lần hai")
    states = WorkflowState.objects.for_instance(expert)
    assert sorted(states.values_list("status", flat=True)) == ["cancelled", "in_progress"]
    reviewer = reviewer_client()
    assert reviewer.post(action_url(reviewer, expert, "approve"), {"comment": ""}).status_code == 302
    expert.refresh_from_db()
    assert expert.organisation == "Lần hai"


def test_publishing_a_proposal_never_brings_back_staff_held_values(expert):
    """Consent, visibility, e-mail, phone, the staff note and the account stay as staff last set them,
    whichever revision is published: the expert's proposal, or an old version restored."""
    owner = create_user("owner-privacy")
    claims.claim(expert, owner)
    old_revision = expert.save_revision()  # a version from before staff's changes below
    propose(expert, owner, organisation="Học viện", biography="Tiểu sử đề xuất")
    # Meanwhile staff withdraw the biography from the public and change the private fields, in the admin.
    expert.refresh_from_db()
    expert.visibility_biography = "staff"
    expert.email, expert.phone, expert.staff_note = "moi@example.org", "0900", "Ghi chú mới"
    expert.consent_text, expert.consent_keep_name = "Đồng ý mới", True
    write_staff_held(expert)
    reviewer = reviewer_client()
    assert reviewer.post(action_url(reviewer, expert, "approve"), {"comment": ""}).status_code == 302

    def staff_held():
        expert.refresh_from_db()
        return (
            expert.visibility_biography,
            expert.email,
            expert.phone,
            expert.staff_note,
            expert.consent_text,
            expert.consent_keep_name,
            expert.user_id,
        )

    kept = ("staff", "moi@example.org", "0900", "Ghi chú mới", "Đồng ý mới", True, owner.pk)
    assert staff_held() == kept
    assert expert.organisation == "Học viện"
    page = Client().get(f"/vi/chuyen-gia/{expert.slug}/").content.decode()
    assert "Học viện" in page and "Tiểu sử đề xuất" not in page  # the biography is staff-only now
    old_revision.publish()  # an old version restored
    assert staff_held() == kept
    assert expert.organisation == "Viện Dân tộc học"


def test_the_staff_edit_form_writes_staff_held_fields_at_once(expert, admin_user):
    """Staff's own saves in the admin (a draft included) set the staff-held fields on the row."""
    from experts.models import Expert as ExpertModel

    admin = client_as(admin_user)
    form = admin.get(f"/admin/experts/profiles/edit/{expert.pk}/")
    assert form.status_code == 200
    data = _form_data(form.content.decode())
    data.update({"staff_note": "Đã gọi điện", "organisation": "Bản nháp", "action-draft": ""})
    saved = admin.post(f"/admin/experts/profiles/edit/{expert.pk}/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    row = ExpertModel.objects.get(pk=expert.pk)
    assert row.staff_note == "Đã gọi điện"  # at once
    assert row.organisation == "Viện Dân tộc học" and row.has_unpublished_changes  # the draft waits


def _form_data(html: str) -> dict:
    """The values an admin form would send as it stands (inputs, checked boxes, selected options, text)."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data, self.textarea, self.select = {}, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
                if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                    return
                self.data[name] = attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
            elif tag == "textarea" and name:
                self.textarea = name
                self.data[name] = ""
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in attrs:
                self.data[self.select] = attrs.get("value", "")

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None

        def handle_data(self, text):
            if self.textarea:
                self.data[self.textarea] += text

    parser = Form()
    parser.feed(html)
    return parser.data


def test_bad_expired_and_taken_invitations_are_refused_clearly(expert, settings):
    assert Client().get("/vi/chuyen-gia/moi/not-a-token/").status_code == 400
    english = Client().get("/en/chuyen-gia/moi/not-a-token/")
    assert english.status_code == 400 and "not valid" in english.content.decode()
    settings.EXPERTS_INVITATION_DAYS = 0
    token = claims.invitation_token(expert)
    import time

    time.sleep(1.1)
    expired = Client().get(f"/en/chuyen-gia/moi/{token}/")
    assert expired.status_code == 400 and "expired" in expired.content.decode()
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
    assert not expert.revisions.exists() and not WorkflowState.objects.for_instance(expert).exists()


def test_without_a_workflow_a_proposal_is_refused_clearly(expert):
    from wagtail.models import WorkflowContentType

    WorkflowContentType.objects.all().delete()
    owner = create_user("owner-noflow")
    claims.claim(expert, owner)
    response = client_as(owner).post(f"/en/chuyen-gia/{expert.slug}/sua/", {"organisation": "X"})
    assert response.status_code == 503 and "cannot be reviewed" in response.content.decode()
    assert not expert.revisions.exists()


def test_erasure_takes_pending_proposals_with_it(expert):
    from wagtail.models import Revision

    from experts.services import erase

    owner = create_user("owner-erase")
    claims.claim(expert, owner)
    propose(expert, owner, biography="riêng")
    revisions = list(expert.revisions.values_list("pk", flat=True))
    assert revisions
    erase(expert)
    assert not Revision.objects.filter(pk__in=revisions).exists()
    assert not WorkflowState.objects.filter(object_id=str(expert.pk), base_content_type__model="expert").exists()


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
