"""The part of a demo story that is not an action: its timeline, its deadlines, and the sweep
and the supervisors catching up with it (``demo.story`` adds the actions).

Each method mirrors a handler of ``complaints.services.actions`` (same fields, deadline moves
and event data) on an unsaved complaint and plain rows, and first catches up with the sweep
(reminders, missed deadlines escalated) and with the supervisors' acknowledgements. Its
deadlines time the next steps; ``demo.replay`` takes its events through the services, and
``bench.bulk`` inserts its rows as they are.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Self

from django.conf import settings

from complaints.clock import BusinessCalendar
from complaints.models import (
    Complaint,
    DeadlineKind,
    DeadlinePolicy,
    DeadlineState,
    EscalationReason,
)
from complaints.models.choices import MAX_ESCALATION_LEVEL
from complaints.services.deadlines import due_for
from demo.rows import CallbackRow, DeadlineRow, EscalationRow, EventRow

OPEN_DEADLINE_STATES = (DeadlineState.PENDING, DeadlineState.PAUSED)
# An acknowledgement further away than the demo reaches: the escalation waits in the queue.
NOT_YET = 10 * 365 * 24 * 60


class StoryBase:
    def __init__(
        self,
        *,
        complaint: Complaint,
        calendar: BusinessCalendar,
        policy: DeadlinePolicy | None,
        now: dt.datetime,
        rng: random.Random,
        acknowledgers: tuple[int, int],
    ) -> None:
        self.complaint = complaint
        self.calendar = calendar
        self.policy = policy
        self.now = now
        self.rng = rng
        # User ids of who acknowledges escalations: level 1, and levels 2 and up.
        self.acknowledgers = acknowledgers
        self.deadlines: list[DeadlineRow] = []
        self.escalations: list[EscalationRow] = []
        self.callbacks: list[CallbackRow] = []
        self.events: list[EventRow] = []
        # Ids are given out when a batch is written: which rows point at which meanwhile.
        self.escalation_ids: list[tuple[dict, EscalationRow]] = []
        self.missed_deadlines: list[tuple[EscalationRow, DeadlineRow]] = []
        self.repeat_of: Complaint | None = None
        self._pending_acks: list[tuple[dt.datetime, EscalationRow]] = []

    # -- the timeline ---------------------------------------------------------------------

    def record(
        self,
        at: dt.datetime,
        actor_id: int | None,
        kind: str,
        *,
        from_stage: str = "",
        to_stage: str = "",
        note: str = "",
        data: dict | None = None,
        bump: bool = True,
    ) -> EventRow:
        data = {} if data is None else data
        event = EventRow(at, actor_id, kind, from_stage, to_stage, note, data)
        self.events.append(event)
        if bump:
            self.complaint.version += 1
        self.complaint.updated_at = at
        return event

    def _move(self, at, actor_id, action: str, target: str, *, note="", data=None) -> None:
        before = self.complaint.stage
        self.complaint.stage = target
        self.record(at, actor_id, action, from_stage=before, to_stage=target, note=note, data=data)

    # -- deadlines ------------------------------------------------------------------------

    def deadline(self, kind: str) -> DeadlineRow | None:
        """The latest deadline of ``kind``."""
        return next((d for d in reversed(self.deadlines) if d.kind == kind), None)

    def _open(self, kind: str, start: dt.datetime, *, opened: dt.datetime) -> None:
        """As ``services.deadlines.deadline_open``, by the action taken at ``opened``."""
        if self.policy is not None:
            due, remind, why = due_for(
                kind=kind, start=start, policy=self.policy, calendar=self.calendar
            )
            self._add(kind, start, due, min(remind, due), self.policy, why, opened)

    def _add(self, kind, start, due, remind, policy, explanation, opened) -> None:
        self.deadlines.append(
            DeadlineRow(
                kind=kind,
                starts_at=start,
                due_at=max(due, start),
                remind_at=remind,
                policy_id=policy.pk if policy else None,
                explanation=explanation,
                opened_at=opened,
            )
        )

    def _agree(self, due: dt.datetime, start: dt.datetime) -> None:
        """As ``services.deadlines.deadline_agree``."""
        for deadline in self.deadlines:
            if deadline.kind == DeadlineKind.AGREED_CALLBACK and deadline.state == "pending":
                deadline.state = DeadlineState.CANCELLED
        explanation = {"agreed_with_resident": True, "started_at": start.isoformat()}
        remind = start + (max(due, start) - start) * 0.8
        self._add(DeadlineKind.AGREED_CALLBACK, start, due, remind, None, explanation, start)

    def _meet(self, kinds: tuple[str, ...], at: dt.datetime) -> list[str]:
        met = []
        for deadline in self.deadlines:
            if deadline.kind in kinds and deadline.state in ("pending", "missed"):
                deadline.state = DeadlineState.MET
                deadline.met_at = at
                met.append(deadline.kind)
        return met

    def _cancel(self, kind: str) -> None:
        for deadline in self.deadlines:
            if deadline.kind == kind and deadline.state == DeadlineState.PENDING:
                deadline.state = DeadlineState.CANCELLED

    def _cancel_open(self) -> None:
        for deadline in self.deadlines:
            if deadline.state in OPEN_DEADLINE_STATES:
                deadline.state = DeadlineState.CANCELLED

    # -- escalations and the sweep --------------------------------------------------------

    def _escalation(self, at, actor_id, reason: str, note: str = "", deadline=None) -> dict:
        """As ``services.escalations.escalation_open``; returns the event data it causes."""
        complaint = self.complaint
        before = complaint.escalation_level
        level = {"before": before, "after": before}
        data: dict[str, Any] = {"level": level, "reason": reason, "escalation": None}
        if before >= MAX_ESCALATION_LEVEL and deadline is None:
            return data
        complaint.escalation_level = level["after"] = min(before + 1, MAX_ESCALATION_LEVEL)
        escalation = EscalationRow(
            level=complaint.escalation_level,
            reason=reason,
            note=note,
            created_at=at,
            created_by_id=actor_id,
            overdue_since=deadline.due_at if deadline is not None else at,
        )
        self.escalations.append(escalation)
        self.escalation_ids.append((data, escalation))
        if deadline is not None:
            self.missed_deadlines.append((escalation, deadline))
        # Someone at that level takes it on, from minutes to days later; some are still
        # waiting in the queue, until the complaint is settled.
        minutes = self.rng.choice((20, 45, 90, 240, 600, 1440, 2880, NOT_YET, NOT_YET))
        self._pending_acks.append((at + dt.timedelta(minutes=minutes), escalation))
        return data

    def sweep(self, until: dt.datetime) -> None:
        """Reminders, missed deadlines and acknowledgements due before ``until``, in order."""
        while True:
            due = [d for d in self.deadlines if d.state == DeadlineState.PENDING]
            for deadline in due:
                remind_at = deadline.remind_at
                if deadline.reminded_at is None and remind_at is not None and remind_at < until:
                    deadline.reminded_at = self._swept(remind_at, until, deadline)
            missed = min((d for d in due if d.due_at < until), key=lambda d: d.due_at, default=None)
            ack = min(self._pending_acks, key=lambda pair: pair[0], default=None)
            ack = ack if ack and ack[0] < until else None
            if ack is not None and (missed is None or ack[0] < missed.due_at):
                self._pending_acks.remove(ack)
                self._acknowledge(*ack)
            elif missed is not None:
                self._missed(missed, until)
            else:
                return

    def _missed(self, deadline: DeadlineRow, until: dt.datetime) -> None:
        """As ``services.sweep``: the deadline is missed and escalated, once."""
        at = self._swept(deadline.due_at, until, deadline)
        deadline.state = DeadlineState.MISSED
        escalation = self._escalation(
            at, None, EscalationReason.DEADLINE_MISSED, deadline.kind, deadline=deadline
        )
        data = {
            "level": escalation["level"],
            "reason": EscalationReason.DEADLINE_MISSED,
            "deadline": deadline.kind,
            "due_at": deadline.due_at.isoformat(),
        }
        self.record(at, None, "escalated", data=data)

    def _swept(self, due: dt.datetime, until: dt.datetime, deadline: DeadlineRow) -> dt.datetime:
        """When the sweep, running every minute, noticed something due: within the minute
        after it fell due or after the deadline was opened (a back-dated complaint, or a
        clock that started at receipt, may be overdue as it opens), not after ``until``."""
        # Set by ``_add`` and on resume; only rows read back from the database lack it.
        assert deadline.opened_at is not None
        noticed = max(due, deadline.opened_at) + dt.timedelta(seconds=self.rng.randint(5, 59))
        return min(noticed, until)

    def _acknowledge(self, at: dt.datetime, escalation: EscalationRow) -> None:
        level_one, higher = self.acknowledgers
        actor_id = level_one if escalation.level == 1 else higher
        escalation.acknowledged_at = at
        escalation.acknowledged_by_id = actor_id
        data = {"escalation": None, "level": escalation.level}
        self.escalation_ids.append((data, escalation))
        self.record(at, actor_id, "escalation_acknowledged", data=data)

    def _settle_acknowledgements(self, at: dt.datetime) -> None:
        """A complaint is not closed while its escalations still wait in the queue."""
        for ack_at, escalation in sorted(self._pending_acks, key=lambda pair: pair[0]):
            self._acknowledge(max(escalation.created_at, min(ack_at, at)), escalation)
        self._pending_acks.clear()

    def finish(self) -> Self:
        self.sweep(self.now)
        # Unanswered escalations have been reminded every so often; the next round is ahead.
        every = dt.timedelta(minutes=settings.DESK_ESCALATION_REMINDER_MINUTES)
        for _, escalation in self._pending_acks:
            rounds = (self.now - escalation.created_at) // every + 1
            escalation.next_reminder_at = escalation.created_at + every * rounds
        return self
