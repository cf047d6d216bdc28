"""Roles are Django groups, created by a migration: their names, and what one user holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from staff.models import StaffMember

FRONT_DESK = "front_desk"
HANDLER = "handler"
SUPERVISOR = "supervisor"
MANAGER = "manager"

ALL_ROLES = (FRONT_DESK, HANDLER, SUPERVISOR, MANAGER)
ROLE_LABELS = {
    FRONT_DESK: _("front desk"),
    HANDLER: _("handler"),
    SUPERVISOR: _("supervisor"),
    MANAGER: _("manager"),
}

FRONT_DESK_PLUS = frozenset({FRONT_DESK, SUPERVISOR, MANAGER})
SUPERVISOR_PLUS = frozenset({SUPERVISOR, MANAGER})
EVERYONE = frozenset(ALL_ROLES)


@dataclass(frozen=True)
class Access:
    """What every authorisation decision about one user reads: their roles, their staff
    record and the estates it covers."""

    roles: frozenset[str]
    member: StaffMember | None
    estate_ids: frozenset[int]


NO_ACCESS = Access(roles=frozenset(), member=None, estate_ids=frozenset())
# The user object's attribute that keeps its ``Access`` for the rest of the request.
_ACCESS_ATTRIBUTE = "desk_access"


def user_access(user: User | AnonymousUser | None) -> Access:
    """The user's roles, staff record and covered estates, read in one query and kept on the
    user object (a request loads its user afresh, so it lives as long as the request). The
    staff record is also set as ``user.staff_member``."""
    if not user or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    known: Access | None = getattr(user, _ACCESS_ATTRIBUTE, None)
    if known is not None:
        return known
    # One row per (group, covered estate): a handful for anyone, whatever the tables hold.
    rows = list(
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .select_related("staff_member")
        .annotate(role=F("groups__name"), covered_estate_id=F("staff_member__estates"))
    )
    member = getattr(rows[0], "staff_member", None) if rows else None
    if member is not None:
        user.staff_member = member
    if user.is_superuser:
        roles = frozenset(ALL_ROLES)
    else:
        roles = frozenset(row.role for row in rows if row.role in ALL_ROLES)
    access = Access(
        roles=roles,
        member=member,
        estate_ids=frozenset(
            row.covered_estate_id for row in rows if row.covered_estate_id is not None
        ),
    )
    setattr(user, _ACCESS_ATTRIBUTE, access)
    return access


def user_roles(user: User | AnonymousUser | None) -> frozenset[str]:
    """The roles of a user; the superuser holds them all. Kept on the user object."""
    return user_access(user).roles


def staff_of(user: User | AnonymousUser | None) -> StaffMember | None:
    """The user's staff record, or None (anonymous, or no record)."""
    if not user or not user.is_authenticated:
        return None
    if not user.is_active:
        return getattr(user, "staff_member", None)
    return user_access(user).member
