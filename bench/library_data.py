"""The generated e-library of ``bench/library.py``: N library items under the library section, each
holding a processed PDF of P pages of Vietnamese text.

The items are described by ``devtools.corpus`` (the generator behind ``manage.py generate_corpus``):
its ``RecordFactory`` draws each item's ethnic groups, places, subjects, languages, date and access
level from the corpus taxonomies, and this module turns the record into a library item (a book,
thesis, report, article, conference paper or map, with creators, a publisher or granting
institution, holdings, ISBN/ISSN) and writes it with ``devtools.corpus.bulk`` (rows, not ``add_child``;
``LibraryWriter`` adds the two tables of a library item type).

Each item's PDF exists only as the rows ingest leaves once its processing has finished — an
``Original`` (kind PDF), its ``ProcessingJob`` (done), a ``DerivativeSet`` whose ``text`` holds
the pages' texts separated by form feeds (what ingest keeps from ``text.txt``) and the
``RecordMedia`` link — so discovery search reads the pages exactly as it reads a real upload's
(``ingest.summaries.record_page_texts`` through ``archive.media.page_texts``). No file is
written: the generated items have no access copy to read or download (the reader is measured on
one real PDF, ``bench/library_reader.py``).

Identifiers are ``dtts-benchlib-NNNNNN``; everything is drawn from one seeded generator.
"""

import dataclasses
import hashlib
import itertools
import random
import re
import time
import uuid

from stdnum import ean as stdnum_ean
from stdnum import isbn as stdnum_isbn

from django.db import connection, transaction
from django.utils import timezone

from wagtail.models import Locale

from archive.models import Person, Place, RecordPage
from archive.models.people import name_key
from archive.text import ascii_slug
from devtools.corpus import words
from devtools.corpus.bulk import BulkWriter, RowInserter
from devtools.corpus.records import RecordFactory, Text, Vocabulary
from devtools.corpus.service import ensure_taxonomies, site_homes
from ingest.models import DerivativeSet, JobState, MediaKind, Original, ProcessingJob, RecordMedia
from library.models import (
    ArticlePage,
    BookPage,
    ConferencePaperPage,
    ItemCreator,
    ItemHolding,
    LibraryItemPage,
    LibraryPage,
    MapPage,
    ReportPage,
    ThesisPage,
)

IDENTIFIER_PREFIX = "dtts-benchlib-"
IDENTIFIER_FORMAT = IDENTIFIER_PREFIX + "{:06d}"
COLLECTION = "library"  # the BulkWriter's name for the library section

# Item types and their share of the library (periodicals and their issues are left out: an issue
# lives under its periodical, which the row writer does not place).
TYPES = [(BookPage, 40), (ThesisPage, 20), (ReportPage, 15), (ArticlePage, 12), (ConferencePaperPage, 8), (MapPage, 5)]
TITLE_FORMS = {
    BookPage: ["{title}", "Tìm hiểu {lower}", "Tư liệu về {lower}", "Văn hóa truyền thống: {lower}"],
    ThesisPage: ["Nghiên cứu {lower}", "Biến đổi của {lower} trong bối cảnh hiện nay", "Vai trò của {lower}"],
    ReportPage: ["Báo cáo khảo sát {lower}", "Báo cáo kết quả kiểm kê {lower}", "Báo cáo điền dã về {lower}"],
    ArticlePage: ["Về {lower}", "Một số vấn đề về {lower}", "Góp phần tìm hiểu {lower}"],
    ConferencePaperPage: ["Bảo tồn và phát huy {lower}: thực trạng và giải pháp", "Giá trị của {lower}"],
    MapPage: ["Bản đồ phân bố {lower}", "Bản đồ văn hóa: {lower}"],
}
PUBLISHERS = [
    "Nhà xuất bản Khoa học xã hội",
    "Nhà xuất bản Văn hóa dân tộc",
    "Nhà xuất bản Chính trị quốc gia Sự thật",
    "Nhà xuất bản Đại học Quốc gia Hà Nội",
    "Nhà xuất bản Thế giới",
    "Nhà xuất bản Hội Nhà văn",
    "Nhà xuất bản Văn hóa Thông tin",
    "Nhà xuất bản Sân khấu",
    "Viện Dân tộc học",
    "Ủy ban Dân tộc",
]
INSTITUTIONS = [
    "Học viện Khoa học xã hội",
    "Trường Đại học Khoa học Xã hội và Nhân văn, Đại học Quốc gia Hà Nội",
    "Trường Đại học Văn hóa Hà Nội",
    "Học viện Dân tộc",
    "Trường Đại học Tây Nguyên",
    "Trường Đại học Tây Bắc",
]
JOURNALS = [("Tạp chí Dân tộc học", "0866-7632"), ("Tạp chí Văn hóa dân gian", "0866-7284"),
            ("Tạp chí Nghiên cứu văn hóa", "0866-7667"), ("Tạp chí Dân tộc", "1859-0187")]  # fmt: skip
CONFERENCES = [
    "Hội thảo khoa học quốc gia về văn hóa các dân tộc thiểu số",
    "Hội thảo Bảo tồn di sản văn hóa phi vật thể",
]
HOLDINGS = [
    "Thư viện Quốc gia Việt Nam",
    "Thư viện Viện Dân tộc học",
    "Thư viện Học viện Dân tộc",
    "Thư viện Bảo tàng Dân tộc học Việt Nam",
    "Thư viện tỉnh Lạng Sơn",
    "Thư viện tỉnh Thanh Hóa",
    "Thư viện tỉnh Đắk Lắk",
    "Thư viện Khoa học Tổng hợp TP. Hồ Chí Minh",
]
CHAPTERS = ["Tổng quan", "Lịch sử hình thành", "Không gian văn hóa", "Nghi lễ và tín ngưỡng", "Đời sống kinh tế",
            "Văn học dân gian", "Nghệ thuật trình diễn", "Biến đổi và bảo tồn", "Kết luận", "Phụ lục"]  # fmt: skip
CREATOR_POOL = 1500
PAGE_CHARS = (1800, 2600)  # characters of text on a page (a printed page of a book holds about that)
SENTENCE_POOL = 40_000
ITEMS_PER_TRANSACTION = 50


@dataclasses.dataclass
class LibraryReport:
    items: int = 0
    pages: int = 0
    characters: int = 0
    seconds: float = 0.0
    by_type: dict = dataclasses.field(default_factory=dict)
    access: dict = dataclasses.field(default_factory=dict)


class _ItemInserter:
    """A library item type's two tables: ``library_libraryitempage`` and the type's own."""

    def __init__(self, model, using: str):
        self.item = RowInserter(LibraryItemPage, using)
        self.own = RowInserter(model, using)

    def insert(self, rows: list[dict]) -> None:
        self.item.insert(rows)
        self.own.insert([{**row, "libraryitempage_ptr_id": row["recordpage_ptr_id"]} for row in rows])


class LibraryWriter(BulkWriter):
    """``devtools.corpus.bulk.BulkWriter`` for library item types (a table more than a record type)."""

    def _inserter(self, model):
        if isinstance(model, type) and issubclass(model, LibraryItemPage) and model is not LibraryItemPage:
            key = ("library item", model)
            if key not in self.inserters:
                self.inserters[key] = _ItemInserter(model, self.using)
            return self.inserters[key]
        return super()._inserter(model)


def existing_items() -> int:
    return RecordPage.objects.filter(identifier__startswith=IDENTIFIER_PREFIX).count()


def library_page(home) -> LibraryPage:
    """The library section of the default language's home (the demo's), made when there is none."""
    library = LibraryPage.objects.child_of(home).first()
    if library is None:
        library = LibraryPage(title="Thư viện điện tử", slug="thu-vien", intro="Thư viện thử nghiệm của benchmark.")
        home.add_child(instance=library)
        library.save_revision().publish()
    return library


class PageTexts:
    """Pseudo-Vietnamese page texts: sentences of the corpus word lists (about the item's group, place
    and topic), people's names, and sentences of words drawn by a Zipf law from every word of the word
    lists, so that terms range from words on every page to words on a few."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        vocabulary = sorted({word for word in _all_words() if len(word) > 1})
        rng.shuffle(vocabulary)
        self.vocabulary = vocabulary
        self.zipf = list(itertools.accumulate(1 / rank for rank in range(1, len(vocabulary) + 1)))
        self.templates = [
            *words.SENTENCES["any"],
            *words.SENTENCES["festival"],
            *words.SENTENCES["custom"],
            *words.SENTENCES["art"],
            *words.SENTENCES["craft"],
            *words.DOCUMENT_SENTENCES,
        ]
        self.names = list(words.NAME_STYLES.values())

    def _zipf_sentence(self) -> str:
        chosen = self.rng.choices(self.vocabulary, cum_weights=self.zipf, k=self.rng.randint(8, 16))
        return chosen[0].capitalize() + " " + " ".join(chosen[1:]) + "."

    def _name(self) -> str:
        families, middles, givens = self.rng.choice(self.names)
        parts = (self.rng.choice(families), self.rng.choice(middles), self.rng.choice(givens))
        return " ".join(part for part in parts if part)

    def item(self, pages: int, title: str, group: str, place: str, year: int) -> list[str]:
        """The texts of one item's pages."""
        rng = self.rng
        fill = {"group": group, "place": place, "year": year}
        own = [template.format(**fill) for template in self.templates]
        own += [
            f"{title} là chủ đề chính của chương này.",
            f"Tác giả đã nhiều lần đến {place} để gặp gỡ đồng bào {group}.",
            f"Theo số liệu năm {year}, người {group} ở {place} vẫn giữ nhiều phong tục cổ truyền.",
        ]
        pool = own + [self._zipf_sentence() for _ in range(40)]
        texts, chapter = [], 0
        chapter_every = max(1, pages // len(CHAPTERS))
        for number in range(1, pages + 1):
            parts = []
            if number % chapter_every == 1 and chapter < len(CHAPTERS):
                parts.append(f"Chương {chapter + 1}. {CHAPTERS[chapter]}")
                chapter += 1
            target, length = rng.randint(*PAGE_CHARS), 0
            while length < target:
                roll = rng.random()
                if roll < 0.08:
                    told = rng.choice(own)
                    sentence = f"Ông {self._name()} kể rằng {told[0].lower()}{told[1:]}"
                elif roll < 0.35:
                    sentence = self._zipf_sentence()
                else:
                    sentence = rng.choice(pool)
                parts.append(sentence)
                length += len(sentence) + 1
            parts.append(str(number))
            texts.append(" ".join(parts))
        return texts


def _all_words():
    pattern = re.compile(r"[^\W\d_]+", re.UNICODE)
    for value in vars(words).values():
        for text in _strings(value):
            for word in pattern.findall(text):
                yield word.lower()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


class LibraryFactory:
    """Library items composed from the corpus generator's records."""

    def __init__(self, vocabulary: Vocabulary, seed: int, start: int, pages: int, creators: list[int], now):
        self.records = RecordFactory(vocabulary, seed, start, now=now)
        self.rng = random.Random(f"library:{seed}:{start}")  # noqa: S311 - synthetic data
        self.texts = PageTexts(random.Random(f"pages:{seed}:{start}"))  # noqa: S311
        self.pages = pages
        self.creators = creators
        self.types = [model for model, _weight in TYPES]
        self.weights = list(itertools.accumulate(weight for _model, weight in TYPES))
        self.groups = {group.pk: group for group in vocabulary.groups}
        self.places = Place.objects.in_bulk()

    def item(self, index: int):
        """(the record spec of item ``index``, its creators, holdings, page texts)."""
        rng = self.rng
        spec = self.records.record(index)
        model = rng.choices(self.types, cum_weights=self.weights)[0]
        identifier = IDENTIFIER_FORMAT.format(index)
        base = spec.texts["vi"]
        title = rng.choice(TITLE_FORMS[model]).format(title=base.title, lower=base.title[0].lower() + base.title[1:])
        title = title[:250]
        year = spec.record["date_start"].year if spec.record["date_start"] else rng.randint(1960, 2025)
        publisher = rng.choice(PUBLISHERS)
        detail = {
            "publisher": publisher if model is not ThesisPage else "",
            "publication_place": rng.choice(["Hà Nội", "TP. Hồ Chí Minh", "Huế", "Đà Nẵng", "Buôn Ma Thuột"]),
            "extent": f"{self.pages} tr. ; 24 cm",
            "table_of_contents": "\n".join(f"Chương {n + 1}. {name}" for n, name in enumerate(CHAPTERS)),
            "notes": "Ấn phẩm mẫu do benchmark tạo ra.",
        }
        if model is BookPage:
            detail["isbn"] = _isbn(index)
            detail["series"] = rng.choice(["", "", "Tủ sách văn hóa dân tộc", "Di sản văn hóa các dân tộc"])
        elif model is ThesisPage:
            detail["degree"] = rng.choice(["doctorate", "master", "master", "bachelor"])
            detail["institution"] = rng.choice(INSTITUTIONS)
        elif model is ReportPage:
            detail["report_number"] = f"{rng.randint(1, 300)}/BC-VDTH"
        elif model is ArticlePage:
            journal, issn = rng.choice(JOURNALS)
            detail.update(container_title=journal, issn=issn, volume=str(rng.randint(1, 40)), pages="1-300")
            if rng.random() < 0.5:
                detail["doi"] = f"10.5555/dtts.{index}"
        elif model is ConferencePaperPage:
            detail["conference_name"] = rng.choice(CONFERENCES)
            detail["conference_place"] = rng.choice(["Hà Nội", "Lạng Sơn", "Đắk Lắk"])
        elif model is MapPage:
            detail["scale"] = rng.choice(["1:50 000", "1:100 000", "1:250 000"])
        spec.model = model
        spec.identifier = identifier
        spec.translation_key = uuid.UUID(int=rng.getrandbits(128))
        spec.collection = COLLECTION
        spec.translate = False
        spec.texts = {
            "vi": Text(title=title, slug=f"{ascii_slug(title, 60)}-{index}", summary=base.summary, body=base.body)
        }
        spec.record.update(
            identifier=identifier,
            heritage_level="",
            heritage_decision="",
            heritage_date=None,
            heritage_year=None,
            date_start_lunar="",
        )
        spec.detail = detail
        spec.contributors = []
        spec.related_back = []
        creators = rng.sample(self.creators, rng.choice([1, 1, 1, 2, 2, 3]))
        roles = ["aut"] * len(creators)
        if model is ThesisPage:
            creators.append(rng.choice(self.creators))
            roles.append("ths")
        holdings = [
            (institution, f"{rng.choice('ABCDV')}{rng.randint(100, 9999)}/{rng.randint(1, 99)}")
            for institution in rng.sample(HOLDINGS, rng.choice([0, 1, 1, 2, 3]))
        ]
        group = self.groups[spec.ethnic_groups[0]]
        place = next((self.places[pk] for pk in spec.places if pk in self.places), None)
        place_name = place.name if place else "vùng cao"
        texts = self.texts.item(self.pages, title, group.name, place_name, year)
        return spec, list(zip(creators, roles, strict=True)), holdings, texts


def _isbn(index: int) -> str:
    body = f"978604{index % 10_000_000:07d}"[:12]
    return stdnum_isbn.format(body + stdnum_ean.calc_check_digit(body))


def _creator_pool(rng: random.Random, count: int) -> list[int]:
    """Ids of ``count`` sample authors (made once, marked as samples in their note)."""
    existing = list(Person.objects.filter(note="benchmark").order_by("pk").values_list("pk", flat=True))
    if len(existing) >= count:
        return existing[:count]
    styles = list(words.NAME_STYLES.values())
    names = set()
    while len(names) < count - len(existing):
        families, middles, givens = rng.choice(styles)
        parts = (rng.choice(families), rng.choice(middles), rng.choice(givens), rng.choice(givens))
        names.add(" ".join(part for part in parts if part))
    Person.objects.bulk_create(
        [Person(name=name, key=name_key(name), kind=Person.Kind.PERSON, note="benchmark") for name in sorted(names)]
    )
    return list(Person.objects.filter(note="benchmark").order_by("pk").values_list("pk", flat=True))[:count]


def generate_library(items: int, pages: int, seed: int, progress=None) -> LibraryReport:
    """Write ``items`` library items of ``pages`` pages each (after those already there)."""
    report = LibraryReport()
    ensure_taxonomies()
    homes = site_homes()
    vi = Locale.objects.get(language_code="vi")
    library = library_page(homes["vi"])
    now = timezone.now()
    start = existing_items()
    rng = random.Random(f"creators:{seed}")  # noqa: S311
    creators = _creator_pool(rng, CREATOR_POOL)
    factory = LibraryFactory(Vocabulary(), seed, start, pages, creators, now)
    writer = LibraryWriter({COLLECTION: {"vi": library}}, vi, [], now)
    started = time.perf_counter()
    for first in range(start, start + items, ITEMS_PER_TRANSACTION):
        batch = [factory.item(index) for index in range(first, min(first + ITEMS_PER_TRANSACTION, start + items))]
        with transaction.atomic():
            written = writer.write([spec for spec, _creators, _holdings, _texts in batch])
            _write_links(batch, written, now, report)
        if progress:
            progress(first + len(batch) - start, items, time.perf_counter() - started)
    report.items = items
    report.seconds = time.perf_counter() - started
    with connection.cursor() as cursor:  # what generate_corpus's signal does for the query planner
        cursor.execute("ANALYZE")
    return report


def _write_links(batch, written, now, report: LibraryReport) -> None:
    creators, holdings, originals = [], [], []
    for (spec, item_creators, item_holdings, texts), (page_id, *_translations) in zip(batch, written, strict=True):
        creators += [
            ItemCreator(page_id=page_id, person_id=person, role=role, sort_order=order)
            for order, (person, role) in enumerate(item_creators)
        ]
        holdings += [
            ItemHolding(page_id=page_id, institution=institution, call_number=number, sort_order=order)
            for order, (institution, number) in enumerate(item_holdings)
        ]
        sha = hashlib.sha256(spec.identifier.encode()).hexdigest()
        name = f"{spec.identifier}.pdf"
        originals.append(
            (
                page_id,
                texts,
                Original(
                    file=f"originals/{sha[:2]}/{sha[2:4]}/{sha}/{name}",
                    sha256=sha,
                    size=len(texts) * 165_000,
                    mime="application/pdf",
                    kind=MediaKind.PDF,
                    filename=name,
                    metadata={"page_count": len(texts), "generated": "bench/library_data.py, no file"},
                    created_at=now,
                ),
            )
        )
        report.by_type[spec.model.type_slug] = report.by_type.get(spec.model.type_slug, 0) + 1
        level = spec.record["access_level"]
        report.access[level] = report.access.get(level, 0) + 1
        report.pages += len(texts)
        report.characters += sum(len(text) for text in texts)
    ItemCreator.objects.bulk_create(creators)
    ItemHolding.objects.bulk_create(holdings)
    made = Original.objects.bulk_create([original for _page, _texts, original in originals])
    ProcessingJob.objects.bulk_create(
        [ProcessingJob(original=original, state=JobState.DONE, progress=100, finished_at=now) for original in made]
    )
    DerivativeSet.objects.bulk_create(
        [
            DerivativeSet(
                original=original,
                prefix=f"derivatives/{original.sha256}/bench",
                manifest={
                    "kind": "pdf",
                    "folder": "document",
                    "derivatives": {"page_count": len(texts), "thumbnails": [], "characters": sum(map(len, texts))},
                },
                text="\f".join(texts),
                created_at=now,
            )
            for original, (_page, texts, _original) in zip(made, originals, strict=True)
        ]
    )
    RecordMedia.objects.bulk_create(
        [
            RecordMedia(record_id=page_id, original=original, sort_order=0, added_at=now)
            for original, (page_id, _texts, _original) in zip(made, originals, strict=True)
        ]
    )


def item_pages() -> list[tuple[int, str]]:
    """(pk, identifier) of the generated items, in order."""
    return list(
        RecordPage.objects.filter(identifier__startswith=IDENTIFIER_PREFIX)
        .order_by("pk")
        .values_list("pk", "identifier")
    )


__all__ = ["IDENTIFIER_PREFIX", "LibraryReport", "generate_library", "item_pages", "library_page"]
