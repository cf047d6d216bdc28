"""What the complaint records announce becomes messages in the outbox, in the same transaction.

Connected once from ``notifications.apps``. Each receiver writes its messages in one insert and
asks the worker to send them after commit.
"""

from __future__ import annotations

import datetime as dt

from complaints import signals
from complaints.models import DeadlineKind
from notifications.broadcasts import notify_incident, notify_incident_escalation
from notifications.messages import (
    notify_deadline_reminder,
    notify_dispatch,
    notify_escalation,
    notify_urgent_intake,
)
from notifications.outbox import Outbox
from notifications.progress import notify_callback_missed, notify_progress, notify_received


def _complaint_received(
    sender, *, complaint, now: dt.datetime, escalation, supervisors, **kwargs
) -> None:
    outbox = Outbox(staff={(complaint.estate_id, 1): supervisors})
    if escalation is not None:
        notify_escalation(outbox=outbox, escalation=escalation, complaint=complaint, now=now)
    notify_urgent_intake(outbox=outbox, complaint=complaint, now=now)
    notify_received(outbox=outbox, complaint=complaint, now=now)
    outbox.save()


def _escalations_raised(sender, *, escalations, now: dt.datetime, **kwargs) -> None:
    outbox = Outbox()
    outbox.staff_read(pairs={(e.complaint.estate_id, e.level) for e in escalations})
    for escalation in escalations:
        notify_escalation(
            outbox=outbox, escalation=escalation, complaint=escalation.complaint, now=now
        )
        deadline = escalation.deadline
        if deadline is not None and deadline.kind == DeadlineKind.AGREED_CALLBACK:
            notify_callback_missed(
                outbox=outbox, deadline=deadline, complaint=escalation.complaint, now=now
            )
    outbox.save()


def _escalations_waiting(sender, *, reminders, now: dt.datetime, **kwargs) -> None:
    outbox = Outbox()
    outbox.staff_read(pairs={(e.complaint.estate_id, e.level) for e, _ in reminders})
    for escalation, round in reminders:
        notify_escalation(
            outbox=outbox,
            escalation=escalation,
            complaint=escalation.complaint,
            now=now,
            round=round,
        )
    outbox.save()


def _deadlines_due_soon(sender, *, deadlines, now: dt.datetime, **kwargs) -> None:
    outbox = Outbox()
    for deadline in deadlines:
        notify_deadline_reminder(
            outbox=outbox, deadline=deadline, complaint=deadline.complaint, now=now
        )
    outbox.save()


def _complaint_dispatched(sender, *, complaint, now: dt.datetime, **kwargs) -> None:
    outbox = Outbox()
    notify_dispatch(outbox=outbox, complaint=complaint, now=now)
    outbox.save()


def _complaint_progressed(sender, *, complaint, action: str, now: dt.datetime, **kwargs) -> None:
    outbox = Outbox()
    notify_progress(outbox=outbox, complaint=complaint, action=action, now=now)
    outbox.save()


def _incident_changed(sender, *, incident, kind: str, now: dt.datetime, **kwargs) -> None:
    outbox = Outbox()
    notify_incident(outbox=outbox, incident=incident, kind=kind, now=now)
    outbox.save()


def _incident_escalated(sender, *, escalations, now: dt.datetime, **kwargs) -> None:
    outbox = Outbox()
    for escalation in escalations:
        notify_incident_escalation(outbox=outbox, escalation=escalation, now=now)
    outbox.save()


def connect() -> None:
    signals.complaint_received.connect(_complaint_received, dispatch_uid="outbox")
    signals.escalations_raised.connect(_escalations_raised, dispatch_uid="outbox")
    signals.escalations_waiting.connect(_escalations_waiting, dispatch_uid="outbox")
    signals.deadlines_due_soon.connect(_deadlines_due_soon, dispatch_uid="outbox")
    signals.complaint_dispatched.connect(_complaint_dispatched, dispatch_uid="outbox")
    signals.complaint_progressed.connect(_complaint_progressed, dispatch_uid="outbox")
    signals.incident_escalated.connect(_incident_escalated, dispatch_uid="outbox")
    signals.incident_changed.connect(_incident_changed, dispatch_uid="outbox")
