"""The week of building-wide incidents the reports' incident tests read."""

import datetime as dt

import pytest
import time_machine

from complaints.services.incidents import IncidentInput, incident_act, incident_open
from tests.factories import BuildingFactory, UnitFactory, category
from tests.reports.helpers import act, close, rate, receive, resolve, shanghai


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
    resolve(still_open, frontdesk, supervisor, shanghai(2026, 11, 19, 16, 0))  # 30 h

    receive(frontdesk, estate, shanghai(2026, 11, 19, 10, 0), category="QUAL-LEAK")
    return {"linked_a": linked_a, "linked_b": linked_b, "own": own, "still_open": still_open}
