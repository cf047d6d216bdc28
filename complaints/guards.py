"""The guards of ``workflow.ACTIONS``: why an action may not happen now, or None when it may.

A guard is called after the role and the stage were checked, with the roles already read.
``ActionForbidden`` (403) says the person may not; ``ActionRefused`` (409) says the complaint
is not in a state for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.errors import ActionForbidden, ActionRefused
from complaints.models import Complaint, Stage
from complaints.models.choices import MAX_ESCALATION_LEVEL
from staff.models import StaffMember
from staff.names import person_name
from staff.roles import SUPERVISOR_PLUS, staff_of

# A guard returns the refusal (an exception instance) when the action may not happen now.
Guard = Callable[[Complaint, User | AnonymousUser, frozenset[str]], ActionRefused | None]


def _of_its_department(complaint: Complaint, user: User | AnonymousUser) -> StaffMember | None:
    """The user's staff record if they work in the department the complaint stands with."""
    staff = staff_of(user)
    if staff is None or staff.department_id is None:
        return None
    return staff if staff.department_id == complaint.department_id else None


def handler_of_department(
    complaint: Complaint, user: User | AnonymousUser, roles: frozenset[str]
) -> ActionRefused | None:
    if roles & SUPERVISOR_PLUS:
        return None
    if _of_its_department(complaint, user) is None:
        return ActionForbidden(
            _("Only the handling department or a supervisor may mark it resolved.")
        )
    return None


def reopen_guard(
    complaint: Complaint, user: User | AnonymousUser, roles: frozenset[str]
) -> ActionRefused | None:
    if complaint.stage != Stage.CLOSED:
        return None
    if not roles & SUPERVISOR_PLUS:
        return ActionForbidden(_("Only a supervisor may reopen a closed complaint."))
    limit = timedelta(days=settings.DESK_REOPEN_MAX_DAYS)
    if complaint.closed_at and timezone.now() - complaint.closed_at > limit:
        return ActionRefused(
            _("It was closed more than %(days)d days ago and can no longer be reopened.")
            % {"days": settings.DESK_REOPEN_MAX_DAYS}
        )
    return None


def below_top_level(
    complaint: Complaint, user: User | AnonymousUser, roles: frozenset[str]
) -> ActionRefused | None:
    if complaint.escalation_level >= MAX_ESCALATION_LEVEL:
        return ActionRefused(_("It is already escalated to the highest level."))
    return None


def not_on_hold(
    complaint: Complaint, user: User | AnonymousUser, roles: frozenset[str]
) -> ActionRefused | None:
    if complaint.on_hold:
        return ActionRefused(_("It is already on hold."))
    return None


def on_hold(
    complaint: Complaint, user: User | AnonymousUser, roles: frozenset[str]
) -> ActionRefused | None:
    if not complaint.on_hold:
        return ActionRefused(_("It is not on hold."))
    return None


def department_lead(
    complaint: Complaint, user: User | AnonymousUser, roles: frozenset[str]
) -> ActionRefused | None:
    """Supervisors assign anywhere; a handler only as the lead of the complaint's department."""
    if roles & SUPERVISOR_PLUS:
        return None
    staff = _of_its_department(complaint, user)
    if staff is None or not staff.lead:
        return ActionForbidden(
            _("Only a supervisor, or the lead of the department handling it, may assign it.")
        )
    return None


def takeable(
    complaint: Complaint, user: User | AnonymousUser, roles: frozenset[str]
) -> ActionRefused | None:
    """A handler of the complaint's department takes it, while nobody has it."""
    if _of_its_department(complaint, user) is None:
        return ActionForbidden(_("Only the department it was handed to may take it on."))
    holder = complaint.assignee
    if holder is not None:
        if holder.pk == user.pk:
            return ActionRefused(_("You have taken it on already."))
        return ActionRefused(_("%(name)s has taken it on already.") % {"name": person_name(holder)})
    return None
