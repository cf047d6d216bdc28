"""Building-wide incidents in the weekly summary (SPEC §9.3): the incident-linked complaints
counted apart per category, the quality figures without them, and the week's incidents."""

import pytest
import time_machine

from complaints.models import Complaint
from reports.counting import weekly_figures
from reports.summary import scope_estates
from reports.week_incidents import week_incidents
from tests.factories import category, make_staff
from tests.reports.conftest import incident
from tests.reports.helpers import AFTER_THE_WEEK, WEEK, category_row, shanghai, summary

pytestmark = pytest.mark.django_db

QUALITY = (
    "callbacks_on_time",
    "median_resolution_hours",
    "satisfaction",
    "follow_up_rate",
    "resident_satisfaction",
)


def test_incident_linked_complaints_are_counted_apart_and_still_received(history):
    report = summary()

    fac, qual = category_row(report, "FAC"), category_row(report, "QUAL")
    assert (fac["received"], fac["incident_linked"]) == (4, 2)
    assert (qual["received"], qual["incident_linked"]) == (1, 0)
    assert (report["total"]["received"], report["total"]["incident_linked"]) == (5, 2)
    assert report["previous_total"]["incident_linked"] == 0


def test_the_quality_figures_without_incident_linked_ones_match_a_hand_count(history):
    fac = category_row(summary(), "FAC")

    # Every complaint: closed 3 (two rated, one of them pleased); resolved in 24, 30, 48 and
    # 53 hours, the last by its incident; one resident's own rating, satisfied.
    assert (fac["satisfaction"], fac["follow_up_rate"]) == (0.5, 0.6667)
    assert fac["median_resolution_hours"] == 39.0
    assert fac["resident_satisfaction"] == 1.0
    # Without the two incident-linked: closed 1, rated satisfied; resolved in 24 and 30 hours;
    # no resident's own rating.
    apart = fac["without_incidents"]
    assert (apart["satisfaction"], apart["follow_up_rate"]) == (1.0, 1.0)
    assert apart["median_resolution_hours"] == 27.0
    assert apart["resident_satisfaction"] is None


def test_without_incidents_is_the_week_counted_over_the_unlinked_complaints_alone(
    history, supervisor, estate
):
    report = summary()
    estates = scope_estates(None, None)
    with time_machine.travel(AFTER_THE_WEEK, tick=False):
        unlinked = weekly_figures(
            estates=estates,
            week=WEEK,
            now=AFTER_THE_WEEK,
            complaints=Complaint.objects.filter(incident__isnull=True),
        )

    expected_total = {name: unlinked["total"][name] for name in QUALITY}
    assert report["total"]["without_incidents"] == expected_total
    assert report["total"]["callbacks_on_time"] is not None
    fac_id = str(category("FAC").pk)
    assert category_row(report, "FAC")["without_incidents"] == {
        name: unlinked["categories"][fac_id][name] for name in QUALITY
    }
    qual = category_row(report, "QUAL")
    assert qual["without_incidents"] == {name: qual[name] for name in QUALITY}


def listed(report: dict) -> list[tuple]:
    return [(i["reference"], i["title"], i["resolved_at"]) for i in report["incidents"]]


def test_the_week_lists_exactly_its_incidents(incidents, history, estate):
    manager_hy = make_staff("manager_hy", role="manager", estates=[estate])
    lasting, short, late = incidents["lasting"], incidents["short"], incidents["late"]

    report = summary(manager_hy)

    assert listed(report) == [
        (lasting.reference, "3号楼电梯停运", None),
        (short.reference, "3号楼停水", "2026-11-19T15:00:00+08:00"),
        (late.reference, "地库积水", None),  # resolved after the week's end
    ]
    first = report["incidents"][0]
    assert first == {
        "id": lasting.pk,
        "reference": lasting.reference,
        "title": "3号楼电梯停运",
        "estate": "HY",
        "category": "FAC-UTIL",
        "category_name": category("FAC-UTIL").name,
        "buildings": [],
        "opened_at": "2026-11-12T09:00:00+08:00",
        "resolved_at": None,
        "incident_linked": 1,
    }
    assert [i["incident_linked"] for i in report["incidents"]] == [1, 1, 0]
    everywhere = [i["reference"] for i in summary()["incidents"]]
    assert incidents["other"].reference in everywhere
    assert incidents["gone"].reference not in everywhere


def test_an_incident_resolved_in_the_week_before_is_not_listed(incidents, supervisor):
    report = summary(supervisor, week=WEEK.shifted(-1))

    references = [i["reference"] for i in report["incidents"]]
    assert references == [incidents["gone"].reference, incidents["lasting"].reference]
    assert report["incidents"][0]["resolved_at"] == "2026-11-11T09:00:00+08:00"


def test_the_incidents_are_two_reads_however_many(
    incidents, supervisor, estate, django_assert_num_queries
):
    estates = scope_estates(None, None)
    with django_assert_num_queries(2):  # the incidents with their counts, then their buildings
        rows = week_incidents(estates=estates, week=WEEK)
    assert len(rows) == 4
    incident(supervisor, estate, shanghai(2026, 11, 18, 9, 0), "5号楼停电")
    with django_assert_num_queries(2):
        assert len(week_incidents(estates=estates, week=WEEK)) == 5
