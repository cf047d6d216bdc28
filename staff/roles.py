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


# The staff record's columns the access query reads: plain values on every database. A field
# added to StaffMember later is left deferred (read on first use), never misread.
MEMBER_FIELDS = frozenset({"id", "user_id", "department_id", "phone", "language"})
_access_sql: dict[str, str] = {}


def _member_fields() -> list[str]:
    """MEMBER_FIELDS in the model's order, as ``Model.from_db`` takes them."""
    from staff.models import StaffMember

    return [f.attname for f in StaffMember._meta.concrete_fields if f.attname in MEMBER_FIELDS]


def _access_query(alias: str) -> str:
    """The access query's SQL, written by the ORM once per process and database: it is the
    same for every user, and building four joins costs more than running them."""
    if alias not in _access_sql:
        from django.contrib.auth import get_user_model

        query = (
            get_user_model()
            ._default_manager.using(alias)
            .filter(pk=0)
            .values_list(
                "groups__name",
                "staff_member__estates__id",
                *(f"staff_member__{name}" for name in _member_fields()),
            )
            .query
        )
        sql, params = query.sql_with_params()
        if list(params) != [0]:
            raise AssertionError(f"the access query takes the user id alone, not {params}")
        _access_sql[alias] = sql
    return _access_sql[alias]


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
    from django.db import connections

    from staff.models import StaffMember

    User = get_user_model()
    alias = user._state.db or User._default_manager.db
    # One row per (group, covered estate): a handful for anyone, whatever the tables hold.
    with connections[alias].cursor() as cursor:
        cursor.execute(_access_query(alias), [user.pk])
        rows = cursor.fetchall()
    member = None
    if rows and rows[0][2] is not None:
        member = StaffMember.from_db(alias, _member_fields(), rows[0][2:])
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
