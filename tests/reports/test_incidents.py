"""Building-wide incidents in the weekly summary (SPEC §9.3): the incident-linked complaints
counted apart per category, the quality figures without them, and the week's incidents."""

import datetime as dt

import pytest
import time_machine

from complaints.models import Complaint
from complaints.services.incidents import IncidentInput, incident_act, incident_open
from reports.counting import weekly_figures
from reports.snapshots import weekly_report
from reports.summary import scope_estates
from tests.factories import BuildingFactory, UnitFactory, category, make_staff
from tests.reports.helpers import (
    AFTER_THE_WEEK,
    WEEK,
    act,
    category_row,
    close,
    rate,
    receive,
    resolve,
    shanghai,
    summary,
)

pytestmark = pytest.mark.django_db

QUALITY = (
    "callbacks_on_time",
    "median_resolution_hours",
    "satisfaction",
    "follow_up_rate",
    "resident_satisfaction",
)


def incident(actor, estate, moment, title: str):
    with time_machine.travel(moment, tick=False):
        return incident_open(
            actor=actor,
            data=IncidentInput(
                estate=estate,
                category=category("FAC-UTIL"),
                title=title,
                notice="供水管道抢修，预计今晚恢复。",
                expected_end=moment + dt.timedelta(days=1),
                buildings=(),
            ),
        )


def incident_do(incident_, actor, moment, action: str, **data):
    with time_machine.travel(moment, tick=False):
        return incident_act(incident_id=incident_.pk, actor=actor, action=action, data=data)


def resolved(incident_, actor, moment):
    return incident_do(incident_, actor, moment, "resolve", outcome="已恢复", liability="utility")


@pytest.fixture
def incidents(supervisor, estate, other_estate, unit):
    """In 2026-W47 of 海悦花园 (HY): one incident opened the week before and still open, one
    opened and resolved in the week, one opened in the week and resolved after it, one
    closed the week before; one of 锦都名苑 (JD) opened in the week."""
    UnitFactory(building=BuildingFactory(estate=other_estate, name="1栋"), room="101")
    gone = incident(supervisor, estate, shanghai(2026, 11, 3, 9, 0), "2号楼停电")
    resolved(gone, supervisor, shanghai(2026, 11, 11, 9, 0))
    incident_do(gone, supervisor, shanghai(2026, 11, 12, 9, 0), "close")
    lasting = incident(supervisor, estate, shanghai(2026, 11, 12, 9, 0), "3号楼电梯停运")
    short = incident(supervisor, estate, shanghai(2026, 11, 17, 9, 0), "3号楼停水")
    late = incident(supervisor, estate, shanghai(2026, 11, 20, 9, 0), "地库积水")
    resolved(late, supervisor, shanghai(2026, 11, 24, 9, 0))
    elsewhere = incident(supervisor, other_estate, shanghai(2026, 11, 17, 11, 0), "锦都停气")
    return {"gone": gone, "lasting": lasting, "short": short, "late": late, "other": elsewhere}


@pytest.fixture
def history(incidents, frontdesk, supervisor, estate):
    """In W47 in HY: four complaints about lifts (FAC), two linked to incidents; one about a
    leak (QUAL), not linked. The incident ``short`` resolves its linked complaint."""
    lasting, short = incidents["lasting"], incidents["short"]
    linked_a = receive(frontdesk, estate, shanghai(2026, 11, 16, 10, 0))
    act(shanghai(2026, 11, 16, 10, 5), linked_a, supervisor, "link_incident", incident=lasting.pk)
    resolve(linked_a, frontdesk, supervisor, shanghai(2026, 11, 18, 10, 0))  # 48 h
    close(linked_a, supervisor, shanghai(2026, 11, 19, 10, 0), satisfaction="unsatisfied")

    linked_b = receive(frontdesk, estate, shanghai(2026, 11, 17, 10, 0))
    act(shanghai(2026, 11, 17, 10, 5), linked_b, supervisor, "link_incident", incident=short.pk)
    act(shanghai(2026, 11, 18, 9, 55), linked_b, frontdesk, "accept")
    act(
        shanghai(2026, 11, 18, 10, 0),
        linked_b,
        frontdesk,
        "plan_resolution",
        validity="valid",
        department="ENG",
        plan="等待供水恢复",
        callback_due_at=shanghai(2026, 11, 25, 10, 0),
    )
    resolved(short, supervisor, shanghai(2026, 11, 19, 15, 0))  # linked_b: 53 h
    close(linked_b, supervisor, shanghai(2026, 11, 20, 10, 0), satisfaction="unreachable")
    rate(linked_b, shanghai(2026, 11, 20, 12, 0), "satisfied")

    own = receive(frontdesk, estate, shanghai(2026, 11, 17, 10, 0))
    resolve(own, frontdesk, supervisor, shanghai(2026, 11, 18, 10, 0))  # 24 h
    close(own, supervisor, shanghai(2026, 11, 19, 11, 0), satisfaction="satisfied")

    still_open = receive(frontdesk, estate, shanghai(2026, 11, 18, 10, 0))
    resolve(still_open, frontdesk, supervisor, shanghai(2026, 11, 20, 10, 0))  # 48 h

    receive(frontdesk, estate, shanghai(2026, 11, 19, 10, 0), category="QUAL-LEAK")
    return {"linked_a": linked_a, "linked_b": linked_b, "own": own}


def test_incident_linked_complaints_are_counted_apart_and_still_received(history):
    report = summary()

    fac, qual = category_row(report, "FAC"), category_row(report, "QUAL")
    assert (fac["received"], fac["incident_linked"]) == (4, 2)
    assert (qual["received"], qual["incident_linked"]) == (1, 0)
    assert (report["total"]["received"], report["total"]["incident_linked"]) == (5, 2)
    assert report["previous_total"]["incident_linked"] == 0


def test_the_quality_figures_without_incident_linked_ones_match_a_hand_count(history):
    fac = category_row(summary(), "FAC")

    # Every complaint: closed 3 (two rated, one of them pleased); resolved in 24, 48, 48 and
    # 53 hours, the last by its incident; one resident's own rating, satisfied.
    assert (fac["satisfaction"], fac["follow_up_rate"]) == (0.5, 0.6667)
    assert fac["median_resolution_hours"] == 48.0
    assert fac["resident_satisfaction"] == 1.0
    # Without the two incident-linked: closed 1, rated satisfied; resolved in 24 and 48 hours;
    # no resident's own rating.
    apart = fac["without_incidents"]
    assert (apart["satisfaction"], apart["follow_up_rate"]) == (1.0, 1.0)
    assert apart["median_resolution_hours"] == 36.0
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
