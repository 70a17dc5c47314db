"""Statistics benchmark (issue 18): a million observations, the indicator page, XLSX import, a form summed over
3,321 communes, approving the communes' reports and reminding the late ones.

One command, from the repository root::

    .venv/bin/python bench/stats.py                       # 1,000,000 observations: about 10 minutes on 2 cores
    .venv/bin/python bench/stats.py --observations 100000 --import-rows 5000   # smaller, to check a change
    .venv/bin/python bench/stats.py --measure-only        # time the database of the last run again

It builds a fresh SQLite database (``bench/settings.py``: DEBUG off, the anonymous page cache off, tasks
inline) in ``$BENCH_DIR`` (default ``/tmp/heritage-bench-stats``), loads the archive's taxonomies (54 ethnic
groups, 34 provinces of today and the former ones), the indicator catalogue (24 indicators) and the report
forms, adds generated indicators up to ``--indicators`` (200: counts by ethnic group), and writes with
``bulk_create``:

* ``--observations`` figures (1,000,000) of indicator × ethnic group (54) × province (34) × year (2019, 2020,
  …), 5 % of them provisional; plus each indicator's totals for the whole country (by group and overall) and
  for each province, so that every chart of an indicator page has data;
* ``--communes`` (3,321) communes of today spread over the 34 provinces, their reporting units, and the commune
  form opened for 2025 with every commune's report filled in and approved.

Then it measures, with the in-run baselines the ratios are taken against:

1. **Indicator page, uncached** (p50/p95 of ``--requests`` random indicators): ``GET /vi/thong-ke/chi-tieu/<code>/``
   through ``django.test.Client`` as an anonymous visitor (the whole Django stack, HTML included) against the
   data service alone — the ``stats.pages`` calls the view makes (national series, groups, the province map,
   the first page of the table) — and ``GET /robots.txt``; the three take turns request by request.
2. **XLSX import**: ``import_observations`` of a generated workbook of ``--import-rows`` new figures (the
   template's columns), cells/s counting every filled cell and counting value cells alone; the same file
   again (idempotent: everything "unchanged"); baseline: reading the same workbook alone
   (``stats.spreadsheets.read_file``).
3. **A form summed over the communes**: ``stats.reports.summary.summarise`` for the whole country and for a
   province (``--repeats`` times each), against the bare grouped ``SUM`` query over the same approved
   reports; plus the dashboard counts and the summary as XLSX and PDF.
4. **Approving the communes' reports** (``--approvals``, 3,321): the commune form opened for 2024, every report
   filled in and submitted (in bulk), then each approved through ``stats.reports.workflow.approve`` — the
   reviewer's step: its 6 bound figures written as final observations with their revisions, the sums checked,
   the audit log and the notice task — one report after another; against the baseline of writing the same
   figures with one ``bulk_create`` (the floor for the rows an approval leaves).
5. **Reminders to every late unit**: the commune form opened for 2023 with a deadline long past and every
   commune's report left unsubmitted (each unit with an e-mail address), then
   ``stats.reports.notices.send_reminders`` (one e-mail per unit through Django's in-memory e-mail backend, so
   no mail server is timed), against the baseline of its dry run (the same late reports and recipients found,
   nothing rendered, sent or written); and a second call the same day (everyone just reminded: nothing sent).
   Parts 4 and 5 remove what they wrote when they end (and what an interrupted run left when they begin), so
   ``--measure-only`` times the same database again.

Results are printed and written to ``bench/results/stats-<time>.json`` (git-ignored). Goals (issue 18):
indicator page data p95 ≤ 50 ms uncached; XLSX import ≥ 20,000 cells/s; one form over 3,321 communes ≤ 2 s.
"""

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("BENCH_DIR", "/tmp/heritage-bench-stats")  # noqa: S108 - a throw-away benchmark database
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

YEAR0 = 2019
SOURCE = "Dữ liệu sinh ngẫu nhiên cho bench/stats.py"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observations", type=int, default=1_000_000, help="figures by group and province")
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--requests", type=int, default=200, help="timed indicator pages (and service calls)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=20, help="timed summaries of each scope")
    parser.add_argument("--approvals", type=int, default=3321, help="commune reports approved through the workflow")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--measure-only", action="store_true", help="time the existing database: generate nothing")
    parser.add_argument("--profile", action="store_true", help="cProfile 30 indicator pages and print the top")
    return parser.parse_args()


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def figures(samples) -> dict:
    return {
        "p50": round(percentile(samples, 50), 2),
        "p95": round(percentile(samples, 95), 2),
        "mean": round(statistics.fmean(samples), 2),
        "n": len(samples),
    }


def interleaved(functions: dict, inputs, warmup: int) -> dict:
    """Time each function on each input, taking turns input by input in a rotating order, so every layer meets
    the same moments of a shared machine: wall-clock figures by name, and the process's CPU time under
    ``<name>_cpu`` (what the work itself costs, whatever else the machine runs)."""
    for function in functions.values():
        for item in inputs[:warmup]:
            function(item)
    names = list(functions)
    samples = {name: [] for name in names}
    cpu = {name: [] for name in names}
    for number, item in enumerate(inputs):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            start, start_cpu = time.perf_counter(), time.process_time()
            functions[name](item)
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            samples[name].append((time.perf_counter() - start) * 1000)
    result = {name: figures(values) for name, values in samples.items()}
    result.update({f"{name}_cpu": figures(values) for name, values in cpu.items()})
    return result


# --- generating the data ---------------------------------------------------------------------------------


def load_base():
    from archive.demo.loader import load_taxonomies
    from stats.catalogue import load_catalogue
    from stats.reports.seed import load_report_forms

    load_taxonomies()
    load_catalogue()
    load_report_forms()


def make_indicators(count: int) -> list:
    from stats.models import Disaggregation, Indicator, IndicatorDisaggregation, IndicatorGroup, Unit

    # The catalogue's indicators broken down by ethnic group, and generated ones up to ``count``.
    existing = list(Indicator.objects.filter(breakdowns__disaggregation__code="ethnic_group").order_by("pk"))
    group = IndicatorGroup.objects.get(working_code="dan-so")
    persons = Unit.objects.get(code="persons")
    ethnic = Disaggregation.objects.get(code="ethnic_group")
    new = [
        Indicator(
            working_code=f"B{number:03d}",
            name=f"Chỉ tiêu sinh ngẫu nhiên số {number} (benchmark)",
            name_en=f"Generated indicator {number} (benchmark)",
            group=group,
            unit=persons,
            kind=Indicator.Kind.COUNT,
            additive=True,
            verification_note="Sinh ngẫu nhiên cho bench/stats.py",
        )
        for number in range(len(existing) + 1, count + 1)
    ]
    Indicator.objects.bulk_create(new, batch_size=500)
    created = list(Indicator.objects.filter(working_code__startswith="B").order_by("pk"))
    IndicatorDisaggregation.objects.bulk_create(
        [IndicatorDisaggregation(indicator=indicator, disaggregation=ethnic) for indicator in created], batch_size=500
    )
    return (existing + created)[:count]


def _observation(Observation, indicator, year, place, key, group, value, status):
    return Observation(
        indicator_id=indicator.pk,
        period=str(year),
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        place_id=place.pk if place else None,
        unit_code=place.code if place else "VN",
        unit_name=place.name if place else "",
        disaggregation_key=key,
        ethnic_group_id=group.pk if group else None,
        value=value,
        status=status,
        source=SOURCE,
        is_sample=True,
    )


def make_observations(indicators, total: int, rng: random.Random) -> dict:
    """``total`` figures by group and province, then the national and provincial totals of the same years."""
    from django.db import connection, transaction

    from archive.models import EthnicGroup, Place
    from stats.dimensions import ethnic_code_system
    from stats.models import Observation, Status

    groups = list(EthnicGroup.objects.filter(code_system=ethnic_code_system()).order_by("code"))
    provinces = list(Place.objects.current_provinces().order_by("code"))
    per_year = len(indicators) * len(groups) * len(provinces)
    years = -(-total // per_year)
    log(f"  {len(indicators)} indicators × {len(groups)} groups × {len(provinces)} provinces × {years} years")
    started = time.perf_counter()
    written = 0
    batch = []

    def flush():
        nonlocal batch
        with transaction.atomic():
            Observation.objects.bulk_create(batch, batch_size=5000)
        batch = []

    keys = {group.pk: f"ethnic_group={group.code}" for group in groups}
    for year in range(YEAR0, YEAR0 + years):
        for indicator in indicators:
            for place in provinces:
                for group in groups:
                    if written >= total:
                        break
                    status = Status.PROVISIONAL if rng.random() < 0.05 else Status.FINAL
                    value = Decimal(rng.randint(100, 90_000))
                    batch.append(
                        _observation(Observation, indicator, year, place, keys[group.pk], group, value, status)
                    )
                    written += 1
                    if len(batch) >= 50_000:
                        flush()
                        rate = written / (time.perf_counter() - started)
                        log(f"    {written:,} figures ({rate:,.0f}/s)")
    flush()
    by_group = written
    # Totals: the whole country by group and overall, and each province overall, for every year used.
    for year in range(YEAR0, YEAR0 + years):
        for indicator in indicators:
            batch.append(
                _observation(Observation, indicator, year, None, "", None, Decimal(rng.randint(10**6, 10**7)), "final")
            )
            for group in groups:
                batch.append(
                    _observation(
                        Observation,
                        indicator,
                        year,
                        None,
                        keys[group.pk],
                        group,
                        Decimal(rng.randint(10**4, 10**6)),
                        "final",
                    )
                )
            for place in provinces:
                batch.append(
                    _observation(
                        Observation, indicator, year, place, "", None, Decimal(rng.randint(10**5, 10**6)), "final"
                    )
                )
        flush()
    totals = Observation.objects.count() - by_group
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "by_group_and_province": by_group,
        "totals": totals,
        "years": years,
        "seconds": time.perf_counter() - started,
    }


def make_communes(count: int, rng: random.Random) -> dict:
    """``count`` communes of today spread over the provinces, their reporting units, the commune form opened for
    2025 and every report filled in and approved (written in bulk: the workflow's own speed is not measured here)."""
    from django.db import transaction

    from archive.models import Place
    from stats.models import FormCell, Report, ReportForm, ReportValue
    from stats.reports.setup import sync_reporting_units
    from stats.reports.workflow import open_period

    started = time.perf_counter()
    provinces = list(Place.objects.current_provinces().order_by("code"))
    places = []
    for number in range(count):
        province = provinces[number % len(provinces)]
        places.append(
            Place(
                kind=Place.Kind.COMMUNE,
                name=f"xã Thử Nghiệm {number + 1:04d}",
                slug=f"bench-xa-{number + 1:04d}",
                code=f"9{number + 1:04d}",
                code_system="bench",
                parent_id=province.pk,
                current_province_id=province.pk,
            )
        )
    with transaction.atomic():
        Place.objects.bulk_create(places, batch_size=1000)
        units = sync_reporting_units()
        form = ReportForm.objects.get(code="XA-DTTS-01")
        reporting_period, added = open_period(form, "2025", deadline=dt.date(2026, 1, 15))
        cells = {cell.code: cell for cell in FormCell.objects.filter(form=form)}
        values = []
        for report in Report.objects.filter(reporting_period=reporting_period).only("pk"):
            men, women = rng.randint(200, 3000), rng.randint(200, 3000)
            households = rng.randint(100, 1500)
            poor, near = rng.randint(0, households // 3), rng.randint(0, households // 3)
            figures_of = {
                "01": men + women, "02": men, "03": women, "04": households, "05": rng.randint(0, households),
                "06": poor, "07": near, "08": round(Decimal(100 * (poor + near)) / households, 1),
            }  # fmt: skip
            values += [
                ReportValue(report_id=report.pk, cell=cells[code], value=Decimal(v)) for code, v in figures_of.items()
            ]
            values.append(ReportValue(report_id=report.pk, cell=cells["09"], text=""))
        ReportValue.objects.bulk_create(values, batch_size=5000)
        Report.objects.filter(reporting_period=reporting_period).update(status=Report.Status.APPROVED)
    return {
        "communes": count,
        "units_created": units,
        "reports": added,
        "values": len(values),
        "seconds": time.perf_counter() - started,
    }


# --- measuring -------------------------------------------------------------------------------------------


def measure_pages(args, rng: random.Random) -> dict:
    from django.core.paginator import Paginator
    from django.test import Client

    from stats import pages
    from stats.models import Indicator

    indicators = list(Indicator.objects.select_related("group", "unit"))
    codes = [rng.choice(indicators) for _ in range(args.requests + args.warmup)]
    client = Client()

    def page(indicator):
        response = client.get(f"/vi/thong-ke/chi-tieu/{indicator.code}/")
        assert response.status_code == 200, response.status_code

    def service(indicator):
        # What the view asks stats.pages for, anonymous (final figures only), without templates or middleware.
        fresh = Indicator.objects.select_related("group", "unit").by_code(indicator.code)
        pages.national_series(fresh, None)
        pages.group_comparison(fresh, None)
        pages.province_choropleth(fresh, None, "")
        first = Paginator(pages.indicator_figures(fresh, None), pages.TABLE_PAGE_SIZE).get_page(1)
        pages.figure_rows(fresh, first.object_list)

    def robots(_indicator):
        assert client.get("/robots.txt").status_code == 200

    result = interleaved({"page": page, "service": service, "robots": robots}, codes, args.warmup)
    result["ratio_page_to_service_p95"] = round(result["page"]["p95"] / result["service"]["p95"], 2)
    result["ratio_page_to_robots_p50"] = round(result["page"]["p50"] / result["robots"]["p50"], 1)
    sample = client.get(f"/vi/thong-ke/chi-tieu/{codes[0].code}/")
    result["page_bytes"] = len(sample.content)
    if args.profile:
        import cProfile
        import io
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for indicator in codes[:30]:
            page(indicator)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
        log(out.getvalue())
    return result


def make_workbook(path: Path, rows: int, rng: random.Random) -> dict:
    """A workbook in the template's layout with ``rows`` new figures (year 2030, so none exists yet)."""
    from openpyxl import Workbook

    from archive.models import EthnicGroup, Place
    from stats.dimensions import ethnic_code_system
    from stats.models import Indicator
    from stats.spreadsheets import DATA_SHEET, header_text, template_columns

    indicators = list(Indicator.objects.filter(working_code__startswith="B").order_by("pk"))
    groups = list(EthnicGroup.objects.filter(code_system=ethnic_code_system()).order_by("code"))
    provinces = list(Place.objects.current_provinces().order_by("code"))
    columns = template_columns(indicators[:1])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([header_text(key, vi) for key, vi, _en in columns])
    written = filled = 0
    for indicator in indicators:
        for place in provinces:
            for group in groups:
                if written >= rows:
                    break
                row = {
                    "indicator": indicator.code,
                    "period": "2030",
                    "unit_code": place.code,
                    "unit_name": place.name,
                    "ethnic_group": group.code,
                    "value": rng.randint(10, 50_000),
                    "unit": "người",
                    "status": "sơ bộ",
                    "source": "Báo cáo thử nghiệm của Ban Dân tộc tỉnh, 2030",
                }
                values = [row.get(key) for key, _vi, _en in columns]
                filled += sum(1 for value in values if value not in (None, ""))
                sheet.append(values)
                written += 1
    workbook.save(path)
    return {"rows": written, "filled_cells": filled, "columns": len(columns), "bytes": path.stat().st_size}


def measure_import(args, rng: random.Random, folder: Path) -> dict:
    from django.db import transaction

    from stats.importer import import_observations
    from stats.models import Observation
    from stats.spreadsheets import read_file

    path = folder / "import-bench.xlsx"
    made = make_workbook(path, args.import_rows, rng)
    log(f"  workbook: {made['rows']:,} rows, {made['filled_cells']:,} filled cells, {made['bytes'] / 1e6:.1f} MB")
    Observation.objects.filter(period="2030").delete()
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    read_file(path)
    reading, reading_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    start, start_cpu = time.perf_counter(), time.process_time()
    report = import_observations(path, default_source=SOURCE)
    first, first_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    assert report.written and not report.errors, [line.message for line in report.errors[:5]]
    start = time.perf_counter()
    again = import_observations(path, default_source=SOURCE)
    second = time.perf_counter() - start
    assert again.count("unchanged") == made["rows"], again.summary()
    with transaction.atomic():
        Observation.objects.filter(period="2030").delete()
    return {
        **made,
        "read_only_seconds": round(reading, 2),
        "import_seconds": round(first, 2),
        "import_cpu_seconds": round(first_cpu, 2),
        "read_only_cpu_seconds": round(reading_cpu, 2),
        "cells_per_cpu_second": round(made["filled_cells"] / first_cpu),
        "reimport_seconds": round(second, 2),
        "cells_per_second": round(made["filled_cells"] / first),
        "value_cells_per_second": round(made["rows"] / first),
        "reimport_cells_per_second": round(made["filled_cells"] / second),
        "reading_cells_per_second": round(made["filled_cells"] / reading),
        "ratio_import_to_reading": round(first / reading, 2),
        "created": report.count("created"),
    }


def measure_summary(args) -> dict:
    from django.db.models import Sum
    from django.utils import timezone

    from stats.models import Report, ReportingPeriod, ReportingUnit, ReportValue
    from stats.reports import dashboard, export
    from stats.reports.layout import Layout
    from stats.reports.summary import summarise

    reporting_period = ReportingPeriod.objects.get(form__code="XA-DTTS-01", period="2025")
    province = ReportingUnit.objects.filter(level="province").order_by("pk").first()
    layout = Layout(reporting_period.form)

    def bare(_item):
        return list(
            ReportValue.objects.filter(
                report__reporting_period=reporting_period, report__status=Report.Status.APPROVED, value__isnull=False
            )
            .values("cell_id")
            .annotate(total=Sum("value"))
            .order_by()
        )

    def nation(_item):
        summary = summarise(reporting_period, None)
        assert summary.approved == summary.expected == args.communes, (summary.approved, summary.expected)
        return summary

    def one_province(_item):
        return summarise(reporting_period, province)

    inputs = list(range(args.repeats))
    result = interleaved({"nation": nation, "province": one_province, "bare_sum": bare}, inputs, 2)
    result["ratio_nation_to_bare_p95"] = round(result["nation"]["p95"] / result["bare_sum"]["p95"], 2)
    today = timezone.localdate()
    start = time.perf_counter()
    dashboard.counts(reporting_period, None, today)
    list(dashboard.rows(reporting_period, province, today)[:100])
    result["dashboard_ms"] = round((time.perf_counter() - start) * 1000, 1)
    summary = summarise(reporting_period, None, layout)
    document = export.summary_document(summary)
    start = time.perf_counter()
    export.to_xlsx(document)
    result["summary_xlsx_ms"] = round((time.perf_counter() - start) * 1000, 1)
    start = time.perf_counter()
    export.to_pdf(document)
    result["summary_pdf_ms"] = round((time.perf_counter() - start) * 1000, 1)
    result["national_figures"] = {code: str(value) for code, value in summary.values.items() if value is not None}
    return result


def _remove_commune_period(period: str) -> None:
    """The commune form's ``period`` removed with its reports and the figures their approval wrote."""
    from stats.models import Observation, ObservationRevision, ReportingPeriod

    for old in ReportingPeriod.objects.filter(form__code="XA-DTTS-01", period=period):
        written = Observation.objects.filter(report__reporting_period=old)
        ObservationRevision.objects.filter(observation__in=written).delete()
        written.delete()
        old.delete()


def _open_commune_period(period: str, deadline: dt.date):
    """The commune form opened for ``period`` afresh (what an earlier run left is removed first)."""
    from stats.models import ReportForm
    from stats.reports.workflow import open_period

    _remove_commune_period(period)
    return open_period(ReportForm.objects.get(code="XA-DTTS-01"), period, deadline=deadline)


def _fill_reports(reporting_period, rng: random.Random) -> int:
    """Every report of ``reporting_period`` filled in (in bulk) with figures that pass the form's checks."""
    from stats.models import FormCell, Report, ReportValue

    cells = {cell.code: cell for cell in FormCell.objects.filter(form=reporting_period.form)}
    values = []
    for report_id in Report.objects.filter(reporting_period=reporting_period).values_list("pk", flat=True):
        men, women = rng.randint(200, 3000), rng.randint(200, 3000)
        households = rng.randint(100, 1500)
        figures_of = {
            "01": men + women, "02": men, "03": women, "04": households, "05": rng.randint(0, households),
            "06": rng.randint(0, households // 3), "07": rng.randint(0, households // 3),
        }  # fmt: skip
        values += [
            ReportValue(report_id=report_id, cell=cells[code], value=Decimal(v)) for code, v in figures_of.items()
        ]
        values.append(ReportValue(report_id=report_id, cell=cells["09"], text=""))
    ReportValue.objects.bulk_create(values, batch_size=5000)
    return len(values)


def measure_approvals(args, rng: random.Random) -> dict:
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from stats.models import Observation, ObservationRevision, Report
    from stats.reports.workflow import approve

    reviewer, _created = User.objects.get_or_create(username="bench-reviewer", defaults={"is_superuser": True})
    with transaction.atomic():
        reporting_period, added = _open_commune_period("2024", dt.date(2025, 1, 15))
        _fill_reports(reporting_period, rng)
        Report.objects.filter(reporting_period=reporting_period).update(
            status=Report.Status.SUBMITTED, submitted_at=timezone.now()
        )
    reports = list(Report.objects.filter(reporting_period=reporting_period).order_by("pk")[: args.approvals])
    log(f"  {added:,} reports opened, filled in and submitted; approving {len(reports):,} one by one")
    gc.collect()
    samples = []
    written = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for report in reports:
        one = time.perf_counter()
        written += len(approve(report, reviewer))
        samples.append((time.perf_counter() - one) * 1000)
    total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    approved = Report.objects.filter(reporting_period=reporting_period, status=Report.Status.APPROVED).count()
    assert approved == len(reports), (approved, len(reports))
    from_reports = Observation.objects.filter(report__reporting_period=reporting_period)
    assert from_reports.count() == written, (from_reports.count(), written)
    revisions = ObservationRevision.objects.filter(observation__in=from_reports).count()
    # Baseline: the same figures written with one bulk_create (another period, so nothing collides), then removed.
    copies = [
        Observation(
            indicator_id=obs.indicator_id,
            period="2022",
            period_start=dt.date(2022, 1, 1),
            period_end=dt.date(2022, 12, 31),
            place_id=obs.place_id,
            unit_code=obs.unit_code,
            unit_name=obs.unit_name,
            disaggregation_key=obs.disaggregation_key,
            value=obs.value,
            status=obs.status,
            source=obs.source,
        )
        for obs in from_reports
    ]
    start, start_cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        Observation.objects.bulk_create(copies, batch_size=2000)
    bulk, bulk_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    Observation.objects.filter(pk__in=[obs.pk for obs in copies if obs.pk]).delete()
    Observation.objects.filter(period="2022", source__startswith="Báo cáo định kỳ").delete()
    _remove_commune_period("2024")  # leave the database as it was
    return {
        "reports": len(reports),
        "observations_written": written,
        "revisions_written": revisions,
        "approve_all_seconds": round(total, 2),
        "approve_all_cpu_seconds": round(total_cpu, 2),
        "approvals_per_second": round(len(reports) / total, 1),
        "approve_one": figures(samples),
        "bulk_same_figures_seconds": round(bulk, 3),
        "bulk_same_figures_cpu_seconds": round(bulk_cpu, 3),
        "ratio_approve_to_bulk": round(total / bulk, 1),
        "ratio_approve_to_bulk_cpu": round(total_cpu / bulk_cpu, 1),
    }


def measure_reminders(args, rng: random.Random) -> dict:
    from django.core import mail
    from django.db import transaction
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat
    from django.test.utils import override_settings
    from django.utils import timezone

    from stats.models import Report, ReportingLevel, ReportingUnit
    from stats.reports.notices import send_reminders

    today = timezone.localdate()
    with transaction.atomic():
        ReportingUnit.objects.filter(level=ReportingLevel.COMMUNE).update(
            email=Concat(Value("xa-"), Cast("pk", CharField()), Value("@bench.invalid"))
        )
        reporting_period, added = _open_commune_period("2023", dt.date(2024, 1, 15))
        _fill_reports(reporting_period, rng)  # filled in, never submitted: late
    late = Report.objects.late(today).count()
    log(f"  {added:,} reports opened and left unsubmitted; {late:,} late in all")
    result = {"late_reports": late}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        dry = send_reminders(today, dry_run=True)
        result["dry_run_seconds"] = round(time.perf_counter() - start, 2)
        result["dry_run_cpu_seconds"] = round(time.process_time() - start_cpu, 2)
        assert len(dry) == late and not mail.outbox, (len(dry), late, len(mail.outbox))
        start, start_cpu = time.perf_counter(), time.process_time()
        sent = send_reminders(today)
        result["send_seconds"] = round(time.perf_counter() - start, 2)
        result["send_cpu_seconds"] = round(time.process_time() - start_cpu, 2)
        result["emails"] = len(mail.outbox)
        assert len(sent) == late and len(mail.outbox) == late, (len(sent), late, len(mail.outbox))
        start = time.perf_counter()
        again = send_reminders(today)
        result["again_seconds"] = round(time.perf_counter() - start, 2)
        assert again == [] and len(mail.outbox) == late, (len(again), len(mail.outbox))
        mail.outbox = []
    result["reminders_per_second"] = round(late / result["send_seconds"], 1)
    result["ratio_send_to_dry_run"] = round(result["send_seconds"] / result["dry_run_seconds"], 1)
    result["ratio_send_to_dry_run_cpu"] = round(result["send_cpu_seconds"] / result["dry_run_cpu_seconds"], 1)
    with transaction.atomic():
        reporting_period.delete()
        ReportingUnit.objects.filter(level=ReportingLevel.COMMUNE).update(email="")
    return result


def main():
    args = parse_args()
    django.setup()
    from django.conf import settings

    from bench.pages import environment, fresh_database, result_path, write_results
    from stats.models import Observation

    rng = random.Random(args.seed)
    folder = Path(settings.BENCH_DIR)
    payload = {"args": vars(args), "started": dt.datetime.now().isoformat(timespec="seconds")}
    db_path = Path(settings.DATABASES["default"]["NAME"])
    if not args.measure_only:
        log(f"Database: {db_path} (fresh)")
        path, seconds = fresh_database(reuse=False)
        log(f"  migrated in {seconds:.0f} s")
        load_base()
        indicators = make_indicators(args.indicators)
        log(f"Observations ({args.observations:,} by group and province):")
        payload["observations"] = make_observations(indicators, args.observations, rng)
        log(f"  {Observation.objects.count():,} observations in {payload['observations']['seconds']:.0f} s")
        log(f"Communes ({args.communes:,}), their reports filled in and approved:")
        payload["communes"] = make_communes(args.communes, rng)
        log(f"  done in {payload['communes']['seconds']:.0f} s")
    payload["database"] = {"observations": Observation.objects.count(), "bytes": db_path.stat().st_size}
    payload["environment"] = environment(db_path)
    payload["load_average_before"] = os.getloadavg()

    log("\n1. Indicator page, uncached (anonymous; page ↔ data service ↔ /robots.txt, request by request)")
    payload["indicator_page"] = measure_pages(args, rng)
    for name in ("page", "service", "robots"):
        timing, cpu = payload["indicator_page"][name], payload["indicator_page"][f"{name}_cpu"]
        log(
            f"  {name:8} p50 {timing['p50']:7.1f} ms   p95 {timing['p95']:7.1f} ms"
            f"   (CPU p50 {cpu['p50']:5.1f}, p95 {cpu['p95']:5.1f})"
        )
    log(f"  page ÷ service (p95): {payload['indicator_page']['ratio_page_to_service_p95']}×; "
        f"page ÷ robots.txt (p50): {payload['indicator_page']['ratio_page_to_robots_p50']}×")  # fmt: skip

    log(f"  load average now: {os.getloadavg()[0]:.1f} (2 cores: above 2, other work shares the CPUs)")
    log(f"\n2. XLSX import ({args.import_rows:,} new figures)")
    payload["import"] = measure_import(args, rng, folder)
    imp = payload["import"]
    log(f"  CPU: import {imp['import_cpu_seconds']} s ({imp['cells_per_cpu_second']:,} cells per CPU second), "
        f"reading {imp['read_only_cpu_seconds']} s")  # fmt: skip
    log(f"  import {imp['import_seconds']} s: {imp['cells_per_second']:,} filled cells/s "
        f"({imp['value_cells_per_second']:,} figures/s); again (unchanged) {imp['reimport_seconds']} s; "
        f"reading alone {imp['read_only_seconds']} s → import ÷ reading {imp['ratio_import_to_reading']}×")  # fmt: skip

    log(f"\n3. The commune form summed over {args.communes:,} communes ({args.repeats} times each)")
    payload["summary"] = measure_summary(args)
    for name in ("nation", "province", "bare_sum"):
        timing, cpu = payload["summary"][name], payload["summary"][f"{name}_cpu"]
        log(f"  {name:9} p50 {timing['p50']:8.1f} ms   p95 {timing['p95']:8.1f} ms   (CPU p95 {cpu['p95']:6.1f})")
    log(f"  nation ÷ bare SUM (p95): {payload['summary']['ratio_nation_to_bare_p95']}×; dashboard "
        f"{payload['summary']['dashboard_ms']} ms; summary XLSX {payload['summary']['summary_xlsx_ms']} ms, "
        f"PDF {payload['summary']['summary_pdf_ms']} ms")  # fmt: skip

    log(f"\n4. Approving the communes' reports through the workflow ({args.approvals:,})")
    payload["approvals"] = measure_approvals(args, rng)
    appr = payload["approvals"]
    log(f"  {appr['reports']:,} approved in {appr['approve_all_seconds']} s (CPU {appr['approve_all_cpu_seconds']} s): "
        f"{appr['approvals_per_second']}/s, one approval p50 {appr['approve_one']['p50']} ms p95 "
        f"{appr['approve_one']['p95']} ms; {appr['observations_written']:,} observations, "
        f"{appr['revisions_written']:,} revisions")  # fmt: skip
    log(f"  the same figures in one bulk_create: {appr['bulk_same_figures_seconds']} s (CPU "
        f"{appr['bulk_same_figures_cpu_seconds']} s) → approving ÷ bulk {appr['ratio_approve_to_bulk']}× "
        f"(CPU {appr['ratio_approve_to_bulk_cpu']}×)")  # fmt: skip

    log("\n5. Reminders to every late unit")
    payload["reminders"] = measure_reminders(args, rng)
    rem = payload["reminders"]
    log(f"  {rem['emails']:,} reminders sent in {rem['send_seconds']} s (CPU {rem['send_cpu_seconds']} s, "
        f"{rem['reminders_per_second']}/s); dry run {rem['dry_run_seconds']} s (CPU {rem['dry_run_cpu_seconds']} s) "
        f"→ sending ÷ dry run {rem['ratio_send_to_dry_run']}× (CPU {rem['ratio_send_to_dry_run_cpu']}×); "
        f"again the same day (nothing to send) {rem['again_seconds']} s")  # fmt: skip

    goals = {
        "indicator page p95 ≤ 50 ms": payload["indicator_page"]["page"]["p95"] <= 50,
        "XLSX import ≥ 20,000 cells/s": imp["cells_per_second"] >= 20_000,
        "form over communes ≤ 2 s": payload["summary"]["nation"]["p95"] <= 2000,
    }
    payload["goals"] = goals
    payload["load_average_after"] = os.getloadavg()
    log("\nGoals: " + "; ".join(f"{name}: {'met' if met else 'NOT met'}" for name, met in goals.items()))
    out = result_path("stats")
    write_results(out, payload)
    log(f"Results: {out}")


if __name__ == "__main__":
    main()
