"""SPEC §7 actions through the API alone: each answer is the complaint as it now reads."""

import datetime as dt
import re

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from complaints import services
from complaints.api.errors import parse_error_message
from complaints.models import Callback, Complaint, ComplaintEvent, Escalation
from tests.complaints.api_helpers import (
    COMPLAINT_KEYS,
    ESCALATION_KEYS,
    NOT_FOUND,
    WEDNESDAY_10AM,
    act,
    action_url,
    client_for,
    complaint_url,
    deadlines_by_kind,
    events_url,
    instant,
    office_clock,
)
from tests.factories import log_complaint, make_staff

pytestmark = pytest.mark.django_db

FRONT_DESK_IN_CLARIFICATION = [
    "close_as_explained",
    "plan_resolution",
    "escalate",
    "log_callback",
    "add_note",
]
SUPERVISOR_IN_RESOLUTION = [
    "mark_resolved",
    "escalate",
    "log_callback",
    "assign",
    "hold",
    "link_incident",
    "add_note",
]


@pytest.fixture(autouse=True)
def clock():
    with office_clock() as traveller:
        yield traveller


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= COMPLAINT_KEYS
    return body


def snapshot(reference: str) -> tuple:
    complaint = Complaint.objects.get(reference=reference)
    return (
        complaint.stage,
        complaint.version,
        complaint.escalation_level,
        complaint.department_id,
        complaint.assignee_id,
        complaint.on_hold,
        complaint.events.count(),
    )


@pytest.fixture
def in_resolution(frontdesk, estate, unit, resident):
    """A complaint handed to engineering, through the real services."""
    complaint = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident)
    services.complaint_act(reference=complaint.reference, actor=frontdesk, action="accept")
    services.complaint_act(
        reference=complaint.reference,
        actor=frontdesk,
        action="plan_resolution",
        data={
            "validity": "valid",
            "department": "ENG",
            "plan": "电梯维保公司今天下午到场",
            "callback_due_at": WEDNESDAY_10AM + dt.timedelta(hours=4),
        },
    )
    return complaint.reference


# The whole way through -----------------------------------------------------------------------


def test_a_complaint_from_intake_to_closed_and_reopened(
    frontdesk, handler, supervisor, unit, resident, clock
):
    desk = client_for(frontdesk)
    created = desk.post(
        "/api/v1/complaints/",
        {
            "estate": "HY",
            "unit": unit.id,
            "resident": resident.id,
            "channel": "phone",
            "category": "FAC-LIFT",
            "summary": "电梯停运",
            "account": "3号楼电梯从早上开始停运。",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    ref = created.json()["reference"]
    assert created.json()["version"] == 1

    clock.shift(dt.timedelta(minutes=10))
    accepted = ok(act(desk, ref, "accept", {"version": 1}))
    assert (accepted["stage"], accepted["version"]) == ("clarification", 2)
    assert accepted["actions"] == FRONT_DESK_IN_CLARIFICATION
    deadlines = deadlines_by_kind(accepted)
    assert deadlines["acknowledge"]["state"] == "met"
    assert instant(deadlines["acknowledge"]["met_at"]) == WEDNESDAY_10AM + dt.timedelta(minutes=10)
    assert deadlines["first_callback"]["state"] == "pending"
    assert deadlines["resolution"]["state"] == "pending"

    # The handler sees nothing until it is his department's.
    assert client_for(handler).get(complaint_url(ref)).status_code == 404

    clock.shift(dt.timedelta(minutes=10))
    callback_due = WEDNESDAY_10AM + dt.timedelta(hours=6)
    planned = ok(
        act(
            desk,
            ref,
            "plan_resolution",
            {
                "version": 2,
                "validity": "valid",
                "department": "ENG",
                "plan": "通知电梯维保公司两小时内到场",
                "callback_due_at": callback_due.isoformat(),
            },
        )
    )
    assert (planned["stage"], planned["version"]) == ("resolution", 3)
    assert (planned["validity"], planned["department"]) == ("valid", "ENG")
    assert planned["actions"] == ["escalate", "log_callback", "add_note"]
    deadlines = deadlines_by_kind(planned)
    assert deadlines["first_callback"]["state"] == "met"
    assert instant(deadlines["agreed_callback"]["due_at"]) == callback_due
    assert deadlines["agreed_callback"]["state"] == "pending"

    works = client_for(handler)
    seen_by_handler = ok(works.get(complaint_url(ref)))
    # Handed to engineering with nobody named: its handlers may take it on.
    assert seen_by_handler["actions"] == ["mark_resolved", "escalate", "take", "add_note"]
    assert deadlines_by_kind(planned)["take_over"]["state"] == "pending"

    clock.shift(dt.timedelta(hours=2))
    resolved = ok(
        act(
            works,
            ref,
            "mark_resolved",
            {
                "version": 3,
                "outcome": "更换了门机板，电梯恢复运行",
                "cause": "门机板老化",
                "liability": "ours",
            },
        )
    )
    assert (resolved["stage"], resolved["version"]) == ("follow_up", 4)
    assert resolved["actions"] == ["escalate", "add_note"]
    deadlines = deadlines_by_kind(resolved)
    assert deadlines["resolution"]["state"] == "met"
    assert deadlines["follow_up"]["state"] == "pending"

    clock.shift(dt.timedelta(hours=1))
    closed = ok(
        act(
            desk,
            ref,
            "close",
            {"version": 4, "satisfaction": "satisfied", "summary": "回访：业主满意"},
        )
    )
    assert (closed["stage"], closed["version"]) == ("closed", 5)
    assert instant(closed["closed_at"]) == WEDNESDAY_10AM + dt.timedelta(hours=3, minutes=20)
    assert closed["actions"] == ["add_note"]
    # What the resident was still owed is cancelled and no longer shown; the rest was met.
    assert {d["kind"]: d["state"] for d in closed["deadlines"]} == {
        "acknowledge": "met",
        "first_callback": "met",
        "resolution": "met",
        "follow_up": "met",
        # Handed to engineering, which resolved it: taken on.
        "take_over": "met",
    }

    clock.shift(dt.timedelta(days=2))
    boss = client_for(supervisor)
    assert ok(boss.get(complaint_url(ref)))["actions"] == ["reopen", "add_note"]
    reopened = ok(act(boss, ref, "reopen", {"version": 5, "reason": "电梯再次停运"}))
    assert (reopened["stage"], reopened["version"]) == ("resolution", 6)
    assert reopened["closed_at"] is None
    assert reopened["escalation_level"] == 1
    assert reopened["actions"] == SUPERVISOR_IN_RESOLUTION
    assert deadlines_by_kind(reopened)["resolution"]["state"] == "pending"

    events = ok_list(boss.get(events_url(ref)))
    assert [(e["kind"], e["actor"], e["from_stage"], e["to_stage"]) for e in events] == [
        ("created", "frontdesk", "", "intake"),
        ("accept", "frontdesk", "intake", "clarification"),
        ("plan_resolution", "frontdesk", "clarification", "resolution"),
        ("mark_resolved", "handler", "resolution", "follow_up"),
        ("close", "frontdesk", "follow_up", "closed"),
        ("reopen", "supervisor", "closed", "resolution"),
    ]
    assert events[2]["data"]["department"] == {"before": None, "after": "ENG"}
    assert events[3]["data"]["liability"] == "ours"
    assert events[4]["data"]["satisfaction"] == "satisfied"
    assert events[5]["data"]["level"] == {"before": 0, "after": 1}
    assert events[5]["note"] == "电梯再次停运"


def ok_list(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()


def test_close_as_explained_ends_an_invalid_complaint(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    services.complaint_act(reference=ref, actor=frontdesk, action="accept")

    body = ok(
        act(
            client_for(frontdesk),
            ref,
            "close_as_explained",
            {"validity": "invalid", "explanation": "电梯按计划年检，已提前公告"},
        )
    )

    assert (body["stage"], body["validity"]) == ("closed", "invalid")
    assert instant(body["closed_at"]) == WEDNESDAY_10AM
    assert body["actions"] == ["add_note"]


# Refusals ------------------------------------------------------------------------------------


def test_an_illegal_action_is_409_and_changes_nothing(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    before = snapshot(ref)

    response = act(
        client_for(frontdesk), ref, "close", {"satisfaction": "satisfied", "summary": "x"}
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "“Close after follow-up” is not possible while the complaint is in intake."
    }
    assert snapshot(ref) == before


def test_a_role_lacking_the_action_is_403_and_changes_nothing(frontdesk, in_resolution):
    before = snapshot(in_resolution)

    response = act(client_for(frontdesk), in_resolution, "assign", {"department": "SEC"})

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not take the action “Assign”."}
    assert snapshot(in_resolution) == before


def test_a_handler_may_not_log_callbacks(handler, in_resolution):
    before = snapshot(in_resolution)

    response = act(client_for(handler), in_resolution, "log_callback", {"reached": True})

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not take the action “Log a callback”."}
    assert snapshot(in_resolution) == before


def test_only_a_supervisor_closes_over_an_unsatisfied_resident(
    frontdesk, supervisor, in_resolution
):
    services.complaint_act(
        reference=in_resolution,
        actor=supervisor,
        action="mark_resolved",
        data={"outcome": "修好了", "cause": "老化", "liability": "ours"},
    )
    before = snapshot(in_resolution)
    body = {"satisfaction": "unsatisfied", "summary": "业主仍不满意"}

    refused = act(client_for(frontdesk), in_resolution, "close", body)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        "An unsatisfied resident's complaint may be closed only by a supervisor"
    )
    assert snapshot(in_resolution) == before

    closed = ok(act(client_for(supervisor), in_resolution, "close", body))
    assert closed["stage"] == "closed"


def test_the_front_desk_may_not_reopen_a_closed_complaint(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    services.complaint_act(reference=ref, actor=frontdesk, action="accept")
    services.complaint_act(
        reference=ref,
        actor=frontdesk,
        action="close_as_explained",
        data={"validity": "invalid", "explanation": "年检"},
    )
    before = snapshot(ref)

    response = act(client_for(frontdesk), ref, "reopen", {"reason": "业主不认可"})

    assert response.status_code == 403
    assert response.json() == {"detail": "Only a supervisor may reopen a closed complaint."}
    assert snapshot(ref) == before


def test_a_complaint_closed_over_thirty_days_ago_stays_closed(frontdesk, supervisor, estate, clock):
    ref = log_complaint(frontdesk, estate=estate).reference
    services.complaint_act(reference=ref, actor=frontdesk, action="accept")
    services.complaint_act(
        reference=ref,
        actor=frontdesk,
        action="close_as_explained",
        data={"validity": "invalid", "explanation": "年检"},
    )
    clock.shift(dt.timedelta(days=31))

    response = act(client_for(supervisor), ref, "reopen", {"reason": "业主不认可"})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "It was closed more than 30 days ago and can no longer be reopened."
    }
    assert ok(client_for(supervisor).get(complaint_url(ref)))["actions"] == ["add_note"]


def test_a_stale_version_is_409_saying_it_changed(frontdesk, supervisor, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    ok(act(client_for(supervisor), ref, "add_note", {"text": "主管已知悉", "version": 1}))
    before = snapshot(ref)

    response = act(client_for(frontdesk), ref, "accept", {"version": 1})

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert set(response.json()) == {"detail"}
    assert "changed" in detail
    assert "version 2" in detail
    assert snapshot(ref) == before
    assert ok(client_for(frontdesk).get(complaint_url(ref)))["stage"] == "intake"


def test_an_action_without_a_version_still_applies(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference

    assert ok(act(client_for(frontdesk), ref, "accept"))["version"] == 2


def test_an_unknown_action_is_404(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference

    response = act(client_for(frontdesk), ref, "teleport")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such action."}
    assert snapshot(ref)[1] == 1


@pytest.mark.parametrize(
    ("action", "body", "smuggled"),
    [
        ("accept", {"stage": "closed"}, "stage"),
        ("accept", {"version": 1, "escalation_level": 0}, "escalation_level"),
        ("add_note", {"text": "x", "assignee": "handler"}, "assignee"),
        ("log_callback", {"reached": True, "closed_at": "2026-11-25T10:00:00+08:00"}, "closed_at"),
    ],
)
def test_fields_an_action_does_not_take_are_refused(frontdesk, estate, action, body, smuggled):
    ref = log_complaint(frontdesk, estate=estate).reference
    before = snapshot(ref)

    response = act(client_for(frontdesk), ref, action, body)

    assert response.status_code == 400
    assert response.json() == {smuggled: ["This field cannot be set here."]}
    assert snapshot(ref) == before


def test_get_on_an_action_url_is_405(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference

    response = client_for(frontdesk).get(action_url(ref, "accept"))

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.'}
    assert snapshot(ref)[:2] == ("intake", 1)


@pytest.mark.parametrize(
    ("action", "body", "field", "message"),
    [
        ("add_note", {}, "text", "This field is required."),
        ("add_note", {"text": ""}, "text", "This field may not be blank."),
        ("escalate", {"reason": "deadline_missed"}, "reason", None),
        ("log_callback", {"note": "没接"}, "reached", "This field is required."),
        ("log_callback", {"reached": "maybe"}, "reached", "Must be a valid boolean."),
        ("accept", {"version": "one"}, "version", "A valid integer is required."),
    ],
)
def test_a_bad_action_body_is_400_naming_the_field(frontdesk, estate, action, body, field, message):
    ref = log_complaint(frontdesk, estate=estate).reference
    before = snapshot(ref)

    response = act(client_for(frontdesk), ref, action, body)

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert snapshot(ref) == before


def test_plan_resolution_checks_its_fields(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    services.complaint_act(reference=ref, actor=frontdesk, action="accept")
    before = snapshot(ref)
    desk = client_for(frontdesk)
    body = {
        "validity": "valid",
        "department": "XYZ",
        "plan": "派人处理",
        "callback_due_at": (WEDNESDAY_10AM + dt.timedelta(hours=2)).isoformat(),
    }

    unknown_department = act(desk, ref, "plan_resolution", body)
    past_callback = act(
        desk,
        ref,
        "plan_resolution",
        {**body, "department": "ENG", "callback_due_at": "2026-11-25T09:00:00+08:00"},
    )
    invalid = act(
        desk, ref, "plan_resolution", {**body, "department": "ENG", "validity": "invalid"}
    )
    missing = act(desk, ref, "plan_resolution", {"validity": "valid"})

    assert unknown_department.status_code == 400
    assert unknown_department.json() == {"department": ["No department with the code “XYZ”."]}
    assert past_callback.status_code == 400
    assert past_callback.json() == {"callback_due_at": ["Choose a time in the future."]}
    assert invalid.status_code == 400
    assert invalid.json() == {"validity": ['"invalid" is not a valid choice.']}
    assert missing.status_code == 400
    assert set(missing.json()) == {"department", "plan", "callback_due_at"}
    assert snapshot(ref) == before


# The actions that keep the stage -------------------------------------------------------------


def test_log_callback_meets_the_first_callback_and_agrees_the_next(frontdesk, estate, clock):
    ref = log_complaint(frontdesk, estate=estate).reference
    services.complaint_act(reference=ref, actor=frontdesk, action="accept")
    clock.shift(dt.timedelta(minutes=30))
    next_call = WEDNESDAY_10AM + dt.timedelta(days=1)

    body = ok(
        act(
            client_for(frontdesk),
            ref,
            "log_callback",
            {
                "reached": True,
                "note": "业主同意明天上午再联系",
                "next_callback_at": next_call.isoformat(),
            },
        )
    )

    assert body["stage"] == "clarification"
    assert body["version"] == 3
    deadlines = deadlines_by_kind(body)
    assert deadlines["first_callback"]["state"] == "met"
    assert instant(deadlines["first_callback"]["met_at"]) == clock_now(30)
    assert instant(deadlines["agreed_callback"]["due_at"]) == next_call
    callback = Callback.objects.get()
    assert (callback.reached, callback.note, callback.made_by) == (
        True,
        "业主同意明天上午再联系",
        frontdesk,
    )
    event = ok_list(client_for(frontdesk).get(events_url(ref)))[-1]
    assert (event["kind"], event["data"]["reached"]) == ("log_callback", True)


def clock_now(minutes: int) -> dt.datetime:
    return WEDNESDAY_10AM + dt.timedelta(minutes=minutes)


def test_log_callback_without_a_next_time_and_unreached(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference

    body = ok(
        act(client_for(frontdesk), ref, "log_callback", {"reached": False, "note": "无人接听"})
    )

    assert body["stage"] == "intake"
    assert "agreed_callback" not in deadlines_by_kind(body)
    assert Callback.objects.get().reached is False


def test_log_callback_refuses_a_next_time_in_the_past(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    before = snapshot(ref)

    response = act(
        client_for(frontdesk),
        ref,
        "log_callback",
        {"reached": True, "next_callback_at": "2026-11-24T10:00:00+08:00"},
    )

    assert response.status_code == 400
    assert response.json() == {"next_callback_at": ["Choose a time in the future."]}
    assert snapshot(ref) == before
    assert not Callback.objects.exists()


def test_assign_sets_department_and_person(supervisor, handler, in_resolution):
    guard = make_staff(
        "guard", role="handler", department="SEC", estates=[handler.staff_member.estates.get()]
    )
    body = ok(
        act(
            client_for(supervisor),
            in_resolution,
            "assign",
            {"department": "SEC", "assignee": "guard"},
        )
    )

    assert (body["department"], body["assignee"]) == ("SEC", "guard")
    assert body["stage"] == "resolution"
    event = ok_list(client_for(supervisor).get(events_url(in_resolution)))[-1]
    assert event["kind"] == "assign"
    assert event["data"] == {
        "department": {"before": "ENG", "after": "SEC"},
        "assignee": {"before": None, "after": "guard"},
    }
    assert guard.pk != handler.pk


def test_assign_refuses_a_person_outside_the_department_it_goes_to(
    supervisor, handler, in_resolution
):
    response = act(
        client_for(supervisor),
        in_resolution,
        "assign",
        {"department": "SEC", "assignee": "handler"},
    )

    assert response.status_code == 400
    assert response.json()["assignee"][0].startswith("handler is in Engineering, not in Security")
    assert (
        ok(client_for(supervisor).get(f"/api/v1/complaints/{in_resolution}/"))["department"]
        == "ENG"
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "department", "Give a department, an assignee, or both."),
        ({"department": "XYZ"}, "department", "No department with the code “XYZ”."),
        ({"assignee": "nobody"}, "assignee", "No active staff member “nobody” covers this estate."),
        (
            {"assignee": "frontdesk_b"},
            "assignee",
            "No active staff member “frontdesk_b” covers this estate.",
        ),
    ],
)
def test_assign_refuses_what_it_cannot_apply(
    supervisor, frontdesk_b, in_resolution, body, field, message
):
    before = snapshot(in_resolution)

    response = act(client_for(supervisor), in_resolution, "assign", body)

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert snapshot(in_resolution) == before


def test_hold_pauses_the_resolution_clock_and_release_pushes_it_out(
    supervisor, frontdesk, in_resolution, clock
):
    boss = client_for(supervisor)
    due_before = instant(
        deadlines_by_kind(ok(boss.get(complaint_url(in_resolution))))["resolution"]["due_at"]
    )
    until = WEDNESDAY_10AM + dt.timedelta(days=5)

    held = ok(
        act(boss, in_resolution, "hold", {"reason": "配件订货中", "until": until.isoformat()})
    )
    assert held["on_hold"] is True
    assert deadlines_by_kind(held)["resolution"]["state"] == "paused"
    assert "hold" not in held["actions"]
    assert "release" in held["actions"]

    again = act(boss, in_resolution, "hold", {"reason": "再次", "until": until.isoformat()})
    assert again.status_code == 409
    assert again.json() == {"detail": "It is already on hold."}

    clock.shift(dt.timedelta(hours=2))
    released = ok(act(boss, in_resolution, "release"))
    assert released["on_hold"] is False
    resolution = deadlines_by_kind(released)["resolution"]
    assert resolution["state"] == "pending"
    # Two hours of a Wednesday morning are two business hours held.
    assert instant(resolution["due_at"]) == due_before + dt.timedelta(hours=2)
    kinds = [e["kind"] for e in ok_list(boss.get(events_url(in_resolution)))]
    assert kinds[-2:] == ["hold", "release"]

    not_held = act(boss, in_resolution, "release")
    assert not_held.status_code == 409
    assert not_held.json() == {"detail": "It is not on hold."}


def test_hold_is_for_supervisors_and_needs_a_future_end(frontdesk, supervisor, in_resolution):
    body = {"reason": "配件订货中", "until": (WEDNESDAY_10AM + dt.timedelta(days=2)).isoformat()}
    before = snapshot(in_resolution)

    by_desk = act(client_for(frontdesk), in_resolution, "hold", body)
    in_the_past = act(
        client_for(supervisor), in_resolution, "hold", {**body, "until": "2026-11-20T10:00:00Z"}
    )

    assert by_desk.status_code == 403
    assert by_desk.json() == {"detail": "Your role may not take the action “Put on hold”."}
    assert in_the_past.status_code == 400
    assert in_the_past.json() == {"until": ["Choose a time in the future."]}
    assert snapshot(in_resolution) == before


def test_escalate_raises_the_level_once_per_call_up_to_the_top(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    desk = client_for(frontdesk)

    levels = [
        ok(act(desk, ref, "escalate", {"reason": reason, "note": "业主拒绝"}))["escalation_level"]
        for reason in ("refused_time", "unsatisfied", "other")
    ]
    at_top = ok(desk.get(complaint_url(ref)))
    beyond = act(desk, ref, "escalate", {"reason": "other"})

    assert levels == [1, 2, 3]
    assert "escalate" not in at_top["actions"]
    assert beyond.status_code == 409
    assert beyond.json() == {"detail": "It is already escalated to the highest level."}
    assert list(Escalation.objects.order_by("level").values_list("level", "reason", "note")) == [
        (1, "refused_time", "业主拒绝"),
        (2, "unsatisfied", "业主拒绝"),
        (3, "other", "业主拒绝"),
    ]


def test_add_note_writes_the_text_to_the_timeline(handler, in_resolution):
    body = ok(act(client_for(handler), in_resolution, "add_note", {"text": "维保人员14:00到场"}))

    assert body["version"] == 4
    event = ok_list(client_for(handler).get(events_url(in_resolution)))[-1]
    assert (event["kind"], event["actor"], event["note"]) == (
        "add_note",
        "handler",
        "维保人员14:00到场",
    )


def test_every_action_bumps_the_version_and_writes_one_event(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    desk = client_for(frontdesk)

    for version, (action, body) in enumerate(
        [
            ("add_note", {"text": "一"}),
            ("log_callback", {"reached": False}),
            ("escalate", {"reason": "other"}),
            ("accept", {}),
        ],
        start=1,
    ):
        events_before = ComplaintEvent.objects.filter(complaint__reference=ref).count()
        answer = ok(act(desk, ref, action, {**body, "version": version}))
        assert answer["version"] == version + 1
        assert ComplaintEvent.objects.filter(complaint__reference=ref).count() == events_before + 1


# The escalation queue ------------------------------------------------------------------------


@pytest.fixture
def reopened(frontdesk, supervisor, in_resolution):
    """Resolved, closed and reopened: one open level-1 escalation."""
    services.complaint_act(
        reference=in_resolution,
        actor=supervisor,
        action="mark_resolved",
        data={"outcome": "修好了", "cause": "老化", "liability": "ours"},
    )
    services.complaint_act(
        reference=in_resolution,
        actor=frontdesk,
        action="close",
        data={"satisfaction": "fairly", "summary": "回访"},
    )
    services.complaint_act(
        reference=in_resolution, actor=supervisor, action="reopen", data={"reason": "又坏了"}
    )
    return in_resolution


def test_the_supervisor_sees_open_escalations(supervisor, reopened):
    response = client_for(supervisor).get("/api/v1/escalations/", {"open": "true"})

    assert response.status_code == 200
    [row] = response.json()
    assert set(row) >= ESCALATION_KEYS
    assert row["complaint"] == reopened
    assert (row["level"], row["reason"], row["deadline_kind"]) == (1, "reopened", None)
    assert instant(row["created_at"]) == WEDNESDAY_10AM
    assert (row["acknowledged_at"], row["acknowledged_by"]) == (None, None)


def test_acknowledging_agrees_a_callback_and_assigns(supervisor, handler, reopened, clock):
    boss = client_for(supervisor)
    escalation = Escalation.objects.get()
    clock.shift(dt.timedelta(minutes=15))
    callback_due = WEDNESDAY_10AM + dt.timedelta(hours=3)

    response = boss.post(
        f"/api/v1/escalations/{escalation.id}/acknowledge/",
        {"callback_due_at": callback_due.isoformat(), "assignee": "handler"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == escalation.id
    assert body["acknowledged_by"] == "supervisor"
    assert instant(body["acknowledged_at"]) == clock_now(15)
    complaint = ok(boss.get(complaint_url(reopened)))
    assert complaint["assignee"] == "handler"
    assert instant(deadlines_by_kind(complaint)["agreed_callback"]["due_at"]) == callback_due
    assert boss.get("/api/v1/escalations/", {"open": "true"}).json() == []
    assert [row["id"] for row in boss.get("/api/v1/escalations/").json()] == [escalation.id]
    event = ok_list(boss.get(events_url(reopened)))[-1]
    assert (event["kind"], event["actor"]) == ("escalation_acknowledged", "supervisor")
    assert event["data"]["assignee"] == {"before": None, "after": "handler"}

    twice = boss.post(f"/api/v1/escalations/{escalation.id}/acknowledge/", {}, format="json")
    assert twice.status_code == 409
    assert twice.json() == {"detail": "This escalation was already acknowledged."}


def test_acknowledging_refuses_a_callback_in_the_past(supervisor, reopened):
    escalation = Escalation.objects.get()

    response = client_for(supervisor).post(
        f"/api/v1/escalations/{escalation.id}/acknowledge/",
        {"callback_due_at": "2026-11-24T10:00:00+08:00"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"callback_due_at": ["Choose a time in the future."]}
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_acknowledging_an_unknown_escalation_is_404(supervisor, reopened):
    response = client_for(supervisor).post("/api/v1/escalations/999999/acknowledge/", {})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_the_manager_sees_only_level_two_and_up(frontdesk, manager, reopened):
    manager_client = client_for(manager)
    assert manager_client.get("/api/v1/escalations/").json() == []
    first = Escalation.objects.get()
    hidden = manager_client.post(f"/api/v1/escalations/{first.id}/acknowledge/", {})
    assert hidden.status_code == 404

    services.complaint_act(
        reference=reopened, actor=frontdesk, action="escalate", data={"reason": "unsatisfied"}
    )

    [row] = manager_client.get("/api/v1/escalations/", {"open": "true"}).json()
    assert (row["level"], row["reason"]) == (2, "unsatisfied")


@pytest.mark.parametrize("role", ["frontdesk", "handler"])
def test_the_escalation_queue_is_refused_to_other_roles(request, reopened, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    escalation = Escalation.objects.get()

    listing = client.get("/api/v1/escalations/", {"open": "true"})
    acknowledging = client.post(f"/api/v1/escalations/{escalation.id}/acknowledge/", {})

    assert listing.status_code == 403
    assert listing.json() == {"detail": "The escalation queue is for supervisors and managers."}
    assert acknowledging.status_code == 403
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def _messages(body) -> list[str]:
    if isinstance(body, dict):
        return [text for value in body.values() for text in _messages(value)]
    if isinstance(body, list):
        return [text for value in body for text in _messages(value)]
    return [str(body)]


def test_the_api_refusals_read_in_chinese(frontdesk, estate):
    ref = log_complaint(frontdesk, estate=estate).reference
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    client = client_for(frontdesk)
    refusals = {
        "unknown action": client.post(action_url(ref, "teleport"), {}, format="json", **zh),
        "not visible": client.get(complaint_url("TS-XX-000000-0001"), **zh),
        "no credentials": APIClient().get("/api/v1/complaints/", **zh),
        "wrong password": APIClient().post(
            "/api/v1/auth/token/", {"username": "frontdesk", "password": "x"}, **zh
        ),
        "not json": client.post(
            action_url(ref, "accept"), "{", content_type="application/json", **zh
        ),
        "missing field": client.post("/api/v1/complaints/", {}, format="json", **zh),
        "server-owned field": client.post(
            action_url(ref, "accept"), {"stage": "closed"}, format="json", **zh
        ),
        "illegal action": client.post(action_url(ref, "close"), {}, format="json", **zh),
        "stale version": client.post(
            action_url(ref, "accept"), {"version": 9}, format="json", **zh
        ),
        "role": client.get("/api/v1/escalations/", **zh),
    }
    english = {
        name: text
        for name, response in refusals.items()
        for text in _messages(response.json())
        if not re.search(r"[\u4e00-\u9fff]", text)
    }
    assert english == {}
    assert refusals["unknown action"].status_code == 404


@pytest.mark.parametrize(
    ("detail", "chinese"),
    [
        ("JSON parse error - Expecting value", "请求正文不是有效的 JSON（Expecting value）。"),
        (
            "Multipart form parse error - Invalid boundary",
            "请求正文不是有效的 multipart 表单数据（Invalid boundary）。",
        ),
    ],
)
def test_drfs_untranslated_parse_errors_are_translated(detail, chinese):
    with translation.override("zh-hans"):
        assert parse_error_message(detail) == chinese
    with translation.override("en"):
        assert parse_error_message(detail).startswith("The body is not valid")
