import datetime as dt
import io
import itertools

import pytest
from PIL import Image

from django.contrib.auth.models import Group, User
from django.core.files.images import ImageFile
from django.db import transaction

from wagtail.models import Locale

from archive.models import ArchiveImage, CollectionPage, EthnicGroup, EthnicGroupName, FestivalPage, Place
from cms.setup import CURATORS, ensure_site_structure

_counter = itertools.count(1)

pytest_plugins = ["tests.browser_support"]  # the `browser` fixture


def pytest_collection_modifyitems(items):
    """Every transactional test restores the database's first contents when it ends (``serialized_rollback``).
    A plain one flushes the tables, and the flush's post_migrate writes the editorial groups and permissions
    again; a later test that restores the first contents would then insert them a second time and fail on
    its setup, far from the cause."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True), append=False
            )


# --- builders: plain functions, so module-scoped fixtures can use them too -------------


def build_homes():
    from cms.models import HomePage

    ensure_site_structure()
    vi = HomePage.objects.get(depth=2, locale__language_code="vi")
    return {"vi": vi, "en": vi.get_translation(Locale.objects.get(language_code="en"))}


def build_collection(homes, title="Lễ hội", slug="le-hoi", title_en="Festivals", slug_en="festivals"):
    page = homes["vi"].add_child(instance=CollectionPage(title=title, slug=slug))
    page.save_revision().publish()
    translation = page.copy_for_translation(homes["en"].locale)
    translation.title, translation.slug = title_en, slug_en
    translation.save_revision().publish()
    return page


def build_library(homes, title="Thư viện điện tử", slug="thu-vien", title_en="E-library", slug_en="library"):
    """The library section under the home page, in both languages."""
    from library.models import LibraryPage

    page = homes["vi"].add_child(instance=LibraryPage(title=title, slug=slug))
    page.save_revision().publish()
    translation = page.copy_for_translation(homes["en"].locale)
    translation.title, translation.slug = title_en, slug_en
    translation.save_revision().publish()
    return page


def create_record(parent, model=FestivalPage, title=None, access_level="public", translate=False, image=None, **fields):
    """Create and publish a record (Vietnamese, optionally translated to English: ``translate``
    True, or the English title); with ``image`` (True, or its caption), an image of its own
    attached as media and processed (:func:`attach_image`)."""
    number = next(_counter)
    groups = fields.pop("ethnic_groups", [])
    places = fields.pop("places", [])
    page = model(
        title=title or f"Bản ghi thử {number}",
        slug=fields.pop("slug", f"ban-ghi-{number}"),
        access_level=access_level,
        summary=fields.pop("summary", f"Tóm tắt {number}"),
        **fields,
    )
    page.ethnic_groups = groups
    page.places = places
    parent.add_child(instance=page)
    page.save_revision().publish()
    if translate:
        translation = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
        translation.title = translate if isinstance(translate, str) else f"{page.title} (EN)"
        translation.translated = True
        translation.save_revision().publish()
    page.refresh_from_db()
    if image:
        attach_image(page, caption=image if isinstance(image, str) else "ảnh")
    return page


def attach_image(page, caption="ảnh", size=(40, 30), name=None):
    """Attach to the published ``page`` a small PNG no other image shares (so a new original) as ingest
    media, as the demo and imports do, with ``caption`` on its link, and make its access copies at once.
    Returns the original."""
    from ingest import attachments
    from ingest.services import ingest_file
    from tests.ingest_support import run_on_commit

    number = next(_counter)
    buffer = io.BytesIO()
    Image.new("RGB", size, (number % 256, number // 256 % 256, 90)).save(buffer, format="PNG")
    buffer.seek(0)
    with run_on_commit():
        original, _created = ingest_file(buffer, name=name or f"anh-{number}.png", record=page)
    if caption:
        attachments.caption_published(original, page, caption)
    return original


def image_copies(page) -> list[str]:
    """The ``/media/`` paths of the web copies of ``page``'s first image (its derivative set's files)."""
    from ingest.models import Derivative, MediaKind, RecordMedia

    link = RecordMedia.objects.filter(record=page, original__kind=MediaKind.IMAGE).order_by("sort_order", "pk").first()
    paths = Derivative.objects.filter(derivative_set__original_id=link.original_id, role="web")
    return sorted(f"/media/{path}" for path in paths.values_list("path", flat=True))


def png_image(title="ảnh", access_level="public", colour=(120, 30, 20)):
    """A Wagtail image (``ArchiveImage``) for site pages: a home page's hero, a news item, a body block."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    image = ArchiveImage(title=title, description=f"Mô tả {title}", access_level=access_level)
    image.file = ImageFile(buffer, name=f"{title}.png")
    image.save()
    return image


def create_user(username, groups=(), **extra):
    user = User.objects.create_user(username=username, password="pw-123456", **extra)
    for group in groups:
        user.groups.add(group)
    return user


def create_tay():
    """The Tày group with two of its other names."""
    tay = EthnicGroup.objects.create(code="02", slug="tay", name="Tày", name_en="Tay")
    for order, name in enumerate(("Thổ", "Ngạn")):
        EthnicGroupName.objects.create(group=tay, name=name, sort_order=order)
    return tay


def create_places():
    thanh_hoa = Place.objects.create(
        kind="province", code="38", slug="thanh-hoa", name="Thanh Hóa", name_en="Thanh Hoa"
    )
    trieu_son = Place.objects.create(
        kind="former_district",
        slug="trieu-son-district",
        name="huyện Triệu Sơn",
        parent=thanh_hoa,
        valid_to=dt.date(2025, 6, 30),
        successor=thanh_hoa,
    )
    return thanh_hoa, trieu_son


def create_visitors(sacred_group):
    """One user per kind of visitor; ``None`` is the anonymous visitor."""
    return {
        "anonymous": None,
        "researcher": create_user("researcher"),
        "staff": create_user("curator", [Group.objects.get(name=CURATORS)]),
        "community": create_user("community", [sacred_group]),
    }


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """Data built once per module inside a transaction rolled back at the end.

    Tests still use the ``db`` fixture; their own changes roll back to a savepoint.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- function-scoped fixtures ---------------------------------------------------------


@pytest.fixture(autouse=True)
def _clear_caches():
    """Cached renditions and settings must not outlive the rolled-back rows they describe."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def homes(db):
    return build_homes()


@pytest.fixture
def collection(homes):
    return build_collection(homes)


@pytest.fixture
def tay(db):
    return create_tay()


@pytest.fixture
def places(db):
    return create_places()


@pytest.fixture
def sacred_group(db):
    return Group.objects.create(name="Cộng đồng người Dao – Cấp sắc")


@pytest.fixture
def library(homes):
    return build_library(homes)


@pytest.fixture
def make_record(collection):
    def make(model=FestivalPage, **fields):
        return create_record(collection, model, **fields)

    return make


@pytest.fixture
def users(homes, sacred_group):
    return create_visitors(sacred_group)


@pytest.fixture
def engine(tmp_path):
    """A fresh embedded search index for one test (modules testing several engines override this)."""
    from search.engines import create_engine, set_engine

    engine = create_engine("embedded", directory=tmp_path / "index")
    set_engine(engine)
    yield engine
    set_engine(None)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run an action and what its commit would run (the queued index update task), as in production."""

    def run(action, *args, **kwargs):
        connection = transaction.get_connection()
        before = len(connection.run_on_commit)
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        # They ran: forget them, as a real commit would (the test's own transaction never commits).
        del connection.run_on_commit[before:]
        return result

    return run


@pytest.fixture
def client_for():
    from django.test import Client

    def make(user):
        browser = Client()
        if user is not None:
            browser.force_login(user)
        return browser

    return make
