"""Who may read what: the one rule behind every read path (page, API, export, attachment,
e-mail link).

A front-desk person, supervisor or manager reads what belongs to the estates they cover; a
handler reads, within those estates, the complaints handed to their department; the superuser
reads everything. Anything else is invisible. The rules answer in ids, and the selectors of
residents and complaints apply them to their own querysets: staff knows neither app.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from staff.roles import FRONT_DESK_PLUS, HANDLER, MANAGER, SUPERVISOR, user_access, user_roles


@dataclass(frozen=True)
class ComplaintScope:
    """The complaints one user may read."""

    estate_ids: frozenset[int] | None  # None: every estate
    department_id: int | None = None  # a handler's own department; None: every department


NOTHING = ComplaintScope(estate_ids=frozenset())
EVERYTHING = ComplaintScope(estate_ids=None)


def estate_ids_visible_to(user: User | AnonymousUser) -> frozenset[int] | None:
    """The ids of the estates ``user`` covers; None for the superuser, who covers them all.

    Read once per request with the user's roles and staff record (``user_access``).
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    access = user_access(user)
    # A staff record without a role is not yet (or no longer) a desk user: it covers nothing.
    if access.member is None or not access.roles:
        return frozenset()
    return access.estate_ids


def complaint_scope(user: User | AnonymousUser) -> ComplaintScope:
    """The estates, and for a handler the department, whose complaints ``user`` reads."""
    estate_ids = estate_ids_visible_to(user)
    if estate_ids is None:
        return EVERYTHING
    if not estate_ids:
        return NOTHING
    access = user_access(user)
    # Only a staff record covers estates (``estate_ids_visible_to``), and some are covered.
    assert access.member is not None
    if access.roles & FRONT_DESK_PLUS:
        return ComplaintScope(estate_ids=estate_ids)
    if HANDLER in access.roles and access.member.department_id:
        return ComplaintScope(estate_ids=estate_ids, department_id=access.member.department_id)
    return NOTHING


def residents_readable_by(user: User | AnonymousUser) -> bool:
    """Looking residents up is for the front desk and up; handlers reach residents only
    through the complaints handed to their department."""
    return bool(user_roles(user) & FRONT_DESK_PLUS)


def escalation_floor(user: User | AnonymousUser) -> int | None:
    """The lowest escalation level in ``user``'s queue (0: every level); None: no queue.

    Supervisors work level 1 and up, managers level 2 and up.
    """
    roles = user_roles(user)
    if user.is_superuser or SUPERVISOR in roles:
        return 0
    if MANAGER in roles:
        return 2
    return None


def department_people(*, department_id: int, estate_id: int) -> list[User]:
    """The active people of a department who cover an estate: whom a hand-over tells."""
    return list(
        User.objects.filter(
            is_active=True,
            staff_member__department_id=department_id,
            staff_member__estates=estate_id,
        )
        .select_related("staff_member")
        .order_by("username")
    )
