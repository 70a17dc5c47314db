"""A few sample experts for the demo site, linked to people the demo library already names (so their
profiles list works at once). Idempotent: loading twice changes nothing. Every profile is fictional
and says so."""

from __future__ import annotations

import datetime as dt

from archive.models import EthnicGroup, Language, Person, Place
from experts.models import VISIBLE_PARTS, Expert, ExpertiseField, ExpertTitle

FIELDS = [
    ("Dệt thổ cẩm", "Brocade weaving"),
    ("Ngôn ngữ học dân tộc thiểu số", "Minority-language linguistics"),
    ("Chính sách dân tộc", "Ethnic-affairs policy"),
    ("Lễ hội truyền thống", "Traditional festivals"),
    ("Then – Đàn tính", "Then singing and the tính lute"),
]
CONSENT = "Hồ sơ mẫu của trang trình diễn: người được mô tả là nhân vật hư cấu, đồng ý công bố các mục ghi công khai."
PRIVATE = {"biography": "registered", "organisation": "public"}

EXPERTS = [
    {
        "person": "Sùng A Lử",
        "titles": [("ts", 2015, "")],
        "organisation": "Viện Dân tộc học (dữ liệu mẫu)",
        "position": "Nghiên cứu viên chính",
        "fields": ["Ngôn ngữ học dân tộc thiểu số", "Lễ hội truyền thống"],
        "groups": ["mong"],
        "spoken": ["hmn", "vi"],
        "studied": ["ium"],
        "provinces": ["08"],
        "biography": "Nghiên cứu tiếng Mông và lễ hội Gầu Tào ở vùng cao phía Bắc. (Hồ sơ mẫu, nhân vật hư cấu.)",
        "biography_en": "Studies the Hmong language and the Gầu Tào festival in the northern uplands. (Sample.)",
    },
    {
        "person": "Vi Thị Hoa",
        "titles": [("nnut", 2022, "Quyết định mẫu 0000/QĐ-CTN (dữ liệu mẫu)")],
        "organisation": "Hợp tác xã dệt thổ cẩm (dữ liệu mẫu)",
        "position": "Nghệ nhân",
        "fields": ["Dệt thổ cẩm", "Then – Đàn tính"],
        "groups": ["tay"],
        "spoken": ["tyz", "vi"],
        "studied": [],
        "provinces": ["04"],
        "biography": "Nghệ nhân dệt và hát then, truyền nghề cho thanh niên trong bản. (Hồ sơ mẫu, nhân vật hư cấu.)",
        "biography_en": "Weaver and Then singer who teaches the young people of her village. (Sample profile.)",
    },
    {
        "person": "Nông Văn Tuấn",
        "titles": [("pgs", 2019, ""), ("ts", 2008, "")],
        "organisation": "Học viện Dân tộc (dữ liệu mẫu)",
        "position": "Giảng viên",
        "fields": ["Chính sách dân tộc"],
        "groups": ["nung", "tay"],
        "spoken": ["nut", "vi"],
        "studied": ["tyz"],
        "provinces": ["04", "08"],
        "biography": "Nghiên cứu chính sách giảm nghèo vùng dân tộc thiểu số. (Hồ sơ mẫu, nhân vật hư cấu.)",
        "biography_en": "Researches poverty-reduction policy in minority regions. (Sample profile.)",
    },
]


def load_demo_experts() -> dict[str, int]:
    fields = {}
    for name, name_en in FIELDS:
        fields[name], _created = ExpertiseField.objects.get_or_create(name=name, defaults={"name_en": name_en})
    created = 0
    for spec in EXPERTS:
        person = Person.named(spec["person"])
        if Expert.objects.filter(person=person).exists():
            continue
        expert = Expert(
            person=person,
            organisation=spec["organisation"],
            position=spec["position"],
            biography=spec["biography"],
            biography_en=spec["biography_en"],
            email=f"chuyen-gia-{person.pk}@example.invalid",
            consent_text=CONSENT,
            consent_date=dt.date(2026, 1, 15),
            last_confirmed=dt.date(2026, 1, 15),
            **{f"visibility_{part}": PRIVATE.get(part, "public") for part in VISIBLE_PARTS},
        )
        expert.fields.set([fields[name] for name in spec["fields"]])
        expert.ethnic_groups.set(EthnicGroup.objects.filter(slug__in=spec["groups"]))
        expert.languages_spoken.set(Language.objects.filter(tag__in=spec["spoken"]))
        expert.languages_studied.set(Language.objects.filter(tag__in=spec["studied"]))
        expert.regions.set(Place.objects.filter(kind__in=Place.PROVINCE_KINDS, code__in=spec["provinces"]))
        for kind, year, decision in spec["titles"]:
            expert.titles.add(ExpertTitle(kind=kind, year=year, decision=decision))
        expert.save()
        created += 1
    return {"experts": created}
