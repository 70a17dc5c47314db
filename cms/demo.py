"""The demo site: home pages, browse pages, an about page and a news item, in both locales.

Apps above ``cms`` add their demo data through two Wagtail hooks, so that cms imports none of them:

- ``load_demo``: a function taking the home pages (``homes``: language code → home page) and
  returning a report (``{label: count}``), called in hook order inside the loading transaction,
  after the sections and the collection (the library is order 10, experts 100 — they name the
  library's people —, statistics 200);
- ``load_demo_files``: a function taking no arguments, returning a report, called after the commit
  when sample files are asked for (the library's PDFs, ingested like uploads).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from wagtail import hooks
from wagtail.models import Locale, Site
from wagtail.signal_handlers import disable_reference_index_auto_update

from accounts.models import RESEARCHERS
from archive.demo.loader import DATA_DIR, RecordLoader, load_taxonomies
from cms.demo_media import load_demo_illustrations, load_demo_media
from cms.models import (
    EthnicGroupIndexPage,
    FestivalCalendarPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PlaceIndexPage,
    RecordTypeIndexPage,
    StandardPage,
)
from cms.setup import ADMINISTRATORS, CURATORS, REVIEWERS, ensure_site_structure, refresh_planner_statistics

HOME = {
    "vi": {
        "title": "Di sản số các dân tộc thiểu số Việt Nam",
        "intro": "Lưu giữ và chia sẻ lễ hội, phong tục, nghệ thuật, nghề thủ công và tài liệu của các dân tộc "
        "thiểu số Việt Nam, cho cộng đồng trong nước và ở nước ngoài.",
    },
    "en": {
        "title": "Digital Heritage of Vietnam's Ethnic Minorities",
        "intro": "Preserving and sharing the festivals, customs, performing arts, crafts and documents of "
        "Vietnam's ethnic minorities with communities at home and abroad.",
    },
}

SECTIONS = [
    (
        EthnicGroupIndexPage,
        {"vi": ("Các dân tộc", "dan-toc"), "en": ("Ethnic groups", "ethnic-groups")},
        {
            "vi": "54 dân tộc Việt Nam và các bản ghi về mỗi dân tộc.",
            "en": "Vietnam's 54 ethnic groups and the records about each.",
        },
    ),
    (
        PlaceIndexPage,
        {"vi": ("Địa phương", "dia-phuong"), "en": ("Places", "places")},
        {"vi": "Tìm bản ghi theo tỉnh, thành phố hiện nay.", "en": "Find records by today's province or city."},
    ),
    (
        RecordTypeIndexPage,
        {"vi": ("Loại hình", "loai-hinh"), "en": ("Record types", "record-types")},
        {
            "vi": "Lễ hội, phong tục, nghệ thuật trình diễn, nghề thủ công và văn bản.",
            "en": "Festivals, customs, performing arts, crafts and documents.",
        },
    ),
    (
        FestivalCalendarPage,
        {"vi": ("Lịch lễ hội", "lich-le-hoi"), "en": ("Festival calendar", "festival-calendar")},
        {
            "vi": "Ngày dương lịch của các lễ hội theo âm lịch Việt Nam.",
            "en": "Gregorian dates of festivals held by the Vietnamese lunar calendar.",
        },
    ),
    (
        StandardPage,
        {"vi": ("Giới thiệu", "gioi-thieu"), "en": ("About", "about")},
        {
            "vi": "Kho lưu trữ số này do các Ban Dân tộc cấp tỉnh xây dựng nhằm số hóa và chia sẻ di sản văn hóa "
            "của đồng bào các dân tộc thiểu số. Các hình ảnh trong bản trình diễn là hình minh họa được tạo tự động.",
            "en": "This digital archive is built by provincial ethnic-affairs boards to digitise and share the "
            "cultural heritage of ethnic-minority communities. Images in this demo are generated illustrations.",
        },
    ),
    (
        NewsIndexPage,
        {"vi": ("Tin tức", "tin-tuc"), "en": ("News", "news")},
        {"vi": "Tin hoạt động của kho lưu trữ.", "en": "News from the archive."},
    ),
]

DEMO_USERS = [
    ("admin", True, []),
    ("curator", False, [CURATORS]),
    ("reviewer", False, [REVIEWERS]),
    ("manager", False, [ADMINISTRATORS]),
    ("researcher", False, [RESEARCHERS]),
    ("community", False, ["Cộng đồng người Dao – Cấp sắc"]),
]


def _configure_site():
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    site = Site.objects.get(is_default_site=True)
    site.hostname = parts.hostname or "localhost"
    site.port = parts.port or (443 if parts.scheme == "https" else 80)
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.save()


def _homes():
    default = Locale.get_default()
    home = HomePage.objects.get(depth=2, locale=default)
    homes = {default.language_code: home}
    for locale in Locale.objects.exclude(pk=default.pk):
        homes[locale.language_code] = home.get_translation(locale)
    for code, page in homes.items():
        text = HOME.get(code, HOME["vi"])
        if page.intro != text["intro"]:
            page.title, page.intro = text["title"], text["intro"]
            page.save_revision().publish()
    return homes


def _sections(homes):
    default_code = Locale.get_default().language_code
    for model, names, intros in SECTIONS:
        home = homes[default_code]
        page = model.objects.child_of(home).first()
        if page is None:
            title, slug = names[default_code]
            page = home.add_child(
                instance=model(title=title, slug=slug, intro=intros[default_code], show_in_menus=True)
            )
            page.save_revision().publish()
        for code, other_home in homes.items():
            if code == default_code or page.has_translation(other_home.locale):
                continue
            translation = page.copy_for_translation(other_home.locale)
            translation.title, translation.slug = names[code]
            translation.intro = intros[code]
            translation.save_revision().publish()
        if model is NewsIndexPage and not NewsPage.objects.child_of(page).exists():
            news = page.add_child(
                instance=NewsPage(
                    title="Ra mắt kho lưu trữ số di sản các dân tộc thiểu số",
                    slug="ra-mat-kho-luu-tru",
                    summary="Phiên bản đầu tiên của kho lưu trữ với 54 dân tộc, 34 tỉnh, thành phố và các bản ghi mẫu.",
                )
            )
            news.save_revision().publish()
            for code, other_home in homes.items():
                if code != default_code:
                    translation = news.copy_for_translation(other_home.locale, copy_parents=True)
                    translation.title = "The ethnic-minority heritage archive opens"
                    translation.slug = "archive-opens"
                    translation.summary = (
                        "A first version of the archive, with the 54 ethnic groups, 34 provinces and sample records."
                    )
                    translation.save_revision().publish()


def _users(password: str):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    created = []
    for username, is_superuser, groups in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"is_superuser": is_superuser, "is_staff": is_superuser, "email": f"{username}@example.org"},
        )
        if was_created:
            user.set_password(password)
            user.save()
            created.append(username)
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    return created


def load_demo(
    with_users: bool = False,
    password: str = "",
    with_images: bool = True,
    data_dir=None,
    with_media: bool = True,
    with_library_files: bool = True,
) -> dict:
    """Load the demo site, collection and library (one transaction), then its sample media and, with
    ``with_images``, an illustration for each record without an image (see ``cms.demo_media``), and the
    library's PDFs (``library.demo``).

    The media come after the commit: each file goes through ``ingest.services.ingest_file`` like an upload,
    and its processing is queued for the task worker.
    """
    report = _load_data(with_users=with_users, password=password, data_dir=data_dir)
    if with_media:
        report.update(load_demo_media())
        if with_images:
            report.update(load_demo_illustrations())
        if with_library_files:
            for load_app_files in hooks.get_hooks("load_demo_files"):
                report.update(load_app_files() or {})
    return report


@transaction.atomic
def _load_data(with_users: bool, password: str, data_dir) -> dict:
    """Wagtail indexes an object's references (the admin's "usage" counts) after each save of it, a task
    each; the demo saves most objects several times (a page, its revision, its publication, its
    translation). So the index is left alone while loading and rebuilt once at the end, which is also
    the complete one (indexing save by save missed references added after an object's last save)."""
    with disable_reference_index_auto_update():
        report = _load_content(with_users, password, data_dir)
    call_command("rebuild_references_index", verbosity=0)
    return report


def _load_content(with_users: bool, password: str, data_dir) -> dict:
    data_dir = data_dir or DATA_DIR
    ensure_site_structure()
    _configure_site()
    report = load_taxonomies(data_dir)
    homes = _homes()
    _sections(homes)
    report.update(RecordLoader(data_dir).load(homes))
    for load_app_demo in hooks.get_hooks("load_demo"):  # the apps above cms, in hook order
        report.update(load_app_demo(homes) or {})
    if with_users:
        report["users"] = len(_users(password))
    refresh_planner_statistics()
    return report
