"""The deadline sweep: remind at 80%, escalate what was missed, remind unanswered escalations.

Safe to run twice or in two workers at once. Candidates come from partial indexes that hold
only pending rows, so an idle sweep costs a few index probes whatever the table's size. Each
batch locks its complaints with SKIP LOCKED — a complaint someone is acting on is left for
the next run — and re-reads the deadlines under that lock, so nothing is escalated from a
stale view. One escalation per deadline is also a unique constraint in the database.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.utils import timezone

from complaints.models import (
    Complaint,
    ComplaintEvent,
    Deadline,
    DeadlineState,
    Escalation,
    EscalationReason,
)
from complaints.services.escalations import escalation_build
from complaints.services.holds import holds_release_due
from complaints.services.incident_clock import incident_escalations_raise
from complaints.signals import deadlines_due_soon, escalations_raised, escalations_waiting

logger = logging.getLogger(__name__)

BATCH = 200
NO_TIME = Value(dt.timedelta(0))
DATE_TIME = DateTimeField()


@dataclass
class SweepResult:
    escalated: list[tuple[str, str, int]] = field(default_factory=list)
    reminded: list[tuple[str, str]] = field(default_factory=list)
    escalation_reminders: list[tuple[str, int]] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    # Building-wide incidents' own: (reference, deadline kind, level).
    incidents_escalated: list[tuple[str, str, int]] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"escalated {len(self.escalated)}, reminded {len(self.reminded)}, "
            f"escalation reminders {len(self.escalation_reminders)}, "
            f"holds released {len(self.released)}, "
            f"incidents escalated {len(self.incidents_escalated)}"
        )


def _due_complaint_ids(*, now: dt.datetime, exclude: set[int], limit: int) -> list[int]:
    """Complaints with a pending deadline that is due, most overdue first."""
    rows = (
        Deadline.objects.filter(state=DeadlineState.PENDING, due_at__lte=now)
        .exclude(complaint_id__in=exclude)
        .order_by("due_at")
        .values_list("complaint_id", flat=True)[: limit * 5]
    )
    return list(dict.fromkeys(rows))[:limit]


def _escalations_build(
    *,
    complaints: dict[int, Complaint],
    deadlines: list[Deadline],
    now: dt.datetime,
    result: SweepResult,
) -> tuple[list[Escalation], list[ComplaintEvent]]:
    """One escalation and its timeline entry per missed deadline, oldest first per complaint;
    each raises its complaint's level (in memory) one step."""
    escalations: list[Escalation] = []
    events: list[ComplaintEvent] = []
    for deadline in deadlines:
        complaint = complaints[deadline.complaint_id]
        before = complaint.escalation_level
        escalation = escalation_build(
            complaint=complaint,
            reason=EscalationReason.DEADLINE_MISSED,
            note=deadline.kind,
            now=now,
            deadline=deadline,
        )
        assert escalation is not None  # a missed deadline always gets its row
        escalations.append(escalation)
        events.append(
            ComplaintEvent(
                complaint=complaint,
                actor=None,
                kind="escalated",
                at=now,
                data={
                    "level": {"before": before, "after": complaint.escalation_level},
                    "reason": EscalationReason.DEADLINE_MISSED,
                    "deadline": deadline.kind,
                    "due_at": deadline.due_at.isoformat(),
                },
            )
        )
        result.escalated.append((complaint.reference, deadline.kind, complaint.escalation_level))
    return escalations, events


def _levels_save(*, touched: list[Complaint], now: dt.datetime) -> None:
    """The escalated complaints' new levels, one update per level (there are three)."""
    by_level: dict[int, list[int]] = {}
    for complaint in touched:
        by_level.setdefault(complaint.escalation_level, []).append(complaint.pk)
        complaint.version += 1  # fresh: read under this transaction's lock
        complaint.updated_at = now
    for level, ids in by_level.items():
        Complaint.objects.filter(pk__in=ids).update(
            escalation_level=level, version=F("version") + 1, updated_at=now
        )


def _escalate_batch(*, candidate_ids: list[int], now: dt.datetime, result: SweepResult) -> None:
    with transaction.atomic():
        complaints = {
            c.pk: c
            for c in Complaint.objects.select_for_update(skip_locked=True, of=("self",))
            # With the resident, whom a missed agreed callback sends an apology.
            .select_related("estate", "category", "unit__building", "resident")
            .filter(pk__in=candidate_ids)
        }
        if not complaints:
            return
        deadlines = list(
            Deadline.objects.filter(
                complaint_id__in=complaints, state=DeadlineState.PENDING, due_at__lte=now
            ).order_by("complaint_id", "due_at", "id")
        )
        escalations, events = _escalations_build(
            complaints=complaints, deadlines=deadlines, now=now, result=result
        )
        Deadline.objects.filter(pk__in=[d.pk for d in deadlines]).update(state=DeadlineState.MISSED)
        # The one-per-deadline constraint is the last word: a second sweep cannot get here
        # for the same deadline, and if it somehow did, the insert would fail and roll back.
        created = Escalation.objects.bulk_create(escalations)
        ComplaintEvent.objects.bulk_create(events)
        _levels_save(
            touched=[complaints[pk] for pk in {d.complaint_id for d in deadlines}], now=now
        )
        escalations_raised.send(Escalation, escalations=created, now=now)


def _remind_batch(*, now: dt.datetime, result: SweepResult) -> int:
    with transaction.atomic():
        deadlines = list(
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "complaint__estate",
                "complaint__assignee",
                "complaint__category",
                "complaint__unit__building",
            )
            # Read through the reminder index (remind_at), whose rows are few. Given due_at
            # as a plain column, PostgreSQL misjudges how many pending deadlines lie in the
            # future (state and due time go together) and walks every one of them through
            # the due-time index instead: ~5,000 at 100,000 complaints, ten times that at a
            # million. Behind an expression due_at offers it no index.
            .alias(due_at_later=ExpressionWrapper(F("due_at") + NO_TIME, output_field=DATE_TIME))
            .filter(
                state=DeadlineState.PENDING,
                reminded_at__isnull=True,
                remind_at__lte=now,
                due_at_later__gt=now,
            )
            .order_by("remind_at")[:BATCH]
        )
        for deadline in deadlines:
            result.reminded.append((deadline.complaint.reference, deadline.kind))
        Deadline.objects.filter(pk__in=[d.pk for d in deadlines]).update(reminded_at=now)
        deadlines_due_soon.send(Deadline, deadlines=deadlines, now=now)
    return len(deadlines)


def _remind_escalations_batch(*, now: dt.datetime, result: SweepResult) -> int:
    every = dt.timedelta(minutes=settings.DESK_ESCALATION_REMINDER_MINUTES)
    with transaction.atomic():
        escalations = list(
            Escalation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("complaint__estate", "complaint__category", "complaint__unit__building")
            .filter(
                acknowledged_at__isnull=True,
                next_reminder_at__lte=now,
                complaint__closed_at__isnull=True,
            )
            .order_by("next_reminder_at")[:BATCH]
        )
        reminders = []
        next_at = now + every
        for escalation in escalations:
            reminders.append((escalation, max(1, int((now - escalation.created_at) / every))))
            escalation.next_reminder_at = next_at
            result.escalation_reminders.append((escalation.complaint.reference, escalation.level))
        Escalation.objects.filter(pk__in=[e.pk for e in escalations]).update(
            next_reminder_at=next_at
        )
        escalations_waiting.send(Escalation, reminders=reminders, now=now)
    return len(escalations)


def sweep_run(*, now: dt.datetime | None = None, max_batches: int = 1000) -> SweepResult:
    """One sweep. Returns what it escalated and reminded."""
    now = now or timezone.now()
    result = SweepResult()
    # First, so that a released clock that has already run out is escalated in this sweep.
    result.released = holds_release_due(now=now, max_batches=max_batches)
    skipped: set[int] = set()
    for _ in range(max_batches):
        candidates = _due_complaint_ids(now=now, exclude=skipped, limit=BATCH)
        if not candidates:
            break
        before = len(result.escalated)
        _escalate_batch(candidate_ids=candidates, now=now, result=result)
        if len(result.escalated) == before:
            # All locked by people or another sweep: theirs now, ours next minute.
            skipped.update(candidates)
    result.incidents_escalated = incident_escalations_raise(now=now, max_batches=max_batches)
    for _ in range(max_batches):
        if _remind_batch(now=now, result=result) < BATCH:
            break
    for _ in range(max_batches):
        if _remind_escalations_batch(now=now, result=result) < BATCH:
            break
    if any(
        (
            result.escalated,
            result.reminded,
            result.escalation_reminders,
            result.released,
            result.incidents_escalated,
        )
    ):
        logger.info("Sweep at %s: %s", now.isoformat(), result)
    return result
