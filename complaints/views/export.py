"""CSV and XLSX of the worklist as filtered: same scoping, headers in the reader's language,
moments on each complaint's estate's clock as the pages show them (in the XLSX as real dates).

Every text cell that a spreadsheet would read as a formula (= + - @, tab, carriage return) is
prefixed with a single quote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from complaints.display import local
from complaints.spreadsheets import cell, filter_set, formula_safe, header_write, wall_clock
from complaints.views.worklist import filters_refused, worklist_queryset
from residents.phones import mask_phone
from staff.names import person_name

if TYPE_CHECKING:
    from complaints.views.worklist import OwedComplaint

XLSX_MAX_ROWS = 100_000
CHUNK = 2000
# Each column's width in the XLSX, in widths of a "0" (a Chinese character takes two).
WIDTHS = (22, 17, 14, 18, 12, 14, 10, 24, 10, 44, 14, 10, 14, 12, 8, 17)


def headers() -> list[str]:
    return [
        _("Reference"),
        _("Received"),
        _("Estate"),
        _("Unit"),
        _("Complainant"),
        _("Phone"),
        _("Channel"),
        _("Category"),
        _("Severity"),
        _("Summary"),
        _("Stage"),
        _("Validity"),
        _("Department"),
        _("Assignee"),
        _("Escalation level"),
        _("Next deadline"),
    ]


def _row(complaint) -> list:
    """The complaint's cells; its moments as they are, for each format to write its way."""
    pending = complaint.owed_deadlines
    category = complaint.category
    category_name = (
        f"{category.parent.name} / {category.name}" if category.parent_id else category.name
    )
    return [
        complaint.reference,
        complaint.received_at,
        complaint.estate.name,
        complaint.unit.label if complaint.unit_id else "",
        complaint.complainant_name,
        mask_phone(complaint.contact_phone),
        complaint.get_channel_display(),
        category_name,
        complaint.get_severity_display(),
        complaint.summary,
        complaint.get_stage_display(),
        complaint.get_validity_display(),
        complaint.department.name if complaint.department_id else "",
        person_name(complaint.assignee) if complaint.assignee_id else "",
        complaint.escalation_level,
        pending[0].due_at if pending else None,
    ]


def _rows(queryset: QuerySet[OwedComplaint], limit: int | None = None) -> Iterator[tuple]:
    """Each complaint's estate's clock and its cells."""
    if limit is not None:
        queryset = queryset[:limit]
    for complaint in queryset.iterator(chunk_size=CHUNK):
        yield complaint.estate.zone, _row(complaint)


def _csv_row(zone, row: list) -> list:
    return [
        value
        if isinstance(value, int)
        else local(value, zone)
        if isinstance(value, dt.datetime)
        else formula_safe("" if value is None else str(value))
        for value in row
    ]


def _xlsx_row(sheet, zone, row: list) -> list:
    return [
        cell(sheet, wall_clock(value, zone) if isinstance(value, dt.datetime) else value)
        if value is not None
        else None
        for value in row
    ]


def _complaints(request) -> QuerySet[OwedComplaint] | HttpResponseBadRequest:
    """The worklist's complaints as filtered, or the refusal of its filters: checked before a
    byte is written, since a streamed answer has already said 200 when its rows are read."""
    form, queryset = worklist_queryset(request)
    if filters_refused(form):
        errors = [
            f"{form[name].label}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")
    return queryset


class _Echo:
    def write(self, value: str) -> str:
        return value


def _filename(ext: str) -> str:
    return f"complaints-{timezone.localdate():%Y%m%d}.{ext}"


@require_GET
@login_required
def export_csv(request):
    complaints = _complaints(request)
    if isinstance(complaints, HttpResponseBadRequest):
        return complaints
    writer = csv.writer(_Echo())
    language = translation.get_language()

    def lines():
        # The rows are written after the view returns: keep the reader's language for them.
        with translation.override(language):
            # The byte-order mark makes spreadsheet programs read the Chinese as UTF-8.
            yield "\ufeff" + writer.writerow([formula_safe(h) for h in headers()])
            for zone, row in _rows(complaints):
                yield writer.writerow(_csv_row(zone, row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def export_xlsx(request):
    complaints = _complaints(request)
    if isinstance(complaints, HttpResponseBadRequest):
        return complaints
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Complaints"))
    header_write(sheet, headers(), WIDTHS)
    written = 0
    for zone, row in _rows(complaints, limit=XLSX_MAX_ROWS + 1):
        if written == XLSX_MAX_ROWS:
            sheet.append(
                [
                    _("Only the first %(count)d rows are here; narrow the filters.")
                    % {"count": XLSX_MAX_ROWS}
                ]
            )
            break
        sheet.append(_xlsx_row(sheet, zone, row))
        written += 1
    filter_set(sheet, len(WIDTHS), written)
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    response = FileResponse(
        output,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "private, no-store"
    return response
