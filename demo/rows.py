"""Rows of the four tables that hold most of the demo: deadlines, escalations, callbacks, events.

A Django model instance costs about ten microseconds to make, and a demo complaint brings
fourteen of them; these plain rows cost a tenth of that. Their attributes are the models'
column attnames, so ``bench.bulk.columns.rows_columns`` reads them like instances; a column
they lack (one added to the model later) gets the field's default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from complaints.clock import BusinessCalendar
from complaints.models import Clock, DeadlineState


@dataclass(slots=True, eq=False)
class DeadlineRow:
    kind: str
    starts_at: dt.datetime
    due_at: dt.datetime
    remind_at: dt.datetime | None
    policy_id: int | None
    explanation: dict
    state: str = DeadlineState.PENDING
    met_at: dt.datetime | None = None
    reminded_at: dt.datetime | None = None
    complaint_id: int | None = None
    id: int | None = None
    # Since when the sweep could notice it: the action that opened or last resumed it. No
    # column; the sweep's timing needs it.
    opened_at: dt.datetime | None = None


@dataclass(slots=True, eq=False)
class EscalationRow:
    level: int
    reason: str
    note: str
    created_at: dt.datetime
    created_by_id: int | None
    overdue_since: dt.datetime
    deadline_id: int | None = None
    acknowledged_at: dt.datetime | None = None
    acknowledged_by_id: int | None = None
    next_reminder_at: dt.datetime | None = None
    complaint_id: int | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class CallbackRow:
    made_at: dt.datetime
    made_by_id: int
    reached: bool
    note: str
    next_callback_at: dt.datetime | None
    complaint_id: int | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class EventRow:
    at: dt.datetime
    actor_id: int | None
    kind: str
    from_stage: str = ""
    to_stage: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)
    complaint_id: int | None = None
    id: int | None = None


def deadline_row_resume(
    deadline: DeadlineRow, *, calendar: BusinessCalendar, at: dt.datetime
) -> None:
    """As ``services.deadlines.deadline_resume``: held time does not count."""
    explanation = dict(deadline.explanation)
    paused_at = dt.datetime.fromisoformat(explanation.pop("paused_at"))
    business = explanation.get("clock") == Clock.BUSINESS
    if business:
        held = calendar.business_minutes_between(paused_at, at)
        deadline.due_at = calendar.add_business_minutes(deadline.due_at, held)
    else:
        held = int((at - paused_at).total_seconds() // 60)
        deadline.due_at += dt.timedelta(minutes=held)
    pause = {"from": paused_at.isoformat(), "to": at.isoformat(), "minutes": held}
    deadline.explanation = {**explanation, "pauses": [*explanation.get("pauses", []), pause]}
    deadline.state = DeadlineState.PENDING
    # Paused, it was not the sweep's to notice: one that fell due meanwhile is missed now.
    deadline.opened_at = at
    if deadline.remind_at and deadline.reminded_at is None:
        deadline.remind_at = (
            calendar.add_business_minutes(deadline.remind_at, held)
            if business
            else deadline.remind_at + dt.timedelta(minutes=held)
        )
