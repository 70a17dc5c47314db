"""The demo library: the library section, the documents the seed plans cite, generated sample items, and
their PDFs.

What is real and what is a sample (docs/demo-data.md, "The library"):

- ``DOCUMENTS`` are real: the decisions and circular that the two seed plans cite (Lạng Sơn's
  101/KH-UBND and the article on Thanh Hóa's 44/KH-UBND, already demo records dtts-0031 and
  dtts-0032), with only what those texts state — number, type, issuer, date, title as cited. What
  is inferred is said in the record's provenance; nothing else is filled in. The archive holds
  none of their texts, so they have no file.
- ``PLAN_FILES``: the two seed plans' own published texts, re-typeset as text-layer PDFs (not
  facsimiles), attached to dtts-0031 and dtts-0032.
- ``ITEMS`` are samples, labelled as such in the title ("[mẫu minh hoạ]" / "[sample]"), the summary,
  the notes, every PDF page and the PDF's title. Their people are sample names; their ISBNs and
  ISSNs have valid check digits (computed here, Vietnam's 978-604 prefix) but are sample numbers.
  Each PDF carries one distinctive phrase (``pdf.marker``) on one page (``pdf.marker_page``) only.

Loading is idempotent like the rest of the demo: pages are matched on persistent identifiers,
links and translations added only where missing, files skipped when the record already shows them.
The pages are made inside the demo's transaction (:func:`load_demo_library`); the PDFs after it
commits, through ``ingest`` like an upload (:func:`load_demo_library_files`).
"""

import dataclasses
import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from stdnum import ean
from stdnum import issn as stdnum_issn

from django.core.exceptions import ValidationError
from django.utils.html import escape

from wagtail.models import Locale

from archive.demo.loader import DemoDataError
from archive.models import (
    CollectionPage,
    DocumentPage,
    EthnicGroup,
    Language,
    PersistentIdentifier,
    Person,
    Place,
    RecordContributor,
    RecordPage,
    RecordTitle,
    RelatedRecord,
    Subject,
)
from archive.models.people import name_key
from ingest.models import RecordMedia
from ingest.services import ingest_file
from library import demo_pdf
from library.models import ITEM_TYPES, ItemCreator, ItemHolding, LibraryItemPage, LibraryPage

logger = logging.getLogger(__name__)

DOCUMENTS_COLLECTION = "van-ban-tai-lieu"  # the demo's documents collection (archive/demo/data/records.yaml)
PUBLIC_DOMAIN = "https://creativecommons.org/publicdomain/mark/1.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
SAMPLE_TITLE = {"vi": " [mẫu minh hoạ]", "en": " [sample]"}
SAMPLE_NOTE = (
    "Mẫu minh hoạ / sample: tài liệu do bản trình diễn của kho tạo tự động. Tác giả, nội dung, số ISBN/ISSN "
    "(số kiểm tra hợp lệ, tiền tố 978-604 của Việt Nam) và số hiệu kho là dữ liệu mẫu, không phải của một xuất bản "
    "phẩm thật; nhà xuất bản, cơ sở đào tạo và thư viện lưu giữ cũng là tên mẫu.\n"
    "Generated for the demo: its people, text, ISBN/ISSN (valid check digits, Vietnam's 978-604 prefix) and call "
    "numbers are sample data, not a real publication; its publisher, university and holding libraries are "
    "sample names too."
)
SAMPLE_SUMMARY = {"vi": "Tài liệu mẫu minh hoạ, do hệ thống tạo tự động. ", "en": "A generated sample item. "}
SAMPLE_PROVENANCE = "Dữ liệu mẫu của bản trình diễn (library/demo.py); tệp PDF được tạo tự động khi nạp dữ liệu."
SAMPLE_PERSON_NOTE = "Tên mẫu của bản trình diễn, không chỉ một người thật · Sample name made up for the demo."
SAMPLE_HOLDING = "Bản lưu mẫu · sample holding"

LIBRARY = {
    "title": "Thư viện điện tử",
    "slug": "thu-vien",
    "intro": "Sách, luận án, tạp chí, báo cáo, bản đồ và văn bản về công tác dân tộc, đọc và tìm được trong từng "
    "trang. Các tài liệu đánh dấu [mẫu minh hoạ] do bản trình diễn tạo ra.",
    "title_en": "E-library",
    "slug_en": "library",
    "intro_en": "Books, theses, journals, reports, maps and documents on ethnic affairs, to read and search page by "
    "page. Items marked [sample] were generated for this demo.",
}

# --- real documents cited by the seed plans --------------------------------------------------

CITED_IN_101 = "Kế hoạch 101/KH-UBND ngày 05/5/2021 của UBND tỉnh Lạng Sơn (bản ghi dtts-0031)"
CITED_IN_44 = (
    "bài “Thanh Hóa chỉ đạo chuyển đổi số và ứng dụng công nghệ thông tin vùng đồng bào dân tộc thiểu số và "
    "miền núi” của UBND huyện Triệu Sơn, 23/02/2024, giới thiệu Kế hoạch 44/KH-UBND (bản ghi dtts-0032)"
)

DOCUMENTS = [
    {
        "identifier": "dtts-tv-001",
        "slug": "quyet-dinh-414-qd-ttg-2019",
        "slug_en": "decision-414-qd-ttg-2019",
        "title": "Quyết định 414/QĐ-TTg phê duyệt Đề án “Tăng cường ứng dụng công nghệ thông tin hỗ trợ đồng bào dân "
        "tộc thiểu số phát triển kinh tế xã hội và đảm bảo an ninh trật tự vùng đồng bào dân tộc thiểu số Việt Nam "
        "giai đoạn 2019 - 2025”",
        "title_en": "Decision 414/QĐ-TTg approving the scheme on using information technology to support ethnic "
        "minorities in socio-economic development and security, 2019–2025",
        "summary": "Quyết định ngày 12/4/2019 của Thủ tướng Chính phủ, được Kế hoạch 101/KH-UBND của UBND tỉnh "
        "Lạng Sơn "
        "dẫn làm căn cứ. Kho chưa có toàn văn.",
        "summary_en": "Decision of 12 April 2019 by the Prime Minister, on which Lạng Sơn's Plan 101/KH-UBND is based. "
        "The archive does not hold its text.",
        "body": "Quyết định số 414/QĐ-TTg ngày 12/4/2019 của Thủ tướng Chính phủ phê duyệt Đề án “Tăng cường ứng dụng "
        "công nghệ thông tin hỗ trợ đồng bào dân tộc thiểu số phát triển kinh tế xã hội và đảm bảo an ninh trật tự "
        "vùng đồng bào dân tộc thiểu số Việt Nam giai đoạn 2019 - 2025”. UBND tỉnh Lạng Sơn ban hành Kế hoạch "
        "101/KH-UBND ngày 05/5/2021 để thực hiện Đề án này trên địa bàn tỉnh.\n\n"
        "Bản ghi được lập từ trích dẫn trong Kế hoạch 101/KH-UBND; kho chưa lưu toàn văn quyết định. Người ký và "
        "tình trạng hiệu lực không được nêu trong văn bản trích dẫn nên để trống.",
        "body_en": "Decision 414/QĐ-TTg of 12 April 2019 by the Prime Minister approves the scheme “Strengthening the "
        "use of information technology to support ethnic minorities in socio-economic development and to ensure "
        "security and order in ethnic minority areas of Vietnam, 2019–2025”. The Lạng Sơn People's Committee issued "
        "Plan 101/KH-UBND of 5 May 2021 to carry it out in the province.\n\n"
        "This record is made from the citation in Plan 101/KH-UBND; the archive does not hold the decision's text. "
        "The citing text names neither its signer nor its status, so they are left empty.",
        "document": {
            "number": "414/QĐ-TTg",
            "document_type": "Quyết định",
            "issuing_body": "Thủ tướng Chính phủ",
            "issue_date": "2019-04-12",
        },
        "provenance": f"Số hiệu, loại văn bản, cơ quan ban hành, ngày ban hành và tên văn bản theo trích dẫn trong "
        f"{CITED_IN_101}, phần mở đầu. Không có thông tin suy đoán.",
        "subjects": ["van-ban-chinh-sach", "chuyen-doi-so"],
        "related": ["dtts-0031"],
    },
    {
        "identifier": "dtts-tv-002",
        "slug": "thong-tu-03-2019-tt-ubdt",
        "slug_en": "circular-03-2019-tt-ubdt",
        "title": "Thông tư 03/2019/TT-UBDT quy định Hệ thống chỉ tiêu thống kê công tác dân tộc",
        "title_en": "Circular 03/2019/TT-UBDT on the ethnic-affairs statistical indicator system",
        "summary": "Thông tư ngày 25/12/2019 của Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc, được Kế hoạch 101/KH-UBND của "
        "tỉnh Lạng Sơn dẫn khi giao nâng cấp hệ thống chỉ tiêu thống kê công tác dân tộc. Kho chưa có toàn văn.",
        "summary_en": "Circular of 25 December 2019 by the Minister-Chairman of the Committee for Ethnic Minority "
        "Affairs, cited by Lạng Sơn's Plan 101/KH-UBND for upgrading the ethnic-affairs statistical indicators. "
        "The archive does not hold its text.",
        "body": "Thông tư số 03/2019/TT-UBDT ngày 25/12/2019 của Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc quy định Hệ thống "
        "chỉ tiêu thống kê công tác dân tộc. Kế hoạch 101/KH-UBND của UBND tỉnh Lạng Sơn (mục II.2.a) giao nâng cấp "
        "hệ thống thông tin dữ liệu về công tác dân tộc của tỉnh, tập trung vào hệ thống chỉ tiêu thống kê theo "
        "thông tư này.\n\n"
        "Bản ghi được lập từ trích dẫn trong Kế hoạch 101/KH-UBND; kho chưa lưu toàn văn thông tư. Văn bản trích "
        "dẫn nêu chức danh người ban hành (Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc) nhưng không nêu tên.",
        "body_en": "Circular 03/2019/TT-UBDT of 25 December 2019 by the Minister-Chairman of the Committee for Ethnic "
        "Minority Affairs sets out the ethnic-affairs statistical indicator system. Lạng Sơn's Plan 101/KH-UBND "
        "(section II.2.a) asks for the province's ethnic-affairs information system to be upgraded, above all its "
        "statistical indicators under this circular.\n\n"
        "This record is made from the citation in Plan 101/KH-UBND; the archive does not hold the circular's text. "
        "The citing text gives the issuer's office (Minister-Chairman of the Committee) but not a name.",
        "document": {
            "number": "03/2019/TT-UBDT",
            "document_type": "Thông tư",
            "issuing_body": "Ủy ban Dân tộc",
            "issue_date": "2019-12-25",
        },
        "provenance": f"Số hiệu, ngày ban hành, người ban hành (“Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc”) và tên văn "
        f"bản theo trích dẫn trong {CITED_IN_101}, mục II.2.a. Cơ quan ban hành ghi là Ủy ban Dân tộc theo chức danh "
        "đó; từ năm 2025 Ủy ban Dân tộc là Bộ Dân tộc và Tôn giáo.",
        "subjects": ["van-ban-chinh-sach"],
        "related": ["dtts-0031"],
    },
    {
        "identifier": "dtts-tv-003",
        "slug": "quyet-dinh-330-qd-ubdt-2023",
        "slug_en": "decision-330-qd-ubdt-2023",
        "title": "Quyết định 330/QĐ-UBDT phê duyệt Đề án “Chuyển đổi số và ứng dụng công nghệ thông tin trong "
        "triển khai "
        "thực hiện Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền "
        "núi, giai đoạn 2021 - 2025”",
        "title_en": "Decision 330/QĐ-UBDT approving the scheme on digital transformation in the national target "
        "programme for ethnic minority and mountain areas, 2021–2025",
        "summary": "Quyết định ngày 12/5/2023 của Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc, mà Kế hoạch 44/KH-UBND của tỉnh "
        "Thanh Hóa triển khai. Kho chưa có toàn văn.",
        "summary_en": "Decision of 12 May 2023 by the Minister-Chairman of the Committee for Ethnic Minority Affairs, "
        "carried out by Thanh Hóa's Plan 44/KH-UBND. The archive does not hold its text.",
        "body": "Quyết định số 330/QĐ-UBDT ngày 12/5/2023 của Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc phê duyệt Đề án "
        "“Chuyển đổi số và ứng dụng công nghệ thông tin trong triển khai thực hiện Chương trình mục tiêu quốc gia "
        "phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi, giai đoạn 2021 - 2025”. Theo bài "
        "giới thiệu của UBND huyện Triệu Sơn, Kế hoạch 44/KH-UBND ngày 19/02/2024 của UBND tỉnh Thanh Hóa được ban "
        "hành nhằm triển khai quyết định này, được sửa đổi bởi Quyết định 541/QĐ-UBDT.\n\n"
        "Bản ghi được lập từ trích dẫn trong bài viết đó; kho chưa lưu toàn văn quyết định.",
        "body_en": "Decision 330/QĐ-UBDT of 12 May 2023 by the Minister-Chairman of the Committee for Ethnic Minority "
        "Affairs approves the scheme “Digital transformation and the use of information technology in carrying out "
        "the National Target Programme for socio-economic development of ethnic minority and mountain areas, "
        "2021–2025”. According to the Triệu Sơn District People's Committee's article, Thanh Hóa's Plan 44/KH-UBND "
        "of 19 February 2024 implements it, as amended by Decision 541/QĐ-UBDT.\n\n"
        "This record is made from the citation in that article; the archive does not hold the decision's text.",
        "document": {
            "number": "330/QĐ-UBDT",
            "document_type": "Quyết định",
            "issuing_body": "Ủy ban Dân tộc",
            "issue_date": "2023-05-12",
        },
        "provenance": f"Số hiệu, ngày ban hành, người ban hành (“Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc”) và tên Đề án "
        f"theo {CITED_IN_44}. Không có thông tin suy đoán ngoài việc ghi cơ quan ban hành là Ủy ban Dân tộc theo "
        "chức danh đó.",
        "subjects": ["van-ban-chinh-sach", "chuyen-doi-so"],
        "related": ["dtts-0032"],
    },
    {
        "identifier": "dtts-tv-004",
        "slug": "quyet-dinh-541-qd-ubdt-2023",
        "slug_en": "decision-541-qd-ubdt-2023",
        "title": "Quyết định 541/QĐ-UBDT sửa đổi, bổ sung một số nội dung của Quyết định số 330/QĐ-UBDT ngày 12 "
        "tháng 5 "
        "năm 2023",
        "title_en": "Decision 541/QĐ-UBDT amending Decision 330/QĐ-UBDT of 12 May 2023",
        "summary": "Quyết định ngày 02/8/2023 sửa đổi, bổ sung Quyết định 330/QĐ-UBDT, được Kế hoạch 44/KH-UBND của "
        "tỉnh Thanh Hóa dẫn làm căn cứ. Kho chưa có toàn văn.",
        "summary_en": "Decision of 2 August 2023 amending Decision 330/QĐ-UBDT, on which Thanh Hóa's Plan 44/KH-UBND "
        "is based. The archive does not hold its text.",
        "body": "Quyết định số 541/QĐ-UBDT ngày 02/8/2023 về việc sửa đổi, bổ sung một số nội dung của Quyết định số "
        "330/QĐ-UBDT ngày 12 tháng 5 năm 2023 của Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc về việc phê duyệt Đề án "
        "“Chuyển đổi số và ứng dụng công nghệ thông tin trong triển khai thực hiện Chương trình mục tiêu quốc gia "
        "phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi, giai đoạn 2021 - 2025”.\n\n"
        "Bản ghi được lập từ trích dẫn trong bài giới thiệu Kế hoạch 44/KH-UBND; kho chưa lưu toàn văn. Bài viết "
        "không nói rõ ai ban hành Quyết định 541: cơ quan ban hành được suy ra từ ký hiệu “QĐ-UBDT”.",
        "body_en": "Decision 541/QĐ-UBDT of 2 August 2023 amends and supplements parts of Decision 330/QĐ-UBDT of "
        "12 May 2023 by the Minister-Chairman of the Committee for Ethnic Minority Affairs approving the digital "
        "transformation scheme of the National Target Programme for ethnic minority and mountain areas, 2021–2025.\n\n"
        "This record is made from the citation in the article on Plan 44/KH-UBND; the archive does not hold the "
        "text. The article does not say who issued Decision 541: the issuer is inferred from its symbol “QĐ-UBDT”.",
        "document": {
            "number": "541/QĐ-UBDT",
            "document_type": "Quyết định",
            "issuing_body": "Ủy ban Dân tộc",
            "issue_date": "2023-08-02",
        },
        "provenance": "Số hiệu, ngày ban hành và nội dung (sửa đổi, bổ sung Quyết định 330/QĐ-UBDT) theo "
        f"{CITED_IN_44}. "
        "Suy đoán: cơ quan ban hành “Ủy ban Dân tộc” suy ra từ ký hiệu QĐ-UBDT; bài viết không nêu.",
        "subjects": ["van-ban-chinh-sach", "chuyen-doi-so"],
        "related": ["dtts-tv-003", "dtts-0032"],
    },
]

# The seed plans' own texts, re-typeset (the records and their full texts are archive demo data).
PLAN_FILES = [
    {
        "record": "dtts-0031",
        "filename": "Kế hoạch 101-KH-UBND Lạng Sơn – toàn văn dàn trang lại (demo).pdf",
        "title": "Kế hoạch 101/KH-UBND ngày 05/5/2021 của UBND tỉnh Lạng Sơn (bản dàn trang lại)",
        "author": "Ủy ban nhân dân tỉnh Lạng Sơn",
        "heading": (
            "Văn bản: Kế hoạch số 101/KH-UBND ngày 05/5/2021 của Ủy ban nhân dân tỉnh Lạng Sơn.",
            "Bản dàn trang lại từ toàn văn đã công bố công khai, làm cho bản trình diễn của kho lưu trữ; không phải "
            "bản gốc hay bản quét của văn bản. Re-typeset from the published text for the archive demo; not a "
            "facsimile of the original.",
        ),
        "footer": "Kế hoạch 101/KH-UBND (Lạng Sơn, 05/5/2021) · bản dàn trang lại, không phải bản gốc",
    },
    {
        "record": "dtts-0032",
        "filename": "Bài giới thiệu Kế hoạch 44-KH-UBND Thanh Hóa – dàn trang lại (demo).pdf",
        "title": "Bài giới thiệu Kế hoạch 44/KH-UBND của UBND tỉnh Thanh Hóa (UBND huyện Triệu Sơn, 23/02/2024)",
        "author": "UBND huyện Triệu Sơn",
        "heading": (
            "Bài “Thanh Hóa chỉ đạo chuyển đổi số và ứng dụng công nghệ thông tin vùng đồng bào dân tộc thiểu số và "
            "miền núi”, UBND huyện Triệu Sơn, 23/02/2024, giới thiệu Kế hoạch số 44/KH-UBND ngày 19/02/2024 của UBND "
            "tỉnh Thanh Hóa. Đây là bài viết, không phải văn bản kế hoạch.",
            "Bản dàn trang lại từ bài đã đăng công khai, làm cho bản trình diễn của kho lưu trữ. Re-typeset from the "
            "published article for the archive demo; it is not the plan itself.",
        ),
        "footer": "Bài giới thiệu Kế hoạch 44/KH-UBND (Triệu Sơn, 23/02/2024) · bản dàn trang lại",
    },
]

# --- generated sample items -------------------------------------------------------------------
# ``isbn`` and ``issn`` give the number without its check digit, which is computed. ``pdf`` says what
# the generated file holds: its pages, chapters (also the table of contents), prose about the topic,
# and the marker phrase on marker_page only.

NXB_VHDT = "Nhà xuất bản Núi Rừng (mẫu)"
NXB_KHXH = "Nhà xuất bản Bản Làng (mẫu)"
ARCHIVE_IMPRINT = "Kho lưu trữ số di sản các dân tộc thiểu số (bản trình diễn)"
BULLETIN = "Bản tin Di sản số các dân tộc thiểu số"

ITEMS = [
    {
        "identifier": "dtts-tv-101",
        "type": "book",
        "slug": "le-hoi-long-tong-cua-nguoi-tay-o-lam-binh",
        "slug_en": "long-tong-festival-of-the-tay-in-lam-binh",
        "title": "Lễ hội Lồng Tồng của người Tày ở Lâm Bình",
        "title_en": "The Lồng Tồng festival of the Tày in Lâm Bình",
        "other_titles": [{"lang": "en", "text": "The Lồng Tồng festival of the Tày in Lâm Bình"}],
        "summary": "Chuyên khảo về lễ hội xuống đồng đầu năm của người Tày ở Lâm Bình: chuẩn bị, phần lễ, phần hội và "
        "những thay đổi từ khi lễ hội vào Danh mục di sản văn hoá phi vật thể quốc gia năm 2013.",
        "summary_en": "A study of the Tày going-to-the-fields festival in Lâm Bình: its preparation, rites and games, "
        "and how it has changed since its national listing in 2013.",
        "creators": [("Hoàng Thị Mai", "aut"), ("Nông Văn Tuấn", "aut")],
        "bibliographic": {
            "publisher": NXB_VHDT,
            "publication_place": "Hà Nội",
            "extent": "48 tr. : minh hoạ ; 21 cm",
            "series": "Tủ sách Di sản văn hoá các dân tộc thiểu số",
            "series_number": "12",
        },
        "isbn": "978604702315",
        "year": 2019,
        "holdings": [
            ("Thư viện Trung tâm (mẫu)", "394.2609597 H407M"),
            ("Thư viện mẫu Tuyên Quang", "VV.01523"),
        ],
        "ethnic_groups": ["02"],
        "places": ["lam-binh-district", "08"],
        "subjects": ["le-hoi-nong-nghiep", "le-hoi-dau-nam"],
        "languages": ["vi"],
        "related": ["dtts-0001"],
        "pdf": {
            "pages": 48,
            "chapters": [
                "Người Tày ở Lâm Bình",
                "Chuẩn bị cho ngày hội xuống đồng",
                "Phần lễ: rước và dâng lễ vật",
                "Phần hội: trò chơi và hát lượn",
                "Lễ hội hôm nay",
            ],
            "topic": [
                "Lồng Tồng nghĩa là xuống đồng, là lễ hội đầu năm của người Tày và người Nùng ở vùng núi phía Bắc.",
                "Lễ hội cầu mưa thuận gió hoà, mùa màng tươi tốt và tỏ lòng biết ơn những người khai phá ruộng đồng.",
                "Ở Lâm Bình, lễ hội thường được tổ chức vào khoảng ngày 14 và 15 tháng Giêng âm lịch.",
                "Phần lễ gồm lễ rước và dâng lễ vật tại nơi thờ thần của bản.",
                "Phần hội có kéo co, hát then, hát lượn và nhiều trò chơi dân gian.",
            ],
            "marker": "quả còn ngũ sắc",
            "marker_page": 37,
            "marker_sentence": "Trò chơi được mong đợi nhất là tung quả còn ngũ sắc qua vòng tròn trên ngọn cây nêu.",
        },
    },
    {
        "identifier": "dtts-tv-102",
        "type": "book",
        "slug": "nghe-gom-cua-nguoi-cham-o-bau-truc",
        "slug_en": "cham-pottery-in-bau-truc",
        "title": "Nghề gốm của người Chăm ở Bàu Trúc",
        "title_en": "Chăm pottery in Bàu Trúc",
        "summary": "Sách ảnh và ghi chép về nghề gốm của phụ nữ Chăm ở làng Bàu Trúc: đất, dáng gốm, cách tạo hình "
        "không dùng bàn xoay và cách nung.",
        "summary_en": "Photographs and notes on the pottery of Chăm women in Bàu Trúc village: clay, forms, shaping "
        "without a wheel, and firing.",
        "creators": [("Đàng Thị Hạnh", "aut"), ("Trần Minh Đức", "pht")],
        "bibliographic": {
            "publisher": NXB_KHXH,
            "publication_place": "Hà Nội",
            "extent": "36 tr. : ảnh màu ; 24 cm",
            "edition": "Tái bản lần thứ 1",
        },
        "isbn": "978604622104",
        "year": 2022,
        "holdings": [("Thư viện mẫu Viện Nghiên cứu Vùng cao", "738.09597 Đ106H")],
        "ethnic_groups": ["17"],
        "places": ["bau-truc-village", "ninh-thuan-province"],
        "subjects": ["nghe-thu-cong", "gom"],
        "languages": ["vi"],
        "related": ["dtts-0021"],
        "pdf": {
            "pages": 36,
            "chapters": [
                "Làng gốm Bàu Trúc",
                "Đất và nguyên liệu",
                "Tạo dáng không dùng bàn xoay",
                "Trang trí và nung",
            ],
            "topic": [
                "Nghề gốm ở Bàu Trúc chủ yếu do phụ nữ đảm nhận và được truyền từ mẹ sang con gái.",
                "Người thợ đặt khối đất lên một bệ cố định rồi tự đi vòng quanh để vuốt và tạo dáng.",
                "Vỏ sò, mảnh vải và que tre là những dụng cụ quen thuộc của người thợ gốm.",
                "Năm 2022, nghệ thuật làm gốm của người Chăm được UNESCO ghi danh là di sản cần bảo vệ khẩn cấp.",
            ],
            "marker": "nung lộ thiên",
            "marker_page": 21,
            "marker_sentence": "Gốm phơi khô được nung lộ thiên bằng rơm và củi trong vài giờ, nên mỗi sản phẩm có sắc "
            "màu loang riêng.",
        },
    },
    {
        "identifier": "dtts-tv-103",
        "type": "book",
        "slug": "then-va-dan-tinh-cua-nguoi-tay",
        "slug_en": "then-and-the-tinh-lute-of-the-tay",
        "title": "Then và đàn tính trong đời sống người Tày",
        "title_en": "Then and the tính lute in Tày life",
        "summary": "Tuyển tập nghiên cứu về thực hành Then và cây đàn tính của người Tày, Nùng ở vùng Việt Bắc.",
        "summary_en": "Collected studies of Then practice and the tính lute among the Tày and Nùng of the Việt Bắc "
        "region.",
        "creators": [("Lương Thị Thu", "edt"), ("Bế Văn Khang", "aut"), ("Hoàng Thị Mai", "aut")],
        "bibliographic": {
            "publisher": NXB_VHDT,
            "publication_place": "Hà Nội",
            "extent": "60 tr. ; 21 cm",
            "series": "Tủ sách Di sản văn hoá các dân tộc thiểu số",
            "series_number": "15",
        },
        "isbn": "978604569218",
        "year": 2021,
        "holdings": [
            ("Thư viện Trung tâm (mẫu)", "781.6209597 TH203V"),
            ("Thư viện mẫu Lạng Sơn", "VV.02871"),
        ],
        "ethnic_groups": ["02", "07"],
        "places": ["04", "20", "bac-kan-province"],
        "subjects": ["tin-nguong", "am-nhac-dan-gian", "nhac-cu-dan-toc"],
        "languages": ["vi"],
        "related": ["dtts-0014", "dtts-0026"],
        "pdf": {
            "pages": 60,
            "chapters": [
                "Then trong đời sống tín ngưỡng",
                "Lời Then và hành trình của đoàn quân âm binh",
                "Cây đàn tính",
                "Người làm Then hôm nay",
                "Then trên sân khấu và trong lớp học",
            ],
            "topic": [
                "Người làm Then dùng lời hát, tiếng đàn tính và chùm xóc nhạc để chuyển lời cầu xin lên thần linh.",
                "Then được thực hành trong nhiều dịp: cầu an, cầu mùa, mừng thọ và mừng nhà mới.",
                "Đàn tính có cần dài bằng gỗ, không có phím bấm, thường có hai hoặc ba dây.",
                "Năm 2019, thực hành Then của người Tày, Nùng, Thái được UNESCO ghi danh.",
            ],
            "marker": "bầu đàn làm từ quả bầu khô",
            "marker_page": 44,
            "marker_sentence": "Người làm đàn chọn quả bầu già, vì bầu đàn làm từ quả bầu khô mới cho tiếng vang.",
        },
    },
    {
        "identifier": "dtts-tv-111",
        "type": "thesis",
        "slug": "nghi-le-cap-sac-cua-nguoi-dao-o-bac-kan",
        "slug_en": "cap-sac-initiation-of-the-dao-in-bac-kan",
        "title": "Nghi lễ Cấp sắc của người Dao ở Bắc Kạn: truyền thống và biến đổi",
        "title_en": "The Cấp sắc initiation of the Dao in Bắc Kạn: tradition and change",
        "summary": "Luận án tiến sĩ Nhân học về nghi lễ Cấp sắc của người Dao Đỏ và Dao Tiền ở tỉnh Bắc Kạn (cũ), dựa "
        "trên điền dã 2017–2020.",
        "summary_en": "A doctoral dissertation in anthropology on the Cấp sắc initiation of the Red Dao and Dao "
        "Tiền in "
        "former Bắc Kạn province, based on fieldwork from 2017 to 2020.",
        "creators": [("Triệu Văn Phú", "aut"), ("Lý Thị Hương", "ths")],
        "bibliographic": {"publication_place": "Hà Nội", "extent": "42 tr. ; 30 cm"},
        "thesis": {"degree": "doctorate", "institution": "Học viện Nghiên cứu Vùng cao (mẫu)"},
        "year": 2021,
        "holdings": [("Thư viện Học viện Nghiên cứu Vùng cao (mẫu)", "LA.2021.014")],
        "ethnic_groups": ["09"],
        "places": ["bac-kan-province"],
        "subjects": ["nghi-le-vong-doi", "tin-nguong"],
        "languages": ["vi"],
        "related": ["dtts-0008", "dtts-0025"],
        "pdf": {
            "pages": 42,
            "chapters": [
                "Tổng quan tình hình nghiên cứu",
                "Người Dao ở Bắc Kạn",
                "Các bậc của lễ Cấp sắc",
                "Biến đổi của nghi lễ",
                "Kết luận",
            ],
            "topic": [
                "Cấp sắc là nghi lễ quan trọng bậc nhất trong đời người đàn ông Dao.",
                "Qua lễ, người thụ lễ được đặt tên âm và được cộng đồng thừa nhận là người trưởng thành.",
                "Lễ thường được làm vào tháng 11, tháng 12 hoặc tháng Giêng âm lịch, lúc nông nhàn.",
                "Sách cúng viết bằng chữ Nôm Dao được thầy cúng đọc trong suốt các ngày làm lễ.",
            ],
            "marker": "lễ cấp sắc mười hai đèn",
            "marker_page": 29,
            "marker_sentence": "Bậc cao nhất là lễ cấp sắc mười hai đèn, kéo dài nhiều ngày và cần nhiều thầy cúng.",
        },
    },
    {
        "identifier": "dtts-tv-112",
        "type": "thesis",
        "slug": "nghe-det-vai-lanh-cua-nguoi-mong-o-quan-ba",
        "slug_en": "hmong-hemp-weaving-in-quan-ba",
        "title": "Nghề dệt vải lanh của người Mông ở Quản Bạ, Hà Giang",
        "title_en": "Hmong hemp weaving in Quản Bạ, Hà Giang",
        "summary": "Luận văn thạc sĩ Văn hoá học về nghề trồng lanh, dệt vải và vẽ sáp ong của phụ nữ Mông ở Quản Bạ. "
        "Toàn văn chỉ dành cho bạn đọc đã đăng ký.",
        "summary_en": "A master's thesis in cultural studies on hemp growing, weaving and wax drawing by Hmong "
        "women in "
        "Quản Bạ. The full text is for registered readers only.",
        "access_level": "registered",
        "creators": [("Giàng Thị Mỷ", "aut"), ("Phạm Quang Huy", "ths")],
        "bibliographic": {"publication_place": "Hà Nội", "extent": "38 tr. ; 30 cm"},
        "thesis": {"degree": "master", "institution": "Trường Đại học Văn hoá Miền núi (mẫu)"},
        "year": 2023,
        "holdings": [("Thư viện Trường Đại học Văn hoá Miền núi (mẫu)", "LV.2023.087")],
        "ethnic_groups": ["08"],
        "places": ["quan-ba-district", "ha-giang-province"],
        "subjects": ["det-tho-cam", "trang-phuc"],
        "languages": ["vi"],
        "related": ["dtts-0024"],
        "pdf": {
            "pages": 38,
            "chapters": [
                "Cơ sở lý luận",
                "Cây lanh và sợi lanh",
                "Dệt, vẽ hoa văn và nhuộm chàm",
                "Hợp tác xã và du lịch",
            ],
            "topic": [
                "Cây lanh được trồng trên nương; thân lanh phơi khô được tước lấy vỏ để làm sợi.",
                "Người phụ nữ nối từng đoạn sợi bằng tay, se sợi và luộc sợi nhiều lần với tro bếp.",
                "Vải dệt xong được nhuộm chàm nhiều lần cho đến khi có màu xanh thẫm.",
                "Theo quan niệm truyền thống, người Mông khi mất được mặc quần áo vải lanh để tổ tiên nhận ra.",
            ],
            "marker": "vẽ sáp ong lên vải lanh",
            "marker_page": 23,
            "marker_sentence": "Dụng cụ để vẽ sáp ong lên vải lanh là một cán tre gắn những lá đồng mỏng gấp chéo.",
        },
    },
    {
        "identifier": "dtts-tv-121",
        "type": "periodical",
        "slug": "ban-tin-di-san-so",
        "slug_en": "digital-heritage-bulletin",
        "title": BULLETIN,
        "title_en": "Bulletin of the Digital Heritage of Ethnic Minorities",
        "summary": "Bản tin hằng quý của kho lưu trữ: nghiên cứu ngắn, ghi chép điền dã và tin hoạt động.",
        "summary_en": "The archive's quarterly bulletin: short studies, field notes and news.",
        "creators": [("Ban biên tập Bản tin Di sản số", "edt", "organisation")],
        "bibliographic": {
            "publisher": ARCHIVE_IMPRINT,
            "publication_place": "Hà Nội",
            "extent": "tập : minh hoạ ; 27 cm",
        },
        "periodical": {"frequency": "hằng quý (quarterly)"},
        "issn": "1859704",
        "year": 2024,
        "holdings": [("Thư viện Trung tâm (mẫu)", "BT.1859-7041")],
        "ethnic_groups": ["02", "07", "08"],
        "places": [],
        "subjects": ["bao-ton-di-san", "chuyen-doi-so"],
        "languages": ["vi"],
        "related": ["dtts-0017", "dtts-0018"],
        "pdf": {
            "pages": 4,
            "chapters": ["Giới thiệu bản tin", "Hướng dẫn cho tác giả"],
            "topic": [
                "Bản tin đăng bài bằng tiếng Việt, có tóm tắt tiếng Anh.",
                "Bài viết về nghi lễ phải có sự đồng ý của cộng đồng chủ thể trước khi đăng.",
            ],
            "marker": "thể lệ gửi bài",
            "marker_page": 3,
            "marker_sentence": "Tác giả đọc kỹ thể lệ gửi bài trước khi gửi bản thảo về ban biên tập.",
        },
    },
    {
        "identifier": "dtts-tv-122",
        "type": "issue",
        "parent": "dtts-tv-121",
        "slug": "so-1-2024",
        "slug_en": "no-1-2024",
        "title": f"{BULLETIN}, số 1 (2024)",
        "title_en": "Bulletin of the Digital Heritage of Ethnic Minorities, no. 1 (2024)",
        "summary": "Số ra mắt: giới thiệu kho lưu trữ, hát Sli của người Nùng, ghi chép điền dã ở Lạng Sơn.",
        "summary_en": "First issue: the archive, Nùng Sli singing, field notes from Lạng Sơn.",
        "creators": [("Nguyễn Thu Trang", "edt")],
        "bibliographic": {
            "publisher": ARCHIVE_IMPRINT,
            "publication_place": "Hà Nội",
            "extent": "20 tr. ; 27 cm",
            "volume": "1",
            "issue_number": "1",
        },
        "issn": "1859704",
        "date": {"precision": "month", "start": "2024-03-01"},
        "holdings": [("Thư viện Trung tâm (mẫu)", "BT.1859-7041/2024-1")],
        "ethnic_groups": ["07"],
        "places": ["20"],
        "subjects": ["dan-ca", "bao-ton-di-san"],
        "languages": ["vi"],
        "related": ["dtts-0017"],
        "pdf": {
            "pages": 20,
            "chapters": ["Lời toà soạn", "Nghiên cứu – trao đổi", "Ghi chép điền dã", "Tin hoạt động"],
            "topic": [
                "Số đầu tiên của bản tin dành nhiều trang cho dân ca của người Nùng ở Lạng Sơn.",
                "Sli thường được hát đối đáp giữa nhóm nam và nhóm nữ ở phiên chợ và trong lễ hội.",
            ],
            "marker": "mạng lưới cộng tác viên ở các bản",
            "marker_page": 6,
            "marker_sentence": "Kho lưu trữ đang xây dựng mạng lưới cộng tác viên ở các bản để ghi lại tư liệu "
            "tại chỗ.",
        },
    },
    {
        "identifier": "dtts-tv-123",
        "type": "issue",
        "parent": "dtts-tv-121",
        "slug": "so-2-2024",
        "slug_en": "no-2-2024",
        "title": f"{BULLETIN}, số 2 (2024)",
        "title_en": "Bulletin of the Digital Heritage of Ethnic Minorities, no. 2 (2024)",
        "summary": "Chuyên đề nhạc cụ: khèn Mông, đàn tính, cồng chiêng; tin về các lớp truyền dạy.",
        "summary_en": "Musical instruments: the Hmong khèn, the tính lute, gongs; news of teaching classes.",
        "creators": [("Nguyễn Thu Trang", "edt")],
        "bibliographic": {
            "publisher": ARCHIVE_IMPRINT,
            "publication_place": "Hà Nội",
            "extent": "20 tr. ; 27 cm",
            "volume": "1",
            "issue_number": "2",
        },
        "issn": "1859704",
        "date": {"precision": "month", "start": "2024-06-01"},
        "holdings": [("Thư viện Trung tâm (mẫu)", "BT.1859-7041/2024-2")],
        "ethnic_groups": ["08"],
        "places": ["ha-giang-province"],
        "subjects": ["nhac-cu-dan-toc", "am-nhac-dan-gian"],
        "languages": ["vi"],
        "related": ["dtts-0018"],
        "pdf": {
            "pages": 20,
            "chapters": ["Lời toà soạn", "Chuyên đề nhạc cụ dân tộc", "Tư liệu", "Tin hoạt động"],
            "topic": [
                "Số này giới thiệu các nhạc cụ được trình bày trong kho lưu trữ.",
                "Tiếng khèn giữ vai trò quan trọng trong tang lễ và trong các lễ hội đầu năm của người Mông.",
            ],
            "marker": "cuộc thi ảnh di sản của bạn",
            "marker_page": 11,
            "marker_sentence": "Ban biên tập phát động cuộc thi ảnh di sản của bạn dành cho thanh niên các dân tộc.",
        },
    },
    {
        "identifier": "dtts-tv-124",
        "type": "article",
        "part_of": "dtts-tv-122",
        "slug": "hat-sli-cua-nguoi-nung-o-lang-son",
        "slug_en": "nung-sli-singing-in-lang-son",
        "title": "Hát Sli của người Nùng ở Lạng Sơn: ghi chép từ một mùa hội",
        "title_en": "Nùng Sli singing in Lạng Sơn: notes from one festival season",
        "summary": "Ghi chép về các cặp hát Sli ở phiên chợ và lễ hội đầu năm tại Lạng Sơn, lời hát và người hát.",
        "summary_en": "Notes on Sli singing pairs at markets and New Year festivals in Lạng Sơn, their songs "
        "and singers.",
        "creators": [("Vi Thị Hoa", "aut")],
        "bibliographic": {"pages": "5-18", "volume": "1", "issue_number": "1", "extent": "14 tr."},
        "year": 2024,
        "ethnic_groups": ["07"],
        "places": ["20"],
        "subjects": ["dan-ca"],
        "languages": ["vi", "nut"],
        "related": ["dtts-0017"],
        "pdf": {
            "pages": 14,
            "chapters": ["Mở đầu", "Những cặp hát", "Lời Sli", "Kết luận"],
            "topic": [
                "Mỗi bên thường có hai người cùng hát theo hai bè, không có nhạc cụ đệm.",
                "Lời Sli là thơ bằng tiếng Nùng, có bài cổ thuộc lòng và có lời ứng tác tại chỗ.",
                "Các nhóm Nùng khác nhau có những làn điệu Sli riêng.",
            ],
            "marker": "hai giọng cao thấp quyện vào nhau",
            "marker_page": 9,
            "marker_sentence": "Người nghe nhận ra Sli nhờ hai giọng cao thấp quyện vào nhau suốt cả câu hát.",
        },
    },
    {
        "identifier": "dtts-tv-125",
        "type": "article",
        "part_of": "dtts-tv-123",
        "slug": "khen-trong-doi-song-nguoi-mong-o-ha-giang",
        "slug_en": "the-khen-in-hmong-life-in-ha-giang",
        "title": "Khèn trong đời sống người Mông ở Hà Giang",
        "title_en": "The khèn in Hmong life in Hà Giang",
        "summary": "Bài nghiên cứu về vai trò của khèn trong tang lễ và lễ hội Gầu Tào của người Mông, và về những "
        "nghệ nhân làm khèn.",
        "summary_en": "A study of the khèn in Hmong funerals and the Gầu Tào festival, and of the craftsmen who "
        "make it.",
        "creators": [("Sùng A Lử", "aut"), ("Đỗ Thanh Bình", "aut")],
        "bibliographic": {"pages": "21-32", "volume": "1", "issue_number": "2", "extent": "12 tr."},
        "year": 2024,
        "ethnic_groups": ["08"],
        "places": ["ha-giang-province"],
        "subjects": ["nhac-cu-dan-toc", "tang-le"],
        "languages": ["vi", "hmn"],
        "related": ["dtts-0018", "dtts-0002"],
        "pdf": {
            "pages": 12,
            "chapters": ["Mở đầu", "Khèn trong tang lễ", "Khèn trong lễ hội", "Người làm khèn"],
            "topic": [
                "Với người Mông, tiếng khèn còn là lời nói mà người hiểu khèn có thể nghe ra.",
                "Trong lễ hội Gầu Tào, các chàng trai vừa thổi khèn vừa múa với những động tác xoay người.",
                "Lưỡi gà bằng đồng phải được làm cẩn thận để khèn có tiếng chuẩn.",
            ],
            "marker": "sáu ống trúc",
            "marker_page": 7,
            "marker_sentence": "Chiếc khèn gồm sáu ống trúc gắn vào một bầu hơi bằng gỗ.",
        },
    },
    {
        "identifier": "dtts-tv-131",
        "type": "report",
        "slug": "bao-cao-khao-sat-so-hoa-le-hoi-lang-son",
        "slug_en": "survey-of-festival-digitisation-in-lang-son",
        "title": "Báo cáo khảo sát thực trạng số hoá tư liệu lễ hội của các dân tộc thiểu số tỉnh Lạng Sơn",
        "title_en": "Survey of the digitisation of ethnic-minority festival records in Lạng Sơn",
        "summary": "Báo cáo khảo sát tư liệu lễ hội đã được số hoá ở các xã của tỉnh Lạng Sơn, đối chiếu với mục tiêu "
        "80% lễ hội, phong tục được bảo tồn dưới dạng số của Kế hoạch 101/KH-UBND.",
        "summary_en": "A survey of the festival records digitised in Lạng Sơn's communes, set against the 80% "
        "target of "
        "Plan 101/KH-UBND.",
        "creators": [
            ("Nhóm nghiên cứu Kho lưu trữ số (dữ liệu mẫu)", "aut", "organisation"),
            ("Lâm Văn Quân", "com"),
            ("Hà Thị Ngọc", "com"),
        ],
        "bibliographic": {"publisher": ARCHIVE_IMPRINT, "publication_place": "Lạng Sơn", "extent": "32 tr. ; 30 cm"},
        "report": {"report_number": "BC-2022-03"},
        "year": 2022,
        "holdings": [("Thư viện mẫu Lạng Sơn", "BC.2022.03")],
        "ethnic_groups": ["02", "07"],
        "places": ["20"],
        "subjects": ["chuyen-doi-so", "bao-ton-di-san", "le-hoi-nong-nghiep"],
        "languages": ["vi"],
        "related": ["dtts-0031", "dtts-0001"],
        "pdf": {
            "pages": 32,
            "chapters": ["Mục tiêu và phương pháp", "Kết quả khảo sát", "Đánh giá", "Kiến nghị"],
            "topic": [
                "Kế hoạch của tỉnh đặt mục tiêu bảo tồn phần lớn lễ hội, phong tục dưới dạng cơ sở dữ liệu số hoá.",
                "Nhiều tư liệu ghi hình lễ hội còn nằm rải rác ở các nhà văn hoá và trong điện thoại của người dân.",
                "Nhóm khảo sát đề xuất thống nhất mẫu mô tả tư liệu giữa các xã.",
            ],
            "marker": "phiếu khảo sát lễ hội cấp xã",
            "marker_page": 17,
            "marker_sentence": "Mẫu phiếu khảo sát lễ hội cấp xã gồm mười hai câu hỏi về tư liệu hiện có.",
        },
    },
    {
        "identifier": "dtts-tv-141",
        "type": "conference-paper",
        "slug": "so-hoa-khong-gian-van-hoa-cong-chieng",
        "slug_en": "digitising-the-space-of-gong-culture",
        "title": "Số hoá Không gian văn hoá Cồng chiêng Tây Nguyên: kinh nghiệm từ một kho lưu trữ cộng đồng",
        "title_en": "Digitising the Space of Gong Culture: lessons from a community archive",
        "summary": "Tham luận về cách ghi âm, mô tả và chia sẻ tư liệu cồng chiêng cùng các cộng đồng Ba Na, Ê Đê và "
        "Gia Rai.",
        "summary_en": "A paper on recording, describing and sharing gong music with Ba Na, Ê Đê and Gia Rai "
        "communities.",
        "creators": [("H'Linh Niê", "aut"), ("Nguyễn Đức Anh", "aut")],
        "bibliographic": {
            "container_title": "Kỷ yếu Hội thảo khoa học Di sản văn hoá phi vật thể trong kỷ nguyên số",
            "publisher": NXB_KHXH,
            "publication_place": "Hà Nội",
            "pages": "112-123",
            "extent": "12 tr.",
            "doi": "10.5555/dtts-demo.2023.141",
        },
        "conference": {
            "conference_name": "Hội thảo khoa học Di sản văn hoá phi vật thể trong kỷ nguyên số",
            "conference_place": "Buôn Ma Thuột",
        },
        "year": 2023,
        "ethnic_groups": ["13", "12", "10"],
        "places": ["66", "52"],
        "subjects": ["cong-chieng", "chuyen-doi-so"],
        "languages": ["vi"],
        "related": ["dtts-0016"],
        "pdf": {
            "pages": 12,
            "chapters": ["Đặt vấn đề", "Ghi âm cùng cộng đồng", "Mô tả và chia sẻ", "Kết luận"],
            "topic": [
                "Mỗi bộ cồng chiêng gồm nhiều chiếc với âm vực khác nhau, mỗi người giữ một chiếc.",
                "Cồng chiêng được đánh trong các nghi lễ của vòng đời và của chu kỳ nông nghiệp.",
                "Người dân tin rằng mỗi chiếc cồng, chiêng có thần linh trú ngụ.",
            ],
            "marker": "lập chỉ mục âm thanh cồng chiêng",
            "marker_page": 8,
            "marker_sentence": "Nhóm thử nghiệm lập chỉ mục âm thanh cồng chiêng theo từng bài và từng nghi lễ.",
        },
    },
    {
        "identifier": "dtts-tv-151",
        "type": "map",
        "slug": "ban-do-le-hoi-viet-bac",
        "slug_en": "map-of-festivals-in-viet-bac",
        "title": "Bản đồ một số lễ hội và thực hành văn hoá của các dân tộc thiểu số vùng Việt Bắc",
        "title_en": "Map of some festivals and cultural practices of ethnic minorities in the Việt Bắc region",
        "summary": "Bản đồ đặt các lễ hội, thực hành văn hoá trong kho lưu trữ lên toạ độ của tỉnh lỵ (theo dữ "
        "liệu địa "
        "danh của kho), kèm chú giải.",
        "summary_en": "A map placing festivals and practices held in the archive at their provincial seats (from the "
        "archive's place data), with a legend.",
        "creators": [("Trịnh Văn Sơn", "ctg"), (ARCHIVE_IMPRINT, "isb", "organisation")],
        "bibliographic": {
            "publisher": ARCHIVE_IMPRINT,
            "publication_place": "Hà Nội",
            "extent": "1 bản đồ (2 tr.) : màu ; 21 x 30 cm",
        },
        "map": {"scale": "1:1 250 000"},
        "isbn": "978604901276",
        "year": 2024,
        "holdings": [("Thư viện Trung tâm (mẫu)", "BĐ.912.597 B105Đ")],
        "ethnic_groups": ["02", "07", "09", "08"],
        "places": ["04", "20", "08", "bac-kan-province", "ha-giang-province"],
        "subjects": ["le-hoi-nong-nghiep", "bao-ton-di-san"],
        "languages": ["vi"],
        "related": ["dtts-0001", "dtts-0014", "dtts-0017"],
        "pdf": {
            "pages": 2,
            "scale": 1_250_000,
            "points": [
                ("lam-binh-district", "Lâm Bình", "Lồng Tồng"),
                ("04", "Cao Bằng", "Then, đàn tính"),
                ("20", "Lạng Sơn", "Lồng Tồng, hát Sli"),
                ("08", "Tuyên Quang", "Lồng Tồng"),
                ("bac-kan-province", "Bắc Kạn (cũ)", "Then, Cấp sắc"),
                ("ha-giang-province", "Hà Giang (cũ)", "Gầu Tào, khèn"),
                ("19", "Thái Nguyên", ""),
            ],
            "legend": [
                "Chấm đỏ: tỉnh lỵ, đặt theo toạ độ trong dữ liệu địa danh của kho (places.yaml), vị trí gần đúng.",
                "Dòng chữ nhỏ dưới mỗi địa danh: lễ hội, thực hành văn hoá có bản ghi trong kho.",
                "Tên tỉnh có chữ (cũ): đơn vị hành chính trước ngày 1/7/2025.",
                "Lưới kinh vĩ độ cách nhau nửa độ; phép chiếu trụ đều, đủ chính xác ở phạm vi này.",
            ],
            "marker": "ký hiệu cây nêu",
            "marker_page": 2,
            "marker_sentence": "Cột cờ nhỏ cạnh chấm đỏ là ký hiệu cây nêu: nơi có bản ghi về lễ hội xuống đồng "
            "Lồng Tồng.",
        },
    },
]

TYPES = {model.type_slug: model for model in ITEM_TYPES}


# --- numbers -----------------------------------------------------------------------------------


def isbn13(body: str) -> str:
    """A 12-digit ISBN body completed with its check digit (hyphenated by the model's validation)."""
    return body + ean.calc_check_digit(body)


def issn(body: str) -> str:
    return stdnum_issn.format(body + stdnum_issn.calc_check_digit(body))


def _html(text: str) -> str:
    blocks = [block.strip() for block in (text or "").split("\n\n") if block.strip()]
    return "".join(f"<p>{escape(' '.join(block.split()))}</p>" for block in blocks)


def _year_date(spec: dict) -> tuple[str, dt.date, dt.date | None]:
    """The item's date and its precision: ``date`` as the records give it, or just a ``year``."""
    if "date" in spec:
        end = spec["date"].get("end")
        return (
            spec["date"]["precision"],
            dt.date.fromisoformat(spec["date"]["start"]),
            end and dt.date.fromisoformat(end),
        )
    return "year", dt.date(spec["year"], 1, 1), None


def find_place(key: str) -> Place | None:
    """A place by province code ("20") or key ("lam-binh-district"), as the demo records name them."""
    if key.isdigit():
        return Place.objects.filter(code=key.zfill(2), kind__in=Place.PROVINCE_KINDS).first()
    return Place.objects.filter(slug=key).first()


# --- pages ---------------------------------------------------------------------------------------


class LibraryLoader:
    """Makes the library page, the cited documents and the sample items under a home page in each locale."""

    def __init__(self, homes: dict):
        self.homes = homes
        self.default = Locale.get_default()
        self.home = homes[self.default.language_code]
        self.created = {"library items": 0, "library documents": 0, "library translations": 0}
        self.pages: dict[str, RecordPage] = {}

    def load(self) -> dict[str, int]:
        library = self._library()
        self._documents()
        for spec in ITEMS:
            self.pages[spec["identifier"]] = self._item(spec, library)
        for spec in [*DOCUMENTS, *ITEMS]:
            self._relate(spec)
        for spec in [*DOCUMENTS, *ITEMS]:  # parents (the periodical) before their children (its issues)
            self._translate(spec, self.pages.get(spec["identifier"]))
        return self.created

    # lookups that explain themselves when they fail
    def _where(self, spec: dict) -> str:
        return f"library demo, {spec['identifier']}"

    def _terms(self, model, field: str, values, spec: dict) -> list:
        values = [str(value) for value in values or []]
        found = {str(getattr(term, field)): term for term in model.objects.filter(**{f"{field}__in": values})}
        missing = [value for value in values if value not in found]
        if missing:
            raise DemoDataError(f"{self._where(spec)}: unknown {model._meta.verbose_name} {', '.join(missing)}")
        return [found[value] for value in values]

    def _places(self, keys, spec: dict) -> list[Place]:
        places = []
        for key in keys or []:
            place = find_place(str(key))
            if place is None:
                raise DemoDataError(f"{self._where(spec)}: unknown place {key!r}")
            places.append(place)
        return places

    def _existing(self, identifier: str) -> RecordPage | None:
        assigned = PersistentIdentifier.objects.filter(identifier=identifier).first()
        if assigned is None:
            return None
        page = RecordPage.objects.filter(translation_key=assigned.translation_key, locale=self.default).first()
        return page.specific if page else None

    def _add(self, parent, page, spec: dict):
        try:
            parent.add_child(instance=page)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
            else:
                messages = " ".join(exc.messages)
            raise DemoDataError(f"{self._where(spec)}: {messages}") from exc
        page.save_revision().publish()

    def _describe(self, page: RecordPage, spec: dict) -> None:
        """What every record has: dates, taxonomy terms."""
        precision, start, end = _year_date(spec)
        page.date_precision = precision
        page.date_start = start
        page.date_end = end
        page.ethnic_groups = self._terms(EthnicGroup, "code", spec.get("ethnic_groups"), spec)
        page.places = self._places(spec.get("places"), spec)
        page.subjects = self._terms(Subject, "slug", spec.get("subjects"), spec)
        page.languages = self._terms(Language, "tag", spec.get("languages", ["vi"]), spec)

    # the section
    def _library(self) -> LibraryPage:
        library = LibraryPage.objects.child_of(self.home).first()
        if library is None:
            library = LibraryPage(
                title=LIBRARY["title"], slug=LIBRARY["slug"], intro=LIBRARY["intro"], show_in_menus=True
            )
            self.home.add_child(instance=library)
            library.save_revision().publish()
        for code, home in self.homes.items():
            if code == self.default.language_code or library.has_translation(home.locale):
                continue
            translation = library.copy_for_translation(home.locale)
            translation.title = LIBRARY.get(f"title_{code}") or LIBRARY["title"]
            translation.slug = LIBRARY.get(f"slug_{code}") or LIBRARY["slug"]
            translation.intro = LIBRARY.get(f"intro_{code}") or LIBRARY["intro"]
            translation.save_revision().publish()
        return library

    # the real documents, in the demo's documents collection (the library lists documents wherever they are)
    def _documents(self) -> None:
        collection = CollectionPage.objects.child_of(self.home).filter(slug=DOCUMENTS_COLLECTION).first()
        for spec in DOCUMENTS:
            page = self._existing(spec["identifier"])
            if page is None and collection is None:
                logger.warning(
                    "No %s collection: the cited document %s is skipped.", DOCUMENTS_COLLECTION, spec["identifier"]
                )
                continue
            if page is None:
                document = spec["document"]
                page = DocumentPage(
                    title=spec["title"],
                    slug=spec["slug"],
                    identifier=spec["identifier"],
                    summary=spec["summary"],
                    body=_html(spec["body"]),
                    provenance=spec["provenance"],
                    rights_uri=PUBLIC_DOMAIN,
                    document_number=document["number"],
                    document_type=document["document_type"],
                    issuing_body=document["issuing_body"],
                    signer=document.get("signer", ""),
                    issue_date=dt.date.fromisoformat(document["issue_date"]),
                    status=DocumentPage.Status.UNKNOWN,
                )
                self._describe(page, {**spec, "date": {"precision": "day", "start": document["issue_date"]}})
                page.contributors.add(RecordContributor(name=document["issuing_body"], role="author"))
                self._link(page, spec)
                self._add(collection, page, spec)
                self.created["library documents"] += 1
            self.pages[spec["identifier"]] = page

    # the samples
    def _person(self, name: str, kind: str = Person.Kind.PERSON) -> Person:
        """The sample person (or organisation) of that name, created with a note saying it is a sample."""
        person = Person.objects.filter(key=name_key(name), kind=kind).order_by("pk").first()
        if person is None:
            note = SAMPLE_PERSON_NOTE if kind == Person.Kind.PERSON else "Tên mẫu của bản trình diễn · Sample."
            person = Person.objects.create(name=name, kind=kind, note=note)
        return person

    def _item(self, spec: dict, library: LibraryPage) -> LibraryItemPage:
        page = self._existing(spec["identifier"])
        if page is not None:
            return page
        model = TYPES[spec["type"]]
        page = model(
            title=spec["title"] + SAMPLE_TITLE["vi"],
            slug=spec["slug"],
            identifier=spec["identifier"],
            summary=SAMPLE_SUMMARY["vi"] + spec["summary"],
            provenance=SAMPLE_PROVENANCE,
            rights_uri=CC0,
            access_level=spec.get("access_level", "public"),
            notes=SAMPLE_NOTE,
            table_of_contents="\n".join(spec["pdf"].get("chapters", [])),
        )
        for field, value in {
            **spec.get("bibliographic", {}), **spec.get("thesis", {}), **spec.get("periodical", {}),
            **spec.get("report", {}), **spec.get("conference", {}), **spec.get("map", {}),
        }.items():  # fmt: skip
            setattr(page, field, value)
        if spec.get("isbn"):
            page.isbn = isbn13(spec["isbn"])
        if spec.get("issn"):
            page.issn = issn(spec["issn"])
        if spec.get("part_of"):
            page.part_of = self.pages[spec["part_of"]]
        self._describe(page, spec)
        for order, (name, role, *kind) in enumerate(spec["creators"]):
            page.creators.add(ItemCreator(person=self._person(name, *kind), role=role, sort_order=order))
        for order, (institution, call_number) in enumerate(spec.get("holdings", [])):
            page.holdings.add(
                ItemHolding(institution=institution, call_number=call_number, note=SAMPLE_HOLDING, sort_order=order)
            )
        for order, other in enumerate(spec.get("other_titles", [])):
            language = self._terms(Language, "tag", [other["lang"]], spec)[0]
            page.other_titles.add(RecordTitle(language=language, title=other["text"], sort_order=order))
        self._link(page, spec)
        parent = self.pages[spec["parent"]] if spec.get("parent") else library
        self._add(parent, page, spec)
        self.created["library items"] += 1
        return page

    # links and translations
    def _link(self, page: RecordPage, spec: dict) -> bool:
        """Add the related records ``page`` does not link to yet (made before the page is first saved, so
        a new page is published once); whether any was added."""
        have = {link.target_id for link in page.related_links.all()}
        added = False
        for identifier in spec.get("related", []):
            target = self.pages.get(identifier) or self._existing(identifier)
            if target is None:
                logger.warning("Demo record %s is missing; %s is not linked to it.", identifier, spec["identifier"])
            elif target.pk not in have:
                page.related_links.add(RelatedRecord(target=target, sort_order=len(have)))
                have.add(target.pk)
                added = True
        return added

    def _relate(self, spec: dict) -> None:
        """Links a page loaded before lacks (a record that came later, with another data folder)."""
        page = self.pages.get(spec["identifier"])
        if page is not None and self._link(page, spec):
            page.save_revision().publish()

    def _translate(self, spec: dict, page: RecordPage | None) -> None:
        if page is None:
            return
        for code, home in self.homes.items():
            if code == self.default.language_code or page.has_translation(home.locale):
                continue
            translation = page.copy_for_translation(home.locale)
            is_sample = "pdf" in spec
            translation.title = (spec.get(f"title_{code}") or spec["title"]) + (SAMPLE_TITLE["en"] if is_sample else "")
            translation.slug = spec.get(f"slug_{code}") or translation.slug
            summary = spec.get(f"summary_{code}") or spec["summary"]
            translation.summary = (SAMPLE_SUMMARY["en"] + summary) if is_sample else summary
            if spec.get(f"body_{code}"):
                translation.body = _html(spec[f"body_{code}"])
            translation.translated = bool(spec.get(f"title_{code}") and spec.get(f"summary_{code}"))
            translation.save_revision().publish()
            self.created["library translations"] += 1


def load_demo_library(homes: dict) -> dict[str, int]:
    """The library section, the documents the seed plans cite and the sample items, in every locale of
    ``homes`` (language code → home page). Run inside the demo's transaction."""
    return LibraryLoader(homes).load()


# --- files -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LibraryFile:
    """One generated PDF and the record (by persistent identifier) it is attached to."""

    record: str
    filename: str
    make: Callable[[Path], None]


def booklet_for(spec: dict, max_pages: int | None = None) -> demo_pdf.Booklet:
    """What the sample's PDF says, from its spec. ``max_pages`` makes it shorter (tests): the marker then
    moves to the last page if its own page is cut off."""
    pdf = spec["pdf"]
    pages = pdf["pages"] if max_pages is None else max(3, min(pdf["pages"], max_pages))
    creators = " – ".join(name for name, role, *_ in spec["creators"] if role in ("aut", "edt", "com"))
    bibliographic = {**spec.get("bibliographic", {}), **spec.get("thesis", {})}
    place_year = f"{bibliographic.get('publication_place', 'Hà Nội')} – {_year_date(spec)[1].year}"
    thesis = spec.get("thesis")
    if thesis:
        degree = "LUẬN ÁN TIẾN SĨ" if thesis["degree"] == "doctorate" else "LUẬN VĂN THẠC SĨ"
        advisors = ", ".join(name for name, role, *_ in spec["creators"] if role == "ths")
        cover = (thesis["institution"].upper(), "", creators)
        imprint = (degree, f"Người hướng dẫn khoa học: {advisors}", place_year)
    else:
        cover = (creators,)
        imprint = ((bibliographic.get("publisher") or "").upper(), place_year)
    numbers = []
    if spec.get("isbn"):
        numbers.append(f"ISBN {isbn13(spec['isbn'])} (số mẫu · sample number)")
    if spec.get("issn"):
        numbers.append(f"ISSN {issn(spec['issn'])} (số mẫu · sample number)")
    if bibliographic.get("doi"):
        numbers.append(f"DOI {bibliographic['doi']} (tiền tố thử nghiệm · test prefix)")
    return demo_pdf.Booklet(
        seed=spec["identifier"],
        title=spec["title"],
        running_title=f"{spec['title']} · {spec['identifier']}",
        pages=pages,
        chapters=tuple(pdf["chapters"]),
        topic=tuple(pdf["topic"]),
        marker=pdf["marker"],
        marker_page=min(pdf["marker_page"], pages),
        marker_sentence=pdf["marker_sentence"],
        cover=cover,
        imprint=imprint,
        colophon=(
            *numbers,
            f"Mã định danh trong kho · identifier: {spec['identifier']}",
            "Tài liệu mẫu minh hoạ do hệ thống tạo tự động cho bản trình diễn; nội dung không phải kết quả "
            "nghiên cứu thật. Generated sample for the demo; the text is not real research.",
        ),
        author=creators,
        keywords="mẫu minh hoạ, sample",
        size=demo_pdf.A4 if thesis or spec["type"] == "report" else demo_pdf.A5,
    )


def map_sheet_for(spec: dict) -> demo_pdf.MapSheet:
    """The map's points at the coordinates the demo's place data gives them (points without any are left out)."""
    pdf = spec["pdf"]
    points = []
    for key, name, note in pdf["points"]:
        place = find_place(key)
        if place is not None and place.latitude is not None and place.longitude is not None:
            flag = "Lồng Tồng" in note
            points.append(demo_pdf.MapPoint(name, float(place.latitude), float(place.longitude), note, flag))
    return demo_pdf.MapSheet(
        seed=spec["identifier"],
        title=spec["title"],
        points=tuple(points),
        scale=pdf["scale"],
        legend=tuple(pdf["legend"]),
        marker=pdf["marker"],
        marker_sentence=pdf["marker_sentence"],
        imprint=f"{ARCHIVE_IMPRINT} · {spec['year']} · Tỉ lệ {spec['map']['scale']} · Mẫu minh hoạ · Sample",
        author=spec["creators"][0][0],
    )


def write_sample_map(path: Path, spec: dict) -> None:
    demo_pdf.write_map(path, map_sheet_for(spec))


def sample_filename(spec: dict) -> str:
    return f"Mẫu minh hoạ – {spec['title']} (sample).pdf"


def write_plan(path: Path, plan: dict) -> None:
    """A seed plan's full text as the demo record holds it (archive/demo/data/documents/), re-typeset."""
    document = DocumentPage.objects.get(identifier=plan["record"], locale=Locale.get_default())
    transcript = demo_pdf.Transcript(
        title=plan["title"], heading=tuple(plan["heading"]), text=document.full_text, footer=plan["footer"],
        author=plan["author"],
    )  # fmt: skip
    demo_pdf.write_transcript(path, transcript)


def library_files(max_pages: int | None = None) -> list[LibraryFile]:
    """Every PDF the demo library attaches: the seed plans' texts, then one per sample item."""
    files = [LibraryFile(plan["record"], plan["filename"], partial(write_plan, plan=plan)) for plan in PLAN_FILES]
    for spec in ITEMS:
        if spec["type"] == "map":
            make = partial(write_sample_map, spec=spec)
        else:
            make = partial(demo_pdf.write_booklet, booklet=booklet_for(spec, max_pages))
        files.append(LibraryFile(spec["identifier"], sample_filename(spec), make))
    return files


def load_demo_library_files(files: list[LibraryFile] | None = None, max_pages: int | None = None) -> dict[str, int]:
    """Generate each PDF whose record does not show it yet and ingest it onto that record (after the demo's
    transaction has committed: processing is queued as for an upload)."""
    files = library_files(max_pages) if files is None else files
    report = {"library files": 0, "library files skipped": 0}
    identifiers = {file.record for file in files}
    records = {
        page.identifier: page
        for page in RecordPage.objects.filter(identifier__in=identifiers, locale=Locale.get_default())
    }
    shown = set(
        RecordMedia.objects.filter(record__in=records.values()).values_list("record__identifier", "original__filename")
    )
    with tempfile.TemporaryDirectory(prefix="demo-library-") as tmp:
        for number, file in enumerate(files):
            record = records.get(file.record)
            if record is None:
                logger.warning("Demo record %s is missing; its library file is skipped.", file.record)
                report["library files skipped"] += 1
                continue
            if (file.record, file.filename) in shown:
                continue
            path = Path(tmp) / f"library-{number}.pdf"
            file.make(path)
            ingest_file(path, name=file.filename, record=record)
            report["library files"] += 1
    return report
