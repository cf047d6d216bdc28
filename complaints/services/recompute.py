"""When a policy or a calendar changes, the open deadlines it produced are computed again and
each change is written to the complaint's timeline."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from complaints.clock import calendar_for_estate, calendars_forget
from complaints.models import Complaint, Deadline, DeadlineKind, DeadlineState
from complaints.services.deadlines import due_for, policies_forget, policy_for
from complaints.services.timeline import event_record
from complaints.signals import history_changed
from residents.models import Estate

COMPUTED_KINDS = (
    DeadlineKind.ACKNOWLEDGE,
    DeadlineKind.FIRST_CALLBACK,
    DeadlineKind.RESOLUTION,
    DeadlineKind.FOLLOW_UP,
)
BATCH = 500


def deadlines_recompute(
    *, complaints: QuerySet[Complaint], because: dict[str, str], actor: User | None = None
) -> int:
    """Recompute the pending policy deadlines of these complaints; returns how many moved.

    ``because`` says what changed, as data the timeline words in its reader's language:
    ``{"calendar_of": <estate code>}``, or ``{"policy_change": "added" | "changed" |
    "removed", "category": <code, or "" for every category>, "severity": <severity>}``."""
    # A recompute follows a change of configuration, which may have been made without signals
    # (a queryset ``update``): it reads policies and calendars as they are now.
    policies_forget()
    calendars_forget()
    moved = 0
    pending = Deadline.objects.filter(
        complaint__in=complaints, state=DeadlineState.PENDING, kind__in=COMPUTED_KINDS
    )
    ids = list(pending.values_list("complaint_id", flat=True).distinct())
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
                for before, deadline in _complaint_recompute(
                    complaint=complaint, because=because, actor=actor, now=now
                ):
                    earliest = min(before, deadline.due_at)
                    previous = reached_back.get(complaint.estate_id, earliest)
                    reached_back[complaint.estate_id] = min(earliest, previous)
                    moved += 1
            for estate_id, since in reached_back.items():
                history_changed.send(Deadline, since=since, estate_id=estate_id)
    return moved


def _complaint_recompute(
    *, complaint: Complaint, because: dict[str, str], actor, now: dt.datetime
) -> list[tuple[dt.datetime, Deadline]]:
    """Move the complaint's pending policy deadlines; returns (due before, deadline) of each
    one that moved, each written to the timeline."""
    policy = policy_for(complaint=complaint)
    if policy is None:
        return []
    calendar = calendar_for_estate(complaint.estate)
    moved = []
    for deadline in complaint.deadlines.filter(
        state=DeadlineState.PENDING, kind__in=COMPUTED_KINDS
    ):
        due, remind, explanation = due_for(
            kind=deadline.kind, start=deadline.starts_at, policy=policy, calendar=calendar
        )
        if due == deadline.due_at and policy.pk == deadline.policy_id:
            continue
        before = deadline.due_at
        deadline.due_at = max(due, deadline.starts_at)
        deadline.policy = policy
        deadline.explanation = {**explanation, "recomputed": because}
        deadline.remind_at = min(remind, deadline.due_at)
        if deadline.remind_at <= now:
            deadline.reminded_at = deadline.reminded_at or now
        deadline.save(update_fields=["due_at", "policy", "explanation", "remind_at", "reminded_at"])
        event_record(
            complaint=complaint,
            actor=actor,
            kind="deadline_recomputed",
            at=now,
            data={
                **because,
                "deadline": deadline.kind,
                "before": before.isoformat(),
                "after": deadline.due_at.isoformat(),
            },
        )
        moved.append((before, deadline))
    return moved


def deadlines_recompute_for_calendar(
    sender: type[Estate], *, estate: Estate, actor: User | None, **kwargs: object
) -> int:
    """``residents.signals.calendar_changed``: the estate's open deadlines follow its calendar."""
    complaints = Complaint.objects.filter(estate=estate, closed_at__isnull=True)
    return deadlines_recompute(
        complaints=complaints, actor=actor, because={"calendar_of": estate.code}
    )
