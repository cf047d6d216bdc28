"""Building-wide incidents through the API (SPEC §9.3): opened over some buildings, listed and
read by everyone who covers the estate, updated, resolved once and closed by supervisors."""

import datetime as dt

import pytest
import time_machine

from complaints.models import Incident
from notifications.models import Notification
from tests.complaints.helpers import local
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory

pytestmark = pytest.mark.django_db

MORNING = local(2026, 3, 10, 10, 0)
URL = "/api/v1/incidents/"


@pytest.fixture
def buildings(estate):
    built = []
    for n in (1, 2, 3):
        building = BuildingFactory(estate=estate, name=f"{n}号楼")
        ResidentFactory(phone=f"1390000000{n}", units=[UnitFactory(building=building)])
        built.append(building)
    return built


def opening(buildings) -> dict:
    return {
        "estate": "HY",
        "buildings": [buildings[0].pk, buildings[1].pk],
        "category": "FAC-UTIL",
        "title": "1、2号楼停水",
        "notice": "供水管道抢修，预计下午四点恢复。",
        "expected_end": "2026-03-10T16:00:00+08:00",
    }


def test_an_incident_over_two_buildings_is_opened_read_updated_resolved_and_closed(
    api, supervisor, frontdesk, buildings
):
    client = api.as_user(supervisor)
    with time_machine.travel(MORNING, tick=False):
        created = client.post(URL, opening(buildings), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"] == "GG-HY-260310-1"
    assert (body["stage"], body["complaints"], body["version"]) == ("open", 0, 1)
    assert body["buildings"] == sorted([buildings[0].pk, buildings[1].pk])
    assert sorted(
        Notification.objects.filter(kind="incident_opened").values_list("address", flat=True)
    ) == ["8613900000001", "8613900000002"]

    listed = api.as_user(frontdesk).get(URL, {"estate": "HY", "open": "true"}).json()
    assert [i["reference"] for i in listed["results"]] == ["GG-HY-260310-1"]

    actions = f"{URL}{body['id']}/actions/"
    client = api.as_user(supervisor)
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        updated = client.post(
            actions + "update/",
            {"expected_end": "2026-03-10T18:00:00+08:00", "version": 1},
            format="json",
        )
        stale = client.post(actions + "update/", {"notice": "再等等", "version": 1}, format="json")
        resolved = client.post(
            actions + "resolve/",
            {"outcome": "已恢复供水", "cause": "主管爆裂", "liability": "utility"},
            format="json",
        )
        again = client.post(
            actions + "resolve/", {"outcome": "x", "liability": "utility"}, format="json"
        )
        closed = client.post(actions + "close/", {}, format="json")

    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert stale.status_code == 409
    assert resolved.status_code == 200 and resolved.json()["stage"] == "resolved"
    assert again.status_code == 409 and "resolved already" in again.json()["detail"]
    assert closed.status_code == 200 and closed.json()["stage"] == "closed"
    kinds = Notification.objects.filter(incident_id=body["id"]).values_list("kind", flat=True)
    assert sorted(set(kinds)) == ["incident_opened", "incident_resolved", "incident_updated"]
    assert Notification.objects.filter(incident_id=body["id"]).count() == 6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"buildings": []}, None),  # the whole estate: accepted
        ({"title": ""}, "title"),
        ({"category": "NOPE"}, "category"),
        ({"estate": "XX"}, "estate"),
        ({"estate": "JD"}, "buildings"),  # the buildings are of the other estate
        ({"buildings": [2**40]}, "buildings"),
        ({"expected_end": "2026-03-10T09:00:00+08:00"}, "expected_end"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_that_opens_nothing(api, supervisor, buildings, change, field):
    with time_machine.travel(MORNING, tick=False):
        answer = api.as_user(supervisor).post(URL, {**opening(buildings), **change}, format="json")

    if field is None:
        assert answer.status_code == 201
        return
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert not Incident.objects.exists()


def test_an_incident_that_reaches_nobody_is_refused(api, supervisor, estate):
    empty = BuildingFactory(estate=estate, name="9号楼")
    with time_machine.travel(MORNING, tick=False):
        answer = api.as_user(supervisor).post(
            URL,
            {
                "estate": "HY",
                "buildings": [empty.pk],
                "category": "FAC-UTIL",
                "title": "停电",
                "notice": "检修",
            },
            format="json",
        )

    assert answer.status_code == 400
    assert "No unit is covered" in answer.json()["buildings"][0]


def test_the_front_desk_reads_but_may_not_open(api, frontdesk, buildings):
    answer = api.as_user(frontdesk).post(URL, opening(buildings), format="json")

    assert answer.status_code == 403
    assert not Incident.objects.exists()


def test_the_list_gives_the_open_incidents_first_as_the_page_does(api, supervisor, buildings):
    client = api.as_user(supervisor)
    references = []
    for hour in (9, 10, 11):
        with time_machine.travel(MORNING.replace(hour=hour), tick=False):
            made = client.post(URL, opening(buildings), format="json").json()
        references.append(made["reference"])
        if hour == 11:  # the newest is resolved already
            resolved = client.post(
                f"{URL}{made['id']}/actions/resolve/",
                {"outcome": "已恢复", "liability": "utility"},
                format="json",
            )
            assert resolved.status_code == 200, resolved.content

    listed = client.get(URL).json()["results"]

    assert [(i["reference"], i["stage"]) for i in listed] == [
        (references[1], "open"),
        (references[0], "open"),
        (references[2], "resolved"),
    ]


@pytest.mark.parametrize("given", [1.5, "1.0", True])
def test_a_building_that_is_no_whole_id_is_a_400(api, supervisor, buildings, given):
    body = {**opening(buildings), "buildings": [given]}

    answer = api.as_user(supervisor).post(URL, body, format="json")

    assert answer.status_code == 400
    assert "Incorrect type" in answer.json()["buildings"][0]
    assert not Incident.objects.exists()
