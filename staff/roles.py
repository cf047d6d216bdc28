"""Roles are Django groups, created by a migration; these are their names."""

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


def user_roles(user) -> frozenset[str]:
    """The roles of a user; the superuser holds them all. Cached on the user object."""
    if not user or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_desk_roles", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roles = frozenset(ALL_ROLES)
    else:
        roles = frozenset(
            name for name in user.groups.values_list("name", flat=True) if name in ALL_ROLES
        )
    user._desk_roles = roles
    return roles
