"""Word lists and regional tables the synthetic corpus is composed from.

Names of festivals, arts, crafts and customs are real kinds of heritage, tied to the
groups that practise them; the records composed from them are not real records.
Regions group today's provinces by their official codes (QĐ 19/2025/QĐ-TTg, as in
``archive/demo/data/places.yaml``).
"""

# fmt: off

# (slug, Vietnamese title, English title, English slug, kind of record it mainly holds)
COLLECTIONS = [
    ("bst-le-hoi-tay-bac", "Lễ hội truyền thống vùng Tây Bắc", "Traditional festivals of the North-West",
     "collection-festivals-north-west"),
    ("bst-le-hoi-tay-nguyen", "Lễ hội và tín ngưỡng Tây Nguyên", "Festivals and beliefs of the Central Highlands",
     "collection-festivals-central-highlands"),
    ("bst-am-nhac-cong-chieng", "Âm nhạc cồng chiêng", "Gong music", "collection-gong-music"),
    ("bst-det-tho-cam", "Nghề dệt thổ cẩm và trang phục", "Brocade weaving and dress", "collection-brocade"),
    ("bst-nghe-thu-cong", "Nghề thủ công truyền thống", "Traditional crafts", "collection-crafts"),
    ("bst-phong-tuc-vong-doi", "Phong tục vòng đời", "Life-cycle customs", "collection-life-cycle-customs"),
    ("bst-dan-ca", "Dân ca và hát giao duyên", "Folk and courtship songs", "collection-folk-songs"),
    ("bst-cham-khmer", "Di sản văn hóa Chăm và Khmer", "Cham and Khmer heritage", "collection-cham-khmer"),
    ("bst-van-ban", "Văn bản công tác dân tộc", "Ethnic-affairs documents", "collection-documents"),
    ("bst-dien-da-mien-bac", "Tư liệu điền dã các tỉnh miền núi phía Bắc", "Fieldwork in the northern uplands",
     "collection-fieldwork-north"),
]

# Today's provinces (by code) in each region.
REGIONS = {
    "tay-bac": ["11", "12", "14", "15", "25"],
    "viet-bac": ["04", "08", "19", "20", "22"],
    "bac-trung-bo": ["38", "40", "42", "44", "46"],
    "tay-nguyen": ["51", "52", "66", "68"],
    "nam-trung-bo": ["48", "56", "68"],
    "dong-nam-bo": ["75", "79", "80"],
    "tay-nam-bo": ["82", "86", "91", "92", "96"],
    "dong-bang": ["01", "24", "31", "33", "37"],
}
NORTH = ("tay-bac", "viet-bac")
HIGHLANDS = ("tay-nguyen",)

# Where each group mainly lives (group slug -> regions).
GROUP_REGIONS = {
    "kinh": ("dong-bang", "bac-trung-bo", "tay-nam-bo"), "tay": ("viet-bac", "tay-bac"),
    "thai": ("tay-bac", "bac-trung-bo"), "hoa": ("dong-nam-bo", "tay-nam-bo", "viet-bac"), "khmer": ("tay-nam-bo",),
    "muong": ("tay-bac", "bac-trung-bo"), "nung": ("viet-bac",), "mong": ("tay-bac", "viet-bac", "bac-trung-bo"),
    "dao": ("viet-bac", "tay-bac"), "gia-rai": ("tay-nguyen",), "ngai": ("viet-bac",), "e-de": ("tay-nguyen",),
    "ba-na": ("tay-nguyen",), "xo-dang": ("tay-nguyen",), "san-chay": ("viet-bac",),
    "co-ho": ("tay-nguyen", "nam-trung-bo"), "cham": ("nam-trung-bo", "tay-nam-bo"), "san-diu": ("viet-bac",),
    "hre": ("tay-nguyen",), "mnong": ("tay-nguyen", "dong-nam-bo"), "ra-glai": ("nam-trung-bo",),
    "xtieng": ("dong-nam-bo",), "bru-van-kieu": ("bac-trung-bo",), "tho": ("bac-trung-bo",),
    "giay": ("tay-bac", "viet-bac"), "co-tu": ("nam-trung-bo", "bac-trung-bo"),
    "gie-trieng": ("tay-nguyen", "nam-trung-bo"), "ma": ("tay-nguyen", "dong-nam-bo"),
    "kho-mu": ("tay-bac", "bac-trung-bo"), "co": ("tay-nguyen",), "ta-oi": ("bac-trung-bo",),
    "cho-ro": ("dong-nam-bo",), "khang": ("tay-bac",), "xinh-mun": ("tay-bac",), "ha-nhi": ("tay-bac",),
    "chu-ru": ("tay-nguyen", "nam-trung-bo"), "lao": ("tay-bac",), "la-chi": ("viet-bac",), "la-ha": ("tay-bac",),
    "phu-la": ("tay-bac",), "la-hu": ("tay-bac",), "lu": ("tay-bac",), "lo-lo": ("viet-bac",),
    "chut": ("bac-trung-bo",), "mang": ("tay-bac",), "pa-then": ("viet-bac",), "co-lao": ("viet-bac",),
    "cong": ("tay-bac",), "bo-y": ("tay-bac", "viet-bac"), "si-la": ("tay-bac",), "pu-peo": ("viet-bac",),
    "brau": ("tay-nguyen",), "o-du": ("bac-trung-bo",), "ro-mam": ("tay-nguyen",),
}
# The language a group's records are often recorded in (BCP-47 tags of languages.yaml).
GROUP_LANGUAGES = {
    "kinh": ("vi",), "tay": ("tyz",), "nung": ("nut",), "thai": ("blt", "twh"), "mong": ("hmn",), "dao": ("ium",),
    "muong": ("mtq",), "cham": ("cjm",), "khmer": ("km",), "e-de": ("rad",), "gia-rai": ("jra",), "ba-na": ("bdq",),
    "co-ho": ("kpm",), "xo-dang": ("sed",), "ha-nhi": ("hni",),
}
# The archive documents minorities: the majority group appears, but rarely.
GROUP_WEIGHT_OVERRIDES = {"kinh": 0.05}

# --- record names ------------------------------------------------------------------------
# (Vietnamese, English, groups that practise it (empty: any), subjects)

FESTIVALS = [
    ("Lồng Tồng", "Lồng Tồng (going to the fields)", ("tay", "nung", "giay"), ("le-hoi-nong-nghiep", "le-hoi-dau-nam")),
    ("Gầu Tào", "Gầu Tào", ("mong",), ("le-hoi-dau-nam", "tin-nguong")),
    ("Katê", "Katê", ("cham",), ("tin-nguong", "lich-truyen-thong")),
    ("Ok Om Bok", "Ok Om Bok (moon worship)", ("khmer",), ("le-hoi-nong-nghiep", "tin-nguong-tu-nhien")),
    ("Chôl Chnăm Thmây", "Chôl Chnăm Thmây (Khmer New Year)", ("khmer",), ("le-hoi-dau-nam",)),
    ("Sen Đôn Ta", "Sen Đôn Ta (ancestor offering)", ("khmer",), ("tho-cung-to-tien",)),
    ("Ramưwan", "Ramưwan", ("cham",), ("tin-nguong", "lich-truyen-thong")),
    ("Pồn Pôông", "Pồn Pôông", ("muong",), ("le-hoi-dau-nam", "mua-dan-gian")),
    ("Xên bản", "Xên bản (village offering)", ("thai", "lao", "lu"), ("tin-nguong",)),
    ("Xên mường", "Xên mường (district offering)", ("thai",), ("tin-nguong",)),
    ("Kin Pang Then", "Kin Pang Then", ("thai",), ("tin-nguong", "mua-dan-gian")),
    ("Roóng Poọc", "Roóng Poọc (going to the fields)", ("giay",), ("le-hoi-nong-nghiep",)),
    ("Nàng Hai", "Nàng Hai (moon goddess)", ("tay",), ("tin-nguong-tu-nhien",)),
    ("Sải Sán", "Sải Sán", ("mong", "nung"), ("le-hoi-dau-nam",)),
    ("cấp sắc", "initiation (cấp sắc)", ("dao", "san-chay"), ("nghi-le-vong-doi", "tin-nguong")),
    ("Tết nhảy", "Jumping New Year", ("dao",), ("le-hoi-dau-nam", "mua-dan-gian")),
    ("nhảy lửa", "fire dance", ("dao", "pa-then"), ("tin-nguong",)),
    ("Khu cù tê", "Khu cù tê (Hà Nhì New Year)", ("ha-nhi",), ("le-hoi-dau-nam",)),
    ("Gạ Ma Thú", "Gạ Ma Thú (village forest worship)", ("ha-nhi",), ("tin-nguong-tu-nhien",)),
    ("cúng bến nước", "water-source offering", ("e-de", "gia-rai", "ba-na", "xo-dang", "mnong"),
     ("tin-nguong-tu-nhien",)),
    ("bỏ mả", "tomb abandonment", ("gia-rai", "ba-na", "xo-dang"), ("tang-le",)),
    ("mừng nhà rông mới", "new communal house", ("ba-na", "xo-dang", "gia-rai", "gie-trieng"), ("tin-nguong",)),
    ("đâm trâu", "buffalo sacrifice", ("ba-na", "gia-rai", "xo-dang", "co-tu", "mnong", "hre"), ("tin-nguong",)),
    ("mừng lúa mới", "new rice", (), ("le-hoi-nong-nghiep",)),
    ("cầu mùa", "praying for a good harvest", (), ("le-hoi-nong-nghiep",)),
    ("xuống đồng", "going down to the fields", (), ("le-hoi-nong-nghiep",)),
    ("cúng rừng", "forest worship", (), ("tin-nguong-tu-nhien",)),
    ("cầu an", "praying for peace", (), ("tin-nguong",)),
    ("cầu mưa", "praying for rain", (), ("le-hoi-nong-nghiep", "tin-nguong-tu-nhien")),
    ("cơm mới", "new rice meal", (), ("le-hoi-nong-nghiep",)),
    ("rước vía lúa", "rice-spirit procession", (), ("le-hoi-nong-nghiep",)),
    ("đua ghe ngo", "ngo boat race", ("khmer",), ("le-hoi-nong-nghiep",)),
    ("cúng trăng", "moon offering", ("khmer",), ("tin-nguong-tu-nhien",)),
    ("mở cửa rừng", "opening the forest", ("la-chi", "ha-nhi", "lo-lo"), ("tin-nguong-tu-nhien",)),
]
FESTIVAL_PREFIXES = ["Lễ hội", "Lễ", "Lễ hội", "Nghi lễ"]
# Festivals dated on another calendar: no Vietnamese lunar rule, a note instead.
CALENDAR_NOTES = {
    "Katê": "Tháng 7 lịch Chăm (thường rơi vào tháng 9 hoặc 10 dương lịch)",
    "Ramưwan": "Tháng 9 lịch Chăm Awal, kéo dài một tháng",
    "Chôl Chnăm Thmây": "Giữa tháng 4 dương lịch, theo lịch Khmer",
}
# Usual lunar months of festivals: spring and after the harvest.
FESTIVAL_MONTH_WEIGHTS = [(1, 30), (2, 12), (3, 12), (4, 4), (5, 3), (6, 3), (7, 8), (8, 8), (9, 6), (10, 8),
                          (11, 3), (12, 3)]

CUSTOMS = [
    ("cưới hỏi", "marriage customs", (), ("nghi-le-vong-doi",)),
    ("ở rể", "living with the bride's family", ("thai", "e-de", "gia-rai", "mong"), ("nghi-le-vong-doi",)),
    ("làm nhà sàn", "building a stilt house", ("thai", "tay", "muong", "nung"), ("nghi-le-vong-doi",)),
    ("đặt tên cho trẻ", "naming a child", (), ("nghi-le-vong-doi",)),
    ("tang ma", "funeral rites", (), ("tang-le",)),
    ("thờ cúng tổ tiên", "ancestor worship", (), ("tho-cung-to-tien",)),
    ("kiêng cữ khi sinh nở", "birth taboos", (), ("nghi-le-vong-doi",)),
    ("uống rượu cần", "drinking jar wine", (), ("tin-nguong",)),
    ("cúng hồn lúa", "offering to the rice soul", (), ("tin-nguong-tu-nhien", "le-hoi-nong-nghiep")),
    ("giữ lửa bếp", "keeping the hearth fire", (), ("tin-nguong",)),
    ("chia thịt trong làng", "sharing meat in the village", (), ("tin-nguong",)),
    ("kết nghĩa anh em", "sworn brotherhood", ("e-de", "gia-rai", "ba-na"), ("nghi-le-vong-doi",)),
    ("buộc chỉ cổ tay", "tying threads on the wrist", ("thai", "lao", "khmer"), ("tin-nguong",)),
    ("cúng thần rừng", "offering to the forest spirit", (), ("tin-nguong-tu-nhien",)),
    ("xem ngày tốt", "choosing auspicious days", (), ("lich-truyen-thong",)),
    ("cúng thần nước", "offering to the water spirit", (), ("tin-nguong-tu-nhien",)),
    ("lập làng mới", "founding a new village", (), ("tin-nguong",)),
    ("trả nợ ma", "paying the spirits' debt", ("dao", "mong"), ("tin-nguong",)),
    ("nhuộm răng đen", "blackening teeth", ("thai", "muong", "dao"), ("nghi-le-vong-doi",)),
    ("cà răng, căng tai", "filing teeth and stretching earlobes", ("e-de", "gia-rai", "ba-na"),
     ("nghi-le-vong-doi",)),
    ("thờ Mẫu", "worship of the Mother Goddesses", ("kinh", "tay"), ("tin-nguong",)),
    ("làm vía cho trẻ nhỏ", "calling back a child's soul", (), ("nghi-le-vong-doi", "tin-nguong")),
]
# (prefix, category)
CUSTOM_PREFIXES = [("Tục", "custom"), ("Phong tục", "custom"), ("Nghi lễ", "practice"), ("Tín ngưỡng", "belief")]

ARTS = [
    ("Nghệ thuật cồng chiêng", "Gong music", ("e-de", "gia-rai", "ba-na", "xo-dang", "mnong", "co-ho", "muong"),
     ("cong-chieng", "am-nhac-dan-gian"), "âm nhạc"),
    ("Hát then", "Then singing", ("tay", "nung", "thai"), ("dan-ca", "tin-nguong"), "dân ca"),
    ("Đàn tính", "Tính lute", ("tay", "nung"), ("nhac-cu-dan-toc",), "âm nhạc"),
    ("Múa xòe", "Xòe dance", ("thai",), ("mua-dan-gian",), "múa"),
    ("Hát lượn", "Lượn singing", ("tay",), ("dan-ca",), "dân ca"),
    ("Hát sli", "Sli singing", ("nung", "san-chay"), ("dan-ca",), "dân ca"),
    ("Khèn Mông", "Hmong pipes", ("mong",), ("nhac-cu-dan-toc",), "âm nhạc"),
    ("Múa sạp", "Bamboo dance", ("thai", "muong", "kho-mu"), ("mua-dan-gian",), "múa"),
    ("Hát đối đáp", "Call-and-response singing", (), ("dan-ca",), "dân ca"),
    ("Sử thi Đăm San", "The epic of Đăm San", ("e-de",), ("su-thi",), "sử thi"),
    ("Kể khan", "Khan epic recitation", ("e-de", "mnong"), ("su-thi",), "sử thi"),
    ("Hát ru", "Lullabies", (), ("dan-ca",), "dân ca"),
    ("Múa chuông", "Bell dance", ("dao",), ("mua-dan-gian", "tin-nguong"), "múa"),
    ("Múa khèn", "Pipe dance", ("mong",), ("mua-dan-gian",), "múa"),
    ("Hát ống", "Tube singing", ("ta-oi", "bru-van-kieu"), ("dan-ca",), "dân ca"),
    ("Múa trống", "Drum dance", (), ("mua-dan-gian",), "múa"),
    ("Đàn T'rưng", "T'rưng bamboo xylophone", ("ba-na", "gia-rai", "xo-dang"), ("nhac-cu-dan-toc",), "âm nhạc"),
    ("Hát Ka Tum", "Ka Tum singing", ("cham",), ("dan-ca",), "dân ca"),
    ("Múa Apsara", "Apsara dance", ("khmer",), ("mua-dan-gian",), "múa"),
    ("Sân khấu Dù kê", "Dù kê theatre", ("khmer",), ("am-nhac-dan-gian",), "sân khấu"),
    ("Hát Soọng cô", "Soọng cô singing", ("san-diu",), ("dan-ca",), "dân ca"),
    ("Hát Páo dung", "Páo dung singing", ("dao",), ("dan-ca",), "dân ca"),
    ("Mo Mường", "Mo Mường ritual chant", ("muong",), ("su-thi", "tang-le"), "sử thi"),
    ("Hát Khắp", "Khắp singing", ("thai", "lao"), ("dan-ca",), "dân ca"),
    ("Đàn môi", "Jaw harp", ("mong", "dao", "lo-lo"), ("nhac-cu-dan-toc",), "âm nhạc"),
    ("Hát xoan", "Xoan singing", ("kinh",), ("dan-ca",), "dân ca"),
]

CRAFTS = [
    ("Nghề dệt thổ cẩm", "Brocade weaving", (), ("det-tho-cam",), "sợi bông, sợi lanh, chàm", "craft"),
    ("Nghề đan lát mây tre", "Rattan and bamboo basketry", (), ("nghe-thu-cong",), "mây, tre, giang", "craft"),
    ("Nghề rèn", "Blacksmithing", ("mong", "dao", "gia-rai"), ("nghe-thu-cong",), "sắt, than củi", "craft"),
    ("Nghề làm gốm", "Pottery", ("cham", "khmer", "mnong"), ("gom",), "đất sét, cát, củi", "craft"),
    ("Nghề chạm bạc", "Silver engraving", ("dao", "mong", "thai", "nung"), ("nghe-thu-cong",), "bạc, đồng",
     "craft"),
    ("Nghề vẽ sáp ong trên vải lanh", "Beeswax drawing on hemp cloth", ("mong", "dao"), ("det-tho-cam",),
     "vải lanh, sáp ong, chàm", "craft"),
    ("Nghề nhuộm chàm", "Indigo dyeing", ("dao", "mong", "tay", "nung"), ("det-tho-cam",), "lá chàm, vôi, tro bếp",
     "craft"),
    ("Nghề làm giấy bản", "Bản paper making", ("dao",), ("thu-tich-co",), "vỏ cây dướng", "craft"),
    ("Nghề làm khèn", "Pipe making", ("mong",), ("nhac-cu-dan-toc",), "trúc, gỗ pơ mu, đồng", "craft"),
    ("Nghề thêu hoa văn", "Pattern embroidery", (), ("trang-phuc",), "chỉ màu, vải bông", "craft"),
    ("Nghề làm đường thốt nốt", "Palm sugar making", ("khmer",), ("nghe-thu-cong",), "nhựa thốt nốt, củi",
     "product"),
    ("Nghề nấu rượu cần", "Jar wine brewing", (), ("nghe-thu-cong",), "gạo nếp, men lá", "product"),
    ("Nghề làm gùi", "Back-basket making", ("e-de", "gia-rai", "ba-na", "xo-dang", "co-tu"), ("nghe-thu-cong",),
     "mây, tre", "craft"),
    ("Nghề làm trống", "Drum making", (), ("nhac-cu-dan-toc",), "gỗ, da trâu", "craft"),
    ("Bộ trang phục truyền thống", "Traditional costume", (), ("trang-phuc",), "vải bông, chỉ màu, bạc",
     "artefact"),
    ("Chiếc gùi cổ", "An old back-basket", (), ("nghe-thu-cong",), "mây, tre", "artefact"),
    ("Bộ chiêng cổ", "An old gong set", ("e-de", "gia-rai", "ba-na", "muong"), ("cong-chieng",), "đồng",
     "artefact"),
    ("Sách cúng chữ Nôm Dao", "Dao ritual book in Nôm script", ("dao",), ("thu-tich-co",), "giấy bản, mực tàu",
     "artefact"),
    ("Vòng cổ bạc", "Silver neck ring", ("mong", "dao"), ("trang-phuc",), "bạc", "artefact"),
    ("Nghề làm bánh chưng đen", "Black sticky-rice cake making", ("tay", "nung"), ("nghe-thu-cong",),
     "gạo nếp, tro lá núc nác", "product"),
]
CRAFT_TECHNIQUES = [
    "Sợi được se bằng tay, nhuộm nhiều lần rồi phơi khô trước khi lên khung.",
    "Hoa văn được tạo bằng kỹ thuật dệt hoa, người thợ đếm sợi theo trí nhớ mà không cần mẫu vẽ.",
    "Đất được nhồi kỹ, nặn bằng tay không dùng bàn xoay và nung lộ thiên bằng củi, rơm.",
    "Nan tre được chẻ mỏng, vót đều, ngâm nước rồi đan theo kiểu lóng mốt, lóng đôi.",
    "Bạc được nấu chảy, đổ khuôn, sau đó gò, chạm hoa văn bằng đục nhỏ.",
    "Sáp ong đun chảy được vẽ lên vải bằng bút đồng, sau đó vải được nhuộm chàm và luộc để tẩy sáp.",
    "Lá chàm được ngâm, lọc lấy nước cốt, pha vôi để tạo màu; vải được nhúng và phơi nhiều lần.",
    "Người thợ dùng bễ thổi lửa, nung đỏ thép rồi quai búa liên tục để định hình lưỡi dao.",
]

# --- people --------------------------------------------------------------------------------
# Naming styles: (family names, middle names, given names).
NAME_STYLES = {
    "kinh": (["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"],
             ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Thanh", "Hữu"],
             ["An", "Bình", "Hà", "Hương", "Lan", "Long", "Nam", "Phương", "Quang", "Sơn", "Thủy", "Tuấn", "Yến"]),
    "tay": (["Hoàng", "Nông", "Lường", "Ma", "Bế", "Đàm", "Hà", "Lục", "Triệu", "Lương"], ["Văn", "Thị"],
            ["Páo", "Lịch", "Thư", "Dấu", "Nhì", "Slao", "Khoa", "Nguyên", "Thắm", "Phiệt"]),
    "thai": (["Lò", "Lường", "Cầm", "Quàng", "Tòng", "Vì", "Điêu", "Hà", "Lù", "Mè"], ["Văn", "Thị"],
             ["Xuân", "Ún", "Pánh", "Thanh", "Chăm", "Biên", "Sương", "Ngoan", "Ương", "Khiêm"]),
    "mong": (["Giàng", "Sùng", "Thào", "Vàng", "Lý", "Hầu", "Mùa", "Ly", "Hờ", "Sình"], ["A", "Seo", "Thị", "Mí"],
             ["Páo", "Dua", "Chứ", "Sính", "Lử", "Súa", "Mỷ", "Dế", "Chà", "Cở"]),
    "dao": (["Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo", "Tẩn"], ["Văn", "Thị", "Tả", "Kim", "Láo"],
            ["Mai", "Sơn", "Phin", "Chàn", "Quẩy", "Mẩy", "Kiều", "Thuận"]),
    "highlands": (["Y", "H'", "Ksor", "Rơ Châm", "Siu", "Đinh", "A"], [""],
                  ["Phương Niê", "Bơ", "Ngun Byă", "Blim", "Đhin", "H'Nga", "Krông", "Tuk"]),
    "khmer": (["Thạch", "Danh", "Sơn", "Lâm", "Kim", "Chau"], ["", "Thị"],
              ["Sô Phone", "Sa Ra", "Sóc", "Chanh Đa", "Ri Na", "Sà Rây", "Mênh"]),
    "cham": (["Đàng", "Lưu", "Thành", "Quảng", "Châu", "Thiên", "Phú"], ["Văn", "Thị", "Đại"],
             ["Năng Thọ", "Quang", "Phú", "Sa", "Thị Hồng", "Tiến", "Kiều"]),
}
GROUP_NAME_STYLES = {
    "tay": "tay", "nung": "tay", "san-chay": "tay", "giay": "tay", "thai": "thai", "lao": "thai", "lu": "thai",
    "muong": "thai", "mong": "mong", "ha-nhi": "mong", "lo-lo": "mong", "dao": "dao", "pa-then": "dao",
    "san-diu": "dao", "e-de": "highlands", "gia-rai": "highlands", "ba-na": "highlands", "xo-dang": "highlands",
    "mnong": "highlands", "co-ho": "highlands", "gie-trieng": "highlands", "hre": "highlands", "co-tu": "highlands",
    "khmer": "khmer", "cham": "cham", "ra-glai": "cham", "chu-ru": "cham",
}
# Roles of the community (their own naming style) and of the archive staff (Kinh names mostly).
COMMUNITY_ROLES = [("informant", 40), ("artisan", 25)]
STAFF_ROLES = [("recorder", 15), ("photographer", 10), ("author", 6), ("editor", 4)]

PROVENANCES = [
    "Tư liệu điền dã của Ban Dân tộc {province}, năm {year}.",
    "Sưu tầm và ghi chép của Phòng Văn hóa huyện trước năm 2025, chuyển về lưu trữ tại {province}.",
    "Hiện vật và tư liệu lưu giữ tại Bảo tàng {province}.",
    "Tư liệu của Viện Văn hóa Nghệ thuật quốc gia Việt Nam, đợt khảo sát năm {year}.",
    "Do nghệ nhân trong cộng đồng cung cấp, số hóa năm {year}.",
    "Bảo tàng Văn hóa các dân tộc Việt Nam, hồ sơ kiểm kê năm {year}.",
]
RIGHTS = [
    ("https://rightsstatements.org/vocab/InC/1.0/", 35),
    ("https://rightsstatements.org/vocab/InC-EDU/1.0/", 10),
    ("https://creativecommons.org/licenses/by/4.0/", 25),
    ("https://creativecommons.org/licenses/by-nc/4.0/", 15),
    ("", 15),
]

# --- descriptions ------------------------------------------------------------------------

OPENINGS = [
    "{title} là sinh hoạt văn hóa tiêu biểu của đồng bào {group} ở {place}.",
    "{title} được đồng bào {group} ở {place} gìn giữ qua nhiều thế hệ.",
    "Theo các nghệ nhân người {group}, {title_lower} gắn với đời sống sản xuất và tín ngưỡng của cộng đồng.",
    "Bản ghi giới thiệu {title_lower}, được ghi nhận tại {place} qua lời kể của người {group}.",
    "Ở {place}, {title_lower} vẫn là dịp quan trọng để người {group} gặp gỡ, trao truyền kinh nghiệm.",
]
SENTENCES = {
    "any": [
        "Di sản đang được cộng đồng và chính quyền địa phương bảo tồn, truyền dạy cho thế hệ trẻ.",
        "Người già kể rằng tục lệ này có từ thời lập bản, khi tổ tiên mới khai phá vùng đất mới.",
        "Các bài khấn được đọc bằng tiếng mẹ đẻ, xen lẫn những câu hát cổ ít người còn nhớ.",
        "Tư liệu được ghi âm, chụp ảnh trong các đợt điền dã và đối chiếu với lời kể của người trong cộng đồng.",
        "Một số chi tiết chỉ được thực hiện trong phạm vi gia đình và không công bố rộng rãi.",
        "Nhiều gia đình trẻ đã rời bản đi làm ăn xa, nên số người thạo nghi thức ngày càng ít.",
        "Năm {year}, địa phương mở lớp truyền dạy cho thanh thiếu niên trong bản.",
        "Những người am hiểu nhất hiện đều đã ngoài bảy mươi tuổi.",
        "Cách gọi tên và trình tự có khác nhau giữa các nhóm địa phương của người {group}.",
        "Trong các tài liệu cũ, vùng này thuộc {place}.",
    ],
    "festival": [
        "Nghi lễ thường do thầy cúng hoặc già làng chủ trì, với sự tham gia của cả cộng đồng.",
        "Lễ vật gồm xôi nhiều màu, gà, rượu cần và các sản vật của địa phương.",
        "Trong lễ có các tiết mục cồng chiêng, múa xòe và hát đối đáp giữa các nhóm nam nữ.",
        "Sau phần lễ là phần hội với các trò chơi dân gian như ném còn, kéo co, đẩy gậy.",
        "Ngày nay, lễ hội thu hút đông đảo du khách nhưng vẫn giữ được các nghi thức cốt lõi.",
        "Lễ được tổ chức vào đầu năm, trước khi bà con xuống đồng gieo cấy.",
        "Cây nêu được dựng giữa sân, trang trí bằng hoa văn và những dải vải màu.",
        "Thầy cúng đọc bài khấn mời thần linh, tổ tiên về chứng giám và phù hộ cho mùa màng.",
        "Người dân các bản lân cận cũng kéo về dự hội, mang theo lễ vật và nhạc cụ.",
    ],
    "custom": [
        "Tục lệ gắn với các mốc quan trọng trong đời người: sinh ra, trưởng thành, kết hôn và qua đời.",
        "Gia đình nhờ thầy cúng xem ngày, chuẩn bị lễ vật và mời họ hàng đến dự.",
        "Nhiều kiêng kỵ được giữ nghiêm ngặt, nhất là trong những ngày đầu sau nghi lễ.",
        "Bếp lửa là trung tâm của ngôi nhà, nơi diễn ra phần lớn các nghi thức gia đình.",
        "Những quy định của tục lệ được ghi trong luật tục và do già làng nhắc nhở.",
        "Ngày nay một số nghi thức đã được giản lược cho phù hợp với đời sống mới.",
    ],
    "art": [
        "Cồng chiêng được đánh theo bộ, mỗi chiếc giữ một âm, hòa thành bài chiêng dài.",
        "Lời hát mượn hình ảnh thiên nhiên để bày tỏ tình cảm, thường được hát đối đáp giữa nam và nữ.",
        "Nghệ nhân biểu diễn trong các dịp lễ hội, cưới hỏi và mừng nhà mới.",
        "Các làn điệu được truyền miệng, người học phải nghe và hát theo trong nhiều năm.",
        "Nhạc cụ được làm từ tre, nứa, bầu khô và các vật liệu sẵn có của địa phương.",
        "Đội văn nghệ của bản đã sưu tầm và phục dựng được nhiều bài hát cổ.",
        "Một số bài chỉ được trình diễn trong nghi lễ và không hát trong sinh hoạt thường ngày.",
    ],
    "craft": [
        "Hoa văn trên trang phục mang hình trám, hình răng cưa và hình chim, tượng trưng cho mùa màng no đủ.",
        "Nghệ nhân truyền nghề chủ yếu bằng cách làm mẫu, người học quan sát và làm theo trong nhiều năm.",
        "Nguyên liệu được lấy từ rừng và nương rẫy quanh bản, sơ chế theo mùa.",
        "Sản phẩm được dùng trong gia đình, làm quà cưới và ngày nay được bán cho du khách.",
        "Hợp tác xã của bản đã đăng ký nhãn hiệu tập thể cho sản phẩm.",
        "Mỗi sản phẩm hoàn chỉnh mất từ vài tuần đến vài tháng lao động thủ công.",
    ],
}
HEADINGS = ["Nguồn gốc", "Diễn trình", "Không gian và thời gian", "Giá trị văn hóa", "Thực trạng bảo tồn"]

# English texts, for the pages translated into English.
ENGLISH_OPENINGS = [
    "{title} is a notable cultural practice of the {group} in {place}.",
    "The {group} of {place} have kept {title_lower} alive for generations.",
    "According to {group} elders, {title_lower} is bound up with farming life and community beliefs.",
]
ENGLISH_SENTENCES = [
    "The rite is usually led by a shaman or a village elder, and the whole community takes part.",
    "Offerings include sticky rice of several colours, chicken, jar wine and local produce.",
    "The community and the local authorities are safeguarding the practice and teaching it to the young.",
    "Elders say the custom dates from the founding of the village.",
    "Prayers are spoken in the mother tongue, mixed with old songs few people still remember.",
    "The material was recorded and photographed during fieldwork and checked with community members.",
    "Some parts are performed only within the family and are not made public.",
    "Artisans teach mainly by example; learners watch and copy for many years.",
    "Gongs are played in sets, each holding one note, together forming a long gong piece.",
    "Today the festival draws many visitors but keeps its core rituals.",
]

# --- documents ---------------------------------------------------------------------------
# (type, English type, code after the number, issuer kind, number includes the year)
DOCUMENT_KINDS = [
    ("Kế hoạch", "Plan", "KH-UBND", "ubnd", False, 30),
    ("Quyết định", "Decision", "QĐ-UBND", "ubnd", False, 12),
    ("Quyết định", "Decision", "QĐ-UBND", "ubnd", True, 8),
    ("Nghị quyết", "Resolution", "NQ-HĐND", "hdnd", True, 5),
    ("Báo cáo", "Report", "BC-UBND", "ubnd", False, 8),
    ("Báo cáo", "Report", "BC-BDT", "bdt", False, 8),
    ("Công văn", "Official letter", "UBND-VX", "ubnd", False, 6),
    ("Hướng dẫn", "Guidance", "HD-BDT", "bdt", False, 4),
    ("Kế hoạch", "Plan", "KH-SVHTTDL", "svhttdl", False, 6),
    ("Chỉ thị", "Directive", "CT-UBND", "ubnd", True, 3),
    ("Thông báo", "Notice", "TB-UBND", "ubnd", False, 4),
    ("Quyết định", "Decision", "QĐ-UBDT", "ubdt", False, 3),
    ("Quyết định", "Decision", "QĐ-TTg", "ttg", False, 2),
    ("Thông tư", "Circular", "TT-BVHTTDL", "bvhttdl", True, 1),
]
ISSUERS = {
    "ubnd": ("Ủy ban nhân dân {unit}", "UBND {unit}"),
    "hdnd": ("Hội đồng nhân dân {unit}", "HĐND {unit}"),
    "bdt": ("Ban Dân tộc {unit}", "Ban Dân tộc {unit}"),
    "svhttdl": ("Sở Văn hóa, Thể thao và Du lịch {unit}", "Sở VHTTDL {unit}"),
    "ubdt": ("Ủy ban Dân tộc", "Ủy ban Dân tộc"),
    "ttg": ("Thủ tướng Chính phủ", "Thủ tướng Chính phủ"),
    "bvhttdl": ("Bộ Văn hóa, Thể thao và Du lịch", "Bộ VHTTDL"),
}
DOCUMENT_SUBJECTS = [
    ("triển khai công tác bảo tồn, phát huy giá trị văn hóa truyền thống các dân tộc thiểu số",
     "safeguarding the traditional culture of ethnic minorities"),
    ("tổ chức Ngày hội văn hóa, thể thao và du lịch các dân tộc", "the ethnic-minority culture and sports day"),
    ("phê duyệt đề án bảo tồn lễ hội truyền thống", "approving a scheme to safeguard traditional festivals"),
    ("kiểm kê di sản văn hóa phi vật thể trên địa bàn", "the inventory of intangible cultural heritage"),
    ("hỗ trợ nghệ nhân truyền dạy di sản văn hóa phi vật thể", "support for artisans who teach their heritage"),
    ("thực hiện Dự án 6 của Chương trình mục tiêu quốc gia vùng đồng bào dân tộc thiểu số và miền núi",
     "Project 6 of the national target programme for ethnic-minority and mountain areas"),
    ("sưu tầm, số hóa tư liệu văn hóa các dân tộc thiểu số", "collecting and digitising ethnic-minority records"),
    ("phục dựng lễ hội {festival} của đồng bào {group}", "reviving the {festival_en} festival of the {group_en}"),
    ("xây dựng hồ sơ đề nghị đưa {art} vào Danh mục di sản văn hóa phi vật thể quốc gia",
     "nominating {art_en} for the national list of intangible cultural heritage"),
    ("công tác dân tộc và thực hiện chính sách dân tộc năm {year}", "ethnic affairs and ethnic policy in {year}"),
    ("bảo tồn làng, bản văn hóa truyền thống tiêu biểu", "safeguarding typical traditional villages"),
    ("tuyên truyền, phổ biến pháp luật cho đồng bào dân tộc thiểu số", "legal awareness among ethnic minorities"),
]
DOCUMENT_BASES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Luật Di sản văn hóa ngày 29 tháng 6 năm 2001; Luật sửa đổi, bổ sung một số điều của Luật Di sản "
    "văn hóa ngày 18 tháng 6 năm 2009;",
    "Căn cứ Nghị định số 05/2011/NĐ-CP ngày 14 tháng 01 năm 2011 của Chính phủ về công tác dân tộc;",
    "Căn cứ Quyết định số 1719/QĐ-TTg ngày 14 tháng 10 năm 2021 của Thủ tướng Chính phủ;",
    "Căn cứ Thông tư số 04/2010/TT-BVHTTDL quy định việc kiểm kê di sản văn hóa phi vật thể;",
]
DOCUMENT_SENTENCES = [
    "Nâng cao nhận thức của cán bộ, đảng viên và nhân dân về vai trò của văn hóa truyền thống các dân tộc.",
    "Bảo tồn, phát huy các giá trị văn hóa tốt đẹp gắn với phát triển du lịch cộng đồng.",
    "Các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ được giao chủ động xây dựng kế hoạch triển khai.",
    "Kinh phí thực hiện từ nguồn ngân sách nhà nước và các nguồn huy động hợp pháp khác.",
    "Định kỳ báo cáo kết quả thực hiện về Ban Dân tộc tỉnh trước ngày 15 tháng 12 hằng năm.",
    "Tổ chức lớp truyền dạy cho thanh thiếu niên tại các thôn, bản có đông đồng bào dân tộc thiểu số.",
    "Hỗ trợ trang phục, nhạc cụ truyền thống cho các đội văn nghệ quần chúng.",
    "Ưu tiên các di sản có nguy cơ mai một cao, ít người thực hành.",
    "Lồng ghép nội dung bảo tồn văn hóa vào các chương trình phát triển kinh tế - xã hội.",
    "Số hóa tư liệu, hiện vật và xây dựng cơ sở dữ liệu về di sản văn hóa các dân tộc.",
    "Trong năm, toàn tỉnh đã tổ chức kiểm kê tại các xã vùng đồng bào dân tộc thiểu số.",
    "Một số nghệ nhân cao tuổi đã qua đời, nhiều tri thức dân gian có nguy cơ thất truyền.",
    "Nguồn lực đầu tư cho công tác bảo tồn còn hạn chế, chưa đáp ứng yêu cầu.",
]
DOCUMENT_SECTIONS = {
    "Kế hoạch": ["I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG THỰC HIỆN", "III. KINH PHÍ THỰC HIỆN",
                 "IV. TỔ CHỨC THỰC HIỆN"],
    "Báo cáo": ["I. KẾT QUẢ THỰC HIỆN", "II. KHÓ KHĂN, VƯỚNG MẮC", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ",
                "IV. ĐỀ XUẤT, KIẾN NGHỊ"],
    "Hướng dẫn": ["I. PHẠM VI, ĐỐI TƯỢNG", "II. NỘI DUNG HƯỚNG DẪN", "III. TỔ CHỨC THỰC HIỆN"],
}
DOCUMENT_SIGNER_TITLES = ["Chủ tịch", "Phó Chủ tịch", "Trưởng ban", "Phó Trưởng ban", "Giám đốc", "Phó Giám đốc"]

# --- dates and status ----------------------------------------------------------------------
# Records per decade of their date: few from the 1940s, most from the digital decades.
DECADE_WEIGHTS = [(1940, 1), (1950, 2), (1960, 4), (1970, 5), (1980, 7), (1990, 12), (2000, 20), (2010, 27),
                  (2020, 22)]
DATE_PRECISIONS = [("day", 35), ("month", 12), ("year", 28), ("range", 10), ("circa", 10), ("", 5)]
ACCESS_WEIGHTS = [("public", 85), ("registered", 5), ("staff", 5), ("sacred", 5)]
HERITAGE_WEIGHTS = [("", 880), ("national", 70), ("provincial", 30), ("unesco_representative", 15),
                    ("unesco_urgent", 5)]
# UNESCO inscriptions of Vietnamese minority heritage: (year, committee session).
UNESCO_SESSIONS = {"unesco_representative": [(2008, 3), (2019, 14), (2021, 16)], "unesco_urgent": [(2022, 17)]}
SACRED_GROUP = "Cộng đồng người Dao – Cấp sắc"
# fmt: on
