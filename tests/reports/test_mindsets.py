"""What the residents wanted (求发泄 / 求尊重 / 求补偿), counted in the weekly summary: per
category and in total, on the page with links to the complaints, in the API and the exports."""

import csv
import io

import pytest
import time_machine
from openpyxl import load_workbook

from complaints.models import Complaint
from reports.counting import FIGURES_VERSION
from reports.models import WeeklySummarySnapshot
from reports.snapshots import weekly_report
from staff.models import StaffMember
from tests.reports.helpers import (
    AFTER_THE_WEEK,
    WEDNESDAY,
    WEEK,
    category_row,
    receive,
    shanghai,
    summary,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(frontdesk, estate, other_estate, manager):
    StaffMember.objects.filter(user=manager).update(language="en")
    for mindset, category in (
        ("vent", "FAC-LIFT"),
        ("vent", "QUAL-LEAK"),
        ("respect", "FAC-LIFT"),
        ("compensation", "QUAL-LEAK"),
        ("", "FAC-LIFT"),
    ):
        receive(frontdesk, estate, WEDNESDAY, mindset=mindset, category=category)
    # The week before, and after the week: neither counts in W47.
    receive(frontdesk, estate, shanghai(2026, 11, 11, 10, 0), mindset="vent")
    receive(frontdesk, estate, shanghai(2026, 11, 24, 10, 0), mindset="vent")
    return WEEK


def test_each_category_and_the_total_count_what_the_residents_received_wanted(week):
    report = summary()

    assert category_row(report, "FAC")["mindsets"] == {"vent": 1, "respect": 1, "compensation": 0}
    assert category_row(report, "QUAL")["mindsets"] == {"vent": 1, "respect": 0, "compensation": 1}
    assert report["total"]["mindsets"] == {"vent": 2, "respect": 1, "compensation": 1}
    assert report["total"]["received"] == 5
    assert report["previous_total"]["mindsets"] == {"vent": 1, "respect": 0, "compensation": 0}


def test_the_page_shows_them_with_the_ones_not_judged_and_links_to_the_complaints(
    client, week, manager
):
    client.force_login(manager)
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        page = client.get("/reports/weekly/?week=2026-W47", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    line = html[html.index('data-testid="mindsets"') :]
    line = line[: line.index("</p>")]
    assert "To be heard" in line and "To be respected" in line and "To be compensated" in line
    assert '<span class="text-nowrap" data-mindset="none">Not judged 1</span>' in line
    link = "/complaints/?week=2026-W47&amp;figure=mindset_vent"
    assert link in line

    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        listed = client.get(link.replace("&amp;", "&"))
    references = set(Complaint.objects.filter(mindset="vent").values_list("reference", flat=True))
    shown = {ref for ref in references if ref in listed.content.decode()}
    assert len(shown) == 2  # the two of W47, not the earlier or the later one


def test_the_page_reads_them_in_chinese(client, week, manager):
    StaffMember.objects.filter(user=manager).update(language="zh-hans")
    client.force_login(manager)
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        html = client.get("/reports/weekly/?week=2026-W47").content.decode()
    line = html[html.index('data-testid="mindsets"') :]
    line = line[: line.index("</p>")]
    for words in ("求发泄", "求尊重", "求补偿", "未判断 1"):
        assert words in line, line


def test_the_api_and_the_exports_give_them(client, api, week, manager):
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        data = api.as_user(manager).get("/api/v1/reports/weekly/?week=2026-W47").json()
        client.force_login(manager)
        text = client.get("/reports/weekly.csv?week=2026-W47", HTTP_ACCEPT_LANGUAGE="en")
        book = client.get("/reports/weekly.xlsx?week=2026-W47", HTTP_ACCEPT_LANGUAGE="en")
    assert data["total"]["mindsets"] == {"vent": 2, "respect": 1, "compensation": 1}
    fac = next(row for row in data["categories"] if row["code"] == "FAC")
    assert fac["mindsets"] == {"vent": 1, "respect": 1, "compensation": 0}

    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    header = rows[0]
    columns = [
        header.index(f"Received wanting {name}")
        for name in ("To be heard", "To be respected", "To be compensated")
    ]
    total = next(row for row in rows if row[1] == "Total")
    assert [total[i] for i in columns] == ["2", "1", "1"]
    # With those not judged, they add up to the received.
    assert total[header.index("Received wanting Not judged")] == "1"
    assert total[header.index("Received")] == "5"

    sheet = load_workbook(io.BytesIO(book.content)).active
    cells = [cell.value for cell in sheet[1]]
    column = cells.index("Received wanting To be heard") + 1
    totals = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Total")
    assert totals[column - 1] == 2
    # The filter covers the seven categories, not the total and the previous week below them.
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(cells)).column_letter}8"
    assert sheet.cell(9, 2).value == "Total"


def test_a_week_stored_before_they_were_counted_is_computed_again(week):
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        weekly_report(reader=None, week=WEEK)
    stored = WeeklySummarySnapshot.objects.get()
    old = stored.payload
    for figures in (old["total"], old["previous_total"], *old["categories"].values()):
        del figures["mindsets"]
    old["version"] = 3
    stored.save()

    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        again = weekly_report(reader=None, week=WEEK)

    assert again["total"]["mindsets"] == {"vent": 2, "respect": 1, "compensation": 1}
    assert WeeklySummarySnapshot.objects.get().payload["version"] == FIGURES_VERSION
