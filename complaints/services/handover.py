"""Handing a complaint to a department (派单) and its people taking it on (接单).

A hand-over without a person starts the take-over clock (``DeadlineKind.TAKE_OVER``): the
department has the policy's minutes to say who handles it, by ``take`` or by its lead's
``assign``. Naming the person, in the same action or later, meets it. Every hand-over is
announced (``signals.complaint_dispatched``) inside the transaction that makes it, so that
the department's people are told exactly when it happened, and never when it did not.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from complaints.errors import ActionForbidden
from complaints.models import Complaint, DeadlineKind, DeadlineState
from complaints.services.context import Context, Outcome
from complaints.services.deadlines import deadline_open, deadlines_cancel, deadlines_meet
from complaints.signals import complaint_dispatched
from staff.models import Department, StaffMember
from staff.names import person_name
from staff.roles import SUPERVISOR_PLUS, user_roles


def handed_over(*, complaint: Complaint, now: dt.datetime) -> None:
    """The complaint now stands with ``complaint.department``, and perhaps a person: restart
    the take-over clock unless the person is named, and tell them."""
    deadlines_cancel(complaint=complaint, kind=DeadlineKind.TAKE_OVER, state=DeadlineState.PENDING)
    if complaint.assignee_id is None:
        deadline_open(complaint=complaint, kind=DeadlineKind.TAKE_OVER, start=now)
    complaint_dispatched.send(Complaint, complaint=complaint, now=now)


def taken(*, complaint: Complaint, now: dt.datetime) -> list[str]:
    """Someone of the department has it: the take-over clock is met."""
    return deadlines_meet(complaint=complaint, kinds=(DeadlineKind.TAKE_OVER,), at=now)


def _member(complaint: Complaint, username: str) -> StaffMember:
    member = (
        StaffMember.objects.select_related("user", "department")
        .filter(user__username=username, user__is_active=True, estates=complaint.estate_id)
        .first()
    )
    if member is None:
        raise ValidationError(
            {
                "assignee": _("No active staff member “%(name)s” covers this estate.")
                % {"name": username}
            }
        )
    return member


def _eligible(member: StaffMember, department: Department | None) -> None:
    """An assignee belongs to the department the complaint stands with after the action."""
    name = person_name(member.user)
    if member.department is None:
        raise ValidationError(
            {
                "assignee": _("%(name)s belongs to no department and cannot handle complaints.")
                % {"name": name}
            }
        )
    if department is not None and member.department_id != department.pk:
        raise ValidationError(
            {
                "assignee": _(
                    "%(name)s is in %(theirs)s, not in %(department)s, which handles this "
                    "complaint. Choose someone of %(department)s, or hand it to %(theirs)s "
                    "in the same step."
                )
                % {"name": name, "theirs": member.department.name, "department": department.name}
            }
        )


def _lead_within_department(ctx: Context) -> None:
    """A department's lead assigns within the department; moving it elsewhere is a
    supervisor's call."""
    if user_roles(ctx.actor) & SUPERVISOR_PLUS:
        return
    complaint = ctx.complaint
    code = ctx.text("department")
    if code and (complaint.department is None or code != complaint.department.code):
        raise ActionForbidden(
            _("A department's lead assigns within the department; a supervisor hands it on.")
        )


def assignment_apply(ctx: Context) -> Outcome:
    complaint = ctx.complaint
    if not ctx.text("department") and not ctx.text("assignee"):
        raise ValidationError({"department": _("Give a department, an assignee, or both.")})
    _lead_within_department(ctx)
    data: dict = {}
    before = complaint.assignee.username if complaint.assignee is not None else None
    department = ctx.department() if ctx.text("department") else complaint.department
    member = _member(complaint, username) if (username := ctx.text("assignee")) else None
    if member is not None:
        _eligible(member, department)
        department = department or member.department
    assert department is not None  # given, the complaint's own, or the assignee's
    moved = department.pk != complaint.department_id
    if moved:
        data["department"] = {
            "before": complaint.department.code if complaint.department is not None else None,
            "after": department.code,
        }
        complaint.department = department
        if member is None:
            # Handed to another department: whoever had it there has it no longer.
            complaint.assignee = None
    if member is not None:
        data["assignee"] = {"before": before, "after": member.user.username}
        complaint.assignee = member.user
    if moved:
        handed_over(complaint=complaint, now=ctx.now)
    elif member is not None:
        # The department's person named: its take-over clock is met, and they are told.
        if met := taken(complaint=complaint, now=ctx.now):
            data["deadlines_met"] = met
        complaint_dispatched.send(Complaint, complaint=complaint, now=ctx.now)
    return ctx.text("note"), data


def take(ctx: Context) -> Outcome:
    """A handler of the complaint's department takes it on (the guard saw to who may)."""
    complaint = ctx.complaint
    actor = ctx.actor
    assert actor is not None  # ``take`` is a staff action (``workflow.ACTIONS``)
    complaint.assignee = actor
    return "", {
        "assignee": {"before": None, "after": actor.get_username()},
        "deadlines_met": taken(complaint=complaint, now=ctx.now),
    }
