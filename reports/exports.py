"""The weekly summary as CSV and XLSX: the figures table (the quality figures without the
incident-linked complaints in its last columns), the top buildings and the week's building-wide
incidents, with headers in the active language, every text cell formula-safe."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from complaints.spreadsheets import cell, filter_set, formula_safe, header_write
from reports.figures import (
    FIGURE_LABELS,
    FIGURES,
    MINDSET_LABELS,
    QUALITY,
    RATIOS,
    figure_label,
)
from residents.names import names_list

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Shares read as percentages in the XLSX; the CSV keeps them as numbers from 0 to 1.
NUMBER_FORMATS = {
    **dict.fromkeys(RATIOS, "0%"),
    "median_resolution_hours": "0.0",
}


# Each figure column's width in the XLSX (its header wraps), and the incidents sheet's columns.
FIGURE_WIDTH = 14
INCIDENT_WIDTHS = (22, 28, 14, 18, 24, 17, 17, 14)


# The figure of each column after the code and the category: the figures, then the quality
# figures without the incident-linked complaints, then what the residents wanted (the three
# mindsets and those not judged, which add up to ``received``).
NOT_JUDGED = "mindset_none"
COLUMNS = (*FIGURES, *QUALITY, *MINDSET_LABELS, NOT_JUDGED)


def headers(report: dict) -> list[str]:
    apart = [
        _("%(figure)s without incident-linked") % {"figure": FIGURE_LABELS[name]}
        for name in QUALITY
    ]
    wanted = [
        _("Received wanting %(mindset)s") % {"mindset": label}
        for label in [*MINDSET_LABELS.values(), _("Not judged")]
    ]
    so_far = report["in_progress"]
    labels = [figure_label(name, in_progress=so_far) for name in FIGURES]
    return [_("Code"), _("Category"), *labels, *apart, *wanted]


def _values(figures: dict) -> list:
    wanted = [figures["mindsets"][name[len("mindset_") :]] for name in MINDSET_LABELS]
    return [
        *(figures[name] for name in FIGURES),
        *(figures["without_incidents"][name] for name in QUALITY),
        *wanted,
        figures["received"] - sum(wanted),
    ]


def in_progress_note(report: dict) -> str | None:
    """For a week not yet over: that its figures are those so far, and as of when (in the
    reader's time zone)."""
    if not report["in_progress"]:
        return None
    moment = timezone.localtime(dt.datetime.fromisoformat(report["computed_at"]))
    return _("%(week)s is in progress: figures so far, as of %(moment)s.") % {
        "week": report["week"],
        "moment": moment.strftime("%Y-%m-%d %H:%M"),
    }


def figure_rows(report: dict) -> list[list]:
    """One row per category, then the week's total and the previous week's."""
    rows = [[row["code"], row["name"], *_values(row)] for row in report["categories"]]
    total = _("Total so far") if report["in_progress"] else _("Total")
    rows.append(["", total, *_values(report["total"])])
    previous = _("Previous week (%(week)s)") % {"week": report["previous_week"]}
    rows.append(["", previous, *_values(report["previous_total"])])
    return rows


def incident_headers() -> list[str]:
    return [
        _("Reference"),
        _("Title"),
        _("Estate"),
        _("Category"),
        _("Buildings"),
        _("Opened"),
        _("Resolved"),
        _("Linked complaints received in the week"),
    ]


def incident_rows(report: dict, moment=None) -> list[list]:
    """The week's incidents; no buildings is the whole estate, no resolution time is none by
    the week's end. Times are on the estate's clock, as text unless ``moment`` writes them."""
    moment = moment or _wall_clock
    return [
        [
            incident["reference"],
            incident["title"],
            incident["estate"],
            incident["category_name"],
            names_list(incident["buildings"]) or _("Whole estate"),
            moment(incident["opened_at"]),
            moment(incident["resolved_at"]),
            incident["incident_linked"],
        ]
        for incident in report["incidents"]
    ]


def _wall_clock(moment: str | None) -> str:
    return "" if moment is None else moment[:16].replace("T", " ")


def _moment(moment: str | None) -> dt.datetime | None:
    """The estate's wall-clock time of ``moment`` as a date the spreadsheet can sort."""
    return None if moment is None else dt.datetime.fromisoformat(moment[:16])


def building_rows(report: dict) -> list[list]:
    return [[row["label"], row["received"]] for row in report["top_buildings"]]


def _safe(row: list) -> list:
    return [formula_safe(value) for value in row]


def filename(report: dict, ext: str) -> str:
    """``weekly-2026-W47-HY.csv``; a week in progress is ``…-partial``, so that a copy kept
    is not mistaken for the finished week's."""
    scope = report["estate"] or "all"
    partial = "-partial" if report["in_progress"] else ""
    return f"weekly-{report['week']}-{scope}{partial}.{ext}"


def csv_text(report: dict) -> str:
    """The CSV, with a byte-order mark so spreadsheet programs read the Chinese as UTF-8."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(_safe(headers(report)))
    for row in figure_rows(report):
        writer.writerow(_safe(["" if value is None else value for value in row]))
    if note := in_progress_note(report):
        writer.writerow([])
        writer.writerow(_safe(["", note]))
    writer.writerow([])
    writer.writerow(_safe([_("Top buildings"), str(FIGURE_LABELS["received"])]))
    for row in building_rows(report):
        writer.writerow(_safe(row))
    writer.writerow([])
    writer.writerow(_safe([_("Building-wide incidents of the week")]))
    writer.writerow(_safe(incident_headers()))
    for row in incident_rows(report):
        writer.writerow(_safe(row))
    return "\ufeff" + output.getvalue()


def xlsx_bytes(report: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on a worksheet
    sheet.title = str(report["week"])
    header_write(sheet, headers(report), (10, 28, *(FIGURE_WIDTH for _name in COLUMNS)))
    rows = figure_rows(report)
    for row in rows:
        sheet.append(_safe(row))
    for column, name in enumerate(COLUMNS, start=3):
        if name in NUMBER_FORMATS:
            for (figure,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                figure.number_format = NUMBER_FORMATS[name]
    # Over the categories only: sorting must not mix the totals in with them.
    filter_set(sheet, 2 + len(COLUMNS), len(report["categories"]))
    if note := in_progress_note(report):
        sheet.append([])
        sheet.append(_safe(["", note]))
    buildings = workbook.create_sheet(_("Top buildings"))
    header_write(buildings, [_("Building"), str(FIGURE_LABELS["received"])], (24, 14))
    for row in building_rows(report):
        buildings.append(_safe(row))
    filter_set(buildings, 2, len(report["top_buildings"]))
    incidents = workbook.create_sheet(_("Incidents"))
    header_write(incidents, incident_headers(), INCIDENT_WIDTHS)
    for row in incident_rows(report, moment=_moment):
        incidents.append([cell(incidents, value) for value in row])
    filter_set(incidents, len(INCIDENT_WIDTHS), len(report["incidents"]))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
