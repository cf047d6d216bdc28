"""Roles are Django groups, created by a migration; these are their names."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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
    member: object | None  # staff.models.StaffMember
    estate_ids: frozenset[int]


NO_ACCESS = Access(roles=frozenset(), member=None, estate_ids=frozenset())


def user_access(user) -> Access:
    """The user's roles, staff record and covered estates, read in one query and cached on
    the user object (a request loads its user afresh, so the cache lives as long as the
    request). The staff record is also cached as ``user.staff_member``."""
    if not user or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_desk_access", None)
    if cached is not None:
        return cached
    from django.contrib.auth import get_user_model

    from staff.models import StaffMember

    User = get_user_model()
    member_fields = [field.attname for field in StaffMember._meta.concrete_fields]
    # One row per (group, covered estate): a handful for anyone, whatever the tables hold.
    rows = list(
        User._default_manager.filter(pk=user.pk).values_list(
            "groups__name",
            "staff_member__estates__id",
            *(f"staff_member__{name}" for name in member_fields),
        )
    )
    member = None
    if rows and rows[0][2] is not None:
        member = StaffMember.from_db(user._state.db, member_fields, rows[0][2:])
        user.staff_member = member
    else:
        User.staff_member.related.set_cached_value(user, None)
    if user.is_superuser:
        roles = frozenset(ALL_ROLES)
    else:
        roles = frozenset(row[0] for row in rows if row[0] in ALL_ROLES)
    access = Access(
        roles=roles,
        member=member,
        estate_ids=frozenset(row[1] for row in rows if row[1] is not None),
    )
    user._desk_access = access
    return access


def user_roles(user) -> frozenset[str]:
    """The roles of a user; the superuser holds them all. Cached on the user object."""
    return user_access(user).roles


def staff_of(user):
    """The user's staff record, or None (anonymous, or no record)."""
    if not user or not user.is_authenticated:
        return None
    if not user.is_active:
        return getattr(user, "staff_member", None)
    return user_access(user).member
