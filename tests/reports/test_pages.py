"""The page, its exports, the API and the command: one report, one authorisation rule."""

import csv
import datetime as dt
import io
import json
import re

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from complaints.models import Category
from reports.figures import FIGURE_LABELS
from reports.formatting import change
from staff.models import StaffMember
from tests.reports.helpers import (
    AFTER_THE_WEEK,
    WEDNESDAY,
    explain_invalid,
    receive,
)

pytestmark = pytest.mark.django_db

WEEKLY = "/reports/weekly/?week=2026-W47"


@pytest.fixture
def week_of_complaints(frontdesk, frontdesk_b, estate, other_estate):
    explain_invalid(receive(frontdesk, estate, WEDNESDAY), frontdesk, WEDNESDAY)
    receive(frontdesk, estate, WEDNESDAY, category="FEE-PROP")
    receive(frontdesk_b, other_estate, WEDNESDAY)


@pytest.fixture
def english(manager):
    StaffMember.objects.filter(user=manager).update(language="en")
    return manager


def get(client, user, url, **headers):
    client.force_login(user)
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        return client.get(url, **headers)


@pytest.mark.parametrize("who", ["frontdesk", "handler"])
def test_only_supervisors_and_managers_read_it(client, api, who, request):
    user = request.getfixturevalue(who)
    for url in (WEEKLY, "/reports/weekly.csv?week=2026-W47", "/reports/weekly.xlsx"):
        assert get(client, user, url).status_code == 403
    response = api.as_user(user).get("/api/v1/reports/weekly/?week=2026-W47")
    assert response.status_code == 403
    assert response.json() == {"detail": "The weekly summary is for supervisors and managers."}


def test_anonymous_readers_are_sent_to_sign_in(client, api):
    assert client.get(WEEKLY).status_code == 302
    assert api.get("/api/v1/reports/weekly/").status_code == 401


def test_the_manager_reads_the_figures_with_links_to_the_worklist(
    client, english, week_of_complaints
):
    response = get(client, english, WEEKLY)

    assert response.status_code == 200
    report = response.context["report"]
    assert (report["week"], report["total"]["received"], report["total"]["invalid"]) == (
        "2026-W47",
        3,
        1,
    )
    html = response.content.decode()
    assert "Weekly category summary" in html
    assert (
        '<td class="text-end" data-figure="received">'
        '<a href="/complaints/?week=2026-W47&amp;figure=received&amp;category=FAC">2</a></td>'
    ) in html
    assert 'data-figure="invalid"><a href="/complaints/?week=2026-W47&amp;figure=invalid' in html
    assert '<script id="weekly-data" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "css/print.css" in html
    assert "<script>" not in html  # the Content-Security-Policy forbids inline scripts
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    chart = json.loads(html.split('id="weekly-data" type="application/json">')[1].split("<")[0])
    assert chart["trend"]["labels"][-1] == "2026-W47"
    assert chart["byCategory"]["series"][0]["label"] == "Received"


def test_the_worklist_link_lists_exactly_those_complaints(
    client, english, week_of_complaints, frontdesk, estate
):
    other_week = receive(frontdesk, estate, WEDNESDAY - dt.timedelta(weeks=2))
    response = get(client, english, "/complaints/?week=2026-W47&figure=received&category=FAC")

    assert response.status_code == 200
    # Each row's reference is the link that opens it (jinja2/complaints/worklist_rows.html).
    listed = re.findall(r'class="fw-semibold">([^<]+)</a>', response.content.decode())
    assert len(listed) == 2
    assert other_week.reference not in listed


def test_the_page_defaults_to_last_week_and_offers_only_covered_estates(
    client, estate, other_estate
):
    supervisor_hy = make_supervisor_of(estate)
    response = get(client, supervisor_hy, "/reports/weekly/")

    assert response.context["report"]["week"] == "2026-W47"  # AFTER_THE_WEEK is in W48
    assert [code for code, _ in response.context["form"].fields["estate"].choices] == ["", "HY"]
    refused = get(client, supervisor_hy, "/reports/weekly/?estate=JD")
    assert refused.status_code == 400
    assert "JD" not in json.dumps(refused.context.get("report") or {})
    assert get(client, supervisor_hy, "/reports/weekly/?week=2026-47").status_code == 400


def make_supervisor_of(estate):
    from tests.factories import make_staff

    return make_staff("supervisor_hy", role="supervisor", estates=[estate])


def test_the_csv_has_the_figures_headed_in_the_readers_language(
    client, english, week_of_complaints
):
    response = get(client, english, "/reports/weekly.csv?week=2026-W47&estate=HY")

    assert response["Content-Disposition"] == 'attachment; filename="weekly-2026-W47-HY.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Code", "Category", "Received", "Closed"]
    fac = next(row for row in rows if row and row[0] == "FAC")
    assert fac[2:4] == ["1", "1"]
    total = next(row for row in rows if row and row[1] == "Total")
    assert total[2] == "2"

    StaffMember.objects.filter(user=english).update(language="zh-hans")
    chinese = get(client, english, "/reports/weekly.csv?week=2026-W47&estate=HY")
    header = next(csv.reader(io.StringIO(chinese.content.decode("utf-8-sig"))))
    with translation.override("zh-hans"):
        expected = [_("Category"), str(FIGURE_LABELS["received"])]
    assert header[1:3] == expected
    assert expected != ["Category", "Received"]


def test_the_exports_are_formula_safe(client, english, frontdesk, estate):
    hostile = Category.objects.create(
        code="ZZ", name_en='=HYPERLINK("http://evil.example","x")', name_zh="=1+1"
    )
    receive(frontdesk, estate, WEDNESDAY, category=hostile)

    text = get(client, english, "/reports/weekly.csv?week=2026-W47").content.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r and r[0] == "ZZ")
    assert row[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert row[2] == "1"

    workbook = load_workbook(
        io.BytesIO(get(client, english, "/reports/weekly.xlsx?week=2026-W47").content)
    )
    sheet = workbook["2026-W47"]
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "ZZ")
    assert cell.value.startswith("'=")
    assert cell.data_type == "s"
    assert sheet.cell(row=1, column=3).value == "Received"


def test_the_command_and_the_api_give_the_same_json(api, admin_user, week_of_complaints):
    out = io.StringIO()
    with time_machine.travel(AFTER_THE_WEEK, tick=False), translation.override("en"):
        call_command("weekly_summary", "--week", "2026-W47", "--format", "json", stdout=out)
        api_json = (
            api.as_user(admin_user)
            .get("/api/v1/reports/weekly/?week=2026-W47", HTTP_ACCEPT_LANGUAGE="en")
            .json()
        )
        call_command(
            "weekly_summary",
            "--week=2026-W47",
            "--estate=HY",
            "--format=json",
            stdout=(one := io.StringIO()),
        )
        api_one = (
            api.as_user(admin_user)
            .get("/api/v1/reports/weekly/?week=2026-W47&estate=HY", HTTP_ACCEPT_LANGUAGE="en")
            .json()
        )

    assert json.loads(out.getvalue()) == api_json
    assert json.loads(one.getvalue()) == api_one
    assert api_json["total"]["received"] == 3
    assert api_one["estate"] == "HY" and api_one["total"]["received"] == 2
    assert set(api_json) >= {
        "week",
        "estate",
        "start",
        "end",
        "categories",
        "total",
        "previous_total",
        "top_buildings",
    }
    assert set(api_json["categories"][0]) == {"code", "name", *api_json["total"]}


def test_the_api_answers_bad_input_with_400(api, manager):
    response = api.as_user(manager).get("/api/v1/reports/weekly/?week=2026-W60")
    assert response.status_code == 400
    assert list(response.json()) == ["week"]


def test_the_command_prints_a_table_and_csv(week_of_complaints):
    table, text = io.StringIO(), io.StringIO()
    with time_machine.travel(AFTER_THE_WEEK, tick=False), translation.override("en"):
        call_command("weekly_summary", "--week=2026-W47", stdout=table)
        call_command("weekly_summary", "--week=2026-W47", "--format=csv", stdout=text)

    lines = table.getvalue().splitlines()
    assert lines[0] == "Week 2026-W47 (2026-11-16 to 2026-11-22), estate all"
    assert lines[-2].split()[:3] == ["total", "3", "1"]
    assert next(csv.reader(io.StringIO(text.getvalue())))[2] == "Received"


@pytest.mark.parametrize(
    ("name", "current", "previous", "shown"),
    [
        ("median_resolution_hours", 10.0, 10.04, "0.0"),
        ("median_resolution_hours", 10.04, 10.0, "0.0"),
        ("median_resolution_hours", 5.0, 5.0, "0.0"),
        ("median_resolution_hours", 10.0, 10.06, "-0.1"),
        ("median_resolution_hours", 12.5, 10.0, "+2.5"),
        ("received", 7, 7, "0"),
        ("received", 7, 9, "-2"),
        ("received", 9, 7, "+2"),
        ("satisfaction", 0.5, 0.504, "0 pp"),
        ("satisfaction", 0.5, 0.75, "-25 pp"),
        ("satisfaction", None, 0.75, "—"),
    ],
)
def test_a_change_that_rounds_to_zero_carries_no_sign(name, current, previous, shown):
    with translation.override("en"):
        assert change(name, current, previous) == shown
