"""Expert database benchmark (issue 17): the directory through the API on 10,000 generated experts, a profile
page uncached, and 20 concurrent contact-form senders.

One command, from the repository root::

    .venv/bin/python bench/experts.py                          # 10,000 experts, 200 requests, 20 senders × 60 s
    .venv/bin/python bench/experts.py --experts 1000 --requests 50 --senders 4 --seconds 10   # quick check

It builds a fresh SQLite database (``bench/settings.py``: DEBUG off, the anonymous page cache off) in
``$BENCH_DIR`` (default ``/tmp/heritage-bench-experts``), loads the archive's taxonomies (54 ethnic groups, the
provinces, the languages) and writes, with ``bulk_create``, ``--experts`` experts with consent, random fields
(of 40), groups, languages, provinces and titles, all parts public; then builds the directory's people index
in the embedded engine (tantivy, ``$BENCH_DIR/search/experts``) from them with ``search.people.rebuild()``, as
``manage.py search_index rebuild`` does: one document per expert and audience level. Then, as an anonymous
visitor through ``django.test.Client`` (the whole Django stack), each against the in-run baseline
``GET /robots.txt``, taking turns request by request:

1. **Directory search with facets**: ``GET /api/v1/experts/?q=<word>&field=…&group=…&language=…&province=…&
   title=…`` — a word of a field or a group (half typed without diacritics) and all six facets counted;
   half the requests with two facet values chosen.
2. **A profile page, uncached**: ``GET /vi/chuyen-gia/<slug>/`` of random experts.
3. **Contact-form senders**: ``--senders`` threads, each its own client and address, posting valid messages for
   ``--seconds``; errors (any answer but the redirect), messages stored and e-mails sent (Django's in-memory
   backend) must agree: 0 errors, 0 lost.

Results are printed and written to ``bench/results/experts-<time>.json`` (git-ignored). Goals (issue 17):
directory p95 ≤ 25 ms, profile p95 ≤ 50 ms, contact 0 errors and 0 lost messages.
"""

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DIR", "/tmp/heritage-bench-experts")  # noqa: S108 - a throw-away benchmark database
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# The people index (the embedded engine, tantivy) beside the benchmark's database, never the site's own.
os.environ.setdefault("SEARCH_INDEX_DIR", str(Path(os.environ["BENCH_DIR"]) / "search"))
os.environ["ELASTICSEARCH_URL"] = ""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--measure-only", action="store_true", help="time the database of the last run again")
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def figures(samples) -> dict:
    return {
        "p50": round(percentile(samples, 50), 2),
        "p95": round(percentile(samples, 95), 2),
        "mean": round(statistics.fmean(samples), 2),
        "n": len(samples),
    }


def interleaved(functions: dict, inputs, warmup: int = 5) -> dict:
    for function in functions.values():
        for item in inputs[:warmup]:
            function(item)
    names = list(functions)
    samples = {name: [] for name in names}
    for number, item in enumerate(inputs):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            start = time.perf_counter()
            functions[name](item)
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: figures(values) for name, values in samples.items()}


# --- generating the data ---------------------------------------------------------------------------------

FIELD_WORDS = [
    "Dệt thổ cẩm",
    "Hát then",
    "Khèn Mông",
    "Chính sách dân tộc",
    "Ngôn ngữ học",
    "Lễ hội",
    "Y học cổ truyền",
    "Kiến trúc nhà sàn",
    "Chữ Nôm Tày",
    "Chữ Thái cổ",
    "Giáo dục song ngữ",
    "Giảm nghèo",
    "Rừng cộng đồng",
    "Nghề rèn",
    "Gốm",
    "Đan lát",
    "Cồng chiêng",
    "Sử thi",
    "Luật tục",
    "Ẩm thực",
    "Trang phục",
    "Âm nhạc dân gian",
    "Múa xòe",
    "Tín ngưỡng",
    "Nông nghiệp nương rẫy",
    "Du lịch cộng đồng",
    "Di sản tư liệu",
    "Khảo cổ học",
    "Nhân học",
    "Lịch sử địa phương",
    "Bảo tàng học",
    "Văn học dân gian",
    "Y tế cộng đồng",
    "Pháp luật",
    "Thống kê",
    "Bản đồ",
    "Thủy lợi",
    "Giống cây bản địa",
    "Chăn nuôi",
    "Nghề mộc",
]
SURNAMES = ["Nguyễn", "Hoàng", "Nông", "Lò", "Vi", "Sùng", "Giàng", "Hà", "Lương", "Triệu", "Bế", "Lý", "Đinh"]
GIVEN = ["Văn An", "Thị Hoa", "Văn Tuấn", "A Lử", "Thị Mỷ", "Văn Khang", "Thị Mai", "Đức Anh", "Thị Hạnh", "Văn Phú"]


def generate(count: int, rng: random.Random) -> None:
    import datetime as dt

    from archive.demo.loader import load_taxonomies
    from archive.models import EthnicGroup, Language, Person, Place
    from experts.models import VISIBLE_PARTS, Expert, ExpertiseField, ExpertTitle, Title

    load_taxonomies()
    fields = [ExpertiseField.objects.create(name=name) for name in FIELD_WORDS]
    groups = list(EthnicGroup.objects.all())
    languages = list(Language.objects.all())
    provinces = list(Place.objects.current_provinces())
    titles = [value for value, _label in Title.choices]
    people = Person.objects.bulk_create(
        Person(name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)} {number}", key=f"bench-{number}")
        for number in range(count)
    )
    experts, links = [], []
    for number, person in enumerate(people):
        chosen = {
            "fields": rng.sample(fields, rng.randint(1, 3)),
            "groups": rng.sample(groups, rng.randint(1, 2)),
            "spoken": rng.sample(languages, rng.randint(1, 2)),
            "provinces": rng.sample(provinces, rng.randint(1, 2)),
            "title": rng.choice(titles),
        }
        experts.append(
            Expert(
                person=person,
                slug=f"chuyen-gia-{number}",
                organisation=f"Viện nghiên cứu số {number % 50}",
                biography="Tiểu sử mẫu.",
                consent_text="Đồng ý (dữ liệu sinh cho benchmark).",
                consent_date=dt.date(2026, 1, 1),
                **{f"visibility_{part}": "public" for part in VISIBLE_PARTS},
            )
        )
        links.append(chosen)
    experts = Expert.objects.bulk_create(experts, batch_size=500)
    through = {
        name: getattr(Expert, name).through for name in ("fields", "ethnic_groups", "languages_spoken", "regions")
    }
    rows = {name: [] for name in through}
    titles_rows = []
    for expert, chosen in zip(experts, links, strict=True):
        rows["fields"] += [through["fields"](expert_id=expert.pk, expertisefield_id=f.pk) for f in chosen["fields"]]
        rows["ethnic_groups"] += [
            through["ethnic_groups"](expert_id=expert.pk, ethnicgroup_id=g.pk) for g in chosen["groups"]
        ]
        rows["languages_spoken"] += [
            through["languages_spoken"](expert_id=expert.pk, language_id=lang.pk) for lang in chosen["spoken"]
        ]
        rows["regions"] += [through["regions"](expert_id=expert.pk, place_id=p.pk) for p in chosen["provinces"]]
        titles_rows.append(ExpertTitle(expert_id=expert.pk, kind=chosen["title"], sort_order=0))
    for name, model in through.items():
        model.objects.bulk_create(rows[name], batch_size=2000)
    ExpertTitle.objects.bulk_create(titles_rows, batch_size=2000)


# --- measuring -------------------------------------------------------------------------------------------


def measure(requests: int, rng: random.Random) -> dict:
    from django.test import Client

    from archive.models import EthnicGroup, Language, Place
    from experts.models import Expert, ExpertiseField

    client = Client()
    fields = list(ExpertiseField.objects.values_list("slug", "name"))
    groups = list(EthnicGroup.objects.filter(experts__isnull=False).distinct().values_list("slug", flat=True))
    tags = list(Language.objects.filter(speaking_experts__isnull=False).distinct().values_list("tag", flat=True))
    provinces = list(Place.objects.filter(experts__isnull=False).distinct().values_list("slug", flat=True))
    slugs = list(Expert.objects.values_list("slug", flat=True))

    def query(number):
        from search.analysis import fold

        slug, name = rng.choice(fields)
        word = name.split()[0]
        params = {"q": fold(word) if number % 2 else word}
        if number % 2:
            params.update({"group": rng.choice(groups), "language": rng.choice(tags)})
        if number % 4 == 1:
            params.update({"field": slug, "province": rng.choice(provinces)})
        return params

    queries = [query(number) for number in range(requests)]

    def get(url, params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, params, response.status_code)

    results = {
        "directory": interleaved(
            {"api": lambda params: get("/api/v1/experts/", params), "baseline": lambda _p: get("/robots.txt")},
            queries,
        )
    }
    picked = [rng.choice(slugs) for _ in range(requests)]
    results["profile"] = interleaved(
        {"page": lambda slug: get(f"/vi/chuyen-gia/{slug}/"), "baseline": lambda _s: get("/robots.txt")}, picked
    )
    return results


def contact(senders: int, seconds: float) -> dict:
    from django.core import mail
    from django.test import Client, override_settings

    from experts.forms import issue_stamp
    from experts.models import ContactMessage, Expert

    slugs = list(Expert.objects.values_list("slug", flat=True)[:senders])
    before = ContactMessage.objects.count()
    outcomes = {"sent": 0, "errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def sender(number):
        client = Client(REMOTE_ADDR=f"10.1.{number // 250}.{number % 250 + 1}")
        while time.monotonic() < stop:
            data = {
                "name": f"Người gửi {number}",
                "email": f"sender{number}@example.org",
                "message": "Xin chào, tôi muốn hỏi về hoa văn thổ cẩm.",
                "website": "",
                "stamp": issue_stamp(time.time() - 60),
            }
            try:
                ok = client.post(f"/vi/chuyen-gia/{slugs[number % len(slugs)]}/", data).status_code == 302
            except Exception:  # noqa: BLE001 - every failure counts as an error
                ok = False
            with lock:
                outcomes["sent" if ok else "errors"] += 1

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        EXPERTS_CONTACT_LIMIT=10**9,
        EXPERTS_STAFF_EMAILS=["staff@example.org"],
    ):
        mail.outbox = []
        threads = [threading.Thread(target=sender, args=(number,)) for number in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = ContactMessage.objects.count() - before
        emails = len(mail.outbox)
    outcomes.update({"stored": stored, "emails": emails, "lost": outcomes["sent"] - min(stored, emails)})
    outcomes["per_second"] = round(outcomes["sent"] / seconds, 1)
    return outcomes


def main():
    args = parse_args()
    bench_dir = Path(os.environ["BENCH_DIR"])
    bench_dir.mkdir(parents=True, exist_ok=True)
    import django

    if not args.measure_only:
        (bench_dir / "db.sqlite3").unlink(missing_ok=True)
    django.setup()
    from django.core.management import call_command

    rng = random.Random(17)
    if not args.measure_only:
        log("migrating")
        call_command("migrate", verbosity=0)
        log(f"generating {args.experts} experts")
        generate(args.experts, rng)
        from search import people

        log("building the people index (as `search_index rebuild` does)")
        started = time.perf_counter()
        documents = people.rebuild()
        log(f"indexed {documents} people documents in {time.perf_counter() - started:.1f} s")
    log("measuring the directory and profiles")
    results = {"experts": args.experts, **measure(args.requests, rng)}
    log(f"{args.senders} contact-form senders for {args.seconds:.0f} s")
    results["contact"] = contact(args.senders, args.seconds)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"experts-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
