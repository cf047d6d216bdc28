"""A building-wide incident at its edges: a linked call still being clarified when the
incident is resolved, the caller's messages while linked and at the resolution, the
acknowledgement without a broadcast, and links that do not fit."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from complaints.errors import ActionRefused
from complaints.models import Stage
from complaints.services.incident_clock import incident_queue_for
from complaints.services.incidents import IncidentInput, incident_act, incident_open
from complaints.services.sweep import sweep_run
from notifications.models import Notification
from tests.complaints.helpers import act, local, valid_data
from tests.factories import (
    BuildingFactory,
    ResidentFactory,
    UnitFactory,
    category,
    log_complaint,
    make_staff,
)

pytestmark = pytest.mark.django_db

MORNING = local(2026, 3, 10, 10, 0)
LATER = MORNING + dt.timedelta(hours=1)
END = local(2026, 3, 10, 16, 0)


@pytest.fixture
def towers(estate):
    one, two = (BuildingFactory(estate=estate, name=f"{n}号楼") for n in (1, 2))
    return {"one": UnitFactory(building=one, room="101"), "two": UnitFactory(building=two)}


def water_cut(actor, estate, building, **fields):
    with time_machine.travel(MORNING, tick=False):
        return incident_open(
            actor=actor,
            data=IncidentInput(
                estate=estate,
                category=category("FAC-UTIL"),
                title="1号楼停水",
                notice="供水管道抢修。",
                buildings=(building,),
                **fields,
            ),
        )


def call(actor, estate, unit, incident, *, phone="13800000001", resident=None, steps=()):
    with time_machine.travel(MORNING + dt.timedelta(minutes=10), tick=False):
        complaint = log_complaint(
            actor,
            estate=estate,
            unit=unit,
            resident=resident,
            contact_phone=phone,
            category="FAC-UTIL",
            incident=incident,
        )
        for step in steps:
            complaint = act(complaint, actor, step, **valid_data(step))
    return complaint


def own_resolution(complaint):
    return list(complaint.deadlines.filter(kind="resolution").values_list("state", "starts_at"))


def test_a_call_still_in_clarification_runs_its_own_resolution_clock_once_resolved(
    supervisor, estate, towers
):
    incident = water_cut(supervisor, estate, towers["one"].building)
    clarifying = call(supervisor, estate, towers["one"], incident, steps=["accept"])
    waiting = call(supervisor, estate, towers["one"], incident, phone="13800000002")
    assert own_resolution(clarifying) == []

    with time_machine.travel(LATER, tick=False):
        incident = incident_act(
            incident_id=incident.pk,
            actor=supervisor,
            action="resolve",
            data={"outcome": "已恢复供水", "liability": "utility"},
        )
        waiting = act(waiting, supervisor, "accept")

    assert own_resolution(clarifying) == [("pending", LATER)]
    assert own_resolution(waiting) == [("pending", LATER)]
    resolved = incident.events.get(kind="resolve")
    assert resolved.data["clocks_restarted"] == [clarifying.reference]


def test_the_plan_told_to_a_linked_caller_is_due_by_the_incidents_expected_end(
    supervisor, estate, towers
):
    incident = water_cut(supervisor, estate, towers["one"].building, expected_end=END)
    unknown = water_cut(supervisor, estate, towers["two"].building)

    steps = ["accept", "plan_resolution"]
    with_end = call(supervisor, estate, towers["one"], incident, steps=steps)
    without = call(
        supervisor,
        estate,
        towers["two"],
        unknown,
        phone="13800000002",
        steps=["accept", "plan_resolution"],
    )

    planned = Notification.objects.get(complaint=with_end, kind="planned")
    assert planned.params["due"] == "2026-03-10 16:00"
    assert "2026-03-10 16:00" in planned.body
    silent = Notification.objects.get(complaint=without, kind="planned")
    assert silent.params["due"] == "-"
    assert "前" not in silent.body and "  " not in silent.body


def test_at_the_resolution_each_caller_hears_of_their_complaint_once_and_no_broadcast(
    supervisor, estate, towers, no_quiet_hours
):
    unit = towers["one"]
    caller = ResidentFactory(phone="13800000001", units=[unit])
    neighbour = ResidentFactory(phone="13800000009", units=[unit])
    incident = water_cut(supervisor, estate, unit.building)
    steps = ["accept", "plan_resolution"]
    first = call(supervisor, estate, unit, incident, resident=caller, steps=steps)
    call(supervisor, estate, unit, incident, resident=caller, steps=steps)  # she rang twice
    stranger = call(supervisor, estate, unit, incident, phone="13900000005", steps=steps)

    with time_machine.travel(LATER, tick=False):
        incident_act(
            incident_id=incident.pk,
            actor=supervisor,
            action="resolve",
            data={"outcome": "已恢复供水", "liability": "utility"},
        )

    told = Notification.objects.filter(created_at__gte=LATER, audience="resident")
    assert sorted(told.values_list("address", "kind", "complaint__reference")) == [
        ("8613800000001", "resolved", first.reference),
        ("8613800000009", "incident_resolved", None),
        ("8613900000005", "resolved", stranger.reference),
    ]
    assert neighbour.phone == "8613800000009"


def test_acknowledging_meets_the_incidents_acknowledge_deadline_without_a_message(
    supervisor, estate, towers
):
    incident = water_cut(supervisor, estate, towers["one"].building)
    before = Notification.objects.count()

    with time_machine.travel(MORNING + dt.timedelta(minutes=5), tick=False):
        incident_act(incident_id=incident.pk, actor=supervisor, action="acknowledge", data={})

    assert dict(incident.deadlines.values_list("kind", "state")) == {
        "acknowledge": "met",
        "resolution": "pending",
    }
    assert Notification.objects.count() == before
    with pytest.raises(ActionRefused, match="Nothing of this incident is waiting"):
        incident_act(incident_id=incident.pk, actor=supervisor, action="acknowledge", data={})


def test_a_resolved_incident_leaves_the_queue_and_closing_twice_says_it_is_closed(
    supervisor, estate, towers
):
    incident = water_cut(supervisor, estate, towers["one"].building)
    sweep_run(now=MORNING + dt.timedelta(days=30))
    assert [i.pk for i in incident_queue_for(supervisor)] == [incident.pk]

    done = {"outcome": "已恢复供水", "liability": "utility"}
    incident_act(incident_id=incident.pk, actor=supervisor, action="resolve", data=done)
    assert incident_queue_for(supervisor) == []
    incident_act(incident_id=incident.pk, actor=supervisor, action="close", data={})
    with pytest.raises(ActionRefused, match="This incident is closed already"):
        incident_act(incident_id=incident.pk, actor=supervisor, action="close", data={})


def test_linking_a_complaint_outside_the_incidents_buildings_is_refused(supervisor, estate, towers):
    incident = water_cut(supervisor, estate, towers["one"].building)
    elsewhere = call(supervisor, estate, towers["two"], None)

    with pytest.raises(ValidationError, match="does not cover this unit's building"):
        act(elsewhere, supervisor, "link_incident", incident=incident.pk)

    elsewhere.refresh_from_db()
    assert elsewhere.incident_id is None and elsewhere.stage == Stage.INTAKE


def test_another_estates_incident_reads_as_no_incident_to_a_supervisor_of_one_estate(
    supervisor, other_estate, estate, towers
):
    theirs = water_cut(supervisor, estate, towers["one"].building)
    ours = make_staff("sup_b", role="supervisor", estates=[other_estate])
    complaint = log_complaint(ours, estate=other_estate, category="FAC-UTIL")

    with pytest.raises(ValidationError, match=f"No incident with the number {theirs.pk}"):
        act(complaint, ours, "link_incident", incident=theirs.pk)


def test_a_linked_callers_plan_leaves_out_an_incident_end_already_past(supervisor, estate, towers):
    incident = water_cut(supervisor, estate, towers["one"].building, expected_end=END)
    with time_machine.travel(END + dt.timedelta(hours=2), tick=False):
        late = log_complaint(
            supervisor, estate=estate, unit=towers["one"], category="FAC-UTIL", incident=incident
        )
        for step in ("accept", "plan_resolution"):
            late = act(late, supervisor, step, **valid_data(step))

    planned = Notification.objects.get(complaint=late, kind="planned")
    assert planned.params["due"] == "-" and "16:00" not in planned.body


def test_a_caller_not_registered_in_the_units_hears_each_update_and_the_resolution(
    supervisor, estate, towers
):
    incident = water_cut(supervisor, estate, towers["one"].building)
    stranger = call(supervisor, estate, towers["one"], incident, phone="13700004444")

    with time_machine.travel(LATER, tick=False):
        for action, data in (
            ("update", {"notice": "抢修队已到场。"}),
            ("resolve", {"outcome": "已恢复供水", "liability": "utility"}),
        ):
            incident_act(incident_id=incident.pk, actor=supervisor, action=action, data=data)

    told = Notification.objects.filter(address="8613700004444", incident=incident)
    assert sorted(told.values_list("kind", flat=True)) == ["incident_resolved", "incident_updated"]
    assert stranger.stage == Stage.INTAKE  # not carried on: the broadcast tells them


def test_a_closed_incident_cannot_be_acknowledged(supervisor, estate, towers):
    incident = water_cut(supervisor, estate, towers["one"].building)
    done = {"outcome": "已恢复供水", "liability": "utility"}
    incident_act(incident_id=incident.pk, actor=supervisor, action="resolve", data=done)
    incident_act(incident_id=incident.pk, actor=supervisor, action="close", data={})

    with pytest.raises(ActionRefused, match="closed already"):
        incident_act(incident_id=incident.pk, actor=supervisor, action="acknowledge", data={})
