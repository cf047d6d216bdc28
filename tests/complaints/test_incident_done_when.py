"""SPEC §9.3 end to end, all through the API: a water cut over two buildings, thirty calls about
it linked at intake and walked to resolution, one update, one escalation of the incident
however often the sweep runs, and the resolution carrying every call on to follow-up, with one
message per resident's phone per update.

The residents of the covered units: most with one phone, two households with two phones (a
tenant beside the owner), one owner of a unit in each building, one person registered twice
with the same number, and some who called several times; a resident of the third building
hears nothing."""

import datetime as dt

import pytest
import time_machine

from complaints.models import Complaint, Deadline, Escalation, IncidentEscalation
from complaints.services.sweep import sweep_run
from notifications.models import Notification
from tests.complaints.api_helpers import client_for
from tests.complaints.helpers import local, sweeps_at_once, valid_data
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MORNING = local(2026, 3, 10, 10, 0)  # a Tuesday in office hours: no quiet hours to wait for
INCIDENTS = "/api/v1/incidents/"
COMPLAINTS = "/api/v1/complaints/"
BROADCASTS = ("incident_opened", "incident_updated", "incident_resolved")
# How many times each of the first residents calls: 3 + 3 + 2 + 2 + 20 × 1 = 30.
CALLS_BY_RESIDENT = [3, 3, 2, 2] + [1] * 20


@pytest.fixture
def towers(estate):
    """Buildings 1 and 2, which the cut reaches, and building 3, which it does not; who lives
    where; and the phone numbers that must hear of the cut."""
    one, two, three = (BuildingFactory(estate=estate, name=f"{n}号楼") for n in (1, 2, 3))
    units = [UnitFactory(building=b, room=f"{n:02d}01") for b in (one, two) for n in range(1, 14)]
    callers = [
        ResidentFactory(name=f"业户{n}", phone=f"1390000{n:04d}", units=[unit])
        for n, unit in enumerate(units[:24])
    ]
    # Two households with two phones: a tenant beside the owner.
    for n, unit in enumerate(units[:2]):
        ResidentFactory(name=f"租户{n}", phone=f"1370000{n:04d}", kind="tenant", units=[unit])
    ResidentFactory(name="两处业主", phone="13600000001", units=[units[24], units[25]])
    # One person registered twice (owner here, tenant there), with the same number.
    ResidentFactory(name="重复登记", phone="13600000002", units=[units[24]])
    ResidentFactory(name="重复登记", phone="13600000002", kind="tenant", units=[units[3]])
    ResidentFactory(name="3号楼业户", phone="13500000001", units=[UnitFactory(building=three)])
    phones = sorted(
        [r.phone for r in callers]
        + ["8613700000000", "8613700000001", "8613600000001", "8613600000002"]
    )
    return {"buildings": (one, two), "callers": callers, "phones": phones}


def at(minutes: float):
    return time_machine.travel(MORNING + dt.timedelta(minutes=minutes), tick=False)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def complaint_body(resident, incident_id: int) -> dict:
    return {
        "estate": "HY",
        "unit": resident.units.get().pk,
        "resident": resident.pk,
        "channel": "phone",
        "category": "FAC-UTIL",
        "summary": "家里停水",
        "account": "早上起家里没有水，请尽快恢复。",
        "incident": incident_id,
    }


def action(client, reference: str, name: str, body: dict) -> dict:
    body = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in body.items()}
    return ok(client.post(f"{COMPLAINTS}{reference}/actions/{name}/", body, format="json"))


def test_thirty_calls_about_one_water_cut_are_handled_through_its_one_clock(
    supervisor, frontdesk, handler, estate, towers
):
    boss = client_for(supervisor)
    with at(0):
        incident = ok(
            boss.post(
                INCIDENTS,
                {
                    "estate": "HY",
                    "buildings": [b.pk for b in towers["buildings"]],
                    "category": "FAC-UTIL",
                    "title": "1、2号楼停水",
                    "notice": "供水管道爆裂抢修中，预计下午四点恢复供水。",
                    "expected_end": "2026-03-10T16:00:00+08:00",
                },
                format="json",
            ),
            201,
        )
    assert incident["buildings"] == sorted(b.pk for b in towers["buildings"])
    due = {d["kind"]: dt.datetime.fromisoformat(d["due_at"]) for d in incident["deadlines"]}

    desk = client_for(frontdesk)
    with at(5):
        logged = [
            ok(desk.post(COMPLAINTS, complaint_body(resident, incident["id"]), format="json"), 201)
            for resident, calls in zip(towers["callers"], CALLS_BY_RESIDENT, strict=True)
            for _ in range(calls)
        ]
    references = [c["reference"] for c in logged]
    assert len(references) == 30
    assert [c["incident"] for c in logged] == [incident["id"]] * 30

    with at(20):
        for reference in references:
            accepted = action(desk, reference, "accept", {})
            assert "resolution" not in {d["kind"] for d in accepted["deadlines"]}
            planned = action(desk, reference, "plan_resolution", valid_data("plan_resolution"))
            assert planned["stage"] == "resolution"
    engineer = client_for(handler)
    with at(30):
        for reference in references:
            assert action(engineer, reference, "take", {})["assignee"] == "handler"
        # The desk calls back 25 of them as agreed; 5 calls are still owed at the sweep.
        for reference in references[:25]:
            action(desk, reference, "log_callback", valid_data("log_callback"))
    with at(35):
        updated = ok(
            boss.post(
                f"{INCIDENTS}{incident['id']}/actions/update/",
                {"notice": "抢修进行中，预计下午六点恢复供水。"},
                format="json",
            )
        )
    acknowledge = next(d for d in updated["deadlines"] if d["kind"] == "acknowledge")
    assert acknowledge["state"] == "met"
    assert dt.datetime.fromisoformat(acknowledge["met_at"]) <= due["acknowledge"]

    late = due["resolution"] + dt.timedelta(minutes=1)
    with time_machine.travel(late, tick=False):
        sweeps = sweeps_at_once(late)
        again = sweep_run(now=late + dt.timedelta(minutes=5))

    raised = [r for sweep in (*sweeps, again) for r in sweep.incidents_escalated]
    assert raised == [(incident["reference"], "resolution", 1)]
    assert list(
        IncidentEscalation.objects.values_list("incident_id", "deadline__kind", "level")
    ) == [(incident["id"], "resolution", 1)]
    linked = Complaint.objects.filter(incident_id=incident["id"])
    assert not Deadline.objects.filter(complaint__in=linked, kind="resolution").exists()
    # Each call keeps its own callbacks: the five still owed are escalated, none for resolution.
    missed = Escalation.objects.filter(complaint__in=linked, reason="deadline_missed")
    assert sorted(missed.values_list("complaint__reference", "deadline__kind")) == [
        (reference, "agreed_callback") for reference in references[25:]
    ]
    # A resident's second and third call about the outage are repeats, told on the complaint,
    # but not escalated: the incident's clock carries them.
    repeats = linked.filter(repeat_of__isnull=False)
    assert sorted(repeats.values_list("reference", flat=True)) == [
        references[n] for n in (1, 2, 4, 5, 7, 9)
    ]
    assert not Escalation.objects.filter(complaint__in=linked, reason="repeat").exists()
    assert Escalation.objects.filter(complaint__in=linked).count() == 5
    read = ok(boss.get(f"{INCIDENTS}{incident['id']}/"))
    assert [(e["deadline"], e["level"]) for e in read["escalations"]] == [("resolution", 1)]

    with time_machine.travel(late + dt.timedelta(minutes=10), tick=False):
        resolved = ok(
            boss.post(
                f"{INCIDENTS}{incident['id']}/actions/resolve/",
                {"outcome": "管道已修复，恢复供水", "cause": "主管爆裂", "liability": "utility"},
                format="json",
            )
        )
    assert (resolved["stage"], resolved["complaints"]) == ("resolved", 30)
    stages = {ok(desk.get(f"{COMPLAINTS}{reference}/"))["stage"] for reference in references}
    assert stages == {"follow_up"}

    for kind in BROADCASTS[:2]:
        rows = Notification.objects.filter(incident_id=incident["id"], kind=kind)
        assert sorted(rows.values_list("address", flat=True)) == towers["phones"], kind
    # At the resolution, a caller hears of their own complaint (with its status link) instead
    # of the broadcast: still one message per phone, whoever rang twice.
    broadcast = Notification.objects.filter(incident_id=incident["id"], kind="incident_resolved")
    own = Notification.objects.filter(complaint__in=linked, kind="resolved")
    told = [*broadcast.values_list("address", flat=True), *own.values_list("address", flat=True)]
    assert sorted(told) == towers["phones"]
    assert own.count() == len({c.contact_phone for c in linked}) > 0
