"""Synthetic heritage records for the page benchmark.

Titles, summaries and descriptions are composed from Vietnamese word lists so that
pages have realistic lengths and diacritics; nothing here claims to be a real record.
Every record gets a ``dtts-bench-NNNNNN`` identifier so it is easy to tell apart
from the demo collection.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import escape

from archive import lunar
from archive.models import (
    CollectionPage,
    CraftPage,
    CustomPage,
    DocumentPage,
    EthnicGroup,
    FestivalPage,
    Language,
    PerformingArtPage,
    Place,
    RecordContributor,
    RecordTitle,
    RelatedRecord,
    Subject,
)
from archive.text import ascii_slug

IDENTIFIER_FORMAT = "dtts-bench-{:06d}"
SACRED_GROUP = "Cộng đồng người Dao – Cấp sắc"

# fmt: off
COLLECTIONS = [
    ("Lễ hội truyền thống vùng Tây Bắc", "bst-le-hoi-tay-bac"),
    ("Lễ hội và tín ngưỡng Tây Nguyên", "bst-le-hoi-tay-nguyen"),
    ("Âm nhạc cồng chiêng", "bst-am-nhac-cong-chieng"),
    ("Nghề dệt thổ cẩm và trang phục", "bst-det-tho-cam"),
    ("Nghề thủ công truyền thống", "bst-nghe-thu-cong"),
    ("Phong tục vòng đời", "bst-phong-tuc-vong-doi"),
    ("Dân ca và hát giao duyên", "bst-dan-ca"),
    ("Di sản văn hóa Chăm và Khmer", "bst-cham-khmer"),
    ("Văn bản công tác dân tộc", "bst-van-ban"),
    ("Tư liệu điền dã các tỉnh miền núi phía Bắc", "bst-dien-da-mien-bac"),
]

# Record types and their share of the corpus.
TYPE_WEIGHTS = [(FestivalPage, 30), (CustomPage, 20), (PerformingArtPage, 20), (CraftPage, 20), (DocumentPage, 10)]
ACCESS_WEIGHTS = [("public", 85), ("registered", 5), ("staff", 5), ("sacred", 5)]

FESTIVAL_NAMES = [
    "cầu mùa", "xuống đồng", "mừng lúa mới", "cúng rừng", "Lồng Tồng", "Gầu Tào", "Katê", "Ok Om Bok",
    "cầu an", "cúng bến nước", "nhảy lửa", "cấp sắc", "Pồn Pôông", "Tết nhảy", "cơm mới", "Sải Sán",
    "cầu mưa", "mở cửa rừng", "rước vía lúa", "đua ghe ngo", "Chôl Chnăm Thmây", "Ramưwan", "Kin Pang Then",
    "Xên bản", "Xên mường", "Roóng Poọc", "Nàng Hai", "cúng trăng", "bỏ mả", "mừng nhà rông mới",
]
FESTIVAL_PREFIXES = ["Lễ hội", "Lễ", "Nghi lễ", "Tết"]
CUSTOM_NAMES = [
    "cưới hỏi", "ở rể", "làm nhà sàn", "đặt tên cho trẻ", "tang ma", "thờ cúng tổ tiên", "kiêng cữ khi sinh nở",
    "uống rượu cần", "cúng hồn lúa", "giữ lửa bếp", "chia thịt trong làng", "kết nghĩa anh em", "buộc chỉ cổ tay",
    "cúng thần rừng", "xem ngày tốt", "cúng thần nước", "lập làng mới", "trả nợ ma",
]
CUSTOM_PREFIXES = ["Tục", "Phong tục", "Nghi lễ", "Tín ngưỡng"]
ART_NAMES = [
    "Nghệ thuật cồng chiêng", "Hát then", "Đàn tính", "Múa xòe", "Hát lượn", "Hát sli", "Khèn Mông", "Múa sạp",
    "Hát đối đáp", "Sử thi Đăm San", "Hát ru", "Múa chuông", "Múa khèn", "Hát ống", "Kể khan", "Múa trống",
    "Đàn T'rưng", "Hát Ka Tum", "Múa Apsara", "Sân khấu Dù kê", "Hát Soọng cô", "Hát Páo dung",
]
CRAFT_NAMES = [
    "Nghề dệt thổ cẩm", "Nghề đan lát mây tre", "Nghề rèn", "Nghề làm gốm", "Nghề chạm bạc", "Nghề vẽ sáp ong",
    "Nghề nhuộm chàm", "Nghề làm giấy dó", "Nghề làm khèn", "Nghề thêu hoa văn", "Nghề làm đường thốt nốt",
    "Nghề nấu rượu cần", "Nghề đúc chiêng", "Nghề làm gùi", "Nghề làm nhà sàn", "Nghề làm trống",
]
CRAFT_MATERIALS = ["sợi bông, chàm", "mây, tre, giang", "bạc, đồng", "đất sét, cát", "lanh, sáp ong", "gỗ, da trâu"]
DOCUMENT_KINDS = [
    ("Kế hoạch", "KH-UBND", "triển khai công tác bảo tồn, phát huy giá trị văn hóa truyền thống"),
    ("Quyết định", "QĐ-UBND", "phê duyệt đề án bảo tồn lễ hội truyền thống"),
    ("Báo cáo", "BC-BDT", "kết quả kiểm kê di sản văn hóa phi vật thể"),
    ("Công văn", "BDT-VP", "hướng dẫn sưu tầm, số hóa tư liệu"),
    ("Kế hoạch", "KH-SVHTTDL", "tổ chức ngày hội văn hóa các dân tộc"),
]
CONTRIBUTORS = [
    "Hoàng Văn Páo", "Lò Thị Xuân", "Y Phương Niê", "Hà Văn Thư", "Sùng A Lử", "Triệu Thị Mai", "Đinh Thị Hoa",
    "Lý Seo Chử", "Nông Văn Lịch", "Ksor H'Bơ", "Thạch Sô Phone", "Đàng Năng Thọ", "Vi Văn Biên", "Giàng Thị Dua",
]
ROLES = ["informant", "artisan", "recorder", "photographer", "author", "editor"]
# fmt: on

OPENINGS = [
    "{title} là sinh hoạt văn hóa tiêu biểu của đồng bào {group} ở {place}.",
    "{title} được đồng bào {group} ở {place} gìn giữ qua nhiều thế hệ.",
    "Theo các nghệ nhân người {group}, {title_lower} gắn với đời sống sản xuất và tín ngưỡng của cộng đồng.",
]
SENTENCES = [
    "Nghi lễ thường do thầy cúng hoặc già làng chủ trì, với sự tham gia của cả cộng đồng.",
    "Lễ vật gồm xôi nhiều màu, gà, rượu cần và các sản vật của địa phương.",
    "Trong lễ có các tiết mục cồng chiêng, múa xòe và hát đối đáp giữa các nhóm nam nữ.",
    "Di sản đang được cộng đồng và chính quyền địa phương bảo tồn, truyền dạy cho thế hệ trẻ.",
    "Hoa văn trên trang phục mang hình trám, hình răng cưa và hình chim, tượng trưng cho mùa màng no đủ.",
    "Người già kể rằng tục lệ này có từ thời lập bản, khi tổ tiên mới khai phá vùng đất mới.",
    "Các bài khấn được đọc bằng tiếng mẹ đẻ, xen lẫn những câu hát cổ ít người còn nhớ.",
    "Sau phần lễ là phần hội với các trò chơi dân gian như ném còn, kéo co, đẩy gậy.",
    "Nghệ nhân truyền nghề chủ yếu bằng cách làm mẫu, người học quan sát và làm theo trong nhiều năm.",
    "Tư liệu được ghi âm, chụp ảnh trong các đợt điền dã và đối chiếu với lời kể của người trong cộng đồng.",
    "Một số chi tiết của nghi lễ chỉ được thực hiện trong phạm vi gia đình và không công bố rộng rãi.",
    "Nguyên liệu được lấy từ rừng và nương rẫy quanh bản, sơ chế theo mùa.",
    "Cồng chiêng được đánh theo bộ, mỗi chiếc giữ một âm, hòa thành bài chiêng dài.",
    "Ngày nay, lễ hội thu hút đông đảo du khách nhưng vẫn giữ được các nghi thức cốt lõi.",
]


class CorpusContext:
    """Terms and parents the generator draws from, loaded once."""

    def __init__(self, home, seed: int):
        self.rng = random.Random(seed)
        self.groups = list(EthnicGroup.objects.order_by("code"))
        self.places = list(Place.objects.order_by("pk"))
        self.subjects = list(Subject.objects.order_by("pk"))
        self.languages = [language for language in Language.objects.order_by("pk") if language.tag != "vi"]
        self.sacred_group, _ = Group.objects.get_or_create(name=SACRED_GROUP)
        self.collections = ensure_collections(home)
        self.created_ids: list[int] = []
        self.now = timezone.now()
        if not self.groups or not self.places:
            raise RuntimeError("Load the taxonomies first (archive.demo.loader.load_taxonomies).")


def ensure_collections(home):
    collections = []
    for title, slug in COLLECTIONS:
        collection = CollectionPage.objects.child_of(home).filter(slug=slug).first()
        if collection is None:
            collection = home.add_child(
                instance=CollectionPage(title=title, slug=slug, intro=f"Bộ sưu tập thử nghiệm: {title.lower()}.")
            )
            collection.save_revision().publish()
        collections.append(collection)
    return collections


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _paragraphs(rng, title, group, place, count):
    opening = rng.choice(OPENINGS).format(
        title=title, title_lower=title[0].lower() + title[1:], group=group.name, place=place.name
    )
    paragraphs = []
    for index in range(count):
        sentences = rng.sample(SENTENCES, rng.randint(3, 5))
        if index == 0:
            sentences.insert(0, opening)
        paragraphs.append(" ".join(sentences))
    return opening, paragraphs


def _lunar_rule(rng):
    month = rng.randint(1, 12)
    day = rng.randint(1, 30)
    leap = rng.random() < 0.02 and bool(lunar.years_with_leap_month(month))
    duration = 1 if rng.random() < 0.6 else rng.choice([2, 3, 3, 4, 5, 7, 10])
    return month, day, leap, duration


def build_record(index: int, ctx: CorpusContext):
    """An unsaved record page (with its m2m and child objects set) for record number ``index``."""
    rng = ctx.rng
    model = _weighted(rng, TYPE_WEIGHTS)
    groups = rng.sample(ctx.groups, _weighted(rng, [(1, 60), (2, 30), (3, 10)]))
    places = rng.sample(ctx.places, _weighted(rng, [(1, 75), (2, 25)]))
    group, place = groups[0], places[0]
    year = rng.randint(1995, 2025)

    if model is FestivalPage:
        title = f"{rng.choice(FESTIVAL_PREFIXES)} {rng.choice(FESTIVAL_NAMES)} của người {group.name} ở {place.name}"
    elif model is CustomPage:
        title = f"{rng.choice(CUSTOM_PREFIXES)} {rng.choice(CUSTOM_NAMES)} của người {group.name}"
    elif model is PerformingArtPage:
        title = f"{rng.choice(ART_NAMES)} của người {group.name} ở {place.name}"
    elif model is CraftPage:
        title = f"{rng.choice(CRAFT_NAMES)} của người {group.name} ở {place.name}"
    else:
        kind, suffix, subject = rng.choice(DOCUMENT_KINDS)
        title = f"{kind} số {rng.randint(10, 999)}/{suffix} về {subject} năm {year}"
    title = f"{title} ({year})" if model is not DocumentPage else title

    opening, paragraphs = _paragraphs(rng, title, group, place, rng.randint(2, 4))
    access = _weighted(rng, ACCESS_WEIGHTS)
    page = model(
        title=title,
        slug=f"{ascii_slug(title, 80)}-{index}",
        identifier=IDENTIFIER_FORMAT.format(index),
        summary=opening + " " + paragraphs[0].split(". ")[1] + ".",
        body="".join(f"<p>{escape(text)}</p>" for text in paragraphs),
        provenance=f"Tư liệu điền dã của Ban Dân tộc tỉnh, năm {year}.",
        rights_uri=rng.choice(
            ["https://rightsstatements.org/vocab/InC/1.0/", "https://creativecommons.org/licenses/by/4.0/", ""]
        ),
        access_level=access,
        sacred_group=ctx.sacred_group if access == "sacred" else None,
    )
    if rng.random() < 0.5:
        page.date_precision = rng.choice(["year", "day"])
        page.date_start = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    if rng.random() < 0.3 and place.latitude is not None:
        page.latitude = place.latitude + Decimal(rng.randint(-500, 500)) / 10000
        page.longitude = place.longitude + Decimal(rng.randint(-500, 500)) / 10000
    if rng.random() < 0.1:
        page.heritage_level = rng.choice(["national", "national", "provincial", "unesco_representative"])
        page.heritage_year = rng.randint(2012, 2025)
        page.heritage_decision = f"{rng.randint(100, 4000)}/QĐ-BVHTTDL"

    if model is FestivalPage:
        page.lunar_month, page.lunar_day, page.lunar_leap_month, page.duration_days = _lunar_rule(rng)
    elif model is CustomPage:
        page.category = rng.choice(["custom", "practice", "belief"])
    elif model is PerformingArtPage:
        page.genre = rng.choice(["âm nhạc", "múa", "dân ca", "sử thi", "sân khấu"])
    elif model is CraftPage:
        page.category = rng.choice(["craft", "product", "artefact"])
        page.materials = rng.choice(CRAFT_MATERIALS)
        page.technique = " ".join(rng.sample(SENTENCES, 2))
    else:
        page.document_number = title.split(" số ")[1].split(" ")[0]
        page.document_type = title.split(" số ")[0]
        page.issuing_body = f"Ủy ban nhân dân {place.name}"
        page.signer = rng.choice(CONTRIBUTORS)
        page.issue_date = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        page.status = rng.choice(["in_force", "expired", "replaced", "unknown"])
        page.full_text = "\n\n".join(" ".join(rng.sample(SENTENCES, 5)) for _ in range(rng.randint(4, 12)))

    page.ethnic_groups = groups
    page.places = places
    page.subjects = rng.sample(ctx.subjects, rng.randint(1, 2)) if ctx.subjects else []
    page.languages = rng.sample(ctx.languages, 1) if ctx.languages and rng.random() < 0.4 else []
    for order in range(rng.randint(0, 2)):
        contributor = RecordContributor(name=rng.choice(CONTRIBUTORS), role=rng.choice(ROLES), sort_order=order)
        page.contributors.add(contributor)
    if ctx.languages and rng.random() < 0.3:
        language = rng.choice(ctx.languages)
        page.other_titles.add(RecordTitle(language=language, title=f"{title.split(' của ')[0]} ({language.name_en})"))
    if ctx.created_ids and rng.random() < 0.25:
        targets = rng.sample(ctx.created_ids, min(len(ctx.created_ids), rng.randint(1, 2)))
        for order, target_id in enumerate(targets):
            page.related_links.add(RelatedRecord(target_id=target_id, sort_order=order))
    return page


def create_record(index: int, ctx: CorpusContext, method: str):
    """Create record ``index`` the way an editor would ("publish") or without revisions ("fast")."""
    page = build_record(index, ctx)
    collection = ctx.collections[index % len(ctx.collections)]
    if method == "publish":
        collection.add_child(instance=page)
        page.save_revision().publish()
    else:
        # A live page with no revision history, as if imported: valid Wagtail, just no revisions.
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = ctx.now
        collection.add_child(instance=page)
    ctx.created_ids.append(page.pk)
    return page
