"""One demo complaint's life as the services and the sweep would write it: the plan of its steps.

Each method mirrors a handler of ``complaints.services.actions`` (same fields, deadline moves
and event data) on an unsaved complaint and plain rows, and first catches up with the sweep
(reminders, missed deadlines escalated) and with the supervisors' acknowledgements
(``demo.story_base``). Its deadlines time the next steps; ``demo.replay`` takes its events
through the services, and ``bench.bulk`` inserts its rows as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from complaints.models import (
    DeadlineKind,
    DeadlineState,
    EscalationReason,
    SatisfactionSource,
    Stage,
)
from complaints.models.choices import MAX_ESCALATION_LEVEL
from demo.rows import CallbackRow, deadline_row_resume
from demo.story_base import StoryBase


class Story(StoryBase):
    # -- intake and the workflow actions --------------------------------------------------

    def created(self, at: dt.datetime, actor_id: int) -> None:
        """As ``services.intake.complaint_create``, including a repeat's first escalation."""
        complaint = self.complaint
        complaint.created_at = complaint.updated_at = at
        data: dict[str, Any] = {
            "channel": complaint.channel,
            "received_at": complaint.received_at.isoformat(),
        }
        if at - complaint.received_at > dt.timedelta(minutes=5):
            data.update({"backdated": True, "entered_at": at.isoformat()})
        self.record(at, actor_id, "created", to_stage=Stage.INTAKE, data=data, bump=False)
        self._open(DeadlineKind.ACKNOWLEDGE, complaint.received_at, opened=at)
        if self.repeat_of is not None:
            reference = self.repeat_of.reference
            data = self._escalation(at, None, EscalationReason.REPEAT, reference)
            data["repeat_of"] = reference
            self.record(at, None, "escalated", data=data, bump=False)

    def accept(self, at: dt.datetime, actor_id: int) -> None:
        self.sweep(at)
        complaint = self.complaint
        complaint.accepted_at = at
        met = self._meet((DeadlineKind.ACKNOWLEDGE,), at)
        self._open(DeadlineKind.FIRST_CALLBACK, complaint.received_at, opened=at)
        self._open(DeadlineKind.RESOLUTION, complaint.received_at, opened=at)
        self._move(at, actor_id, "accept", Stage.CLARIFICATION, data={"deadlines_met": met})

    def close_as_explained(self, at, actor_id, *, validity: str, explanation: str) -> None:
        self.sweep(at)
        complaint = self.complaint
        complaint.validity = validity
        complaint.explanation = explanation
        complaint.closed_at = at
        met = self._meet((DeadlineKind.FIRST_CALLBACK,), at)
        self._cancel_open()
        self._settle_acknowledgements(at)
        data = {"validity": validity, "deadlines_met": met}
        self._move(at, actor_id, "close_as_explained", Stage.CLOSED, note=explanation, data=data)

    def plan_resolution(self, at, actor_id, *, validity, department, plan, callback_due) -> None:
        self.sweep(at)
        complaint = self.complaint
        before = complaint.department.code if complaint.department is not None else None
        complaint.validity = validity
        complaint.plan = plan
        met = self._meet((DeadlineKind.FIRST_CALLBACK,), at)
        self._agree(callback_due, at)
        if department.pk != complaint.department_id:
            # As ``services.handover.handed_over``: nobody there has it yet.
            complaint.department, complaint.assignee = department, None
            self._cancel(DeadlineKind.TAKE_OVER)
            self._open(DeadlineKind.TAKE_OVER, at, opened=at)
        data = {
            "validity": validity,
            "department": {"before": before, "after": department.code},
            "callback_due_at": callback_due.isoformat(),
            "deadlines_met": met,
        }
        self._move(at, actor_id, "plan_resolution", Stage.RESOLUTION, note=plan, data=data)

    def mark_resolved(self, at, actor_id, *, outcome: str, cause: str, liability: str) -> None:
        self.sweep(at)
        complaint = self.complaint
        complaint.outcome, complaint.cause, complaint.liability = outcome, cause, liability
        complaint.resolved_at = at
        met = self._meet((DeadlineKind.RESOLUTION, DeadlineKind.TAKE_OVER), at)
        self._open(DeadlineKind.FOLLOW_UP, at, opened=at)
        data = {"cause": cause, "liability": liability, "deadlines_met": met}
        self._move(at, actor_id, "mark_resolved", Stage.FOLLOW_UP, note=outcome, data=data)

    def close(self, at, actor_id, *, satisfaction: str, summary: str) -> None:
        self.sweep(at)
        complaint = self.complaint
        complaint.satisfaction = satisfaction
        complaint.satisfaction_source = SatisfactionSource.STAFF
        complaint.follow_up_summary = summary
        complaint.closed_at = at
        met = self._meet((DeadlineKind.FOLLOW_UP,), at)
        self._cancel_open()
        self._settle_acknowledgements(at)
        data = {"satisfaction": satisfaction, "deadlines_met": met}
        self._move(at, actor_id, "close", Stage.CLOSED, note=summary, data=data)

    def reopen(self, at, actor_id, *, reason: str) -> None:
        self.sweep(at)
        complaint = self.complaint
        data = {
            "closed_at": complaint.closed_at.isoformat() if complaint.closed_at else None,
            "satisfaction": complaint.satisfaction or None,
        }
        complaint.closed_at = complaint.resolved_at = None
        complaint.satisfaction = complaint.satisfaction_source = ""
        self._cancel_open()
        self._open(DeadlineKind.RESOLUTION, at, opened=at)
        data.update(self._escalation(at, actor_id, EscalationReason.REOPENED, reason))
        self._move(at, actor_id, "reopen", Stage.RESOLUTION, note=reason, data=data)

    def escalate(self, at, actor_id, *, reason: str, note: str) -> None:
        self.sweep(at)
        if self.complaint.escalation_level >= MAX_ESCALATION_LEVEL:
            # The workflow refuses to escalate past the top level, which the deadlines
            # missed just now may have reached: the person sees the refusal and does nothing.
            return
        self.record(
            at, actor_id, "escalate", note=note, data=self._escalation(at, actor_id, reason, note)
        )

    def log_callback(self, at, actor_id, *, reached: bool, note: str, next_at=None) -> None:
        self.sweep(at)
        self.callbacks.append(
            CallbackRow(
                made_at=at,
                made_by_id=actor_id,
                reached=reached,
                note=note,
                next_callback_at=next_at,
            )
        )
        # As the service: only reaching the resident meets a callback.
        kinds = (DeadlineKind.FIRST_CALLBACK, DeadlineKind.AGREED_CALLBACK)
        met = self._meet(kinds, at) if reached else []
        if next_at is not None:
            self._agree(next_at, at)
        data = {
            "reached": reached,
            "next_callback_at": next_at.isoformat() if next_at else None,
            "deadlines_met": met,
        }
        self.record(at, actor_id, "log_callback", note=note, data=data)

    def assign(self, at, actor_id, *, assignee) -> None:
        """Someone of the complaint's own department named (``services.handover``)."""
        self.sweep(at)
        complaint = self.complaint
        before = complaint.assignee.username if complaint.assignee is not None else None
        complaint.assignee = assignee
        data: dict[str, Any] = {"assignee": {"before": before, "after": assignee.username}}
        if met := self._meet((DeadlineKind.TAKE_OVER,), at):
            data["deadlines_met"] = met
        self.record(at, actor_id, "assign", data=data)

    def take(self, at, actor_id, *, taker) -> None:
        """One of the department takes it on (``services.handover.take``)."""
        self.sweep(at)
        self.complaint.assignee = taker
        data = {
            "assignee": {"before": None, "after": taker.username},
            "deadlines_met": self._meet((DeadlineKind.TAKE_OVER,), at),
        }
        self.record(at, actor_id, "take", data=data)

    def hold(self, at, actor_id, *, until: dt.datetime, reason: str) -> None:
        self.sweep(at)
        complaint = self.complaint
        complaint.on_hold, complaint.hold_until, complaint.hold_reason = True, until, reason
        for deadline in self.deadlines:
            if deadline.kind == DeadlineKind.RESOLUTION and deadline.state == "pending":
                deadline.state = DeadlineState.PAUSED
                deadline.explanation = {**deadline.explanation, "paused_at": at.isoformat()}
        self.record(at, actor_id, "hold", note=reason, data={"until": until.isoformat()})

    def release(self, at, actor_id) -> None:
        """As ``services.deadlines.deadline_resume``: held time does not count."""
        self.sweep(at)
        complaint = self.complaint
        complaint.on_hold, complaint.hold_until, complaint.hold_reason = False, None, ""
        for deadline in self.deadlines:
            if deadline.kind == DeadlineKind.RESOLUTION and deadline.state == "paused":
                deadline_row_resume(deadline, calendar=self.calendar, at=at)
        self.record(at, actor_id, "release")

    def add_note(self, at, actor_id, *, text: str) -> None:
        self.sweep(at)
        self.record(at, actor_id, "add_note", note=text)
