"""Importing observations from XLSX and CSV files made from the templates (``stats.spreadsheets``).

One file is one transaction: every row is checked, the figures are written, the sums that must
agree are checked on the result (``stats.checks``), and if anything at all is wrong — or on a
dry run — everything is rolled back, so a file is imported whole or not at all. Importing the
same file again changes nothing ("unchanged"), and writes no revision.

The report has one line per cell that matters: the value cell of every row (created, updated,
unchanged, skipped) and every cell with an error, in the active language.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.db import connections, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import EthnicGroup
from archive.text import nfc
from stats.checks import check_breakdowns
from stats.dimensions import ethnic_code_system, indicator_dimensions
from stats.keys import ETHNIC_GROUP, make_key
from stats.models import Indicator, Observation, ObservationRevision, Status, fold
from stats.numbers import NumberError, format_number, parse_number
from stats.periods import PeriodError, parse_period
from stats.places import UnitError, UnitIndex
from stats.revisions import revision_context
from stats.spreadsheets import FIXED_COLUMNS, Row, read_file, status_of

CREATED, UPDATED, UNCHANGED, SKIPPED, ERROR, WARNING = "created", "updated", "unchanged", "skipped", "error", "warning"
INSERT_BATCH = 2000  # rows a statement when new figures are written together


@dataclass
class ReportLine:
    sheet: str
    cell: str
    status: str
    message: str


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    lines: list[ReportLine] = field(default_factory=list)
    written: bool = False

    def add(self, sheet, cell, status, message) -> None:
        self.lines.append(ReportLine(sheet, cell, status, str(message)))

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def errors(self) -> list[ReportLine]:
        return [line for line in self.lines if line.status == ERROR]

    def write_csv(self, path: Path) -> None:
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow([_("sheet"), _("cell"), _("status"), _("message")])
            for line in self.lines:
                writer.writerow([line.sheet, line.cell, line.status, line.message])

    def summary(self) -> str:
        counts = {
            "created": self.count(CREATED),
            "updated": self.count(UPDATED),
            "unchanged": self.count(UNCHANGED),
            "skipped": self.count(SKIPPED),
            "errors": self.count(ERROR),
        }
        text = (
            _(
                "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s skipped, "
                "%(errors)s errors."
            )
            % counts
        )
        if self.dry_run:
            return text + " " + _("Dry run: nothing was written.")
        if not self.written:
            return text + " " + _("Nothing was written: fix the errors and import the file again.")
        return text


@dataclass
class Parsed:
    row: Row
    indicator: Indicator
    period: str
    place_id: int | None
    unit_code: str
    unit_name: str
    key: str
    value: Decimal
    status: str
    source: str
    notes: str
    unit_version: object
    ethnic_group: EthnicGroup | None = None
    period_start: object = None
    period_end: object = None


class _Context:
    """What every row needs, read once per file."""

    def __init__(self, number_format: str, default_status: str, default_source: str):
        self.number_format = number_format
        self.default_status = default_status
        self.default_source = default_source
        self.units = UnitIndex()
        self.indicators: dict[str, Indicator | None] = {}
        self.dimensions: dict[int, dict] = {}
        self.groups = {group.code: group for group in EthnicGroup.objects.filter(code_system=ethnic_code_system())}

    def indicator(self, code: str) -> Indicator | None:
        if code not in self.indicators:
            indicator = Indicator.objects.select_related("unit").by_code(code)
            self.indicators[code] = indicator
            if indicator is not None:
                self.dimensions[indicator.pk] = {d.code: d for d in indicator_dimensions(indicator)}
        return self.indicators[code]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _indicator_code(value) -> str:
    code = _text(value)
    if isinstance(value, (int, float)) and code.isdigit():
        code = code.zfill(4)  # 0101 typed into a number cell
    return code


def _parse_row(row: Row, context: _Context, report: ImportReport) -> Parsed | None:
    """Check one row; report its errors; return the figure it holds, or None."""
    errors: list[tuple[str, str]] = []

    def error(key, message):
        errors.append((row.coordinate(key), message))

    code = _indicator_code(row.value("indicator"))
    indicator = context.indicator(code) if code else None
    if not code:
        error("indicator", _("The indicator code is empty."))
    elif indicator is None:
        error("indicator", _("Unknown indicator code “%(code)s”: it is not in the catalogue.") % {"code": code})

    period = None
    try:
        period = parse_period(row.value("period"))
    except PeriodError as exc:
        error("period", str(exc))

    place_id, unit_code, unit_name = None, _text(row.value("unit_code")), _text(row.value("unit_name"))
    if period is not None:
        try:
            place_id = context.units.resolve(unit_code, unit_name, period)
        except UnitError as exc:
            error("unit_name" if unit_name and not unit_code else "unit_code", str(exc))

    value, parts = None, {}
    if indicator is not None:
        dimensions = context.dimensions[indicator.pk]
        for key in row.cells:
            if key in FIXED_COLUMNS:
                continue
            text = _text(row.value(key))
            if not text:
                continue
            dimension = dimensions.get(key)
            if dimension is None:
                error(
                    key,
                    _("%(indicator)s is not broken down by this column (%(column)s): leave it empty.")
                    % {"indicator": indicator.code, "column": key},
                )
                continue
            found = dimension.lookup(text)
            if found is None or found in dimension.excluded:
                allowed = ", ".join(v.name for v in dimension.values if v.code not in dimension.excluded)
                error(
                    key,
                    _("“%(text)s” is not a value of %(dimension)s for %(indicator)s (allowed: %(allowed)s).")
                    % {
                        "text": text,
                        "dimension": dimension.display_name,
                        "indicator": indicator.code,
                        "allowed": allowed,
                    },
                )
            else:
                parts[key] = found

        unit_text = _text(row.value("unit"))
        if unit_text and fold(unit_text) not in indicator.unit.spellings():
            error(
                "unit",
                _("Wrong unit: the row says “%(given)s”, but %(indicator)s is measured in %(unit)s.")
                % {"given": unit_text, "indicator": indicator.code, "unit": indicator.unit.symbol},
            )

        cell = row.cells.get("value")
        try:
            parsed = parse_number(cell.value if cell else None, context.number_format)
        except NumberError as exc:
            error("value", str(exc))
        else:
            value, sign = parsed.value, parsed.sign
            if cell is not None and cell.percent_format and value is not None:
                value, sign = value * 100, "percent"
            if value is not None and sign and sign != indicator.unit.kind:
                symbol = "%" if sign == "percent" else "‰"
                error(
                    "value",
                    _("Wrong unit: “%(text)s” is in %(symbol)s, but %(indicator)s is measured in %(unit)s.")
                    % {
                        "text": cell.value,
                        "symbol": symbol,
                        "indicator": indicator.code,
                        "unit": indicator.unit.symbol,
                    },
                )
            elif value is not None and indicator.kind == Indicator.Kind.COUNT and value != value.to_integral():
                error(
                    "value",
                    _("%(indicator)s counts %(unit)s: the value must be a whole number, not %(value)s.")
                    % {"indicator": indicator.code, "unit": indicator.unit.symbol, "value": format_number(value)},
                )

    status = status_of(row.value("status"))
    if status is None:
        error(
            "status",
            _("Unknown status “%(text)s”: write “sơ bộ” (provisional) or “chính thức” (final).")
            % {"text": _text(row.value("status"))},
        )
    status = status or context.default_status

    source = _text(row.value("source")) or context.default_source
    if not source and value is not None:
        error("source", _("Give the source of the figure (the publication or report it comes from)."))

    unit_version = None
    if _text(row.value("unit_version")):
        try:
            unit_version = parse_period(row.value("unit_version")).end
        except PeriodError as exc:
            error("unit_version", str(exc))

    for coordinate, message in errors:
        report.add(row.sheet, coordinate, ERROR, message)
    if errors or indicator is None or period is None:
        return None
    if value is None:
        report.add(row.sheet, row.coordinate("value"), SKIPPED, _("No figure in this row (empty, “-” or “..”)."))
        return None
    node = context.units.nodes.get(place_id) if place_id else None
    return Parsed(
        row=row,
        indicator=indicator,
        period=period.key,
        place_id=place_id,
        unit_code=unit_code or (node.code if node else "VN"),
        unit_name=unit_name or (node.name if node else ""),
        key=make_key(parts),
        value=value,
        status=status,
        source=source,
        notes=_text(row.value("notes")),
        unit_version=unit_version,
        ethnic_group=context.groups.get(parts.get(ETHNIC_GROUP)),
        period_start=period.start,
        period_end=period.end,
    )


def _existing(figures: list[Parsed]) -> dict[tuple, Observation]:
    indicators = {figure.indicator.pk for figure in figures}
    periods = {figure.period for figure in figures}
    found = Observation.objects.filter(indicator__in=indicators, period__in=periods)
    return {(obs.indicator_id, obs.period, obs.place_id, obs.disaggregation_key): obs for obs in found}


OBSERVATION_COLUMNS = (
    "indicator_id", "period", "period_start", "period_end", "place_id", "unit_code", "unit_name", "unit_version",
    "disaggregation_key", "ethnic_group_id", "value", "status", "source", "notes", "is_sample", "created_at",
    "updated_at",
)  # fmt: skip
REVISION_COLUMNS = (
    "observation_id", "indicator_code", "period", "place_id_at_change", "unit_code", "disaggregation_key", "action",
    "changes", "user_id", "origin", "created_at",
)  # fmt: skip


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """``rows`` (values already in the database's form) into ``model``'s table, one ``executemany`` a batch."""
    connection = connections["default"]
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(column).column) for column in columns)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


def _insert_new(figures: list[Parsed]) -> None:
    """Write the new figures, and their "created" revisions, with one ``executemany`` per table and batch: the
    rows ``Observation.save()`` would write, without its three statements a figure. The revision context (who,
    through which file) is the current one."""
    from stats.revisions import current_context, jsonable

    ops = connections["default"].ops
    now = timezone.now()
    stamp = ops.adapt_datetimefield_value(now)
    dates: dict = {}

    def day(value):
        if value is None:
            return None
        if value not in dates:
            dates[value] = ops.adapt_datefield_value(value)
        return dates[value]

    rows, texts = [], []
    for figure in figures:
        text = (nfc(figure.unit_code), nfc(figure.unit_name), nfc(figure.source), nfc(figure.notes))
        texts.append(text)
        rows.append(
            (
                figure.indicator.pk, figure.period, day(figure.period_start), day(figure.period_end), figure.place_id,
                text[0], text[1], day(figure.unit_version), figure.key,
                figure.ethnic_group.pk if figure.ethnic_group else None,
                ops.adapt_decimalfield_value(figure.value, 20, 6), figure.status, text[2], text[3], False, stamp, stamp,
            )
        )  # fmt: skip
    _insert(Observation, OBSERVATION_COLUMNS, rows)
    ids = {
        (i, p, pl, k): pk
        for pk, i, p, pl, k in Observation.objects.filter(
            indicator__in={figure.indicator.pk for figure in figures}, period__in={figure.period for figure in figures}
        ).values_list("pk", "indicator_id", "period", "place_id", "disaggregation_key")
    }
    context = current_context()
    user_id = context.user.pk if context.user else None
    revisions = []
    for figure, (unit_code, unit_name, source, notes) in zip(figures, texts, strict=True):
        changes = {
            "value": [None, jsonable(figure.value)],
            "status": [None, figure.status],
            "source": [None, source],
            "notes": [None, notes],
            "unit_code": [None, unit_code],
            "unit_name": [None, unit_name],
            "unit_version": [None, jsonable(figure.unit_version)],
            "is_sample": [None, False],
        }
        revisions.append(
            (
                ids[(figure.indicator.pk, figure.period, figure.place_id, figure.key)], figure.indicator.working_code,
                figure.period, figure.place_id, unit_code, figure.key, ObservationRevision.Action.CREATED,
                ops.adapt_json_value(changes, None), user_id, context.origin, stamp,
            )
        )  # fmt: skip
    _insert(ObservationRevision, REVISION_COLUMNS, revisions)
    # No post_save for these rows: say once that figures changed (the public pages' cache listens to it).
    last = Observation.objects.filter(pk=max(ids.values())).first() if ids else None
    if last is not None:
        post_save.send(sender=Observation, instance=last, created=True, raw=False, using="default", update_fields=None)


def _write(figure: Parsed, existing: Observation | None) -> tuple[str, Observation]:
    obs = existing or Observation(
        indicator=figure.indicator, period=figure.period, place_id=figure.place_id, disaggregation_key=figure.key
    )
    obs.indicator = figure.indicator
    new = {
        "value": figure.value,
        "status": figure.status,
        "source": figure.source,
        "notes": figure.notes,
        "unit_code": figure.unit_code,
        "unit_name": figure.unit_name,
        "unit_version": figure.unit_version,
    }
    if existing is not None:
        same = all(
            (Decimal(getattr(obs, name)) == value) if name == "value" else getattr(obs, name) == value
            for name, value in new.items()
        )
        if same:
            return UNCHANGED, obs
    for name, value in new.items():
        setattr(obs, name, value)
    obs.ethnic_group = figure.ethnic_group
    obs.save()
    return (CREATED if existing is None else UPDATED), obs


def import_observations(
    path: Path,
    *,
    dry_run: bool = False,
    user=None,
    number_format: str = "vi",
    default_status: str = Status.PROVISIONAL,
    default_source: str = "",
) -> ImportReport:
    path = Path(path)
    report = ImportReport(source=path.name, dry_run=dry_run)
    read = read_file(path)
    for issue in read.issues:
        report.add(issue.sheet, issue.cell, ERROR if issue.kind == "error" else WARNING, issue.message)
    context = _Context(number_format, default_status, default_source)

    figures: list[Parsed] = []
    seen: dict[tuple, Parsed] = {}
    for row in read.rows:
        figure = _parse_row(row, context, report)
        if figure is None:
            continue
        identity = (figure.indicator.pk, figure.period, figure.place_id, figure.key)
        if identity in seen:
            first = seen[identity].row
            report.add(
                row.sheet,
                row.coordinate("value"),
                ERROR,
                _("The same figure (indicator, period, unit and breakdown) is already in %(sheet)s row %(row)s.")
                % {"sheet": first.sheet, "row": first.number},
            )
            continue
        seen[identity] = figure
        figures.append(figure)
    if not read.rows and not report.errors:
        report.add(path.name, "", ERROR, _("The file holds no figures."))

    with transaction.atomic(), revision_context(user=user, origin=f"import: {path.name}"):
        existing = _existing(figures)
        written: dict[tuple, tuple] = {}
        new: list[Parsed] = []
        for figure in figures:
            identity = (figure.indicator.pk, figure.period, figure.place_id, figure.key)
            before = existing.get(identity)
            if before is None:
                new.append(figure)  # written together below, a batch per statement
                written[identity] = (CREATED, None, figure, "")
                continue
            old_value = format_number(before.value)
            outcome, obs = _write(figure, before)
            written[identity] = (outcome, obs, figure, old_value)
        if new:
            _insert_new(new)
        _check_sums(written, report)
        messages = {
            CREATED: _("Created: %(value)s."),
            UPDATED: _("Updated: %(value)s (was %(old)s)."),
            UNCHANGED: _("Unchanged: %(value)s."),
        }
        for outcome, _obs, figure, old_value in written.values():
            report.add(
                figure.row.sheet,
                figure.row.coordinate("value"),
                outcome,
                messages[outcome] % {"value": format_number(figure.value), "old": old_value},
            )
        report.lines.sort(key=lambda line: (line.sheet, _row_number(line.cell), line.cell))
        if dry_run or report.errors:
            transaction.set_rollback(True)
        else:
            report.written = True
    return report


def _row_number(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0


class _Figure(NamedTuple):
    """A stored figure as the sums read it (``check_breakdowns`` takes anything with these attributes)."""

    pk: int
    indicator_id: int
    period: str
    place_id: int | None
    disaggregation_key: str
    value: Decimal
    unit_code: str
    unit_name: str
    indicator: Indicator | None = None


def _identity(obs) -> tuple:
    return (obs.indicator_id, obs.period, obs.place_id, obs.disaggregation_key)


def _check_sums(written: dict, report: ImportReport) -> None:
    """Check the sums that must agree on every unit and period the file touched, file and database together."""
    if not written:
        return
    touched = defaultdict(set)
    for indicator_pk, period, place_id, _key in written:
        touched[(indicator_pk, period)].add(place_id)
    cells = {identity: figure.row for identity, (_outcome, _obs, figure, _old) in written.items()}
    indicators = {figure.indicator.pk: figure.indicator for (_outcome, _obs, figure, _old) in written.values()}
    for (indicator_pk, period), places in touched.items():
        # The figures as plain rows (what the checks read), not model instances: thousands per indicator.
        rows = Observation.objects.filter(indicator_id=indicator_pk, period=period).values_list(*_Figure._fields[:-1])
        observations = [
            _Figure(*row, indicator=indicators[indicator_pk])
            for row in rows.iterator(chunk_size=5000)
            if row[3] in places
        ]
        for problem in check_breakdowns(observations):
            row = cells.get(_identity(problem.total)) or next(
                (cells[_identity(p)] for p in problem.parts if _identity(p) in cells), None
            )
            if row is None:
                continue
            report.add(row.sheet, row.coordinate("value"), ERROR, problem.message)
