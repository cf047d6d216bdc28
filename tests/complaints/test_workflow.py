"""The workflow table enforced by ``complaint_act``: stages, roles, required fields, versions."""

import ast
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import FieldError, ValidationError
from django.db import transaction
from django.forms import modelform_factory
from django.http import Http404

from complaints.errors import ActionForbidden, ActionRefused, StaleVersion, UnknownAction
from complaints.models import (
    Complaint,
    ComplaintEvent,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Escalation,
    Stage,
)
from complaints.workflow import ACTIONS, refusal, transitions
from tests.complaints.helpers import (
    NOTE_FIELD,
    TUESDAY_10,
    act,
    complaint_at,
    incident_row,
    local,
    snapshot,
    staff_without_role,
    valid_data,
)
from tests.factories import make_staff

ROAD_ORDER = [Stage.INTAKE, Stage.CLARIFICATION, Stage.RESOLUTION, Stage.FOLLOW_UP, Stage.CLOSED]
LEGAL = [
    (name, stage) for name, spec in ACTIONS.items() for stage in ROAD_ORDER if stage in spec.sources
]
ILLEGAL = [
    (name, stage)
    for name, spec in ACTIONS.items()
    for stage in ROAD_ORDER
    if stage not in spec.sources
]
REQUIRED = [(name, field) for name, spec in ACTIONS.items() for field in spec.requires]


def pair_id(value):
    return str(value)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TUESDAY_10, tick=False) as traveller:
        yield traveller


def prepared(action: str, stage: str, *, actor, estate) -> Complaint:
    """A complaint in ``stage`` on which ``action`` may be taken if the stage allows it."""
    complaint = complaint_at(stage, actor=actor, estate=estate)
    if action == "release" and stage == Stage.RESOLUTION:
        complaint = act(complaint, actor, "hold", **valid_data("hold"))
    if action == "take" and complaint.department_id is None:
        complaint = act(complaint, actor, "assign", department="ENG")
    return complaint


def taker(action: str, supervisor, handler):
    """Who takes ``action`` here: a handler of engineering takes a complaint on; a supervisor
    takes every other action."""
    return handler if action == "take" else supervisor


def new_events(complaint: Complaint, before: dict) -> list[ComplaintEvent]:
    known = [event_id for event_id, _kind in before["events"]]
    return list(ComplaintEvent.objects.filter(complaint=complaint).exclude(id__in=known))


def test_the_table_draws_the_state_machine_of_the_spec():
    assert sorted(transitions()) == sorted(
        [
            ("intake", "accept", "clarification"),
            ("clarification", "close_as_explained", "closed"),
            ("clarification", "plan_resolution", "resolution"),
            ("resolution", "mark_resolved", "follow_up"),
            ("follow_up", "close", "closed"),
            ("follow_up", "reopen", "resolution"),
            ("closed", "reopen", "resolution"),
        ]
    )
    # 26, ``take`` until the complaint is resolved, and ``link_incident`` while it is open.
    assert len(LEGAL) == 33
    assert len(ILLEGAL) == len(ACTIONS) * len(Stage) - 33


@pytest.mark.parametrize(("action", "stage"), LEGAL, ids=pair_id)
def test_a_legal_action_moves_the_complaint_as_the_table_says(
    action, stage, supervisor, handler, estate
):
    complaint = prepared(action, stage, actor=supervisor, estate=estate)
    before = snapshot(complaint)
    data = valid_data(action)
    if action == "link_incident":
        data = {"incident": incident_row(estate, supervisor).pk}
    actor = taker(action, supervisor, handler)

    result = act(complaint, actor, action, **data)

    spec = ACTIONS[action]
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.stage == (spec.target or stage)
    assert fresh.version == before["fields"]["version"] + 1
    assert (result.stage, result.version) == (fresh.stage, fresh.version)
    [event] = new_events(complaint, before)
    assert event.kind == action
    assert event.actor == actor
    assert event.at == TUESDAY_10
    assert (event.from_stage, event.to_stage) == (stage, spec.target or "")
    assert event.note == data.get(NOTE_FIELD.get(action), "")


@pytest.mark.parametrize(("action", "stage"), ILLEGAL, ids=pair_id)
def test_an_action_from_a_stage_outside_its_sources_is_refused_and_changes_nothing(
    action, stage, supervisor, handler, estate
):
    complaint = complaint_at(stage, actor=supervisor, estate=estate)
    before = snapshot(complaint)

    with pytest.raises(ActionRefused) as refused:
        act(complaint, taker(action, supervisor, handler), action, **valid_data(action))

    assert type(refused.value) is ActionRefused
    assert refused.value.status == 409
    message = str(refused.value)
    assert f"“{ACTIONS[action].label}”" in message
    assert message.endswith(f"while the complaint is in {Stage(stage).label}.")
    assert snapshot(complaint) == before


def test_the_refusal_names_the_action_and_the_stage_in_plain_words(supervisor, estate):
    complaint = complaint_at(Stage.FOLLOW_UP, actor=supervisor, estate=estate)

    with pytest.raises(ActionRefused, match=r"^“Accept” is not possible while the complaint is in"):
        act(complaint, supervisor, "accept")
    with pytest.raises(ActionRefused) as refused:
        act(complaint, supervisor, "hold", **valid_data("hold"))

    assert (
        str(refused.value) == "“Put on hold” is not possible while the complaint is in follow-up."
    )


# Who may take each action, as SPEC §4 says it (the handler works on his department's cases).
FD, H, S, M = "front_desk", "handler", "supervisor", "manager"
WHO = [
    ("accept", Stage.INTAKE, {FD, S, M}),
    ("close_as_explained", Stage.CLARIFICATION, {FD, S, M}),
    ("plan_resolution", Stage.CLARIFICATION, {FD, S, M}),
    ("mark_resolved", Stage.RESOLUTION, {H, S, M}),
    ("close", Stage.FOLLOW_UP, {FD, S, M}),
    ("reopen", Stage.FOLLOW_UP, {FD, S, M}),
    ("reopen", Stage.CLOSED, {S, M}),
    ("escalate", Stage.RESOLUTION, {FD, H, S, M}),
    ("log_callback", Stage.RESOLUTION, {FD, S, M}),
    ("assign", Stage.RESOLUTION, {S, M}),
    ("hold", Stage.RESOLUTION, {S, M}),
    ("release", Stage.RESOLUTION, {S, M}),
    ("add_note", Stage.CLOSED, {FD, H, S, M}),
]


@pytest.mark.parametrize(("action", "stage", "allowed"), WHO, ids=pair_id)
@pytest.mark.parametrize("role", [FD, H, S, M])
def test_each_role_may_take_exactly_the_actions_the_spec_gives_it(
    action, stage, allowed, role, estate, supervisor
):
    actor = make_staff(f"{role}_1", role=role, department="ENG", estates=[estate])
    complaint = prepared(action, stage, actor=supervisor, estate=estate)
    if complaint.department_id is None:
        # Handed to the handler's department, so that he sees it.
        complaint = act(complaint, supervisor, "assign", department="ENG")
    before = snapshot(complaint)

    if role in allowed:
        result = act(complaint, actor, action, **valid_data(action))
        assert result.version == before["fields"]["version"] + 1
        assert new_events(complaint, before)[0].actor == actor
    else:
        with pytest.raises(ActionForbidden) as forbidden:
            act(complaint, actor, action, **valid_data(action))
        assert forbidden.value.status == 403
        assert snapshot(complaint) == before


def test_a_handler_may_not_accept_even_a_complaint_of_his_department(supervisor, handler, estate):
    complaint = complaint_at(Stage.INTAKE, actor=supervisor, estate=estate)
    complaint = act(complaint, supervisor, "assign", department="ENG")
    before = snapshot(complaint)

    with pytest.raises(ActionForbidden) as forbidden:
        act(complaint, handler, "accept")

    assert str(forbidden.value) == "Your role may not take the action “Accept”."
    assert snapshot(complaint) == before


@pytest.mark.parametrize("action", ["assign", "hold", "release"])
def test_front_desk_may_not_assign_or_hold(action, frontdesk, supervisor, estate):
    complaint = prepared(action, Stage.RESOLUTION, actor=supervisor, estate=estate)
    before = snapshot(complaint)

    with pytest.raises(ActionForbidden) as forbidden:
        act(complaint, frontdesk, action, **valid_data(action))

    assert str(forbidden.value) == (f"Your role may not take the action “{ACTIONS[action].label}”.")
    assert snapshot(complaint) == before


def test_front_desk_may_not_close_an_unsatisfied_complaint(frontdesk, supervisor, estate):
    complaint = complaint_at(Stage.FOLLOW_UP, actor=supervisor, estate=estate)
    before = snapshot(complaint)

    with pytest.raises(ActionForbidden) as forbidden:
        act(complaint, frontdesk, "close", satisfaction="unsatisfied", summary="业主仍不满意")

    assert str(forbidden.value) == (
        "An unsatisfied resident's complaint may be closed only by a supervisor; "
        "escalate it instead."
    )
    assert snapshot(complaint) == before


@pytest.mark.parametrize("closer", ["supervisor", "manager"])
def test_a_supervisor_or_manager_closes_an_unsatisfied_complaint(
    closer, request, supervisor, estate
):
    actor = request.getfixturevalue(closer)
    complaint = complaint_at(Stage.FOLLOW_UP, actor=supervisor, estate=estate)

    closed = act(complaint, actor, "close", satisfaction="unsatisfied", summary="主管已解释")

    assert (closed.stage, closed.satisfaction, closed.closed_at) == (
        Stage.CLOSED,
        "unsatisfied",
        TUESDAY_10,
    )
    assert closed.events.last().data == {
        "satisfaction": "unsatisfied",
        "deadlines_met": ["follow_up"],
    }


def test_front_desk_may_reopen_from_follow_up_but_not_once_closed(frontdesk, supervisor, estate):
    in_follow_up = complaint_at(Stage.FOLLOW_UP, actor=supervisor, estate=estate)
    closed = complaint_at(Stage.CLOSED, actor=supervisor, estate=estate)
    before = snapshot(closed)

    reopened = act(in_follow_up, frontdesk, "reopen", reason="业主说仍然漏水")
    with pytest.raises(ActionForbidden) as forbidden:
        act(closed, frontdesk, "reopen", reason="业主说仍然漏水")

    assert reopened.stage == Stage.RESOLUTION
    assert str(forbidden.value) == "Only a supervisor may reopen a closed complaint."
    assert snapshot(closed) == before


def test_a_supervisor_reopens_a_closed_complaint_up_to_30_days_after(clock, supervisor, estate):
    complaint = complaint_at(Stage.CLOSED, actor=supervisor, estate=estate)
    clock.shift(dt.timedelta(days=30))

    reopened = act(complaint, supervisor, "reopen", reason="同一处再次漏水")

    assert (reopened.stage, reopened.closed_at, reopened.satisfaction) == (
        Stage.RESOLUTION,
        None,
        "",
    )
    closed_at = reopened.events.last().data["closed_at"]
    assert dt.datetime.fromisoformat(closed_at) == TUESDAY_10


def test_a_complaint_closed_more_than_30_days_ago_stays_closed(clock, supervisor, estate):
    complaint = complaint_at(Stage.CLOSED, actor=supervisor, estate=estate)
    clock.shift(dt.timedelta(days=30, minutes=1))
    before = snapshot(complaint)

    with pytest.raises(ActionRefused) as refused:
        act(complaint, supervisor, "reopen", reason="同一处再次漏水")

    assert type(refused.value) is ActionRefused
    assert str(refused.value) == (
        "It was closed more than 30 days ago and can no longer be reopened."
    )
    assert snapshot(complaint) == before


def test_a_handler_marks_his_department_s_complaint_resolved(handler, supervisor, estate):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)

    resolved = act(complaint, handler, "mark_resolved", **valid_data("mark_resolved"))

    assert (resolved.stage, resolved.liability, resolved.resolved_at) == (
        Stage.FOLLOW_UP,
        "ours",
        TUESDAY_10,
    )


def test_a_handler_of_another_department_can_neither_see_nor_resolve_it(supervisor, estate):
    cleaner = make_staff("cleaner", role="handler", department="CLN", estates=[estate])
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)
    before = snapshot(complaint)

    with pytest.raises(Http404):
        act(complaint, cleaner, "mark_resolved", **valid_data("mark_resolved"))
    refused = refusal(ACTIONS["mark_resolved"], Complaint.objects.get(pk=complaint.pk), cleaner)

    assert isinstance(refused, ActionForbidden)
    assert str(refused) == "Only the handling department or a supervisor may mark it resolved."
    assert snapshot(complaint) == before


def test_staff_of_another_estate_or_without_a_role_cannot_reach_the_complaint(
    frontdesk_b, supervisor, estate
):
    complaint = complaint_at(Stage.INTAKE, actor=supervisor, estate=estate)
    nobody = staff_without_role("nobody", estates=[estate])
    before = snapshot(complaint)

    for outsider in (frontdesk_b, nobody):
        with pytest.raises(Http404):
            act(complaint, outsider, "add_note", text="看看")

    assert snapshot(complaint) == before


def test_an_unknown_action_is_refused_before_anything_is_read(supervisor, estate):
    complaint = complaint_at(Stage.INTAKE, actor=supervisor, estate=estate)

    with pytest.raises(UnknownAction, match=r"^set_stage$"):
        act(complaint, supervisor, "set_stage", stage="closed")

    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.INTAKE


def first_legal_stage(action: str) -> str:
    return next(stage for stage in ROAD_ORDER if stage in ACTIONS[action].sources)


@pytest.mark.parametrize(("action", "field"), REQUIRED, ids=pair_id)
def test_a_missing_required_field_is_named_and_changes_nothing(action, field, supervisor, estate):
    complaint = prepared(action, first_legal_stage(action), actor=supervisor, estate=estate)
    before = snapshot(complaint)
    data = {k: v for k, v in valid_data(action).items() if k != field}

    with pytest.raises(ValidationError) as invalid:
        act(complaint, supervisor, action, **data)

    assert invalid.value.message_dict == {field: ["This field is required."]}
    assert snapshot(complaint) == before


def test_a_blank_text_counts_as_missing(supervisor, estate):
    complaint = complaint_at(Stage.CLARIFICATION, actor=supervisor, estate=estate)

    with pytest.raises(ValidationError) as invalid:
        act(complaint, supervisor, "close_as_explained", validity="invalid", explanation="  \n")

    assert invalid.value.message_dict == {"explanation": ["This field is required."]}


PAST = TUESDAY_10 - dt.timedelta(minutes=1)
BAD_VALUES = [
    ("close_as_explained", {"validity": "assisted"}, "validity", "Choose one of: invalid, valid."),
    ("plan_resolution", {"validity": "invalid"}, "validity", "Choose one of: valid, assisted."),
    ("plan_resolution", {"department": "XX"}, "department", "No department with the code “XX”."),
    (
        "plan_resolution",
        {"callback_due_at": PAST},
        "callback_due_at",
        "Choose a time in the future.",
    ),
    (
        "plan_resolution",
        {"callback_due_at": dt.datetime(2026, 3, 11, 10, 0)},
        "callback_due_at",
        "Give a date and time with its time zone.",
    ),
    (
        "mark_resolved",
        {"liability": "nobody"},
        "liability",
        "Choose one of: ours, developer, resident, third_party, utility.",
    ),
    (
        "close",
        {"satisfaction": "meh"},
        "satisfaction",
        "Choose one of: satisfied, fairly, unsatisfied, unreachable.",
    ),
    (
        "escalate",
        {"reason": "repeat"},
        "reason",
        "Choose one of: unsatisfied, refused_time, other.",
    ),
    (
        "log_callback",
        {"reached": "yes"},
        "reached",
        "Say whether the resident was reached (true or false).",
    ),
    (
        "log_callback",
        {"next_callback_at": PAST},
        "next_callback_at",
        "Choose a time in the future.",
    ),
    ("assign", {"department": ""}, "department", "Give a department, an assignee, or both."),
    (
        "assign",
        {"assignee": "frontdesk_b"},
        "assignee",
        "No active staff member “frontdesk_b” covers this estate.",
    ),
    ("hold", {"until": PAST}, "until", "Choose a time in the future."),
]


@pytest.mark.parametrize(("action", "override", "field", "message"), BAD_VALUES, ids=pair_id)
def test_a_bad_value_is_named_with_its_reason_and_changes_nothing(
    action, override, field, message, supervisor, frontdesk_b, estate
):
    complaint = prepared(action, first_legal_stage(action), actor=supervisor, estate=estate)
    before = snapshot(complaint)

    with pytest.raises(ValidationError) as invalid:
        act(complaint, supervisor, action, **{**valid_data(action), **override})

    assert invalid.value.message_dict == {field: [message]}
    assert snapshot(complaint) == before


def test_a_stale_version_is_refused_and_changes_nothing(supervisor, frontdesk, estate):
    complaint = complaint_at(Stage.CLARIFICATION, actor=supervisor, estate=estate)
    loaded_version = complaint.version
    act(complaint, frontdesk, "add_note", text="业主来电补充", version=loaded_version)
    before = snapshot(complaint)

    with pytest.raises(StaleVersion) as stale:
        act(
            complaint,
            supervisor,
            "close_as_explained",
            version=loaded_version,
            **valid_data("close_as_explained"),
        )

    assert stale.value.status == 409
    assert str(stale.value) == (
        "Someone else changed this complaint meanwhile (it is now at version 3, you sent 2). "
        "Reload it and try again."
    )
    assert snapshot(complaint) == before


def test_the_current_version_is_accepted(supervisor, estate):
    complaint = complaint_at(Stage.INTAKE, actor=supervisor, estate=estate)

    accepted = act(complaint, supervisor, "accept", version=complaint.version)

    assert (accepted.stage, accepted.version) == (Stage.CLARIFICATION, complaint.version + 1)


def test_accept_records_the_acknowledge_deadline_it_met(supervisor, estate):
    complaint = complaint_at(Stage.INTAKE, actor=supervisor, estate=estate)

    accepted = act(complaint, supervisor, "accept")

    assert accepted.accepted_at == TUESDAY_10
    assert accepted.events.last().data == {"deadlines_met": ["acknowledge"]}


def test_close_as_explained_records_validity_and_explanation(frontdesk, estate):
    complaint = complaint_at(Stage.CLARIFICATION, actor=frontdesk, estate=estate)

    closed = act(
        complaint,
        frontdesk,
        "close_as_explained",
        validity="invalid",
        explanation="电梯属于市政维保范围",
    )

    assert (closed.validity, closed.explanation, closed.closed_at) == (
        "invalid",
        "电梯属于市政维保范围",
        TUESDAY_10,
    )
    assert closed.events.last().data == {
        "validity": "invalid",
        "deadlines_met": ["first_callback"],
    }


def test_plan_resolution_records_the_department_before_and_after(supervisor, estate):
    complaint = complaint_at(Stage.CLARIFICATION, actor=supervisor, estate=estate)
    due = local(2026, 3, 10, 16, 0)

    planned = act(
        complaint,
        supervisor,
        "plan_resolution",
        validity="assisted",
        department="ENG",
        plan="联系开发商维修",
        callback_due_at=due,
    )
    replanned_event = act(planned, supervisor, "assign", department="SEC").events.last()

    event = planned.events.get(kind="plan_resolution")
    assert (planned.validity, planned.department.code, planned.plan) == (
        "assisted",
        "ENG",
        "联系开发商维修",
    )
    assert event.data == {
        "validity": "assisted",
        "department": {"before": None, "after": "ENG"},
        "callback_due_at": due.isoformat(),
        "deadlines_met": ["first_callback"],
    }
    assert replanned_event.data == {"department": {"before": "ENG", "after": "SEC"}}


def test_assigning_a_person_records_the_department_that_comes_with_him(supervisor, handler, estate):
    complaint = complaint_at(Stage.INTAKE, actor=supervisor, estate=estate)

    assigned = act(complaint, supervisor, "assign", assignee="handler", note="请工程部看看")

    assert (assigned.assignee, assigned.department.code) == (handler, "ENG")
    event = assigned.events.last()
    assert event.note == "请工程部看看"
    assert event.data == {
        "assignee": {"before": None, "after": "handler"},
        "department": {"before": None, "after": "ENG"},
    }


def test_mark_resolved_records_outcome_cause_and_liability(supervisor, estate):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)

    resolved = act(
        complaint,
        supervisor,
        "mark_resolved",
        outcome="更换了防水层",
        cause="外墙防水老化",
        liability="developer",
    )

    assert (resolved.outcome, resolved.cause, resolved.liability) == (
        "更换了防水层",
        "外墙防水老化",
        "developer",
    )
    assert resolved.events.last().data == {
        "cause": "外墙防水老化",
        "liability": "developer",
        "deadlines_met": ["take_over", "resolution"],
    }


def test_log_callback_keeps_the_call_and_the_next_agreed_time(frontdesk, supervisor, estate):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)
    next_at = local(2026, 3, 11, 9, 0)

    logged = act(
        complaint,
        frontdesk,
        "log_callback",
        reached=False,
        note="无人接听",
        next_callback_at=next_at,
    )

    callback = logged.callbacks.get()
    assert (callback.made_by, callback.made_at, callback.reached, callback.note) == (
        frontdesk,
        TUESDAY_10,
        False,
        "无人接听",
    )
    assert callback.next_callback_at == next_at
    assert logged.events.last().data == {
        "reached": False,
        "next_callback_at": next_at.isoformat(),
        "deadlines_met": [],
    }
    # The time agreed before is replaced by the new one, not met: nobody was reached.
    agreed = logged.deadlines.filter(kind="agreed_callback").order_by("id")
    assert [(d.state, d.due_at) for d in agreed] == [
        ("cancelled", agreed[0].due_at),
        ("pending", next_at),
    ]


def test_escalate_raises_the_level_by_one_with_an_escalation_row(frontdesk, estate):
    complaint = complaint_at(Stage.CLARIFICATION, actor=frontdesk, estate=estate)

    escalated = act(complaint, frontdesk, "escalate", reason="refused_time", note="业主不接受明天")

    assert escalated.escalation_level == 1
    row = Escalation.objects.get(complaint=complaint)
    assert (row.level, row.reason, row.note, row.created_by, row.created_at, row.deadline) == (
        1,
        "refused_time",
        "业主不接受明天",
        frontdesk,
        TUESDAY_10,
        None,
    )
    # No deadline behind it: it waits in the queue from the moment it was raised.
    assert row.overdue_since == TUESDAY_10
    data = escalated.events.last().data
    assert (data["level"], data["reason"]) == ({"before": 0, "after": 1}, "refused_time")


def test_escalation_stops_at_level_3(supervisor, estate):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)
    for _ in range(3):
        complaint = act(complaint, supervisor, "escalate", reason="unsatisfied")
    before = snapshot(complaint)

    with pytest.raises(ActionRefused) as refused:
        act(complaint, supervisor, "escalate", reason="unsatisfied")

    assert complaint.escalation_level == 3
    assert list(complaint.escalations.values_list("level", flat=True)) == [1, 2, 3]
    assert str(refused.value) == "It is already escalated to the highest level."
    assert snapshot(complaint) == before


def test_reopen_raises_the_level_and_restarts_the_resolution_clock(frontdesk, supervisor, estate):
    complaint = complaint_at(Stage.FOLLOW_UP, actor=supervisor, estate=estate)

    reopened = act(complaint, frontdesk, "reopen", reason="业主说仍然漏水")

    assert (reopened.stage, reopened.escalation_level, reopened.resolved_at) == (
        Stage.RESOLUTION,
        1,
        None,
    )
    row = reopened.escalations.get()
    assert (row.level, row.reason, row.note) == (1, "reopened", "业主说仍然漏水")
    assert row.overdue_since == row.created_at == TUESDAY_10
    follow_up = reopened.deadlines.get(kind=DeadlineKind.FOLLOW_UP)
    resolution = reopened.deadlines.filter(kind=DeadlineKind.RESOLUTION).latest("id")
    assert follow_up.state == DeadlineState.CANCELLED
    assert (resolution.state, resolution.starts_at) == (DeadlineState.PENDING, TUESDAY_10)
    data = reopened.events.last().data
    assert (data["closed_at"], data["satisfaction"], data["level"], data["reason"]) == (
        None,
        None,
        {"before": 0, "after": 1},
        "reopened",
    )


def resolution_deadline(complaint: Complaint) -> Deadline:
    return complaint.deadlines.filter(kind=DeadlineKind.RESOLUTION).latest("id")


@pytest.mark.parametrize(
    ("severity", "held_from", "held_to", "due_before", "due_after"),
    [
        # Around the clock: 24 h after receipt, pushed out by the 150 minutes held.
        (
            "urgent",
            local(2026, 3, 10, 11, 0),
            local(2026, 3, 10, 13, 30),
            local(2026, 3, 11, 10, 0),
            local(2026, 3, 11, 12, 30),
        ),
        # Business time: three working days, pushed out by the four open hours held.
        (
            "normal",
            local(2026, 3, 10, 11, 0),
            local(2026, 3, 10, 15, 0),
            local(2026, 3, 13, 10, 0),
            local(2026, 3, 13, 14, 0),
        ),
        # Held overnight: only 17:00–18:00 and 08:30–09:00 were open, 90 minutes.
        (
            "normal",
            local(2026, 3, 10, 17, 0),
            local(2026, 3, 11, 9, 0),
            local(2026, 3, 13, 10, 0),
            local(2026, 3, 13, 11, 30),
        ),
    ],
)
def test_hold_pauses_the_resolution_clock_and_release_pushes_it_out_by_the_held_time(
    clock, severity, held_from, held_to, due_before, due_after, supervisor, estate
):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate, severity=severity)
    assert resolution_deadline(complaint).due_at == due_before
    clock.move_to(held_from)

    held = act(
        complaint, supervisor, "hold", reason="等待厂家配件", until=held_from + dt.timedelta(days=5)
    )
    paused = resolution_deadline(held)
    clock.move_to(held_to)
    released = act(held, supervisor, "release")

    assert (held.on_hold, held.hold_reason, paused.state, paused.due_at) == (
        True,
        "等待厂家配件",
        DeadlineState.PAUSED,
        due_before,
    )
    running = resolution_deadline(released)
    assert (released.on_hold, released.hold_until, running.state, running.due_at) == (
        False,
        None,
        DeadlineState.PENDING,
        due_after,
    )
    [pause] = running.explanation["pauses"]
    assert dt.datetime.fromisoformat(pause["from"]) == held_from
    assert dt.datetime.fromisoformat(pause["to"]) == held_to
    assert pause["minutes"] == (due_after - due_before) // dt.timedelta(minutes=1)


def test_a_second_hold_and_a_release_without_hold_are_refused(supervisor, estate):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)
    with pytest.raises(ActionRefused, match=r"^It is not on hold\.$"):
        act(complaint, supervisor, "release")
    held = act(complaint, supervisor, "hold", **valid_data("hold"))
    before = snapshot(held)

    with pytest.raises(ActionRefused, match=r"^It is already on hold\.$"):
        act(held, supervisor, "hold", **valid_data("hold"))

    assert snapshot(held) == before


def test_resolving_a_held_complaint_ends_the_hold_and_meets_the_resolution_deadline(
    clock, supervisor, estate
):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)
    held = act(complaint, supervisor, "hold", **valid_data("hold"))
    clock.shift(dt.timedelta(hours=2))

    resolved = act(held, supervisor, "mark_resolved", **valid_data("mark_resolved"))

    deadline = resolution_deadline(resolved)
    assert (resolved.on_hold, resolved.hold_until, resolved.hold_reason) == (False, None, "")
    assert (deadline.state, deadline.met_at) == (
        DeadlineState.MET,
        TUESDAY_10 + dt.timedelta(hours=2),
    )
    # Handed to engineering and resolved: its take-over clock is met too.
    assert resolved.events.last().data["deadlines_met"] == ["take_over", "resolution"]


def test_events_are_append_only(supervisor, estate):
    complaint = complaint_at(Stage.CLARIFICATION, actor=supervisor, estate=estate)
    event = complaint.events.first()

    event.note = "改写历史"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        ComplaintEvent.objects.filter(pk=event.pk).update(note="改写历史")
    with pytest.raises(TypeError, match="append-only"):
        complaint.events.all().delete()
    # bulk_update opens no savepoint of its own; this one keeps the test's transaction usable.
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        ComplaintEvent.objects.bulk_update([event], ["note"])

    assert list(complaint.events.values_list("kind", "note")) == [("created", ""), ("accept", "")]


def test_the_stage_is_not_a_form_field_of_the_complaint():
    form_fields = modelform_factory(Complaint, fields="__all__").base_fields

    assert {"stage", "version", "escalation_level", "closed_at"}.isdisjoint(form_fields)
    with pytest.raises(FieldError, match="stage"):
        modelform_factory(Complaint, fields=["stage"])


APP_DIRS = ("complaints", "residents", "staff", "config", "demo", "reports", "notifications")
# Demo stories plan complaints' lives on unsaved complaints: seed_demo takes each planned step
# through complaint_act, and bench.bulk inserts their rows for a million complaints. They
# mirror the table's transitions and are no live path to a complaint.
BULK_DEMO = "demo/story_base.py"
INCIDENT_STAGE = "complaints/services/incidents.py"


def stage_writes(path: Path) -> list[int]:
    """Lines that assign ``<x>.stage`` or pass ``stage=`` to a queryset update."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            lines += [
                t.lineno for t in targets if isinstance(t, ast.Attribute) and t.attr == "stage"
            ]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "update"
            and any(keyword.arg == "stage" for keyword in node.keywords)
        ):
            lines.append(node.lineno)
    return lines


def test_the_stage_is_assigned_in_complaint_act_and_nowhere_else():
    root = Path(__file__).resolve().parents[2]
    writers = {
        str(path.relative_to(root)): found
        for directory in APP_DIRS
        for path in sorted((root / directory).rglob("*.py"))
        if "migrations" not in path.parts and (found := stage_writes(path))
    }

    writers.pop(BULK_DEMO, None)
    # A building-wide incident's own stage, in the one place its actions are carried out.
    assert list(writers) == ["complaints/services/actions.py", INCIDENT_STAGE]
    assert len(writers["complaints/services/actions.py"]) == 1
    assert len(writers[INCIDENT_STAGE]) == 1
