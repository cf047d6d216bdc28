"""When a policy or a calendar changes, the open deadlines it produced are computed again and
each change is written to the complaint's timeline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from complaints.clock import calendar_for_estate, calendars_forget
from complaints.models import Complaint, Deadline, DeadlineKind, DeadlineState
from complaints.reports.history import weekly_history_changed
from complaints.services.deadlines import due_for, policies_forget, policy_for
from complaints.services.timeline import event_record

COMPUTED_KINDS = (
    DeadlineKind.ACKNOWLEDGE,
    DeadlineKind.FIRST_CALLBACK,
    DeadlineKind.RESOLUTION,
    DeadlineKind.FOLLOW_UP,
)
BATCH = 500


def deadlines_recompute(*, complaints: QuerySet[Complaint], reason: str, actor=None) -> int:
    """Recompute the pending policy deadlines of these complaints; returns how many moved."""
    # A recompute follows a change of configuration, which may have been made without signals
    # (a queryset ``update``): it reads policies and calendars as they are now.
    policies_forget()
    calendars_forget()
    moved = 0
    pending = Deadline.objects.filter(
        complaint__in=complaints, state=DeadlineState.PENDING, kind__in=COMPUTED_KINDS
    )
    ids = list(pending.values_list("complaint_id", flat=True).distinct())
    calendars: dict[int, object] = {}
    now = timezone.now()
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            # Per estate, the earliest due time moved, from or to: "overdue at end" reads due
            # times as they are now, so past weeks change when one of them has passed.
            reached_back: dict[int, dt.datetime] = {}
            locked = (
                Complaint.objects.select_for_update(of=("self",))
                .select_related("estate")
                .filter(pk__in=ids[start : start + BATCH])
            )
            for complaint in locked:
                if complaint.estate_id not in calendars:
                    calendars[complaint.estate_id] = calendar_for_estate(complaint.estate)
                policy = policy_for(complaint=complaint)
                if policy is None:
                    continue
                for deadline in complaint.deadlines.filter(
                    state=DeadlineState.PENDING, kind__in=COMPUTED_KINDS
                ):
                    due, remind, explanation = due_for(
                        kind=deadline.kind,
                        start=deadline.starts_at,
                        policy=policy,
                        calendar=calendars[complaint.estate_id],
                    )
                    if due == deadline.due_at and policy.pk == deadline.policy_id:
                        continue
                    before = deadline.due_at
                    deadline.due_at = max(due, deadline.starts_at)
                    earliest = min(
                        before, deadline.due_at, reached_back.get(complaint.estate_id, before)
                    )
                    reached_back[complaint.estate_id] = earliest
                    deadline.policy = policy
                    deadline.explanation = {**explanation, "recomputed": reason}
                    deadline.remind_at = min(remind, deadline.due_at)
                    if deadline.remind_at <= now:
                        deadline.reminded_at = deadline.reminded_at or now
                    deadline.save(
                        update_fields=[
                            "due_at",
                            "policy",
                            "explanation",
                            "remind_at",
                            "reminded_at",
                        ]
                    )
                    event_record(
                        complaint=complaint,
                        actor=actor,
                        kind="deadline_recomputed",
                        at=now,
                        note=reason,
                        data={
                            "deadline": deadline.kind,
                            "before": before.isoformat(),
                            "after": deadline.due_at.isoformat(),
                        },
                    )
                    moved += 1
            for estate_id, since in reached_back.items():
                weekly_history_changed(since=since, estate_id=estate_id)
    return moved
