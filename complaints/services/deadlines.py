"""Deadline rows: created from the policy and the estate's calendar, met by the actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from complaints.clock import BusinessCalendar, calendar_for_estate
from complaints.configuration_cache import ConfigurationCache
from complaints.models import (
    Category,
    Clock,
    Complaint,
    Deadline,
    DeadlineKind,
    DeadlinePolicy,
    DeadlineState,
)
from complaints.signals import history_changed
from residents.models import Estate


def _overdue_changed(*, complaint: Complaint, due_times) -> None:
    """Deadlines due in the past were added, moved, cancelled or paused: "overdue at end"
    of the weeks since the earliest of them reads them as they are now."""
    if due_times := list(due_times):
        history_changed.send(Deadline, since=min(due_times), estate_id=complaint.estate_id)


def _policies_load() -> dict[tuple[int | None, str], DeadlinePolicy]:
    return {
        (policy.category_id, policy.severity): policy
        for policy in DeadlinePolicy.objects.select_related("category")
    }


_policies = ConfigurationCache("policies", sources=(DeadlinePolicy, Category))


def policy_for(*, complaint: Complaint) -> DeadlinePolicy | None:
    """The category's own policy for the severity, else the default for the severity."""
    return policy_of(top_category_id=complaint.top_category_id, severity=complaint.severity)


def policy_of(*, top_category_id: int | None, severity: str) -> DeadlinePolicy | None:
    """The policy of a top-level category for a severity, else the default for it."""
    policies = _policies.get("all", _policies_load)
    return policies.get((top_category_id, severity)) or policies.get((None, severity))


def policies_forget() -> None:
    """Read the policies afresh next time: after a change made without signals (a queryset
    ``update``), or where a change must be seen at once."""
    _policies.clear()


def due_for(
    *, kind: str, start: dt.datetime, policy: DeadlinePolicy, calendar: BusinessCalendar
) -> tuple[dt.datetime, dt.datetime, dict]:
    """When a ``kind`` clock started at ``start`` runs out under ``policy``, when to remind
    (the policy's share of the time, counted on the same clock), and why, for the page."""
    minutes, working_days = policy.duration(kind)
    explanation: dict[str, Any] = {
        "clock": policy.clock,
        "calendar": calendar.name,
        "time_zone": str(calendar.zone),
        "policy": str(policy),
        "started_at": start.isoformat(),
    }
    share = policy.reminder_percent / 100
    if policy.clock == Clock.CALENDAR:
        length = (
            dt.timedelta(minutes=minutes)
            if minutes is not None
            else dt.timedelta(days=working_days or 0)
        )
        explanation["minutes"] = int(length.total_seconds() // 60)
        return start + length, start + length * share, explanation
    opening = calendar.next_opening(start)
    if opening != start:
        explanation["clock_started_at_opening"] = opening.isoformat()
    if minutes is None:
        explanation["working_days"] = working_days
        due = calendar.add_working_days(start, working_days or 0)
        minutes = calendar.business_minutes_between(opening, due)
    else:
        explanation["business_minutes"] = minutes
        due = calendar.add_business_minutes(start, minutes)
    return due, calendar.add_business_minutes(opening, int(minutes * share)), explanation


def deadline_build(
    *,
    complaint: Complaint,
    kind: str,
    start: dt.datetime,
    calendar: BusinessCalendar | None = None,
    policy: DeadlinePolicy | None = None,
) -> Deadline | None:
    """The unsaved deadline of ``kind`` started at ``start`` under the complaint's policy
    (None when no policy applies). The complaint itself may still be unsaved."""
    if kind == DeadlineKind.AGREED_CALLBACK:
        raise ValueError("agreed callbacks are agreed with the resident, not computed")
    policy = policy or policy_for(complaint=complaint)
    if policy is None:
        return None
    calendar = calendar or calendar_for_estate(complaint.estate)
    due, remind, why = due_for(kind=kind, start=start, policy=policy, calendar=calendar)
    return Deadline(
        complaint=complaint,
        kind=kind,
        starts_at=start,
        due_at=max(due, start),
        remind_at=min(remind, due),
        policy=policy,
        explanation=why,
    )


def deadline_open(
    *,
    complaint: Complaint,
    kind: str,
    start: dt.datetime,
    calendar: BusinessCalendar | None = None,
    policy: DeadlinePolicy | None = None,
) -> Deadline | None:
    """Start the clock of ``kind`` at ``start`` under the complaint's policy."""
    deadline = deadline_build(
        complaint=complaint, kind=kind, start=start, calendar=calendar, policy=policy
    )
    if deadline is None:
        return None
    deadline.save(force_insert=True)
    # A clock started in the past (a back-dated complaint accepted) may have run out already.
    _overdue_changed(complaint=complaint, due_times=[deadline.due_at])
    return deadline


def _cancel(*, complaint: Complaint, **filters) -> None:
    """Cancel the complaint's deadlines matching ``filters`` (one query when there are none)."""
    deadlines = list(complaint.deadlines.filter(**filters).values_list("pk", "due_at"))
    if not deadlines:
        return
    Deadline.objects.filter(pk__in=[pk for pk, _due in deadlines]).update(
        state=DeadlineState.CANCELLED
    )
    # A cancelled deadline is no longer owed: one that had fallen due (before the sweep marked
    # it missed) leaves the past weeks' "overdue at end".
    now = timezone.now()
    _overdue_changed(complaint=complaint, due_times=[due for _pk, due in deadlines if due < now])


def deadlines_cancel(*, complaint: Complaint, kind: str, state: str) -> None:
    """Cancel the complaint's deadlines of ``kind`` in ``state``: a clock no longer running."""
    _cancel(complaint=complaint, kind=kind, state=state)


def deadline_agree(*, complaint: Complaint, due: dt.datetime, start: dt.datetime) -> Deadline:
    """A callback time agreed with the resident; it replaces any earlier agreed time."""
    _cancel(complaint=complaint, kind=DeadlineKind.AGREED_CALLBACK, state=DeadlineState.PENDING)
    return Deadline.objects.create(
        complaint=complaint,
        kind=DeadlineKind.AGREED_CALLBACK,
        starts_at=start,
        due_at=max(due, start),
        remind_at=start + (max(due, start) - start) * 0.8,
        policy=None,
        explanation={"agreed_with_resident": True, "started_at": start.isoformat()},
    )


def deadlines_meet(*, complaint: Complaint, kinds: tuple[str, ...], at: dt.datetime) -> list[str]:
    """Mark the pending (or missed) deadlines of these kinds met; returns the kinds met."""
    met = list(
        complaint.deadlines.filter(
            kind__in=kinds, state__in=[DeadlineState.PENDING, DeadlineState.MISSED]
        ).values_list("kind", flat=True)
    )
    complaint.deadlines.filter(
        kind__in=kinds, state__in=[DeadlineState.PENDING, DeadlineState.MISSED]
    ).update(state=DeadlineState.MET, met_at=at)
    return met


def deadlines_cancel_open(*, complaint: Complaint) -> None:
    """A closed complaint owes nothing more: its open clocks stop."""
    _cancel(complaint=complaint, state__in=[DeadlineState.PENDING, DeadlineState.PAUSED])


def deadline_pause(*, complaint: Complaint, kind: str, at: dt.datetime) -> None:
    paused = []
    for deadline in complaint.deadlines.filter(kind=kind, state=DeadlineState.PENDING):
        deadline.state = DeadlineState.PAUSED
        deadline.explanation = {**deadline.explanation, "paused_at": at.isoformat()}
        deadline.save(update_fields=["state", "explanation"])
        paused.append(deadline.due_at)
    # A paused deadline is not owed; one already due (not yet marked missed) stops counting.
    _overdue_changed(complaint=complaint, due_times=[due for due in paused if due < at])


def deadline_resume(*, complaint: Complaint, kind: str, at: dt.datetime) -> None:
    """Push the deadline out by the time it was paused (business time on a business clock)."""
    calendar: BusinessCalendar | None = None
    resumed = []
    for deadline in complaint.deadlines.filter(kind=kind, state=DeadlineState.PAUSED):
        resumed.append(deadline.due_at)
        paused_at = dt.datetime.fromisoformat(deadline.explanation["paused_at"])
        business = deadline.explanation.get("clock") == Clock.BUSINESS
        if business:
            calendar = calendar or calendar_for_estate(complaint.estate)
            held = calendar.business_minutes_between(paused_at, at)
            deadline.due_at = calendar.add_business_minutes(deadline.due_at, held)
        else:
            held = int((at - paused_at).total_seconds() // 60)
            deadline.due_at = deadline.due_at + dt.timedelta(minutes=held)
        pauses = [
            *deadline.explanation.get("pauses", []),
            {"from": paused_at.isoformat(), "to": at.isoformat(), "minutes": held},
        ]
        explanation = {k: v for k, v in deadline.explanation.items() if k != "paused_at"}
        deadline.explanation = {**explanation, "pauses": pauses}
        deadline.state = DeadlineState.PENDING
        if deadline.remind_at and deadline.reminded_at is None:
            if business:
                assert calendar is not None  # read above for a business clock
                deadline.remind_at = calendar.add_business_minutes(deadline.remind_at, held)
            else:
                deadline.remind_at = deadline.remind_at + dt.timedelta(minutes=held)
        deadline.save(update_fields=["due_at", "explanation", "state", "remind_at"])
        resumed.append(deadline.due_at)
    # Owed again from its new due time on (which may have passed: it was due when paused).
    _overdue_changed(complaint=complaint, due_times=[due for due in resumed if due < at])


# The clocks a back-dated complaint runs from its receipt: acknowledge at once, the first
# callback and the resolution once it is accepted (``actions._accept``).
FROM_RECEIPT = (DeadlineKind.ACKNOWLEDGE, DeadlineKind.FIRST_CALLBACK, DeadlineKind.RESOLUTION)


def deadlines_missed_from(
    *, estate: Estate, category: Category, severity: str, received_at: dt.datetime, now: dt.datetime
) -> list[tuple[str, dt.datetime]]:
    """The (kind, due time) of each clock a complaint received at ``received_at`` finds run
    out already at ``now``: a paper complaint entered days late escalates at once."""
    policy = policy_of(top_category_id=category.top.pk, severity=severity)
    if policy is None or received_at >= now:
        return []
    calendar = calendar_for_estate(estate)
    missed: list[tuple[str, dt.datetime]] = []
    for kind in FROM_RECEIPT:
        due, _remind, _why = due_for(kind=kind, start=received_at, policy=policy, calendar=calendar)
        if due <= now:
            missed.append((kind, due))
    return missed
