"""A week not yet over is read as one in progress, with its figures so far; a week not yet begun
cannot be chosen. Each estate is on its own clock."""

import csv
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from reports import mailing
from reports.models import WeeklySummarySnapshot
from staff.models import StaffMember
from tests.reports.helpers import AFTER_THE_WEEK, WEDNESDAY, receive, shanghai

pytestmark = pytest.mark.django_db

# Monday of W48, half past midnight in Shanghai: still Sunday afternoon of W47 in London.
SHANGHAI_MONDAY = shanghai(2026, 11, 23, 0, 30)
REFUSED = "2026-W48 has not begun yet: choose 2026-W47 or an earlier week."


@pytest.fixture
def reader(manager, frontdesk, estate):
    StaffMember.objects.filter(user=manager).update(language="en")
    receive(frontdesk, estate, WEDNESDAY)
    return manager


def get(client, user, url, moment=WEDNESDAY):
    client.force_login(user)
    with time_machine.travel(moment, tick=False):
        return client.get(url)


def api_get(api, user, url, moment=WEDNESDAY):
    with time_machine.travel(moment, tick=False), translation.override("en"):
        return api.as_user(user).get(url, HTTP_ACCEPT_LANGUAGE="en")


def test_the_current_week_reads_as_in_progress_with_its_figures_so_far(client, reader):
    response = get(client, reader, "/reports/weekly/?week=2026-W47")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="in-progress">In progress</span>' in html
    assert "The week is in progress: figures so far, as of Nov. 18, 2026, 10 a.m.;" in html
    assert '<th scope="row">Total so far</th>' in html
    assert 'rel="next"' not in html  # no week after the current one to go to
    assert 'data-testid="no-next-week"' in html
    assert 'max="2026-W47"' in html
    chart = json.loads(html.split('id="weekly-data" type="application/json">')[1].split("<")[0])
    assert chart["trend"]["labels"][-1] == ["2026-W47", "in progress"]
    assert chart["trend"]["labels"][-2] == "2026-W46"
    assert chart["trend"]["partial"] == 7
    assert chart["byCategory"]["title"] == "Complaints by category so far"
    assert "2026-W47 (in progress, figures so far)" in html  # the trend's text alternative
    assert WeeklySummarySnapshot.objects.count() == 0  # never kept as the week's figures


def test_a_finished_week_reads_as_final_and_offers_the_next(client, reader):
    html = get(client, reader, "/reports/weekly/?week=2026-W46").content.decode()

    assert 'data-testid="in-progress"' not in html
    assert "Figures as of Nov. 18, 2026, 10 a.m." in html
    assert '<th scope="row">Total</th>' in html
    assert '<a class="btn btn-sm btn-outline-secondary" href="?week=2026-W47" rel="next">' in html
    chart = json.loads(html.split('id="weekly-data" type="application/json">')[1].split("<")[0])
    assert chart["trend"]["partial"] is None


def test_a_week_not_begun_is_refused_and_nothing_is_computed(client, reader):
    response = get(client, reader, "/reports/weekly/?week=2026-W48")

    assert response.status_code == 400
    assert "report" not in response.context
    assert response.context["form"].errors == {"week": [REFUSED]}
    assert REFUSED in response.content.decode()
    for export in ("csv", "xlsx"):
        refused = get(client, reader, f"/reports/weekly.{export}?week=2027-W01")
        assert refused.status_code == 400
        assert refused.content.decode() == (
            "2027-W01 has not begun yet: choose 2026-W47 or an earlier week."
        )


def test_the_api_flags_the_week_in_progress_and_refuses_one_not_begun(api, reader):
    current = api_get(api, reader, "/api/v1/reports/weekly/?week=2026-W47").json()
    refused = api_get(api, reader, "/api/v1/reports/weekly/?week=2026-W48")
    finished = api_get(api, reader, "/api/v1/reports/weekly/?week=2026-W47", AFTER_THE_WEEK).json()

    assert (current["in_progress"], current["total"]["received"]) == (True, 1)
    assert [row["in_progress"] for row in current["trend"]] == [False] * 7 + [True]
    assert refused.status_code == 400
    assert refused.json() == {"week": [REFUSED]}
    assert finished["in_progress"] is False
    assert not any(row["in_progress"] for row in finished["trend"])


def test_the_exports_mark_the_week_in_progress(client, reader):
    response = get(client, reader, "/reports/weekly.csv?week=2026-W47")

    assert (
        response["Content-Disposition"] == 'attachment; filename="weekly-2026-W47-all-partial.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Category", "Received"]
    total = next(row for row in rows if row and row[1] == "Total so far")
    assert total[2] == "1"
    note = "2026-W47 is in progress: figures so far, as of 2026-11-18 10:00."
    assert ["", note] in rows

    workbook = load_workbook(
        io.BytesIO(get(client, reader, "/reports/weekly.xlsx?week=2026-W47").content)
    )
    sheet = workbook["2026-W47"]
    labels = [row[1].value for row in sheet.iter_rows()]
    assert "Total so far" in labels
    assert note in labels

    finished = get(client, reader, "/reports/weekly.csv?week=2026-W47", AFTER_THE_WEEK)
    assert finished["Content-Disposition"] == 'attachment; filename="weekly-2026-W47-all.csv"'
    assert "in progress" not in finished.content.decode("utf-8-sig")


def test_each_estate_is_on_its_own_clock(client, api, reader, other_estate):
    other_estate.time_zone = "Europe/London"
    other_estate.save()

    both = api_get(api, reader, "/api/v1/reports/weekly/?week=2026-W47", SHANGHAI_MONDAY).json()
    shanghai_only = api_get(
        api, reader, "/api/v1/reports/weekly/?week=2026-W47&estate=HY", SHANGHAI_MONDAY
    ).json()
    london_next = api_get(
        api, reader, "/api/v1/reports/weekly/?week=2026-W48&estate=JD", SHANGHAI_MONDAY
    )
    both_next = api_get(api, reader, "/api/v1/reports/weekly/?week=2026-W48", SHANGHAI_MONDAY)

    assert both["in_progress"] is True  # London's Sunday is not over
    assert shanghai_only["in_progress"] is False
    assert london_next.status_code == 400
    assert london_next.json() == {"week": [REFUSED]}
    assert (both_next.status_code, both_next.json()["in_progress"]) == (200, True)


def test_the_command_refuses_a_week_not_begun(reader):
    with time_machine.travel(WEDNESDAY, tick=False), pytest.raises(CommandError) as refused:
        call_command("weekly_summary", "--week=2026-W48", stdout=io.StringIO())
    assert str(refused.value) == "--week: 2026-W48 has not begun yet; the current week is 2026-W47"

    table = io.StringIO()
    with time_machine.travel(WEDNESDAY, tick=False):
        call_command("weekly_summary", "--week=2026-W47", stdout=table)
    assert table.getvalue().splitlines()[0] == (
        "Week 2026-W47 (2026-11-16 to 2026-11-22), estate all. 2026-W47 is in progress: "
        "figures so far, as of 2026-11-18 10:00."
    )


def test_the_monday_email_is_about_the_finished_week(reader, estate, other_estate):
    reader.email = "jingli@example.com"
    reader.save()
    monday_8 = shanghai(2026, 11, 23, 8, 0)

    with time_machine.travel(monday_8, tick=False):
        week = mailing.due_week({estate.time_zone}, monday_8)
        message = mailing.weekly_email(manager=reader, week=week)

    assert str(week) == "2026-W47"
    assert message.attachments[0][0] == "weekly-2026-W47-all.csv"
    assert "in progress" not in message.body


def test_a_week_in_progress_has_no_end_yet_in_its_headings(client, reader):
    html = get(client, reader, "/reports/weekly/?week=2026-W47").content.decode()
    finished = get(client, reader, "/reports/weekly/?week=2026-W46").content.decode()

    assert ">Open now</th>" in html and ">Overdue now</th>" in html
    assert ">Open at end</th>" not in html
    assert "Change so far, against the whole previous week" in html
    assert ">Open at end</th>" in finished and ">Change</th>" in finished
