"""The received-date filter of the worklist, its exports and the API list: custom days or a quick
pick (today, yesterday, this week, last week), each estate's days in its own time zone, and bad
dates refused by name without changing anything else."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
import yaml

from complaints.received import period_days
from complaints.selectors import complaint_list
from tests.complaints.helpers import SHANGHAI
from tests.complaints.page_helpers import NOW, office_clock, signed_in, text  # noqa: F401
from tests.factories import log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]

DUBAI = zoneinfo.ZoneInfo("Asia/Dubai")  # four hours behind Shanghai


def _at(day: int, hour: int, minute: int = 0, zone=SHANGHAI) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=zone)


@pytest.fixture
def days(frontdesk, supervisor, estate, other_estate):
    """NOW is Tuesday 10 March 2026, 10:00 in Shanghai; the keys say when each was received."""
    other_estate.time_zone = "Asia/Dubai"
    other_estate.save()
    received = {
        "last_wednesday": (frontdesk, estate, _at(4, 15)),
        "sunday_late": (frontdesk, estate, _at(8, 23, 30)),
        # Monday in Shanghai, still Sunday in UTC.
        "monday_early": (frontdesk, estate, _at(9, 0, 30)),
        "today": (frontdesk, estate, _at(10, 8)),
        # Tuesday 03:00 in Shanghai, but Monday 23:00 in Dubai, where this estate is.
        "dubai_monday": (supervisor, other_estate, _at(9, 23, zone=DUBAI)),
    }
    return {
        key: log_complaint(actor, estate=where, received_at=at, summary=key)
        for key, (actor, where, at) in received.items()
    }


def listed(user, days: dict, **filters) -> list[str]:
    by_pk = {complaint.pk: key for key, complaint in days.items()}
    queryset = complaint_list(user=user, filters=filters)
    return [by_pk[pk] for pk in queryset.values_list("pk", flat=True)]


@pytest.mark.parametrize(
    ("filters", "keys"),
    [
        ({"period": "today"}, ["today"]),
        ({"period": "yesterday"}, ["monday_early"]),
        ({"period": "this_week"}, ["today", "monday_early"]),
        ({"period": "last_week"}, ["sunday_late", "last_wednesday"]),
        ({"received_from": dt.date(2026, 3, 8), "received_to": dt.date(2026, 3, 9)},
         ["monday_early", "sunday_late"]),
        ({"received_from": dt.date(2026, 3, 9)}, ["today", "monday_early"]),
        ({"received_to": dt.date(2026, 3, 4)}, ["last_wednesday"]),
        ({"received_from": dt.date(2026, 3, 5), "received_to": dt.date(2026, 3, 7)}, []),
    ],
)  # fmt: skip
def test_the_days_in_the_estates_time_zone(frontdesk, days, filters, keys):
    assert listed(frontdesk, days, **filters) == keys


def test_each_estate_keeps_its_own_days(supervisor, days):
    # Covering both estates, each is read in its own zone: Dubai's complaint was received on
    # Monday there, though on Tuesday in Shanghai.
    assert listed(supervisor, days, period="today") == ["today"]
    assert listed(supervisor, days, period="yesterday") == ["dubai_monday", "monday_early"]
    assert listed(supervisor, days, received_from=dt.date(2026, 3, 10)) == ["today"]


def test_the_days_and_the_search_together(frontdesk, days):
    # A number of the day's references, with the day: the search narrowed to it.
    number = days["today"].reference.split("-")[-1]
    assert listed(frontdesk, days, q=number, period="today") == ["today"]


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("today", dt.date(2026, 3, 10), dt.date(2026, 3, 10)),
        ("yesterday", dt.date(2026, 3, 9), dt.date(2026, 3, 9)),
        ("this_week", dt.date(2026, 3, 9), dt.date(2026, 3, 15)),
        ("last_week", dt.date(2026, 3, 2), dt.date(2026, 3, 8)),
    ],
)
def test_the_quick_picks_name_these_days(period, first, last):
    assert period_days(period, dt.date(2026, 3, 10)) == (first, last)
    # On a Monday the week starts today.
    assert period_days("this_week", dt.date(2026, 3, 9))[0] == dt.date(2026, 3, 9)


# --- the page, the export, the API --------------------------------------------------------------


def _shown(body: str, days: dict) -> set[str]:
    return {key for key, complaint in days.items() if complaint.reference in body}


def test_the_page_lists_the_days_and_offers_the_quick_picks(frontdesk, days):
    browser = signed_in(frontdesk)
    body = text(browser.get("/complaints/", {"period": "yesterday", "q": "monday"}))
    assert _shown(body, days) == {"monday_early"}
    # Each quick pick keeps the search and replaces the days; yesterday's is the one in force.
    assert 'href="?q=monday&amp;period=today"' in body
    assert 'aria-current="true" data-testid="period-pick">Yesterday</a>' in body
    for label in ("Today", "This week", "Last week"):
        assert f'data-testid="period-pick">{label}</a>' in body
    body = text(browser.get("/complaints/", {"received_from": "2026-03-08"}))
    assert _shown(body, days) == {"today", "monday_early", "sunday_late"}
    assert 'value="2026-03-08"' in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"received_from": "2026-13-01"}, "Received from: Enter a valid date."),
        ({"received_to": "yesterday"}, "Received to: Enter a valid date."),
        (
            {"received_from": "2026-03-09", "received_to": "2026-03-08"},
            "Received to: The end date is before the start date; neither date is used.",
        ),
        ({"period": "fortnight"}, "Received on: Select a valid choice."),
    ],
)
def test_bad_days_on_the_page_are_named_and_left_out(frontdesk, days, query, message):
    # The search still applies (today's summary has no "_"); only the bad days are left out.
    body = text(signed_in(frontdesk).get("/complaints/", {**query, "q": "_"}))
    assert 'data-testid="filter-errors"' in body
    assert message in body
    assert _shown(body, days) == {"last_wednesday", "sunday_late", "monday_early"}


def test_a_period_and_dates_together_keep_the_dates(frontdesk, days):
    body = text(
        signed_in(frontdesk).get("/complaints/", {"period": "today", "received_to": "2026-03-04"})
    )
    assert "Received on: Choose a period or dates, not both; the dates are used." in body
    assert _shown(body, days) == {"last_wednesday"}


def test_the_export_takes_the_days_and_refuses_bad_ones(frontdesk, days):
    browser = signed_in(frontdesk)
    export = browser.get("/complaints/export.csv", {"period": "last_week"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [
        days[key].reference for key in ("sunday_late", "last_wednesday")
    ]
    assert browser.get("/complaints/export.csv", {"received_to": "2026-02-30"}).status_code == 400


def test_the_api_takes_the_same_names(api, supervisor, days):
    client = api.as_user(supervisor)
    body = client.get("/api/v1/complaints/", {"period": "yesterday"}).json()
    assert [c["reference"] for c in body["results"]] == [
        days[key].reference for key in ("dubai_monday", "monday_early")
    ]
    body = client.get(
        "/api/v1/complaints/", {"received_from": "2026-03-08", "received_to": "2026-03-09"}
    ).json()
    assert [c["reference"] for c in body["results"]] == [
        days[key].reference for key in ("dubai_monday", "monday_early", "sunday_late")
    ]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"received_from": "9 March"}, {"received_from": ["Enter a valid date."]}),
        (
            {"period": "fortnight"},
            {"period": ["Select a valid choice. fortnight is not one of the available choices."]},
        ),
        (
            {"received_from": "2026-03-09", "received_to": "2026-03-08"},
            {"received_to": ["The end date is before the start date."]},
        ),
        (
            {"period": "today", "received_from": "2026-03-09"},
            {"period": ["Choose a period or dates, not both."]},
        ),
    ],
)
def test_the_api_refuses_bad_days_by_name(api, frontdesk, days, query, errors):
    response = api.as_user(frontdesk).get("/api/v1/complaints/", query)
    assert response.status_code == 400
    assert response.json() == errors


def test_the_schema_documents_the_days_and_the_search(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/complaints/"]["get"]["parameters"]}
    assert parameters["received_from"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["received_to"]["schema"] == {"type": "string", "format": "date"}
    assert sorted(parameters["period"]["schema"]["enum"]) == [
        "last_week",
        "this_week",
        "today",
        "yesterday",
    ]
    assert "`3-2-801`" in parameters["q"]["description"]
