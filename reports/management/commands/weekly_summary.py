import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from reports import exports
from reports.figures import FIGURES, figure_label
from reports.formatting import display
from reports.iso_weeks import IsoWeek
from reports.snapshots import weekly_report
from residents.models import Estate


class Command(BaseCommand):
    help = (
        "The weekly category summary (SPEC §6) of an ISO week, for one estate or all of them. "
        "Runs as the system: it reads every estate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week like 2026-W47; default: last full week")
        parser.add_argument("--estate", help="estate code; default: every estate")
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="compute a finished week again and store it, instead of reading it from storage",
        )

    def handle(self, *args, week=None, estate=None, format="table", fresh=False, **options):
        try:
            chosen = IsoWeek.parse(week) if week else IsoWeek.last_full()
        except ValueError as exc:
            raise CommandError(f"--week: {exc}") from None
        current = IsoWeek.current(Estate.objects.values_list("time_zone", flat=True))
        if chosen > current:
            raise CommandError(f"--week: {chosen} has not begun yet; the current week is {current}")
        try:
            report = weekly_report(reader=None, week=chosen, estate=estate or None, fresh=fresh)
        except Http404:
            raise CommandError(f"--estate: no estate with the code {estate!r}") from None
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        elif format == "csv":
            self.stdout.write(exports.csv_text(report).lstrip("\ufeff"), ending="")
        else:
            self.stdout.write(self._table(report))

    @staticmethod
    def _table(report: dict) -> str:
        so_far = report["in_progress"]
        headers = ["", *(figure_label(name, in_progress=so_far) for name in FIGURES)]
        rows = [
            [row["code"], *(display(name, row[name]) for name in FIGURES)]
            for row in report["categories"]
        ]
        rows.append(["total", *(display(name, report["total"][name]) for name in FIGURES)])
        rows.append(
            [
                report["previous_week"],
                *(display(name, report["previous_total"][name]) for name in FIGURES),
            ]
        )
        widths = [max(len(str(line[i])) for line in [headers, *rows]) for i in range(len(headers))]
        # The week's days, Monday to Sunday (``end`` is the Monday after).
        sunday = dt.date.fromisoformat(report["end"]) - dt.timedelta(days=1)
        note = exports.in_progress_note(report)
        lines = [
            f"Week {report['week']} ({report['start']} to {sunday.isoformat()}), "
            f"estate {report['estate'] or 'all'}" + (f". {note}" if note else ""),
            "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)),
        ]
        lines += [
            "  ".join(str(v).rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows
        ]
        if report["top_buildings"]:
            lines.append(
                "Top buildings: "
                + ", ".join(f"{b['label']} {b['received']}" for b in report["top_buildings"])
            )
        return "\n".join(lines)
