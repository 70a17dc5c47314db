"""PDFs for the demo library, typeset at load time with a real text layer.

Three kinds, all written with fpdf2 in Be Vietnam Pro (an OFL font with every Vietnamese letter,
installed from PyPI as ``fontpkg-be-vietnam-pro``: no system font, no font file in the repository):

- :func:`write_booklet`: a sample book, thesis, article, issue or report of a fixed number of pages:
  a title page, a colophon with the contents, then chapters of generated prose, with one
  distinctive phrase (the *marker*) on one given page only, so a tester can search for it;
- :func:`write_transcript`: a real document's published text, re-typeset (not a facsimile);
- :func:`write_map`: a sample map sheet of points placed from their coordinates, and its legend.

Every page says what it is in its footer. The text is written as NFC Unicode; a PDF reader (and the
ingest pipeline, through pdfium) gets the same letters back, diacritics included. Output is
deterministic: fixed creation date, prose drawn from a random generator seeded with the item's
identifier, and fpdf2's file identifier derived from the content, so the same machine always
writes the same bytes.
"""

import dataclasses
import datetime as dt
import math
import random
from functools import cache
from pathlib import Path

import fontpkg
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_FAMILY = "Be Vietnam Pro"
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PRODUCER = "Heritage archive demo generator (fpdf2)"
SAMPLE_FOOTER = "Mẫu minh hoạ · Sample — tài liệu tạo tự động, không phải xuất bản phẩm thật"
A4 = (210, 297)
A5 = (148, 210)

# Prose any sample may use: how research on intangible heritage is done and kept. None of it
# contains a marker phrase (tests check that each marker is on its page only).
GENERAL_SENTENCES = (
    "Tư liệu trong chương này được thu thập qua các đợt điền dã tại địa phương, kết hợp phỏng vấn sâu "
    "với nghệ nhân, người cao tuổi và cán bộ văn hoá cơ sở.",
    "Người viết ghi chép theo lời kể của cộng đồng, đối chiếu với các tài liệu đã công bố và giữ "
    "nguyên cách gọi tên của người bản địa.",
    "Các thông tin về thời gian tổ chức được ghi theo âm lịch, kèm ngày dương lịch tương ứng của năm khảo sát.",
    "Mỗi cuộc phỏng vấn đều có phiếu đồng ý của người được phỏng vấn và được lưu cùng bản ghi âm gốc.",
    "Những chi tiết thuộc về nghi lễ kiêng kỵ chỉ được mô tả ở mức cộng đồng cho phép.",
    "Sự thay đổi của đời sống kinh tế trong ba thập niên gần đây đã tác động rõ rệt tới cách thực hành di sản.",
    "Thế hệ trẻ tiếp cận di sản qua trường học, mạng xã hội và các câu lạc bộ văn nghệ của xã.",
    "Chính quyền địa phương đã hỗ trợ kinh phí để phục dựng một số nghi thức đã lâu không được thực hành.",
    "Việc số hoá tư liệu giúp cộng đồng ở xa quê hương vẫn có thể tìm hiểu và chia sẻ văn hoá của mình.",
    "Bảng tổng hợp ở cuối chương liệt kê các nguồn tư liệu, nơi lưu giữ và điều kiện sử dụng.",
    "Các hình ảnh minh hoạ được sử dụng với sự đồng ý của người trong ảnh và của gia đình họ.",
    "Nghệ nhân là người giữ vai trò trung tâm trong việc trao truyền kỹ năng và tri thức cho lớp sau.",
    "Nhiều thuật ngữ bản địa không có từ tương đương trong tiếng Việt nên được giữ nguyên và giải thích trong "
    "chú thích.",
    "Không gian thực hành di sản gắn với nhà ở, nương rẫy, bến nước và những nơi thờ cúng của bản.",
    "Cộng đồng coi việc giữ gìn di sản là trách nhiệm chung của các dòng họ trong bản.",
    "Các số liệu thống kê trong phần này chỉ mang tính minh hoạ cho phương pháp trình bày.",
    "Người đọc có thể đối chiếu nội dung với các bản ghi liên quan trong kho lưu trữ số.",
    "Quá trình đô thị hoá và di cư lao động khiến số người am hiểu nghi lễ ngày càng ít.",
    "Một số gia đình vẫn lưu giữ sách cúng, nhạc cụ và trang phục cổ được truyền qua nhiều đời.",
    "Các lớp truyền dạy do nghệ nhân mở tại nhà văn hoá thôn thu hút đông đảo thanh thiếu niên tham gia.",
    "Du lịch cộng đồng mở ra nguồn thu mới nhưng cũng đặt ra yêu cầu giữ gìn tính nguyên bản của di sản.",
    "Tư liệu được mô tả theo chuẩn siêu dữ liệu Dublin Core để có thể trao đổi với các thư viện khác.",
    "Mỗi bản ghi có mã định danh bền vững, không thay đổi khi tiêu đề hay vị trí lưu trữ thay đổi.",
    "Những ý kiến khác nhau của người cung cấp thông tin được trình bày song song, không áp đặt một cách hiểu "
    "duy nhất.",
    "Phần phụ lục trình bày danh sách người cung cấp thông tin, thời gian và địa điểm phỏng vấn.",
    "Kết quả khảo sát cho thấy nhu cầu tiếp cận tư liệu bằng tiếng mẹ đẻ của đồng bào là rất lớn.",
    "Việc ghi hình được thực hiện bằng thiết bị phổ thông để người dân có thể tự tham gia lưu giữ tư liệu.",
    "Các bản chép tay cổ được chụp lại ở độ phân giải cao trước khi trả về cho gia đình lưu giữ.",
)


@dataclasses.dataclass(frozen=True)
class Booklet:
    """What a generated sample PDF shows.

    ``cover`` lines go on the title page above the title and ``imprint`` lines below it;
    ``colophon`` lines (identifiers, the sample notice) go on page 2 with the contents.
    ``marker`` appears only on page ``marker_page`` (1-based, at least 3), as a subheading and in
    ``marker_sentence``.
    """

    seed: str
    title: str
    running_title: str
    pages: int
    chapters: tuple[str, ...]
    topic: tuple[str, ...]
    marker: str
    marker_page: int
    marker_sentence: str
    subtitle: str = ""
    cover: tuple[str, ...] = ()
    imprint: tuple[str, ...] = ()
    colophon: tuple[str, ...] = ()
    author: str = ""
    keywords: str = ""
    language: str = "vi"
    size: tuple[int, int] = A5

    def __post_init__(self):
        if self.marker not in self.marker_sentence:
            raise ValueError(f"{self.seed}: the marker sentence must contain the marker {self.marker!r}")
        if not 3 <= self.marker_page <= self.pages:
            raise ValueError(f"{self.seed}: marker page {self.marker_page} is not between 3 and {self.pages}")
        elsewhere = (
            self.title, self.subtitle, self.running_title, *self.chapters, *self.topic, *self.cover, *self.imprint,
            *self.colophon, *GENERAL_SENTENCES,
        )  # fmt: skip
        if any(self.marker.casefold() in text.casefold() for text in elsewhere):
            raise ValueError(f"{self.seed}: the marker {self.marker!r} must appear on its page only")


@dataclasses.dataclass(frozen=True)
class Transcript:
    """A real document's text, re-typeset: ``heading`` lines on top, then ``text`` paragraph by paragraph."""

    title: str
    heading: tuple[str, ...]
    text: str
    footer: str
    author: str = ""
    subject: str = ""


@dataclasses.dataclass(frozen=True)
class MapPoint:
    name: str
    latitude: float
    longitude: float
    note: str = ""
    flag: bool = False  # a small pole with a pennant beside the point (the map's legend says what it marks)


@dataclasses.dataclass(frozen=True)
class MapSheet:
    """A sample map at ``scale`` (1:scale), its points drawn from their coordinates, and a legend page."""

    seed: str
    title: str
    points: tuple[MapPoint, ...]
    scale: int
    legend: tuple[str, ...]
    marker: str
    marker_sentence: str
    imprint: str = ""
    author: str = ""


# --- the document ----------------------------------------------------------------------------


@cache
def font_files() -> dict[str, str]:
    """Regular, bold and italic Be Vietnam Pro, from the installed ``fontpkg-be-vietnam-pro``."""
    return {
        "": str(fontpkg.path(FONT_FAMILY, 400)),
        "B": str(fontpkg.path(FONT_FAMILY, 700)),
        "I": str(fontpkg.path(FONT_FAMILY, 400, "italic")),
    }


class _Document(FPDF):
    """An fpdf2 document with the demo's font, fixed metadata and a running header and footer."""

    def __init__(self, size, *, orientation="P", running_title="", footer=SAMPLE_FOOTER):
        super().__init__(orientation=orientation, unit="mm", format=size)
        self.running_title = running_title
        self.footer_text = footer
        for style, path in font_files().items():
            self.add_font("body", style, path)
        self.set_creation_date(FIXED_DATE)
        self.set_producer(PRODUCER)
        self.set_creator(PRODUCER)
        self.set_margins(16, 18, 16)
        self.set_auto_page_break(False, margin=18)
        self.alias_nb_pages()
        self._widths: dict[tuple, float] = {}

    def header(self):
        if self.page_no() > 1 and self.running_title:
            self.set_font("body", "I", 7.5)
            self.set_text_color(110)
            self.set_xy(self.l_margin, 8)
            self.cell(0, 4, self.running_title, align="C")
            self.set_text_color(0)
            self.set_xy(self.l_margin, self.t_margin)

    def footer(self):
        self.set_font("body", "", 7)
        self.set_text_color(110)
        self.set_xy(self.l_margin, self.h - 12)
        self.cell(0, 4, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def sample_band(self) -> None:
        """The dark band across the top of a first page that says it is a sample."""
        self.set_fill_color(40, 40, 40)
        self.rect(0, 0, self.w, 12, style="F")
        self.set_xy(self.l_margin, 3)
        self.set_font("body", "B", 9)
        self.set_text_color(255, 214, 102)
        self.cell(0, 6, "TÀI LIỆU MẪU MINH HOẠ · SAMPLE", align="C")
        self.set_text_color(0)

    @property
    def bottom(self) -> float:
        return self.h - 18

    def line_of(self, text: str, size: float, style: str = "", align: str = "L", height: float | None = None):
        """A short text (a heading, a cover line), wrapped by fpdf2."""
        self.set_font("body", style, size)
        self.multi_cell(0, height or size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def wrap(self, text: str) -> list[str]:
        """``text`` broken into lines that fit the width in the current font: greedy, between words.
        (fpdf2's own breaking measures each line again for every character, too slow for whole books.)"""
        space = self._width(" ")
        lines, line, used = [], [], 0.0
        for word in text.split():
            width = self._width(word)
            if line and used + space + width > self.epw:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used += (space if line else 0.0) + width
            line.append(word)
        if line:
            lines.append(" ".join(line))
        return lines

    def _width(self, word: str) -> float:
        key = (self.font_family, self.font_style, self.font_size_pt, word)
        if key not in self._widths:
            self._widths[key] = self.get_string_width(word)
        return self._widths[key]

    def paragraph(self, text: str, size: float, height: float, *, only_if_it_fits: bool = False) -> bool:
        """Set a paragraph line by line; with ``only_if_it_fits``, nothing when it would cross the bottom."""
        self.set_font("body", "", size)
        lines = self.wrap(text)
        if only_if_it_fits and self.get_y() + len(lines) * height > self.bottom:
            return False
        for line in lines:
            self.cell(0, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return True

    def write_to(self, path: Path, *, title: str, author: str = "", subject: str = "", keywords: str = "",
                 language: str = "vi") -> None:  # fmt: skip
        self.set_title(title)
        if author:
            self.set_author(author)
        self.set_subject(subject or SAMPLE_FOOTER)
        if keywords:
            self.set_keywords(keywords)
        self.set_lang(language)
        Path(path).write_bytes(bytes(self.output()))


# --- sample booklets -------------------------------------------------------------------------


def chapter_starts(booklet: Booklet) -> dict[int, int]:
    """Page number → chapter index: chapters spread evenly over pages 3..N."""
    body = booklet.pages - 2
    count = max(1, len(booklet.chapters))
    return {3 + (index * body) // count: index for index in range(count)}


def _paragraph(rng: random.Random, sentences: tuple[str, ...]) -> str:
    return " ".join(rng.sample(sentences, k=min(len(sentences), rng.randint(2, 4))))


def _fill(pdf: _Document, rng: random.Random, sentences: tuple[str, ...], size: float = 9.5) -> None:
    """Paragraphs of prose until the page is full."""
    height = size * 0.52
    misses = 0
    while misses < 3:
        if pdf.paragraph(_paragraph(rng, sentences), size, height, only_if_it_fits=True):
            pdf.ln(1.8)
        else:
            misses += 1


def write_booklet(path: Path, booklet: Booklet) -> None:
    rng = random.Random(booklet.seed)  # noqa: S311 - sample prose, not security
    sentences = (*GENERAL_SENTENCES, *booklet.topic, *booklet.topic)  # the topic twice as likely
    pdf = _Document(booklet.size, running_title=booklet.running_title)

    # 1: title page
    pdf.add_page()
    pdf.sample_band()
    pdf.set_xy(pdf.l_margin, 24)
    for line in booklet.cover:
        pdf.line_of(line, 9.5, align="C")
    pdf.set_y(max(pdf.get_y() + 10, pdf.h * 0.32))
    pdf.line_of(booklet.title, 17, "B", align="C", height=8)
    if booklet.subtitle:
        pdf.ln(2)
        pdf.line_of(booklet.subtitle, 11.5, align="C", height=6)
    pdf.set_y(pdf.h - 22 - 5.5 * len(booklet.imprint))
    for line in booklet.imprint:
        pdf.line_of(line, 9.5, align="C")

    # 2: colophon and contents
    pdf.add_page()
    pdf.line_of("MỤC LỤC", 12, "B", align="C", height=7)
    pdf.ln(3)
    for page, index in sorted(chapter_starts(booklet).items()):
        pdf.set_font("body", "", 9.5)
        label = f"{index + 1}. {booklet.chapters[index]}"
        pdf.cell(pdf.epw - 12, 5.5, label)
        pdf.cell(12, 5.5, str(page), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y() + 8, pdf.h * 0.6))
    for line in booklet.colophon:
        pdf.line_of(line, 8, height=4.2)
        pdf.ln(1)

    # 3..N: chapters of prose; the marker on its page only
    starts = chapter_starts(booklet)
    for number in range(3, booklet.pages + 1):
        pdf.add_page()
        if number in starts:
            index = starts[number]
            pdf.line_of(f"Chương {index + 1}", 9, "B", height=5)
            pdf.line_of(booklet.chapters[index], 13, "B", height=6.5)
            pdf.ln(3)
        if number == booklet.marker_page:
            pdf.line_of(booklet.marker[:1].upper() + booklet.marker[1:], 11, "B", height=6)
            pdf.ln(1)
            pdf.paragraph(booklet.marker_sentence, 9.5, 9.5 * 0.52)
            pdf.ln(1.8)
        _fill(pdf, rng, sentences)
    pdf.write_to(
        path, title=f"{booklet.title} [Mẫu minh hoạ · Sample]", author=booklet.author, keywords=booklet.keywords,
        language=booklet.language,
    )  # fmt: skip


# --- real documents, re-typeset ----------------------------------------------------------------


def write_transcript(path: Path, transcript: Transcript) -> None:
    """The text flows over as many A4 pages as it needs, block by block (blocks are separated by blank
    lines). A block of short lines (the letterhead, the addressees, the signature) keeps its lines; a
    block in capitals (a heading of the document) is set bold and centred; other blocks are paragraphs."""
    pdf = _Document(A4, running_title=transcript.title, footer=transcript.footer)
    pdf.set_margins(22, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_fill_color(235, 235, 235)
    pdf.set_font("body", "I", 8.5)
    for line in transcript.heading:
        pdf.multi_cell(0, 4.6, line, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    for block in (block.strip() for block in transcript.text.split("\n\n")):
        if not block:
            continue
        lines = [" ".join(line.split()) for line in block.splitlines() if line.strip()]
        capitals = lines[0].upper() == lines[0] and any(c.isalpha() for c in lines[0])
        if len(lines) == 1 or any(len(line) > 70 for line in lines):
            lines = [" ".join(lines)]
        pdf.set_font("body", "B" if capitals else "", 10.5 if capitals else 10)
        for line in lines:
            pdf.multi_cell(0, 5.2, line, align="C" if capitals else "L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2.4)
    pdf.write_to(
        path, title=transcript.title, author=transcript.author, subject=transcript.subject or transcript.footer
    )


# --- a sample map ----------------------------------------------------------------------------


def _project(point: MapPoint, origin: tuple[float, float], scale: int) -> tuple[float, float]:
    """Millimetres east and north of ``origin`` on a sheet at 1:scale (equirectangular, fine at this size)."""
    km_per_degree = 111.32
    east = (point.longitude - origin[1]) * km_per_degree * math.cos(math.radians(origin[0]))
    north = (point.latitude - origin[0]) * km_per_degree
    return east * 1e6 / scale, north * 1e6 / scale


def write_map(path: Path, sheet: MapSheet) -> None:
    """Page 1: the points, a graticule and a scale bar on an A4 landscape sheet; page 2: the legend."""
    pdf = _Document(A4, orientation="L", running_title=sheet.title)
    pdf.add_page()
    pdf.sample_band()
    pdf.set_xy(pdf.l_margin, 15)
    pdf.line_of(sheet.title, 13, "B", align="C", height=6.5)
    if sheet.imprint:
        pdf.line_of(sheet.imprint, 8.5, align="C", height=4.5)
    frame = (pdf.l_margin, 30, pdf.w - pdf.r_margin, pdf.h - 24)
    pdf.set_draw_color(90)
    pdf.set_line_width(0.4)
    pdf.rect(frame[0], frame[1], frame[2] - frame[0], frame[3] - frame[1])
    points = sheet.points or (MapPoint("", 21.03, 105.85),)  # no places known: centred on Hà Nội, no points drawn
    centre = (sum(p.latitude for p in points) / len(points), sum(p.longitude for p in points) / len(points))
    mid_x, mid_y = (frame[0] + frame[2]) / 2, (frame[1] + frame[3]) / 2

    def sheet_xy(latitude: float, longitude: float) -> tuple[float, float]:
        east, north = _project(MapPoint("", latitude, longitude), centre, sheet.scale)
        return mid_x + east, mid_y - north

    pdf.set_line_width(0.1)
    pdf.set_draw_color(190)
    pdf.set_font("body", "", 6.5)
    pdf.set_text_color(130)
    for step in range(-6, 7):  # a graticule every half degree
        latitude = round(centre[0] * 2) / 2 + step / 2
        longitude = round(centre[1] * 2) / 2 + step / 2
        _, y = sheet_xy(latitude, centre[1])
        x, _ = sheet_xy(centre[0], longitude)
        if frame[1] < y < frame[3]:
            pdf.line(frame[0], y, frame[2], y)
            pdf.text(frame[0] + 1, y - 0.8, f"{latitude:.1f}°B")
        if frame[0] < x < frame[2]:
            pdf.line(x, frame[1], x, frame[3])
            pdf.text(x + 0.8, frame[3] - 1.2, f"{longitude:.1f}°Đ")
    pdf.set_text_color(0)
    rng = random.Random(sheet.seed)  # noqa: S311 - drawing, not security
    for point in sheet.points:
        x, y = sheet_xy(point.latitude, point.longitude)
        pdf.set_fill_color(170 + rng.randint(0, 60), 40, 40)
        pdf.ellipse(x - 1.8, y - 1.8, 3.6, 3.6, style="F")
        if point.flag:
            pdf.set_draw_color(90, 50, 20)
            pdf.set_line_width(0.5)
            pdf.line(x - 4, y + 1.5, x - 4, y - 7)
            pdf.set_fill_color(200, 150, 30)
            pdf.polygon([(x - 4, y - 7), (x - 0.5, y - 5.8), (x - 4, y - 4.6)], style="F")
        pdf.set_font("body", "B", 8.5)
        pdf.text(x + 2.8, y + 1, point.name)
        if point.note:
            pdf.set_font("body", "", 7)
            pdf.text(x + 2.8, y + 4.6, point.note)
    bar_km = 50
    bar_mm = bar_km * 1e6 / sheet.scale
    x0, y0 = frame[0] + 8, frame[3] - 8
    pdf.set_fill_color(30)
    pdf.set_draw_color(30)
    pdf.rect(x0, y0, bar_mm, 1.6, style="DF")
    pdf.set_font("body", "", 7.5)
    pdf.text(x0, y0 - 1.5, f"0        {bar_km} km     ·     Tỉ lệ 1:{sheet.scale:,}".replace(",", " "))

    pdf.add_page()
    pdf.line_of("CHÚ GIẢI VÀ GHI CHÚ", 12, "B", align="C", height=7)
    pdf.ln(4)
    for line in sheet.legend:
        pdf.line_of(line, 9.5, height=5)
        pdf.ln(1.5)
    pdf.ln(2)
    pdf.line_of(sheet.marker[:1].upper() + sheet.marker[1:], 10.5, "B", height=6)
    pdf.line_of(sheet.marker_sentence, 9.5, height=5)
    pdf.write_to(path, title=f"{sheet.title} [Mẫu minh hoạ · Sample]", author=sheet.author)
