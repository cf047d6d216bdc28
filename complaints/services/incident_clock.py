"""The building-wide incident's own clock (SPEC §9.3): one acknowledge and one resolution
deadline, under the policy of its category at the category's usual severity, on the estate's
calendar. Eighty calls about one water cut give one escalation, not eighty.

The acknowledge deadline is met by the incident's first update to the residents (or its
resolution), the resolution deadline by resolving it. The sweep escalates a missed one once:
each batch locks its incidents with SKIP LOCKED and re-reads their deadlines under that lock,
and the database holds one escalation per deadline.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Count, Q

from complaints.clock import calendar_for_estate
from complaints.models import (
    DeadlineKind,
    DeadlineState,
    Incident,
    IncidentDeadline,
    IncidentEscalation,
    IncidentStage,
)
from complaints.models.choices import MAX_ESCALATION_LEVEL
from complaints.services.deadlines import due_for, policy_of
from complaints.signals import incident_escalated
from staff.access import escalation_floor, estate_ids_visible_to

CLOCK_KINDS = (DeadlineKind.ACKNOWLEDGE, DeadlineKind.RESOLUTION)
BATCH = 200


def incident_clock_start(*, incident: Incident, now: dt.datetime) -> list[IncidentDeadline]:
    """The incident's deadlines from its opening (none when no policy applies)."""
    category = incident.category
    policy = policy_of(top_category_id=category.top.pk, severity=category.default_severity)
    if policy is None:
        return []
    calendar = calendar_for_estate(incident.estate)
    deadlines = []
    for kind in CLOCK_KINDS:
        due, _remind, why = due_for(kind=kind, start=now, policy=policy, calendar=calendar)
        deadlines.append(
            IncidentDeadline(
                incident=incident, kind=kind, starts_at=now, due_at=max(due, now), explanation=why
            )
        )
    return IncidentDeadline.objects.bulk_create(deadlines)


def incident_clock_meet(*, incident: Incident, kinds: tuple[str, ...], at: dt.datetime) -> int:
    """The deadlines of these kinds are met (late ones too: they keep their escalation);
    returns how many."""
    return incident.deadlines.filter(
        kind__in=kinds, state__in=[DeadlineState.PENDING, DeadlineState.MISSED]
    ).update(state=DeadlineState.MET, met_at=at)


def incident_clock_stop(*, incident: Incident) -> None:
    """A closed incident owes nothing more."""
    incident.deadlines.filter(state=DeadlineState.PENDING).update(state=DeadlineState.CANCELLED)


def incident_escalations_acknowledge(*, incident: Incident, actor: User, at: dt.datetime) -> int:
    """A supervisor has seen the incident's waiting escalations; returns how many."""
    return incident.escalations.filter(acknowledged_at__isnull=True).update(
        acknowledged_at=at, acknowledged_by=actor
    )


def _escalate_batch(*, now: dt.datetime, exclude: set[int]) -> tuple[list, set[int]]:
    """Escalate one batch of incidents with a due deadline. Returns what was raised, as
    (reference, kind, level), and the incidents skipped because someone holds them."""
    candidates = list(
        dict.fromkeys(
            IncidentDeadline.objects.filter(state=DeadlineState.PENDING, due_at__lte=now)
            .exclude(incident_id__in=exclude)
            .order_by("due_at")
            .values_list("incident_id", flat=True)[: BATCH * 2]
        )
    )[:BATCH]
    if not candidates:
        return [], set()
    with transaction.atomic():
        incidents = {
            incident.pk: incident
            for incident in Incident.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("estate", "category")
            .filter(pk__in=candidates)
        }
        raised = dict(
            IncidentEscalation.objects.filter(incident_id__in=incidents)
            .values("incident_id")
            .annotate(count=Count("id"))
            .values_list("incident_id", "count")
        )
        deadlines = list(
            IncidentDeadline.objects.filter(
                incident_id__in=incidents, state=DeadlineState.PENDING, due_at__lte=now
            ).order_by("incident_id", "due_at", "id")
        )
        escalations = []
        for deadline in deadlines:
            incident = incidents[deadline.incident_id]
            raised[incident.pk] = raised.get(incident.pk, 0) + 1
            escalations.append(
                IncidentEscalation(
                    incident=incident,
                    deadline=deadline,
                    level=min(raised[incident.pk], MAX_ESCALATION_LEVEL),
                    created_at=now,
                    overdue_since=deadline.due_at,
                )
            )
        IncidentDeadline.objects.filter(pk__in=[d.pk for d in deadlines]).update(
            state=DeadlineState.MISSED
        )
        created = IncidentEscalation.objects.bulk_create(escalations)
        if created:
            incident_escalated.send(IncidentEscalation, escalations=created, now=now)
    made = [(e.incident.reference, e.deadline.kind, e.level) for e in created]
    return made, set(candidates) - set(incidents)


def incident_escalations_raise(*, now: dt.datetime, max_batches: int = 1000) -> list:
    """Escalate every incident deadline that is due; returns (reference, kind, level)."""
    raised: list = []
    skipped: set[int] = set()
    for _ in range(max_batches):
        batch, held = _escalate_batch(now=now, exclude=skipped)
        if not batch and not held:
            break
        raised.extend(batch)
        skipped |= held
        if not batch:
            break
    return raised


def incident_queue_for(user: User | AnonymousUser, limit: int = 50) -> list[Incident]:
    """The incidents with an escalation waiting at ``user``'s level, each once however many
    deadlines it missed: most overdue first, with ``waiting`` (its escalations, oldest
    first), ``level`` (the highest of them) and ``linked`` (its open linked complaints) set.
    One query."""
    floor = escalation_floor(user)
    if floor is None:
        return []
    # A resolved or closed incident's escalation has nothing left to chase.
    rows = IncidentEscalation.objects.filter(
        acknowledged_at__isnull=True, level__gte=floor, incident__stage=IncidentStage.OPEN
    )
    covered = estate_ids_visible_to(user)
    if covered is not None:
        rows = rows.filter(incident__estate_id__in=covered)
    rows = (
        rows.select_related("deadline", "incident__estate", "incident__category__parent")
        .annotate(
            linked=Count(
                "incident__complaints", filter=Q(incident__complaints__closed_at__isnull=True)
            )
        )
        .order_by("overdue_since", "id")
    )
    incidents: dict[int, Incident] = {}
    for escalation in rows[:limit]:
        incident = incidents.setdefault(escalation.incident_id, escalation.incident)
        incident.linked = escalation.linked  # type: ignore[attr-defined]
        incident.level = max(getattr(incident, "level", 0), escalation.level)  # type: ignore[attr-defined]
        incident.waiting = [*getattr(incident, "waiting", []), escalation]  # type: ignore[attr-defined]
    return list(incidents.values())
