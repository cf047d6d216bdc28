"""Rows of the four tables that hold most of the demo: deadlines, escalations, callbacks, events.

A Django model instance costs about ten microseconds to make, and a demo complaint brings
fourteen of them; these plain rows cost a tenth of that. Their attributes are the models'
column attnames, so ``bulk.rows_columns`` reads them like instances; a column they lack (one
added to the model later) gets the field's default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from complaints.models import DeadlineState


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
