"""Building-wide incidents: opened, updated, resolved and closed by supervisors with their own
timeline; one broadcast per update to each phone number of the covered units' residents; the
resolution carries the linked complaints in resolution on to follow-up."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from complaints.errors import ActionForbidden, ActionRefused, StaleVersion
from complaints.models import Complaint, Incident, IncidentEvent, Stage
from complaints.services.incidents import (
    IncidentInput,
    incident_act,
    incident_link,
    incident_open,
)
from notifications.models import Notification
from tests.complaints.helpers import act, local, valid_data
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, category, log_complaint

pytestmark = pytest.mark.django_db

MORNING = local(2026, 3, 10, 10, 0)


@pytest.fixture
def towers(estate):
    """Two buildings with two units each, and a third building nobody's outage reaches."""
    one, two, three = (BuildingFactory(estate=estate, name=f"{n}号楼") for n in (1, 2, 3))
    units = {
        name: UnitFactory(building=building, room=room)
        for name, building, room in [
            ("1-101", one, "101"),
            ("1-102", one, "102"),
            ("2-101", two, "101"),
            ("2-102", two, "102"),
            ("3-101", three, "101"),
        ]
    }
    return {"buildings": (one, two, three), "units": units}


def opened(actor, estate, buildings=(), **fields) -> Incident:
    values = {
        "estate": estate,
        "category": category("FAC-UTIL"),
        "title": "3号楼停水",
        "notice": "供水管道抢修，预计下午恢复供水。",
        "expected_end": MORNING + dt.timedelta(hours=6),
        "buildings": tuple(buildings),
    }
    values.update(fields)
    with time_machine.travel(MORNING, tick=False):
        return incident_open(actor=actor, data=IncidentInput(**values))


def broadcast(incident, kind) -> list[Notification]:
    return list(Notification.objects.filter(incident=incident, kind=kind).order_by("address"))


def test_an_incident_is_opened_with_its_reference_and_timeline(supervisor, estate, towers):
    one, two, _three = towers["buildings"]

    incident = opened(supervisor, estate, [one, two])

    assert incident.reference == "GG-HY-260310-1"
    assert incident.stage == "open" and incident.version == 1
    assert set(incident.buildings.all()) == {one, two}
    assert list(incident.events.values_list("kind", "actor")) == [("opened", supervisor.pk)]
    assert opened(supervisor, estate, [one]).reference == "GG-HY-260310-2"


def test_opening_tells_each_phone_of_the_covered_units_once(supervisor, estate, towers):
    units = towers["units"]
    ResidentFactory(phone="13900000001", units=[units["1-101"], units["2-101"]])  # two units
    ResidentFactory(phone="13900000002", units=[units["1-102"]])
    ResidentFactory(phone="13900000002", units=[units["2-102"]])  # a second record, same phone
    ResidentFactory(phone="13900000003", units=[units["2-102"]], language="en")
    ResidentFactory(phone="13900000009", units=[units["3-101"]])  # not covered
    one, two, _three = towers["buildings"]

    incident = opened(supervisor, estate, [one, two])

    rows = broadcast(incident, "incident_opened")
    assert [r.address for r in rows] == ["8613900000001", "8613900000002", "8613900000003"]
    assert rows[0].params == {
        "title": "3号楼停水",
        "notice": "供水管道抢修，预计下午恢复供水。",
        "end": "2026-03-10 16:00",
    }
    assert "供水管道抢修" in rows[0].body
    assert rows[2].language == "en" and "Expected to end by 2026-03-10 16:00" in rows[2].body
    assert {r.not_before for r in rows} == {MORNING}


def test_the_broadcast_waits_for_quiet_hours_to_end_unless_the_category_is_urgent(
    supervisor, estate, towers
):
    ResidentFactory(phone="13900000001", units=[towers["units"]["1-101"]])
    night = local(2026, 3, 10, 23, 0)
    with time_machine.travel(night, tick=False):
        water = incident_open(
            actor=supervisor,
            data=IncidentInput(
                estate=estate, category=category("FAC-UTIL"), title="停水", notice="抢修中"
            ),
        )
    urgent = category("FAC-UTIL")
    urgent.default_severity = "urgent"
    urgent.save()
    with time_machine.travel(night, tick=False):
        lift = incident_open(
            actor=supervisor,
            data=IncidentInput(estate=estate, category=urgent, title="停水", notice="抢修中"),
        )

    assert [r.not_before for r in broadcast(water, "incident_opened")] == [local(2026, 3, 11, 8, 0)]
    assert [r.not_before for r in broadcast(lift, "incident_opened")] == [night]


def test_updating_the_expected_end_is_broadcast_once_and_checks_the_version(
    supervisor, estate, towers
):
    ResidentFactory(phone="13900000001", units=[towers["units"]["1-101"]])
    incident = opened(supervisor, estate)
    later = MORNING + dt.timedelta(hours=9)

    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        incident_act(
            incident_id=incident.pk,
            actor=supervisor,
            action="update",
            data={"expected_end": later},
            version=1,
        )
        with pytest.raises(StaleVersion):
            incident_act(
                incident_id=incident.pk,
                actor=supervisor,
                action="update",
                data={"notice": "再等等"},
                version=1,
            )
        with pytest.raises(ValidationError, match="Nothing to change"):
            incident_act(
                incident_id=incident.pk,
                actor=supervisor,
                action="update",
                data={"expected_end": later},
            )

    incident.refresh_from_db()
    assert (incident.version, incident.expected_end) == (2, later)
    rows = broadcast(incident, "incident_updated")
    assert [(r.address, r.params["end"]) for r in rows] == [("8613900000001", "2026-03-10 19:00")]


def linked(actor, estate, incident, unit, *, stage: str) -> Complaint:
    complaint = log_complaint(actor, estate=estate, unit=unit, category="FAC-UTIL")
    road = {"clarification": ["accept"], "resolution": ["accept", "plan_resolution"]}
    for action in road.get(stage, []):
        complaint = act(complaint, actor, action, **valid_data(action))
    incident_link(complaint=complaint, incident=incident)
    complaint.save(update_fields=["incident"])
    return complaint


def test_resolving_carries_linked_complaints_in_resolution_on_to_follow_up(
    supervisor, estate, towers
):
    incident = opened(supervisor, estate)
    unit = towers["units"]["1-101"]
    with time_machine.travel(MORNING + dt.timedelta(minutes=5), tick=False):
        in_resolution = [
            linked(supervisor, estate, incident, unit, stage="resolution") for _ in range(2)
        ]
        still_asking = linked(supervisor, estate, incident, unit, stage="clarification")
        other = log_complaint(supervisor, estate=estate, unit=unit, category="FAC-UTIL")
        other = act(other, supervisor, "accept")
        other = act(other, supervisor, "plan_resolution", **valid_data("plan_resolution"))

    with time_machine.travel(MORNING + dt.timedelta(hours=2), tick=False):
        incident_act(
            incident_id=incident.pk,
            actor=supervisor,
            action="resolve",
            data={"outcome": "管道已修复，恢复供水", "cause": "主管爆裂", "liability": "utility"},
        )
        with pytest.raises(ActionRefused, match="resolved already"):
            incident_act(
                incident_id=incident.pk,
                actor=supervisor,
                action="resolve",
                data={"outcome": "x", "liability": "utility"},
            )

    stages = {c.reference: Complaint.objects.get(pk=c.pk).stage for c in in_resolution}
    assert set(stages.values()) == {Stage.FOLLOW_UP}
    assert Complaint.objects.get(pk=still_asking.pk).stage == Stage.CLARIFICATION
    assert Complaint.objects.get(pk=other.pk).stage == Stage.RESOLUTION
    for complaint in in_resolution:
        event = complaint.events.get(kind="incident_resolved")
        assert (event.from_stage, event.to_stage) == ("resolution", "follow_up")
        assert event.data["incident"] == incident.reference
        assert event.note == "管道已修复，恢复供水"
        assert complaint.deadlines.filter(kind="follow_up", state="pending").count() == 1
    # The caller (both complaints are hers) hears once, of her first complaint, with its
    # status link; the incident's broadcast leaves her number out.
    own = Notification.objects.filter(complaint__in=in_resolution, kind="resolved")
    assert list(own.values_list("address", "complaint")) == [("8613812345678", in_resolution[0].pk)]
    assert not Notification.objects.filter(
        incident=incident, kind="incident_resolved", address="8613812345678"
    ).exists()
    incident.refresh_from_db()
    assert (incident.stage, incident.liability) == ("resolved", "utility")
    resolved = IncidentEvent.objects.get(incident=incident, kind="resolve")
    assert sorted(resolved.data["complaints"]) == sorted(stages)


def test_closing_needs_the_resolution_first(supervisor, estate, towers):
    incident = opened(supervisor, estate)

    with pytest.raises(ActionRefused, match="Resolve the incident"):
        incident_act(incident_id=incident.pk, actor=supervisor, action="close", data={})
    incident_act(
        incident_id=incident.pk,
        actor=supervisor,
        action="resolve",
        data={"outcome": "已修复", "liability": "ours"},
    )
    incident_act(incident_id=incident.pk, actor=supervisor, action="close", data={})

    incident.refresh_from_db()
    assert incident.stage == "closed" and incident.closed_at is not None
    with pytest.raises(ValidationError, match="no longer open"):
        incident_link(complaint=log_complaint(supervisor, estate=estate), incident=incident)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "required"),
        ({"notice": ""}, "required"),
        ({"expected_end": MORNING - dt.timedelta(hours=1)}, "in the future"),
    ],
)
def test_bad_input_opens_nothing(supervisor, estate, towers, fields, message):
    with pytest.raises(ValidationError, match=message):
        opened(supervisor, estate, **fields)

    assert not Incident.objects.exists()


def test_an_incident_that_reaches_no_unit_or_another_estates_building_is_refused(
    supervisor, estate, other_estate, towers
):
    empty = BuildingFactory(estate=estate, name="9号楼")
    far = BuildingFactory(estate=other_estate, name="1号楼")

    with pytest.raises(ValidationError, match="No unit is covered"):
        opened(supervisor, estate, [empty])
    with pytest.raises(ValidationError, match="in the chosen estate"):
        opened(supervisor, estate, [far])
    with pytest.raises(ValidationError, match="No unit is covered"):
        opened(supervisor, other_estate)  # an estate without a unit

    assert not Incident.objects.exists()


def test_only_a_supervisor_of_the_estate_may_open_or_act(
    frontdesk, frontdesk_b, supervisor, estate, towers
):
    with pytest.raises(ActionForbidden):
        opened(frontdesk, estate)
    incident = opened(supervisor, estate)
    with pytest.raises(Http404):
        incident_act(incident_id=incident.pk, actor=frontdesk_b, action="close", data={})


def test_linking_across_estates_is_refused(supervisor, estate, other_estate, towers):
    incident = opened(supervisor, estate)
    elsewhere = log_complaint(supervisor, estate=other_estate)

    with pytest.raises(ValidationError, match="another estate"):
        incident_link(complaint=elsewhere, incident=incident)


def test_the_broadcast_is_one_insert_whatever_the_number_of_residents(supervisor, estate, towers):
    units = towers["units"]
    for n in range(120):
        ResidentFactory(phone=f"1370000{n:04d}", units=[units["1-101"]])

    with CaptureQueriesContext(connection) as queries:
        incident = opened(supervisor, estate)

    inserts = [
        q for q in queries.captured_queries if "INSERT" in q["sql"] and "notification" in q["sql"]
    ]
    assert len(inserts) == 1
    assert len(broadcast(incident, "incident_opened")) == 120
