"""The workflow actions of ``complaints.workflow.ACTIONS``, each in one locked transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.clock import calendar_for_estate
from complaints.errors import ActionForbidden, StaleVersion, UnknownAction
from complaints.inputs import inputs_clean
from complaints.models import (
    Callback,
    Complaint,
    ComplaintEvent,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EscalationReason,
    Satisfaction,
    SatisfactionSource,
    Stage,
    Validity,
)
from complaints.selectors import complaint_get
from complaints.services.context import Context, Outcome
from complaints.services.deadlines import (
    deadline_agree,
    deadline_build,
    deadline_open,
    deadline_pause,
    deadlines_cancel_open,
    deadlines_meet,
    policy_for,
)
from complaints.services.escalations import escalation_open
from complaints.services.handover import assignment_apply, handed_over, take
from complaints.services.holds import hold_end
from complaints.services.incident_links import link_incident, own_resolution_clock
from complaints.services.timeline import event_build, event_record
from complaints.signals import complaint_progressed, history_changed
from complaints.workflow import ACTIONS, refusal
from staff.roles import SUPERVISOR_PLUS, user_roles


def _accept(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    complaint.accepted_at = ctx.now
    met = deadlines_meet(complaint=complaint, kinds=(DeadlineKind.ACKNOWLEDGE,), at=ctx.now)
    # Both clocks run under the same policy and calendar: read them once.
    policy = policy_for(complaint=complaint)
    calendar = calendar_for_estate(complaint.estate)
    starts = {DeadlineKind.FIRST_CALLBACK: complaint.received_at}
    if own_resolution_clock(complaint):  # else the incident's clock is the one that runs
        # Until its incident was resolved, the incident's clock ran for it.
        resolved = complaint.incident.resolved_at if complaint.incident else complaint.received_at
        starts[DeadlineKind.RESOLUTION] = max(complaint.received_at, resolved or ctx.now)
    for kind, start in starts.items():
        deadline_open(complaint=complaint, kind=kind, start=start, policy=policy, calendar=calendar)
    return "", {"deadlines_met": met}


def _close_as_explained(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    complaint.validity = ctx.data["validity"]
    complaint.explanation = ctx.text("explanation")
    complaint.closed_at = ctx.now
    # Explaining it to the resident is the callback the desk owed them.
    met = deadlines_meet(complaint=complaint, kinds=(DeadlineKind.FIRST_CALLBACK,), at=ctx.now)
    deadlines_cancel_open(complaint=complaint)
    return complaint.explanation, {"validity": complaint.validity, "deadlines_met": met}


def _plan_resolution(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    validity = ctx.data["validity"]
    department = ctx.department()
    due = ctx.future("callback_due_at")
    assert due is not None  # a required input (``workflow.ACTIONS``)
    before = complaint.department.code if complaint.department is not None else None
    complaint.validity = validity
    complaint.plan = ctx.text("plan")
    met = deadlines_meet(complaint=complaint, kinds=(DeadlineKind.FIRST_CALLBACK,), at=ctx.now)
    deadline_agree(complaint=complaint, due=due, start=ctx.now)
    if department.pk != complaint.department_id:
        complaint.department = department
        complaint.assignee = None  # whoever had it elsewhere has it no longer
        handed_over(complaint=complaint, now=ctx.now)
    return complaint.plan, {
        "validity": validity,
        "department": {"before": before, "after": department.code},
        "callback_due_at": due.isoformat(),
        "deadlines_met": met,
    }


def mark_resolved(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    complaint.outcome = ctx.text("outcome")
    complaint.cause = ctx.text("cause")
    complaint.liability = ctx.data["liability"]
    complaint.resolved_at = ctx.now
    if complaint.on_hold:
        # Resolving ends the hold: the paused clock runs again up to now, and is met.
        hold_end(complaint=complaint, at=ctx.now)
    # Resolved by the department: whether or not anyone took it on by name, it was taken.
    met = deadlines_meet(
        complaint=complaint, kinds=(DeadlineKind.RESOLUTION, DeadlineKind.TAKE_OVER), at=ctx.now
    )
    deadline_open(complaint=complaint, kind=DeadlineKind.FOLLOW_UP, start=ctx.now)
    return complaint.outcome, {
        "cause": complaint.cause,
        "liability": complaint.liability,
        "deadlines_met": met,
    }


def _close(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    satisfaction = ctx.data["satisfaction"]
    # The resident's own "unsatisfied" counts as much as one recorded by staff.
    unsatisfied = Satisfaction.UNSATISFIED in (satisfaction, complaint.resident_rating)
    if unsatisfied and not user_roles(ctx.actor) & SUPERVISOR_PLUS:
        raise ActionForbidden(
            _(
                "An unsatisfied resident's complaint may be closed only by a supervisor; "
                "escalate it instead."
            )
        )
    complaint.satisfaction = satisfaction
    complaint.satisfaction_source = SatisfactionSource.STAFF
    complaint.follow_up_summary = ctx.text("summary")
    complaint.closed_at = ctx.now
    met = deadlines_meet(complaint=complaint, kinds=(DeadlineKind.FOLLOW_UP,), at=ctx.now)
    deadlines_cancel_open(complaint=complaint)
    return complaint.follow_up_summary, {"satisfaction": satisfaction, "deadlines_met": met}


def escalation_raise(ctx: Context, *, reason: str, note: str) -> dict:
    complaint = ctx.complaint
    before = complaint.escalation_level
    escalation = escalation_open(
        complaint=complaint, reason=reason, note=note, now=ctx.now, actor=ctx.actor
    )
    return {
        "level": {"before": before, "after": complaint.escalation_level},
        "reason": reason,
        "escalation": escalation.pk if escalation else None,
    }


def reopened(ctx: Context) -> None:
    """Back to resolution: no longer resolved or closed, its clocks started again."""
    complaint = ctx.complaint
    complaint.closed_at = None
    complaint.resolved_at = None
    deadlines_cancel_open(complaint=complaint)
    if own_resolution_clock(complaint):
        deadline_open(complaint=complaint, kind=DeadlineKind.RESOLUTION, start=ctx.now)


def _reopen(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    reason = ctx.text("reason")
    data = {
        "closed_at": complaint.closed_at.isoformat() if complaint.closed_at else None,
        "satisfaction": complaint.satisfaction or None,
    }
    reopened(ctx)
    complaint.satisfaction = ""
    complaint.satisfaction_source = ""
    data.update(escalation_raise(ctx, reason=EscalationReason.REOPENED, note=reason))
    return reason, data


def _escalate(ctx: Context) -> Outcome:
    reason = ctx.data["reason"]
    note = ctx.text("note")
    return note, escalation_raise(ctx, reason=reason, note=note)


def _log_callback(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    reached = ctx.data["reached"]
    next_at = ctx.future("next_callback_at")
    assert ctx.actor is not None  # a staff action (``workflow.ACTIONS``)
    Callback.objects.create(
        complaint=complaint,
        made_at=ctx.now,
        made_by=ctx.actor,
        reached=reached,
        note=ctx.text("note"),
        next_callback_at=next_at,
    )
    # A call nobody answered is owed still: only reaching the resident meets a callback.
    met = (
        deadlines_meet(
            complaint=complaint,
            kinds=(DeadlineKind.FIRST_CALLBACK, DeadlineKind.AGREED_CALLBACK),
            at=ctx.now,
        )
        if reached
        else []
    )
    if next_at is not None:
        deadline_agree(complaint=complaint, due=next_at, start=ctx.now)
    return ctx.text("note"), {
        "reached": reached,
        "next_callback_at": next_at.isoformat() if next_at else None,
        "deadlines_met": met,
    }


def _hold(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    until = ctx.future("until")
    assert until is not None  # a required input (``workflow.ACTIONS``)
    complaint.on_hold = True
    complaint.hold_until = until
    complaint.hold_reason = ctx.text("reason")
    deadline_pause(complaint=complaint, kind=DeadlineKind.RESOLUTION, at=ctx.now)
    return complaint.hold_reason, {"until": until.isoformat()}


def _release(ctx: Context) -> Outcome:
    hold_end(complaint=ctx.complaint, at=ctx.now)
    return ctx.text("reason"), {}


def _add_note(ctx: Context) -> Outcome:
    return ctx.text("text"), {}


HANDLERS: dict[str, Callable[[Context], Outcome]] = {
    "accept": _accept,
    "close_as_explained": _close_as_explained,
    "plan_resolution": _plan_resolution,
    "mark_resolved": mark_resolved,
    "close": _close,
    "reopen": _reopen,
    "escalate": _escalate,
    "log_callback": _log_callback,
    "assign": assignment_apply,
    "take": take,
    "hold": _hold,
    "release": _release,
    "add_note": _add_note,
    "link_incident": link_incident,
}
assert set(HANDLERS) == set(ACTIONS), "every workflow action needs exactly one handler"


def complaint_act(
    *,
    reference: str,
    actor: User,
    action: str,
    data: dict | None = None,
    version: int | None = None,
) -> Complaint:
    """Take ``action`` on the complaint: all of it in one transaction, or nothing.

    Raises Http404 (not visible), ActionForbidden (403), StaleVersion or ActionRefused (409),
    ValidationError (400).
    """
    spec = ACTIONS.get(action)
    if spec is None:
        raise UnknownAction(action)
    data = data or {}
    with transaction.atomic():
        complaint = complaint_get(user=actor, reference=reference, for_update=True)
        if version is not None and version != complaint.version:
            raise StaleVersion(
                _(
                    "Someone else changed this complaint meanwhile (it is now at version "
                    "%(current)d, you sent %(sent)d). Reload it and try again."
                )
                % {"current": complaint.version, "sent": version}
            )
        refused = refusal(spec, complaint, actor)
        if refused is not None:
            raise refused
        # Checked here, not only by the page form or the serializer, so that a caller from
        # Python is held to the same inputs; the handler then reads them as declared.
        cleaned = inputs_clean(spec.inputs, data)
        carry_out(
            Context(complaint=complaint, actor=actor, data=cleaned, now=timezone.now()),
            action=action,
            handler=HANDLERS[action],
            target=spec.target,
        )
    return complaint


def _moved(complaint: Complaint, target: str) -> None:
    """The one assignment of a complaint's stage (``workflow.ACTIONS``' targets)."""
    complaint.stage = target


def carry_out(
    ctx: Context, *, action: str, handler: Callable[[Context], Outcome], target: str | None
) -> None:
    """The handler's change, the stage it leads to, the version and the timeline entry, inside
    the caller's transaction and row lock. The stage changes here and nowhere else."""
    complaint = ctx.complaint
    from_stage, validity = complaint.stage, complaint.validity
    note, event_data = handler(ctx)
    if validity != Validity.PENDING and complaint.validity != validity:
        # Judged again: "invalid" counts its past closings by the validity it has now.
        history_changed.send(Complaint, since=complaint.received_at, estate_id=complaint.estate_id)
    if target is not None:
        _moved(complaint, target)
    complaint.version += 1
    complaint.save()
    event_record(
        complaint=complaint,
        actor=ctx.actor,
        kind=action,
        at=ctx.now,
        from_stage=from_stage,
        to_stage=complaint.stage if target else "",
        note=note,
        data=event_data,
    )
    # For those who tell the resident (the outbox), in this transaction.
    complaint_progressed.send(Complaint, complaint=complaint, action=action, now=ctx.now)


def resolve_together(
    complaints: list[Complaint], *, actor: User, now: dt.datetime, body: dict, data: dict
) -> None:
    """What ``mark_resolved`` does to each, in a few statements for all: many complaints resolved
    by one building-wide incident's ``body`` (outcome, cause, liability); ``data`` is added to
    each timeline entry. The caller holds their row locks."""
    if not complaints:
        return
    held = [complaint for complaint in complaints if complaint.on_hold]
    for complaint in held:
        hold_end(complaint=complaint, at=now)  # the paused clock runs up to now: met
    ids = [complaint.pk for complaint in complaints]
    met: dict[int, list[str]] = {pk: [] for pk in ids}
    finished = Deadline.objects.filter(
        complaint_id__in=ids,
        kind__in=(DeadlineKind.RESOLUTION, DeadlineKind.TAKE_OVER),
        state__in=(DeadlineState.PENDING, DeadlineState.MISSED),
    )
    for complaint_id, kind in finished.values_list("complaint_id", "kind"):
        met[complaint_id].append(kind)
    finished.update(state=DeadlineState.MET, met_at=now)
    follow_ups = [
        deadline_build(complaint=complaint, kind=DeadlineKind.FOLLOW_UP, start=now)
        for complaint in complaints
    ]
    Deadline.objects.bulk_create([d for d in follow_ups if d is not None])
    for complaint in complaints:
        complaint.outcome, complaint.cause = body["outcome"], body["cause"]
        complaint.liability = body["liability"]
        complaint.resolved_at = now
        _moved(complaint, Stage.FOLLOW_UP)
        complaint.version += 1
        complaint.updated_at = now
    # Alike but for their versions: one UPDATE (bulk_update's CASE per row took 2.7 s for 500).
    same = {name: getattr(complaints[0], name) for name in TOGETHER_FIELDS}
    Complaint.objects.filter(pk__in=ids).update(**same, version=F("version") + 1)
    Complaint.objects.filter(pk__in=[c.pk for c in held]).update(
        on_hold=False, hold_until=None, hold_reason=""
    )
    ComplaintEvent.objects.bulk_create(
        event_build(
            complaint=complaint,
            actor=actor,
            kind="incident_resolved",
            at=now,
            from_stage=Stage.RESOLUTION,
            to_stage=Stage.FOLLOW_UP,
            note=complaint.outcome,
            data={
                "cause": complaint.cause,
                "liability": complaint.liability,
                "deadlines_met": met[complaint.pk],
                **data,
            },
        )
        for complaint in complaints
    )
    for one in complaints:
        complaint_progressed.send(Complaint, complaint=one, action="incident_resolved", now=now)


# What ``resolve_together`` writes alike to every complaint, their versions apart.
TOGETHER_FIELDS = ["outcome", "cause", "liability", "resolved_at", "stage", "updated_at"]
