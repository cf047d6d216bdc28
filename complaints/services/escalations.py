"""The escalation ladder: 0 desk → 1 supervisor → 2 project manager → 3 quality department."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Q

from complaints.models import Complaint, Deadline, Escalation
from complaints.models.choices import MAX_ESCALATION_LEVEL
from complaints.signals import escalations_raised
from staff.roles import FRONT_DESK, MANAGER, SUPERVISOR


def _role_at(level: int) -> str:
    return {0: FRONT_DESK, 1: SUPERVISOR}.get(level, MANAGER)


def _superusers_at(level: int) -> bool:
    """The company's quality department (the superusers) answers at the top level too."""
    return level >= MAX_ESCALATION_LEVEL


def staff_at_level(*, estate_id: int, level: int) -> list[User]:
    """Who answers at an escalation level: 0 the desk, 1 supervisors, 2 managers, 3 managers
    and the company's quality department (the superusers)."""
    User = get_user_model()
    role = _role_at(level)
    people = Q(groups__name=role, staff_member__estates=estate_id)
    if _superusers_at(level):
        people |= Q(is_superuser=True)
    return list(
        User.objects.filter(people, is_active=True).select_related("staff_member").distinct()
    )


def staff_at_levels(*, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[User]]:
    """``staff_at_level`` for each (estate id, level) of ``pairs``, in two queries: who holds
    which role in which estate, then those people (and the superusers, for level 3)."""
    accounts = get_user_model().objects
    if not pairs:
        return {}
    holders: dict[tuple[int, str], set[int]] = {}
    # One filter(): the role and the estate are of the same membership rows as the values.
    for pk, role, estate_id in accounts.filter(
        is_active=True,
        groups__name__in={_role_at(level) for _, level in pairs},
        staff_member__estates__in={estate_id for estate_id, _ in pairs},
    ).values_list("pk", "groups__name", "staff_member__estates"):
        holders.setdefault((estate_id, role), set()).add(pk)
    top = any(_superusers_at(level) for _, level in pairs)
    wanted = Q(pk__in=set().union(*holders.values()))
    if top:
        wanted |= Q(is_superuser=True)
    people = {
        user.pk: user
        for user in accounts.filter(wanted, is_active=True).select_related("staff_member")
    }
    superusers = {pk for pk, user in people.items() if user.is_superuser} if top else set()
    found: dict[tuple[int, int], list[User]] = {}
    for estate_id, level in pairs:
        pks = holders.get((estate_id, _role_at(level)), set())
        if _superusers_at(level):
            pks = pks | superusers
        found[estate_id, level] = [people[pk] for pk in sorted(pks)]
    return found


def escalation_build(
    *,
    complaint: Complaint,
    reason: str,
    now: dt.datetime,
    actor: User | None = None,
    note: str = "",
    deadline: Deadline | None = None,
) -> Escalation | None:
    """Raise the complaint one level (at most to 3) and return the unsaved escalation.

    A missed deadline always gets its row, at level 3 too (one per deadline); any other
    reason at the top level adds nothing and returns None. The queue orders by
    ``overdue_since``: the missed deadline's due time, or now for any other reason.
    """
    before = complaint.escalation_level
    if before >= MAX_ESCALATION_LEVEL and deadline is None:
        return None
    complaint.escalation_level = min(before + 1, MAX_ESCALATION_LEVEL)
    return Escalation(
        complaint=complaint,
        deadline=deadline,
        level=complaint.escalation_level,
        reason=reason,
        note=note,
        created_at=now,
        overdue_since=deadline.due_at if deadline is not None else now,
        created_by=actor if getattr(actor, "pk", None) else None,
        next_reminder_at=now + dt.timedelta(minutes=settings.DESK_ESCALATION_REMINDER_MINUTES),
    )


def escalation_open(
    *,
    complaint: Complaint,
    reason: str,
    now: dt.datetime,
    actor: User | None = None,
    note: str = "",
    deadline: Deadline | None = None,
) -> Escalation | None:
    """Raise the complaint one level (at most to 3) and tell that level.

    The caller holds the complaint's row lock and saves the complaint. Returns None when it
    is already at the top level and nothing is added.
    """
    escalation = escalation_build(
        complaint=complaint, reason=reason, now=now, actor=actor, note=note, deadline=deadline
    )
    if escalation is None:
        return None
    escalation.save()
    escalations_raised.send(Escalation, escalations=[escalation], now=now)
    return escalation
