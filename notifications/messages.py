"""What each notification says, in its recipient's language, and to whom it goes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, DeadlineKind, EscalationReason, Severity
from notifications.outbox import Outbox
from staff.access import department_people


def complaint_url(complaint: Complaint) -> str:
    return f"{settings.DESK_BASE_URL}/complaints/{complaint.reference}/"


def _describe(complaint: Complaint) -> str:
    unit = complaint.unit.label if complaint.unit is not None else _("common area")
    return "\n".join(
        [
            _("Complaint: %(reference)s") % {"reference": complaint.reference},
            _("Estate: %(estate)s, %(unit)s") % {"estate": complaint.estate.name, "unit": unit},
            _("Category: %(category)s") % {"category": complaint.category.name},
            _("Summary: %(summary)s") % {"summary": complaint.summary},
            _("Open it: %(url)s") % {"url": complaint_url(complaint)},
        ]
    )


def notify_escalation(
    *, outbox: Outbox, escalation, complaint: Complaint, now: dt.datetime, round: int = 0
) -> None:
    """Tell the people of the escalation's level; ``round`` > 0 is a reminder of the same."""

    def subject():
        prefix = _("Reminder") + ": " if round else ""
        return prefix + _("[Escalated to level %(level)d] %(reference)s %(summary)s") % {
            "level": escalation.level,
            "reference": complaint.reference,
            "summary": complaint.summary,
        }

    def body():
        reason = EscalationReason(escalation.reason).label
        lead = _("Escalated to level %(level)d: %(reason)s.") % {
            "level": escalation.level,
            "reason": reason,
        }
        return lead + "\n\n" + _describe(complaint)

    outbox.to_staff(
        complaint=complaint,
        users=outbox.staff(estate_id=complaint.estate_id, level=escalation.level),
        kind="escalation_reminder" if round else "escalation",
        key=f"esc{escalation.pk}:r{round}",
        subject=subject,
        body=body,
        now=now,
    )


def notify_deadline_reminder(
    *, outbox: Outbox, deadline, complaint: Complaint, now: dt.datetime
) -> None:
    """80% of the time is gone: the assignee is reminded, or the desk when nobody is."""
    users = (
        [complaint.assignee]
        if complaint.assignee_id
        else outbox.staff(estate_id=complaint.estate_id, level=0)
    )

    def subject():
        return _("[Due soon] %(reference)s: %(deadline)s due %(due)s") % {
            "reference": complaint.reference,
            "deadline": DeadlineKind(deadline.kind).label,
            "due": timezone.localtime(deadline.due_at, complaint.estate.zone).strftime(
                "%Y-%m-%d %H:%M"
            ),
        }

    outbox.to_staff(
        complaint=complaint,
        users=users,
        kind="deadline_reminder",
        key=f"dl{deadline.pk}:remind",
        subject=subject,
        body=lambda: _describe(complaint),
        now=now,
    )


def notify_urgent_intake(*, outbox: Outbox, complaint: Complaint, now: dt.datetime) -> None:
    """An urgent complaint alerts the supervisors at once."""
    if complaint.severity == Severity.URGENT:
        outbox.to_staff(
            complaint=complaint,
            users=outbox.staff(estate_id=complaint.estate_id, level=1),
            kind="urgent_intake",
            key=f"c{complaint.pk}:urgent",
            subject=lambda: (
                _("[Urgent] New complaint %(reference)s %(summary)s")
                % {"reference": complaint.reference, "summary": complaint.summary}
            ),
            body=lambda: _describe(complaint),
            now=now,
        )


def notify_dispatch(*, outbox: Outbox, complaint: Complaint, now: dt.datetime) -> None:
    """Handed over (派单): the person named, or else every one of the department who covers
    the estate, is told at once, in their language; by text message too when it is urgent."""
    department, assignee = complaint.department, complaint.assignee
    if assignee is not None:
        users = [assignee]
    elif department is not None:
        users = department_people(department_id=department.pk, estate_id=complaint.estate_id)
    else:
        return
    # One set of messages per hand-over: the version the action is about to write.
    key = f"c{complaint.pk}:v{complaint.version + 1}:dispatch"

    def subject():
        mine = complaint.assignee_id is not None
        lead = _("[Assigned to you]") if mine else _("[To take over]")
        return f"{lead} {complaint.reference} {complaint.summary}"

    def body():
        if complaint.assignee_id is not None:
            lead = _("This complaint is now yours to handle.")
        else:
            lead = _("This complaint was handed to %(department)s: take it on.") % {
                "department": department.name if department is not None else ""
            }
        return lead + "\n\n" + _describe(complaint)

    outbox.to_staff(
        complaint=complaint,
        users=users,
        kind="dispatch",
        key=key,
        subject=subject,
        body=body,
        now=now,
        at_once=True,
    )
    if complaint.severity == Severity.URGENT:
        outbox.to_staff_by_sms(
            complaint=complaint,
            users=users,
            kind="dispatch",
            key=key,
            params={
                "reference": complaint.reference,
                "summary": complaint.summary[:20],
                "link": complaint_url(complaint),
            },
            body=lambda: (
                _("[Urgent] %(reference)s handed to you: %(summary)s %(url)s")
                % {
                    "reference": complaint.reference,
                    "summary": complaint.summary[:40],
                    "url": complaint_url(complaint),
                }
            ),
            now=now,
        )
