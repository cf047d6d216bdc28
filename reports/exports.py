"""The weekly summary as CSV and XLSX: the figures table (and the top buildings), with headers
in the active language, every text cell formula-safe."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from complaints.views.export import formula_safe
from reports.figures import FIGURE_LABELS, FIGURES, RATIOS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Shares read as percentages in the XLSX; the CSV keeps them as numbers from 0 to 1.
NUMBER_FORMATS = {
    **dict.fromkeys(RATIOS, "0%"),
    "median_resolution_hours": "0.0",
}


def headers() -> list[str]:
    return [_("Code"), _("Category")] + [str(FIGURE_LABELS[name]) for name in FIGURES]


def figure_rows(report: dict) -> list[list]:
    """One row per category, then the week's total and the previous week's."""
    rows = [
        [row["code"], row["name"], *(row[name] for name in FIGURES)] for row in report["categories"]
    ]
    rows.append(["", _("Total"), *(report["total"][name] for name in FIGURES)])
    previous = _("Previous week (%(week)s)") % {"week": report["previous_week"]}
    rows.append(["", previous, *(report["previous_total"][name] for name in FIGURES)])
    return rows


def building_rows(report: dict) -> list[list]:
    return [[row["label"], row["received"]] for row in report["top_buildings"]]


def _safe(row: list) -> list:
    return [formula_safe(value) for value in row]


def filename(report: dict, ext: str) -> str:
    scope = report["estate"] or "all"
    return f"weekly-{report['week']}-{scope}.{ext}"


def csv_text(report: dict) -> str:
    """The CSV, with a byte-order mark so spreadsheet programs read the Chinese as UTF-8."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(_safe(headers()))
    for row in figure_rows(report):
        writer.writerow(_safe(["" if value is None else value for value in row]))
    writer.writerow([])
    writer.writerow(_safe([_("Top buildings"), str(FIGURE_LABELS["received"])]))
    for row in building_rows(report):
        writer.writerow(_safe(row))
    return "\ufeff" + output.getvalue()


def xlsx_bytes(report: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on a worksheet
    sheet.title = str(report["week"])
    sheet.append(_safe(headers()))
    for row in figure_rows(report):
        sheet.append(_safe(row))
    for column, name in enumerate(FIGURES, start=3):
        if name in NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = NUMBER_FORMATS[name]
    sheet.column_dimensions["B"].width = 28
    buildings = workbook.create_sheet(_("Top buildings"))
    buildings.append(_safe([_("Building"), str(FIGURE_LABELS["received"])]))
    for row in building_rows(report):
        buildings.append(_safe(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
