"""What every XLSX the desk writes has: a bold header row that stays in view, a filter on it,
columns wide enough for their Chinese, and moments as real dates a spreadsheet can sort and
subtract, shown on the estate's clock as the pages show them.

Text cells that a spreadsheet would read as a formula (= + - @, tab, carriage return) get a
single quote in front, as in the CSV.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
# A column is at least this wide, and at most this wide, in widths of a "0".
WIDTH_MIN = 8
WIDTH_MAX = 60

# A worksheet, or a write-only one (which has the same column widths, panes and filter,
# although its type hints do not say so).
Sheet = Any


def formula_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def wall_clock(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """``moment`` as the time on the wall in ``zone``: XLSX has no time zones."""
    if moment is None:
        return None
    return timezone.localtime(moment, zone).replace(tzinfo=None)


def text_width(value) -> int:
    """About how many widths of a "0" ``value`` takes: a Chinese character takes two."""
    text = str(value if value is not None else "")
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def cell(sheet: Sheet, value):
    """A cell for ``sheet``: a date or a moment with its format, text formula-safe."""
    if isinstance(value, dt.datetime):
        written = WriteOnlyCell(sheet, value=value)
        written.number_format = MOMENT_FORMAT
        return written
    if isinstance(value, dt.date):
        written = WriteOnlyCell(sheet)
        written.value = value
        written.number_format = DATE_FORMAT
        return written
    return formula_safe(value)


def header_write(sheet: Sheet, headers: Sequence[str], widths: Iterable[int]) -> None:
    """The header row, bold, wrapped and frozen, and each column's width (call before any
    row)."""
    for number, width in enumerate(widths, start=1):
        width = max(WIDTH_MIN, min(WIDTH_MAX, width))
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    row = []
    for header in headers:
        written = WriteOnlyCell(sheet, value=formula_safe(str(header)))
        written.font = Font(bold=True)
        written.alignment = Alignment(wrap_text=True, vertical="top")
        row.append(written)
    sheet.append(row)


def filter_set(sheet: Sheet, columns: int, rows: int) -> None:
    """A filter over the header and ``rows`` rows below it (call after the last row)."""
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, columns))}{rows + 1}"
