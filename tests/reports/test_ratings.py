"""The follow-up rate and the residents' own satisfaction wherever the weekly figures are: the
stored weeks, the API and its schema, the page, the exports and the Monday email."""

import csv
import datetime as dt
import io

import pytest
import time_machine
import yaml
from openpyxl import load_workbook

from reports import mailing
from reports.models import WeeklySummaryChange, WeeklySummarySnapshot
from reports.snapshots import weekly_report
from staff.models import StaffMember
from tests.reports.helpers import (
    AFTER_THE_WEEK,
    WEDNESDAY,
    WEEK,
    close,
    explain_invalid,
    rate,
    receive,
    resolve,
    summary,
)

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
LATER, LATEST = AFTER_THE_WEEK + HOUR, AFTER_THE_WEEK + 2 * HOUR
NEW_FIGURES = ("follow_up_rate", "resident_satisfaction")


@pytest.fixture
def history(frontdesk, supervisor, estate):
    """In 2026-W47: three closings, one recording a rating; two residents' own ratings, one
    of them unsatisfied (it reopens its complaint). The week before: one closing, rated."""

    def closed_with(rating: str, moment=WEDNESDAY + HOUR, category="FAC-LIFT"):
        complaint = receive(frontdesk, estate, moment - dt.timedelta(days=2), category=category)
        resolve(complaint, frontdesk, supervisor, moment - HOUR)
        return close(complaint, supervisor, moment, satisfaction=rating)

    pleased_staff = closed_with("satisfied")
    closed_with("unreachable")
    explain_invalid(receive(frontdesk, estate, WEDNESDAY), frontdesk, WEDNESDAY + HOUR)
    last_week = closed_with("satisfied", WEDNESDAY - dt.timedelta(weeks=1), "QUAL-LEAK")
    rate(last_week, WEDNESDAY + 2 * HOUR, "fairly")
    rate(pleased_staff, WEDNESDAY + 3 * HOUR, "unsatisfied", comment="门还是坏的")
    return {"pleased_staff": pleased_staff, "last_week": last_week}


def stored_report(reader=None, *, at=AFTER_THE_WEEK, week=WEEK, estate=None) -> dict:
    with time_machine.travel(at, tick=False):
        return weekly_report(reader=reader, week=week, estate=estate)


def without_time(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "computed_at"}


def row(report: dict, code: str) -> dict:
    return next(r for r in report["categories"] if r["code"] == code)


def test_the_history_gives_both_figures_per_category_and_in_total(history):
    report = summary()

    assert report["total"]["closed"] == 3
    assert report["total"]["follow_up_rate"] == 0.3333
    assert report["total"]["satisfaction"] == 1.0
    assert report["total"]["resident_satisfaction"] == 0.5
    assert (row(report, "FAC")["follow_up_rate"], row(report, "FAC")["resident_satisfaction"]) == (
        0.3333,
        0.0,
    )
    # Rated by its resident in the week, closed the week before: no closing this week.
    assert row(report, "QUAL")["follow_up_rate"] is None
    assert row(report, "QUAL")["resident_satisfaction"] == 1.0
    assert report["previous_total"]["follow_up_rate"] == 1.0


def test_a_past_week_keeps_its_figures_when_a_resident_rates_later(frontdesk, supervisor, estate):
    complaint = receive(frontdesk, estate, WEDNESDAY - dt.timedelta(days=2))
    resolve(complaint, frontdesk, supervisor, WEDNESDAY)
    close(complaint, supervisor, WEDNESDAY + HOUR, satisfaction="satisfied")
    first = stored_report()
    changes = WeeklySummaryChange.objects.count()

    rated = rate(complaint, LATER, "unsatisfied", comment="又坏了")

    again = stored_report(at=LATEST)
    fresh = summary(now=LATEST)
    assert rated.stage == "resolution"  # reopened by the rating
    assert WeeklySummaryChange.objects.count() == changes  # nothing reached back
    assert again == first  # read from storage, as computed before the rating
    assert without_time(again) == without_time(fresh)  # and as computing it now gives
    assert (again["total"]["closed"], again["total"]["open_at_end"]) == (1, 0)
    assert again["total"]["follow_up_rate"] == again["total"]["satisfaction"] == 1.0
    assert again["total"]["resident_satisfaction"] is None
    after = summary(week=WEEK.shifted(1), now=LATEST)["total"]
    assert (after["resident_satisfaction"], after["open_at_end"]) == (0.0, 1)


def test_a_week_stored_before_these_figures_is_computed_again(history):
    first = stored_report()
    stored = WeeklySummarySnapshot.objects.get()
    old = stored.payload
    for figures in (old["total"], old["previous_total"], *old["categories"].values()):
        for name in NEW_FIGURES:
            del figures[name]
    old["version"] = 1
    stored.save()

    again = stored_report(at=LATEST)

    assert again["computed_at"] != first["computed_at"]
    assert without_time(again) == without_time(first)
    assert WeeklySummarySnapshot.objects.get().payload["total"]["resident_satisfaction"] == 0.5


def test_the_api_gives_both_and_its_schema_documents_them(api, manager, client, history):
    with time_machine.travel(LATEST, tick=False):
        body = api.as_user(manager).get("/api/v1/reports/weekly/?week=2026-W47").json()
    schema = yaml.safe_load(client.get("/api/schema/").content)

    assert (body["total"]["follow_up_rate"], body["total"]["resident_satisfaction"]) == (
        0.3333,
        0.5,
    )
    assert row(body, "QUAL")["resident_satisfaction"] == 1.0
    assert body["previous_total"]["resident_satisfaction"] is None
    components = schema["components"]["schemas"]
    for component in ("WeeklyFigures", "WeeklyCategory", "WeeklyPreviousFigures"):
        for name in NEW_FIGURES:
            field = components[component]["properties"][name]
            assert (field["type"], field["nullable"]) == ("number", True)
            assert (field["minimum"], field["maximum"]) == (0, 1)


@pytest.fixture
def english(manager):
    StaffMember.objects.filter(user=manager).update(language="en")
    manager.email = "manager@example.com"
    manager.save()
    return manager


def get(client, user, url):
    client.force_login(user)
    with time_machine.travel(LATEST, tick=False):
        return client.get(url)


def test_the_exports_carry_both_the_csv_as_shares_the_xlsx_as_percentages(client, english, history):
    text = get(client, english, "/reports/weekly.csv?week=2026-W47").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    at = header.index("Follow-up rate")

    assert header[at - 1 : at + 2] == [
        "Satisfaction",
        "Follow-up rate",
        "Residents' own satisfaction",
    ]
    total = next(r for r in rows if r and r[1] == "Total")
    assert [float(cell) for cell in total[at - 1 : at + 2]] == pytest.approx(
        [1.0, 1 / 3, 0.5], abs=1e-4
    )
    qual = next(r for r in rows if r and r[0] == "QUAL")
    assert qual[at : at + 2] == ["", "1.0"]

    workbook = load_workbook(
        io.BytesIO(get(client, english, "/reports/weekly.xlsx?week=2026-W47").content)
    )
    sheet = workbook["2026-W47"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    total_row = next(r[0].row for r in sheet.iter_rows() if r[1].value == "Total")
    for name, value in (("Follow-up rate", 0.3333), ("Residents' own satisfaction", 0.5)):
        cell = sheet.cell(row=total_row, column=columns[name])
        assert (cell.value, cell.number_format) == (value, "0%")


def test_the_page_and_the_monday_email_show_both(client, english, history):
    page = get(client, english, "/reports/weekly/?week=2026-W47")
    table = page.context["table"]
    total = next(r for r in table["rows"] if r["kind"] == "total")
    shown = {cell["figure"]: cell["text"] for cell in total["cells"]}
    with time_machine.travel(LATEST, tick=False):
        message = mailing.weekly_email(manager=english, week=WEEK)

    assert {"Follow-up rate", "Residents' own satisfaction"} <= set(table["headers"])
    assert (shown["follow_up_rate"], shown["resident_satisfaction"]) == ("33%", "50%")
    assert 'data-figure="resident_satisfaction">50%</td>' in page.content.decode()
    assert "  Follow-up rate: 33%" in message.body
    assert "  Residents' own satisfaction: 50%" in message.body
    assert '<th align="right">Follow-up rate</th>' in message.alternatives[0][0]
