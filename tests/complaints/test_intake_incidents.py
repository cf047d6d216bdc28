"""A complaint linked at intake to the building-wide incident it is about (SPEC §9.3): only to
an open incident of its estate that reaches its unit; linked so, it never runs a resolution
clock of its own. And the incidents intake offers for a unit, the chosen kind first."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from complaints.models import Complaint, ComplaintEvent, Incident, ReferenceCounter
from complaints.selectors_incidents import incidents_covering
from complaints.services.incidents import IncidentInput, incident_act, incident_open
from tests.complaints.helpers import act, local
from tests.factories import BuildingFactory, UnitFactory, category, log_complaint, make_staff

pytestmark = pytest.mark.django_db

MORNING = local(2026, 3, 10, 10, 0)
CALL = MORNING + dt.timedelta(minutes=20)


@pytest.fixture
def place(estate, other_estate):
    """Two buildings of the estate, a unit in each, and a unit of the other estate."""
    one, two = (BuildingFactory(estate=estate, name=f"{n}号楼") for n in (1, 2))
    return {
        "one": one,
        "two": two,
        "unit_one": UnitFactory(building=one, room="101"),
        "unit_two": UnitFactory(building=two, room="101"),
        "far": UnitFactory(building=BuildingFactory(estate=other_estate), room="601"),
    }


def opened(actor, estate, buildings=(), *, code="FAC-UTIL", title="1号楼停水", at=MORNING):
    with time_machine.travel(at, tick=False):
        return incident_open(
            actor=actor,
            data=IncidentInput(
                estate=estate,
                category=category(code),
                title=title,
                notice="供水管道抢修，预计下午四点恢复供水。",
                buildings=tuple(buildings),
            ),
        )


def call(actor, estate, unit, incident, **fields) -> Complaint:
    fields.setdefault("category", "FAC-UTIL")
    with time_machine.travel(CALL, tick=False):
        return log_complaint(actor, estate=estate, unit=unit, incident=incident, **fields)


def nothing_written() -> bool:
    return not (
        Complaint.objects.exists()
        or ComplaintEvent.objects.exists()
        or ReferenceCounter.objects.exists()
    )


def test_a_complaint_is_linked_at_intake_and_its_creation_names_the_incident(
    supervisor, estate, place
):
    incident = opened(supervisor, estate, [place["one"]])

    complaint = call(supervisor, estate, place["unit_one"], incident)

    complaint.refresh_from_db()
    assert complaint.incident_id == incident.pk
    created = complaint.events.get(kind="created")
    assert created.data["incident"] == incident.reference == "GG-HY-260310-1"
    assert incident.complaints.count() == 1


def test_accepting_a_complaint_linked_at_intake_opens_no_resolution_deadline(
    supervisor, estate, place
):
    incident = opened(supervisor, estate, [place["one"]])
    complaint = call(supervisor, estate, place["unit_one"], incident)

    with time_machine.travel(CALL + dt.timedelta(minutes=5), tick=False):
        complaint = act(complaint, supervisor, "accept")

    kinds = dict(complaint.deadlines.values_list("kind", "state"))
    assert kinds == {"acknowledge": "met", "first_callback": "pending"}


def test_a_whole_estate_incident_reaches_every_unit_and_the_common_area(supervisor, estate, place):
    incident = opened(supervisor, estate)

    linked = [call(supervisor, estate, unit, incident) for unit in (place["unit_two"], None)]

    assert [c.incident_id for c in linked] == [incident.pk, incident.pk]


def test_a_complaint_of_another_category_may_be_linked(supervisor, estate, place):
    incident = opened(supervisor, estate, [place["one"]])

    complaint = call(supervisor, estate, place["unit_one"], incident, category="SEC-NOISE")

    assert complaint.incident_id == incident.pk and complaint.category.code == "SEC-NOISE"


def _resolved(incident, actor):
    with time_machine.travel(MORNING + dt.timedelta(minutes=10), tick=False):
        return incident_act(
            incident_id=incident.pk,
            actor=actor,
            action="resolve",
            data={"outcome": "已恢复供水", "liability": "utility"},
        )


def _closed(incident, actor):
    _resolved(incident, actor)
    with time_machine.travel(MORNING + dt.timedelta(minutes=11), tick=False):
        return incident_act(incident_id=incident.pk, actor=actor, action="close", data={})


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("another estate", "That incident is in another estate."),
        ("resolved", "That incident is no longer open."),
        ("closed", "That incident is no longer open."),
        ("another building", "That incident does not cover this unit's building."),
    ],
)
def test_an_incident_that_cannot_be_linked_is_refused_on_its_field_and_nothing_is_saved(
    supervisor, estate, other_estate, place, case, message
):
    incident = {
        "another estate": lambda: opened(supervisor, other_estate),
        "resolved": lambda: _resolved(opened(supervisor, estate), supervisor),
        "closed": lambda: _closed(opened(supervisor, estate), supervisor),
        "another building": lambda: opened(supervisor, estate, [place["two"]]),
    }[case]()

    with pytest.raises(ValidationError) as refused:
        call(supervisor, estate, place["unit_one"], incident)

    assert refused.value.message_dict == {"incident": [message]}
    assert nothing_written()


def test_an_incident_resolved_after_it_was_read_is_refused_under_its_lock(
    supervisor, estate, place
):
    incident = opened(supervisor, estate)
    as_read = Incident.objects.get(pk=incident.pk)  # open, as the form or the API read it
    _resolved(incident, supervisor)

    with pytest.raises(ValidationError) as refused:
        call(supervisor, estate, place["unit_one"], as_read)

    assert refused.value.message_dict == {"incident": ["That incident is no longer open."]}
    assert nothing_written()


def test_the_refusal_comes_with_the_other_mistakes_of_the_form(supervisor, estate, place):
    incident = opened(supervisor, estate, [place["two"]])

    with pytest.raises(ValidationError) as refused:
        call(supervisor, estate, place["unit_one"], incident, summary="")

    assert sorted(refused.value.message_dict) == ["incident", "summary"]


# What intake offers ---------------------------------------------------------------------------


def test_the_open_incidents_covering_a_unit_come_with_the_chosen_kind_first(
    supervisor, estate, other_estate, place
):
    water = opened(supervisor, estate, [place["one"]], title="停水", at=MORNING)
    lift = opened(supervisor, estate, [place["one"]], code="FAC-LIFT", title="电梯停运", at=CALL)
    whole = opened(
        supervisor, estate, code="SEC-NOISE", title="全小区施工噪音", at=CALL + dt.timedelta(1)
    )
    opened(supervisor, estate, [place["two"]], title="2号楼停电")  # another building
    opened(supervisor, other_estate, title="锦都停水")  # another estate
    _resolved(opened(supervisor, estate, title="已修复"), supervisor)  # no longer open
    unit = place["unit_one"]

    by_water = incidents_covering(user=supervisor, unit=unit, category=category("FAC-UTIL"))
    by_general = incidents_covering(user=supervisor, unit=unit, category=category("FAC"))
    by_none = incidents_covering(user=supervisor, unit=unit)

    assert list(by_water) == [water, lift, whole]
    assert list(by_general) == [lift, water, whole]  # both of FAC, the later first
    assert list(by_none) == [whole, lift, water]


def test_no_incident_is_offered_to_a_desk_that_does_not_cover_the_estate(supervisor, estate, place):
    opened(supervisor, estate)
    stranger = make_staff("fd_jd", role="front_desk", estates=[place["far"].building.estate])

    assert list(incidents_covering(user=stranger, unit=place["unit_one"])) == []


def test_a_second_call_about_the_same_incident_is_a_repeat_but_not_escalated(
    supervisor, estate, place
):
    incident = opened(supervisor, estate, [place["one"]])
    first = call(supervisor, estate, place["unit_one"], incident)

    again = call(supervisor, estate, place["unit_one"], incident)
    unlinked = call(supervisor, estate, place["unit_one"], None)

    assert again.repeat_of_id == first.pk and not again.escalations.exists()
    assert again.escalation_level == 0
    # A call not linked to the incident is a repeat like any other, escalated at once.
    assert unlinked.repeat_of_id == again.pk
    assert list(unlinked.escalations.values_list("reason", "level")) == [("repeat", 1)]
