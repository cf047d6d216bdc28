"""The incident-linked counts, the quality figures without them and the week's incidents
wherever the weekly summary goes: the page, the CSV and XLSX, the API and its schema, the
stored weeks and the Monday email."""

import csv
import datetime as dt
import io

import pytest
import time_machine
import yaml
from openpyxl import load_workbook

from complaints.selectors import complaint_list
from reports import mailing
from reports.counting import FIGURES_VERSION
from reports.figures import QUALITY
from reports.models import WeeklySummarySnapshot
from reports.snapshots import weekly_report
from staff.models import StaffMember
from tests.factories import make_staff
from tests.reports.helpers import AFTER_THE_WEEK, WEEK, act, shanghai

pytestmark = pytest.mark.django_db

LATER = shanghai(2026, 11, 25, 12, 0)


@pytest.fixture
def reader(estate):
    """A manager of 海悦花园 alone, reading English."""
    user = make_staff("manager_hy", role="manager", estates=[estate])
    user.email = "manager_hy@example.com"
    user.save()
    StaffMember.objects.filter(user=user).update(language="en")
    return user


def get(client, user, url):
    client.force_login(user)
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        return client.get(url)


def test_the_page_shows_the_column_the_quality_without_and_the_incidents(
    client, reader, incidents, history
):
    response = get(client, reader, "/reports/weekly/?week=2026-W47")

    assert response.status_code == 200
    html = response.content.decode()
    fac = next(row for row in response.context["table"]["rows"] if row["code"] == "FAC")
    linked = next(cell for cell in fac["cells"] if cell["figure"] == "incident_linked")
    assert linked["text"] == "2"
    assert "figure=incident_linked" in linked["url"]
    quality = response.context["quality_table"]
    fac_apart = next(row for row in quality["rows"] if row["code"] == "FAC")
    shown = {cell["figure"]: cell["text"] for cell in fac_apart["cells"]}
    assert [shown[name] for name in QUALITY[1:]] == ["27.0", "100%", "100%", "—"]
    references = [i["reference"] for i in response.context["incidents"]]
    assert references == [incidents[k].reference for k in ("lasting", "short", "late")]
    assert f'data-incident="{incidents["short"].reference}"' in html
    assert f'data-incident="{incidents["other"].reference}"' not in html
    assert "Whole estate" in html
    assert "Not resolved by the week's end" in html


def test_the_incident_linked_count_opens_exactly_those_complaints(supervisor, incidents, history):
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        listed = complaint_list(
            user=supervisor, filters={"week": "2026-W47", "figure": "incident_linked"}
        )
        references = sorted(listed.values_list("reference", flat=True))

    assert references == sorted([history["linked_a"].reference, history["linked_b"].reference])


def test_the_page_says_when_no_incident_changes_the_quality(client, reader, estate):
    response = get(client, reader, "/reports/weekly/?week=2026-W47")

    assert response.context["quality_table"] is None
    assert response.context["incidents"] == []
    html = response.content.decode()
    assert "No building-wide incident was open during this week." in html
    assert "changes the quality figures of this week" in html


def test_the_csv_carries_the_count_the_quality_without_and_the_incidents(
    client, reader, incidents, history
):
    text = get(client, reader, "/reports/weekly.csv?week=2026-W47").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))

    header = rows[0]
    assert header[2:4] == ["Received", "Closed"]  # the earlier columns keep their places
    fac = dict(zip(header, next(r for r in rows if r and r[0] == "FAC"), strict=True))
    assert (fac["Received"], fac["Incident-linked"]) == ("4", "2")
    assert (fac["Satisfaction"], fac["Satisfaction without incident-linked"]) == ("0.5", "1.0")
    assert fac["Median hours to resolution without incident-linked"] == "27.0"
    start = rows.index(["Building-wide incidents of the week"])
    assert rows[start + 1] == [
        "Reference",
        "Title",
        "Estate",
        "Category",
        "Buildings",
        "Opened",
        "Resolved",
        "Linked complaints received in the week",
    ]
    place, resolved = ["HY", "Water and power supply", "Whole estate"], "2026-11-19 15:00"
    assert rows[start + 2 :] == [
        [incidents["lasting"].reference, "3号楼电梯停运", *place, "2026-11-12 09:00", "", "1"],
        [incidents["short"].reference, "3号楼停水", *place, "2026-11-17 09:00", resolved, "1"],
        [incidents["late"].reference, "地库积水", *place, "2026-11-20 09:00", "", "0"],
    ]


def test_the_xlsx_has_a_sheet_of_the_incidents(client, reader, incidents, history):
    content = get(client, reader, "/reports/weekly.xlsx?week=2026-W47").content
    workbook = load_workbook(io.BytesIO(content))

    sheet = workbook["Incidents"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Reference"
    assert [row[0] for row in rows[1:]] == [
        incidents[k].reference for k in ("lasting", "short", "late")
    ]
    # On the estate's clock, as a date a spreadsheet can sort and subtract.
    assert rows[2][6] == dt.datetime(2026, 11, 19, 15, 0)
    assert sheet.cell(row=3, column=7).number_format == "yyyy-mm-dd hh:mm"
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:H4")
    assert sheet.column_dimensions["B"].width == 28
    figures = workbook["2026-W47"]
    assert figures.freeze_panes == "A2" and figures["C1"].font.b
    assert figures.auto_filter.ref.startswith("A1:")
    header = [cell.value for cell in next(figures.iter_rows())]
    column = header.index("Follow-up rate without incident-linked") + 1
    assert figures.cell(row=2, column=column).number_format == "0%"


def test_the_api_carries_them_and_its_schema_documents_them(
    api, client, reader, incidents, history
):
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        body = api.as_user(reader).get("/api/v1/reports/weekly/?week=2026-W47").json()
    schema = yaml.safe_load(client.get("/api/schema/").content)

    fac = next(row for row in body["categories"] if row["code"] == "FAC")
    assert (fac["received"], fac["incident_linked"]) == (4, 2)
    assert fac["without_incidents"]["follow_up_rate"] == 1.0
    assert body["total"]["without_incidents"]["median_resolution_hours"] == 27.0
    assert [i["reference"] for i in body["incidents"]] == [
        incidents[k].reference for k in ("lasting", "short", "late")
    ]
    assert body["incidents"][1]["resolved_at"] == "2026-11-19T15:00:00+08:00"
    components = schema["components"]["schemas"]
    for component in ("WeeklyFigures", "WeeklyCategory", "WeeklyPreviousFigures"):
        properties = components[component]["properties"]
        assert properties["incident_linked"]["type"] == "integer"
        assert "without_incidents" in components[component]["required"]
    apart = components["WeeklyQualityWithoutIncidents"]["properties"]
    assert (apart["satisfaction"]["nullable"], apart["satisfaction"]["maximum"]) == (True, 1)
    incident = components["WeeklyIncident"]["properties"]
    assert set(incident) == {
        "id",
        "reference",
        "title",
        "estate",
        "category",
        "category_name",
        "buildings",
        "opened_at",
        "resolved_at",
        "incident_linked",
    }
    assert incident["resolved_at"]["nullable"] is True
    assert components["WeeklyReport"]["properties"]["incidents"]["type"] == "array"


def test_a_week_stored_before_the_incidents_is_computed_again(incidents, history):
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        first = weekly_report(reader=None, week=WEEK)
    stored = WeeklySummarySnapshot.objects.get()
    old = stored.payload
    del old["incidents"]
    for figures in (old["total"], old["previous_total"], *old["categories"].values()):
        del figures["incident_linked"], figures["without_incidents"]
    old["version"] = 2
    stored.save()

    with time_machine.travel(LATER, tick=False):
        again = weekly_report(reader=None, week=WEEK)

    assert again["computed_at"] != first["computed_at"]
    assert again["incidents"] == first["incidents"] and len(again["incidents"]) == 4
    assert again["total"]["incident_linked"] == 2
    payload = WeeklySummarySnapshot.objects.get().payload
    assert (payload["version"], payload["total"]["incident_linked"]) == (FIGURES_VERSION, 2)


def test_a_stored_week_is_read_back_with_its_incidents(incidents, history):
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        first = weekly_report(reader=None, week=WEEK)
    with time_machine.travel(LATER, tick=False):
        again = weekly_report(reader=None, week=WEEK)

    assert again == first  # from storage: the same computed_at
    assert [i["category"] for i in again["incidents"]] == ["FAC-UTIL"] * 4


def test_the_monday_email_lists_the_incidents_and_the_quality_without(reader, incidents, history):
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        message = mailing.weekly_email(manager=reader, week=WEEK)

    body = message.body
    assert "Building-wide incidents of the week" in body
    short = incidents["short"].reference
    assert (
        f"  - {short} 3号楼停水 (Water and power supply, Whole estate), opened 2026-11-17 09:00: "
        "1 linked complaint received in the week; resolved 2026-11-19 15:00"
    ) in body
    assert f"{incidents['late'].reference} 地库积水" in body
    assert "0 linked complaints received in the week" in body
    assert "Quality without incident-linked complaints" in body
    assert "  Median hours to resolution: 27.0" in body
    html, _mimetype = message.alternatives[0]
    assert short in html and "Quality without incident-linked complaints" in html
    assert incidents["other"].reference not in body + html


def test_a_link_made_after_the_week_makes_the_stored_week_computed_again(
    supervisor, incidents, history, estate, frontdesk
):
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        first = weekly_report(reader=None, week=WEEK)
    act(LATER, history["still_open"], supervisor, "link_incident", incident=incidents["lasting"].pk)

    with time_machine.travel(LATER + dt.timedelta(hours=1), tick=False):
        again = weekly_report(reader=None, week=WEEK)
    assert again["computed_at"] != first["computed_at"]
    assert (first["total"]["incident_linked"], again["total"]["incident_linked"]) == (2, 3)
    assert [i["incident_linked"] for i in again["incidents"]][:2] == [2, 1]
    assert first["total"]["without_incidents"]["median_resolution_hours"] == 27.0
    assert again["total"]["without_incidents"]["median_resolution_hours"] == 24.0
