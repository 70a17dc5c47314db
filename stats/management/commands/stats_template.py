"""``manage.py stats_template INDICATOR [INDICATOR …] --format xlsx|csv [--output FILE]``."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stats.models import Indicator
from stats.spreadsheets import write_csv_template, write_xlsx_template


class Command(BaseCommand):
    help = (
        "Write an import template for one or more indicators: the columns their breakdowns need, and in XLSX an "
        "instructions sheet and a hidden sheet describing the template. See docs/statistics.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("indicators", nargs="+", help="Indicator codes (official, or working codes such as C02).")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: mau-<code>.<format>).")

    def handle(self, *args, indicators, format, output, **options):
        found = []
        for code in indicators:
            indicator = Indicator.objects.select_related("unit").by_code(code)
            if indicator is None:
                raise CommandError(f"Unknown indicator code {code!r}.")
            found.append(indicator)
        output = output or Path(f"mau-{'-'.join(i.code for i in found)}.{format}")
        if format == "xlsx":
            write_xlsx_template(found, output)
        elif str(output) == "-":
            write_csv_template(found, sys.stdout)
        else:
            with open(output, "w", newline="", encoding="utf-8-sig") as handle:
                write_csv_template(found, handle)
        self.stdout.write(f"Wrote {output}")
