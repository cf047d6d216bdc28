"""The worklist at /complaints/ and its CSV and XLSX exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from complaints.models import DeadlineState
from tests.complaints.helpers import act, complaint_at
from tests.complaints.page_helpers import (
    NOW,
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.factories import BuildingFactory, log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


# --- worklist -------------------------------------------------------------------------------


def test_the_worklist_shows_only_what_the_user_may_see(frontdesk, frontdesk_b, estate, unit):
    mine = log_complaint(frontdesk, estate=estate, unit=unit, summary="电梯停运")
    body = text(signed_in(frontdesk).get("/complaints/"))
    assert mine.reference in body and "电梯停运" in body
    other = text(signed_in(frontdesk_b).get("/complaints/"))
    assert mine.reference not in other and 'data-testid="empty"' in other


def test_a_list_behind_a_weekly_count_says_so_and_leads_back_out(frontdesk, estate, unit):
    log_complaint(frontdesk, estate=estate, unit=unit)
    path = "/complaints/?week=2026-W47&figure=closed&severity=urgent"

    english = text(signed_in(frontdesk).get(path))
    assert 'data-testid="report-filter"' in english
    assert "Only the complaints counted as “Closed” in the weekly summary of 2026-W47." in english
    assert 'href="/complaints/?severity=urgent">Remove this filter</a>' in english

    chinese = text(signed_in(frontdesk, "zh-hans").get(path))
    assert "仅显示周报 2026-W47 中计为“" in chinese and "取消此筛选" in chinese

    for plain in ("/complaints/", "/complaints/?severity=urgent", "/complaints/?week=2026-W47"):
        assert 'data-testid="report-filter"' not in text(signed_in(frontdesk).get(plain))
    bad = text(signed_in(frontdesk).get("/complaints/?week=2026-W99&figure=closed"))
    assert 'data-testid="report-filter"' not in bad


def test_the_worklist_masks_phones_and_shows_time_left(frontdesk, estate, unit):
    log_complaint(frontdesk, estate=estate, unit=unit, contact_phone="13812345678")
    body = text(signed_in(frontdesk).get("/complaints/"))
    assert "138****5678" in body and "13812345678" not in body
    assert "3号楼2单元-1201" in body
    assert "2 h 0 min left" in body  # the acknowledge deadline of a normal complaint
    assert "03/10/2026 10 a.m." in body  # received, in the estate's zone and English format


def test_a_row_names_its_severity_stage_and_next_deadline_in_the_readers_language(
    frontdesk, estate
):
    log_complaint(frontdesk, estate=estate, severity="urgent")
    english = text(signed_in(frontdesk).get("/complaints/"))
    assert english.count('desk-severity-urgent">Urgent</span>') == 2  # narrow and wide screens
    assert ">Intake<" in english
    assert 'title="Acknowledge">' in english and ">Acknowledge</span>" in english
    chinese = text(signed_in(frontdesk, "zh-hans").get("/complaints/"))
    assert chinese.count('desk-severity-urgent">紧急</span>') == 2
    # A list shows the status (待受理), not the stage's name (接受投诉), which the timeline keeps.
    assert ">待受理<" in chinese and "接受投诉" not in chinese
    assert 'title="受理">' in chinese and ">受理</span>" in chinese


def test_an_overdue_deadline_reads_red(frontdesk, estate, unit):
    log_complaint(frontdesk, estate=estate, unit=unit)
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        body = text(signed_in(frontdesk).get("/complaints/?overdue=on"))
    assert "desk-overdue" in body and "1 h 0 min overdue" in body


def test_overdue_with_a_stage_and_an_estate(frontdesk, supervisor, estate, other_estate):
    late = log_complaint(frontdesk, estate=estate, summary="迟了")  # acknowledge within 2 h
    far = log_complaint(supervisor, estate=other_estate, summary="远处")
    closed = complaint_at("closed", actor=supervisor, estate=estate, summary="结了")
    # A deadline it missed on the way stays missed; closed, the complaint owes nothing.
    closed.deadlines.update(state=DeadlineState.MISSED, met_at=None)
    browser = signed_in(supervisor)

    def listed(query: str) -> set[str]:
        with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
            body = text(browser.get(f"/complaints/?overdue=on&{query}"))
        return {c.reference for c in (late, far, closed) if c.reference in body}

    assert listed("") == {late.reference, far.reference}
    assert listed("stage=intake") == {late.reference, far.reference}
    assert listed(f"stage=intake&estate={estate.code}") == {late.reference}
    assert listed(f"estate={other_estate.code}") == {far.reference}
    assert listed("stage=closed") == set()  # a closed complaint owes nothing
    assert listed("stage=resolution") == set()


def test_the_worklist_filters(frontdesk, supervisor, estate, other_estate, unit, resident):
    lift = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident, summary="电梯")
    noise = log_complaint(
        frontdesk,
        estate=estate,
        category="SEC-NOISE",
        severity="urgent",
        summary="噪音扰民",
        contact_name="李雷",
        contact_phone="13900001111",
    )
    act(noise, frontdesk, "accept")
    far = log_complaint(supervisor, estate=other_estate, summary="门禁坏了", contact_name="张三")
    browser = signed_in(supervisor)

    def listed(query: str) -> set[str]:
        body = text(browser.get(f"/complaints/?{query}"))
        return {c.reference for c in (lift, noise, far) if c.reference in body}

    assert listed("") == {lift.reference, noise.reference, far.reference}
    assert listed("stage=clarification") == {noise.reference}
    assert listed("severity=urgent") == {noise.reference}
    assert listed("category=SEC") == {noise.reference}
    assert listed("estate=JD") == {far.reference}
    assert listed(f"building={unit.building_id}") == {lift.reference}
    assert listed("q=13900001111") == {noise.reference}
    assert listed("q=1111") == {noise.reference}
    assert listed("q=王芳") == {lift.reference}
    assert listed(f"q={far.reference}") == {far.reference}
    assert listed("q=噪音") == {noise.reference}
    assert listed("escalated=on") == set()
    assert listed("stage=nonsense") == {lift.reference, noise.reference, far.reference}


def test_assigned_to_me_and_my_department(frontdesk, supervisor, handler, estate):
    complaint = complaint_at("resolution", actor=frontdesk, estate=estate)  # handed to ENG
    act(complaint, supervisor, "assign", assignee="handler")
    other = log_complaint(frontdesk, estate=estate, summary="别的事")
    browser = signed_in(handler)
    assert complaint.reference in text(browser.get("/complaints/?mine=on"))
    assert complaint.reference not in text(signed_in(frontdesk).get("/complaints/?mine=on"))
    desk = text(signed_in(supervisor).get("/complaints/?my_department=on"))  # CS
    assert complaint.reference not in desk
    assert other.reference not in desk  # no department yet


def test_the_worklist_sorts(frontdesk, estate):
    normal = log_complaint(frontdesk, estate=estate, severity="normal", summary="一般")
    urgent = log_complaint(frontdesk, estate=estate, severity="urgent", summary="紧急")
    browser = signed_in(frontdesk)
    by_severity = text(browser.get("/complaints/?sort=severity"))
    assert by_severity.index(urgent.reference) < by_severity.index(normal.reference)
    oldest = text(browser.get("/complaints/?sort=received"))
    assert oldest.index(normal.reference) < oldest.index(urgent.reference)
    by_deadline = text(browser.get("/complaints/?sort=deadline"))  # urgent: 15 minutes
    assert by_deadline.index(urgent.reference) < by_deadline.index(normal.reference)


def test_the_worklist_pages_without_counting(frontdesk, estate, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(51):
        log_complaint(frontdesk, estate=estate, summary=f"第{n}件")
    browser = signed_in(frontdesk)
    with CaptureQueriesContext(connection) as queries:
        first = text(browser.get("/complaints/"))
    # No count of the complaint table. The bell counts the reader's unread messages (bounded),
    # reading their complaints by key only to keep out those the reader may no longer open.
    assert not any(
        "COUNT(" in q["sql"].upper()
        and 'FROM "complaints_complaint"' in q["sql"]
        and '"complaints_notification"' not in q["sql"]
        for q in queries
    )
    assert len(queries) <= 16
    assert 'rel="next"' in first and first.count('href="/complaints/TS-') == 50
    second = text(browser.get("/complaints/?page=2"))
    assert second.count('href="/complaints/TS-') == 1 and 'rel="next"' not in second


# --- exports --------------------------------------------------------------------------------


def test_the_csv_export_is_formula_safe_and_scoped(frontdesk, frontdesk_b, estate, other_estate):
    hostile = log_complaint(
        frontdesk,
        estate=estate,
        summary='=HYPERLINK("http://evil","点我")',
        contact_name="@SUM(A1)",
    )
    log_complaint(frontdesk_b, estate=other_estate, summary="别处的投诉")
    response = signed_in(frontdesk).get("/complaints/export.csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Received", "Estate"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Reference"] == hostile.reference
    assert row["Summary"] == '\'=HYPERLINK("http://evil","点我")'
    assert row["Complainant"] == "'@SUM(A1)"
    assert row["Phone"] == "138****5678"


def test_the_export_follows_the_filters_and_the_readers_language(frontdesk, estate):
    log_complaint(frontdesk, estate=estate, severity="urgent", summary="-1+1")
    log_complaint(frontdesk, estate=estate, severity="normal", summary="普通")
    response = signed_in(frontdesk, "zh-hans").get("/complaints/export.csv?severity=urgent")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "编号" and "摘要" in rows[0]
    assert len(rows) == 2 and "'-1+1" in rows[1]


def test_the_xlsx_export_is_formula_safe(frontdesk, estate):
    log_complaint(frontdesk, estate=estate, summary="+cmd|' /C calc'!A0", contact_name="-王")
    response = signed_in(frontdesk).get("/complaints/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    row = dict(zip(header, values[1], strict=True))
    assert row["Summary"] == "'+cmd|' /C calc'!A0"
    assert row["Complainant"] == "'-王"
    assert row["Escalation level"] == 0


def test_the_xlsx_export_has_real_dates_widths_a_frozen_header_and_a_filter(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate, summary="楼上漏水")
    response = signed_in(frontdesk, "zh-hans").get("/complaints/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    received = sheet["B2"]
    # The moment on the estate's clock (Asia/Shanghai), as a date a spreadsheet can sort.
    wall = timezone.localtime(complaint.received_at, estate.zone).replace(tzinfo=None)
    assert sheet["B1"].value == "接收时间" and received.value == wall.replace(microsecond=0)
    assert received.number_format == "yyyy-mm-dd hh:mm"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P2"
    assert sheet.column_dimensions["J"].width == 44  # the summary
    assert sheet.column_dimensions["A"].width == 22  # the reference


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("王芳", "王芳"),
        ("a=b", "a=b"),
        (3, 3),
    ],
)
def test_formula_safe(value, safe):
    from complaints.views.export import formula_safe

    assert formula_safe(value) == safe


def test_the_building_filter_lists_buildings_in_natural_order(frontdesk, estate, unit):
    for name in ("10号楼", "1号楼", "2号楼", "B座", "a座"):
        BuildingFactory(estate=estate, name=name)

    body = text(signed_in(frontdesk).get("/complaints/"))

    select = re.search(r'<select name="building".*?</select>', body, flags=re.S)
    assert select, body
    names = re.findall(r"<option[^>]*>([^<]*)</option>", select[0])[1:]
    assert names == ["1号楼", "2号楼", "3号楼", "10号楼", "a座", "B座"]
