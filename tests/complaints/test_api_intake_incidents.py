"""Complaints linked at intake through the API (SPEC §9.3): ``POST complaints/`` with
``incident``, and the complaint's JSON naming it (or null)."""

import datetime as dt

import pytest
import time_machine
import yaml

from complaints.models import Complaint, ComplaintEvent, ReferenceCounter
from complaints.services.incidents import IncidentInput, incident_act, incident_open
from tests.complaints.helpers import local
from tests.factories import UnitFactory, category

pytestmark = pytest.mark.django_db

MORNING = local(2026, 3, 10, 10, 0)
CALLS = MORNING + dt.timedelta(minutes=30)
COMPLAINTS = "/api/v1/complaints/"


def water_cut(actor, estate, buildings=()):
    with time_machine.travel(MORNING, tick=False):
        return incident_open(
            actor=actor,
            data=IncidentInput(
                estate=estate,
                category=category("FAC-UTIL"),
                title="3号楼停水",
                notice="供水管道抢修，预计下午四点恢复供水。",
                buildings=tuple(buildings),
            ),
        )


def body(unit, incident, **changes) -> dict:
    values = {
        "estate": unit.building.estate.code,
        "unit": unit.pk,
        "contact_name": "王芳",
        "contact_phone": "13812345678",
        "channel": "phone",
        "category": "FAC-UTIL",
        "summary": "家里停水",
        "account": "早上起没有水，家里有老人。",
        "incident": incident.pk if incident is not None else None,
    }
    values.update(changes)
    return values


def post(client, payload):
    with time_machine.travel(CALLS, tick=False):
        return client.post(COMPLAINTS, payload, format="json")


def nothing_written() -> bool:
    return not (
        Complaint.objects.exists()
        or ComplaintEvent.objects.exists()
        or ReferenceCounter.objects.exists()
    )


def test_thirty_calls_about_one_outage_are_each_linked_to_it(
    api, supervisor, frontdesk, estate, unit
):
    incident = water_cut(supervisor, estate, [unit.building])
    neighbours = [UnitFactory(building=unit.building, room=f"{n:02d}01") for n in range(1, 30)]
    client = api.as_user(frontdesk)

    answers = [post(client, body(u, incident)) for u in [unit, *neighbours]]

    assert [a.status_code for a in answers] == [201] * 30
    assert [a.json()["incident"] for a in answers] == [incident.pk] * 30
    assert Complaint.objects.filter(incident=incident).count() == 30
    created = ComplaintEvent.objects.filter(kind="created").values_list("data", flat=True)
    assert [data["incident"] for data in created] == [incident.reference] * 30
    read = client.get(f"{COMPLAINTS}{answers[0].json()['reference']}/").json()
    assert read["incident"] == incident.pk
    listed = client.get(COMPLAINTS).json()["results"]
    assert [row["incident"] for row in listed] == [incident.pk] * 30
    assert client.get(f"/api/v1/incidents/{incident.pk}/").json()["complaints"] == 30


def test_a_complaint_without_an_incident_reads_null(api, frontdesk, unit):
    answer = post(api.as_user(frontdesk), body(unit, None))

    assert answer.status_code == 201, answer.content
    assert answer.json()["incident"] is None
    assert Complaint.objects.get().incident_id is None


def test_another_estates_incident_is_a_400_on_incident(
    api, supervisor, frontdesk, estate, other_estate, unit
):
    UnitFactory(building__estate=other_estate)
    elsewhere = water_cut(supervisor, other_estate)

    # The desk of estate A does not see estate B's incident at all; a supervisor of both does.
    unseen = post(api.as_user(frontdesk), body(unit, elsewhere))
    seen = post(api.as_user(supervisor), body(unit, elsewhere))

    assert unseen.status_code == 400
    assert unseen.json() == {"incident": [f'Invalid pk "{elsewhere.pk}" - object does not exist.']}
    assert seen.status_code == 400
    assert seen.json() == {"incident": ["That incident is in another estate."]}
    assert nothing_written()


def test_a_closed_incident_is_a_400_and_nothing_is_saved(api, supervisor, frontdesk, estate, unit):
    incident = water_cut(supervisor, estate)
    with time_machine.travel(MORNING + dt.timedelta(minutes=10), tick=False):
        for action, data in (
            ("resolve", {"outcome": "已恢复供水", "liability": "utility"}),
            ("close", {}),
        ):
            incident_act(incident_id=incident.pk, actor=supervisor, action=action, data=data)

    answer = post(api.as_user(frontdesk), body(unit, incident))

    assert answer.status_code == 400
    assert answer.json() == {"incident": ["That incident is no longer open."]}
    assert nothing_written()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("water", "Incorrect type. Expected pk value, received str."),
        (2**40, 'Invalid pk "1099511627776" - object does not exist.'),
        # Not cast to 1 by the database, linking the wrong incident.
        (1.5, "Incorrect type. Expected pk value, received float."),
        (True, "Incorrect type. Expected pk value, received bool."),
        ("1.0", "Incorrect type. Expected pk value, received str."),
    ],
)
def test_an_incident_that_is_no_id_is_a_400(api, frontdesk, unit, value, message):
    answer = post(api.as_user(frontdesk), {**body(unit, None), "incident": value})

    assert answer.status_code == 400
    assert answer.json() == {"incident": [message]}
    assert nothing_written()


def test_the_schema_documents_incident_in_the_intake_body_and_the_complaint(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    components = schema["components"]["schemas"]
    assert components["ComplaintCreateRequest"]["properties"]["incident"] == {
        "type": "integer",
        "nullable": True,
    }
    read = components["Complaint"]["properties"]["incident"]
    assert (read["type"], read["nullable"], read["readOnly"]) == ("integer", True, True)


def test_an_incident_number_no_row_can_have_is_a_400(api, frontdesk, unit):
    answer = post(api.as_user(frontdesk), {**body(unit, None), "incident": 10**30})

    assert answer.status_code == 400
    assert list(answer.json()) == ["incident"]
    assert nothing_written()
