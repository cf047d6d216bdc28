"""The complaint workflow in one table: stages, actions, who may take them, what they need.

Services enforce this table, the API and the pages read it to show what is possible, and the
README draws it. ``Complaint.stage`` is assigned in one place only: ``services.complaint_act``,
from ``Action.target``.

Each action's inputs (``complaints.inputs.Input``) are declared here and nowhere else: their
choices and lengths, what is required, the page's labels. The page forms and the API
serializers are generated from them, and ``complaint_act`` holds every body to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from complaints import guards
from complaints.errors import ActionForbidden, ActionRefused
from complaints.inputs import Input, Kind
from complaints.models import (
    Complaint,
    EscalationReason,
    Liability,
    Satisfaction,
    Stage,
    Validity,
)
from staff.models import Department
from staff.roles import EVERYONE, FRONT_DESK_PLUS, HANDLER, SUPERVISOR_PLUS, user_roles

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

OPEN_STAGES = frozenset({Stage.INTAKE, Stage.CLARIFICATION, Stage.RESOLUTION, Stage.FOLLOW_UP})
ALL_STAGES = OPEN_STAGES | {Stage.CLOSED}

# The longest free text an action keeps, unless its input says otherwise.
TEXT_MAX = 5000
# How far ahead a time agreed with the resident, and a hold's expected end, may lie (SPEC
# §9.1): further off, the deadline they set would never come.
CALLBACK_MAX_AHEAD = timedelta(days=30)
HOLD_MAX_AHEAD = timedelta(days=90)
# Inputs stored in, or looked up by, a column are as long as that column.
HOLD_REASON_MAX = Complaint._meta.get_field("hold_reason").max_length
DEPARTMENT_CODE_MAX = Department._meta.get_field("code").max_length
USERNAME_MAX = get_user_model()._meta.get_field("username").max_length
# The version a client read is a complaint's version, an integer column's number.
VERSION_MAX = 2**31 - 1


@dataclass(frozen=True)
class Action:
    name: str
    label: StrOrPromise
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    inputs: tuple[Input, ...] = ()
    guard: guards.Guard | None = None
    help: StrOrPromise = ""

    @property
    def changes_stage(self) -> bool:
        return self.target is not None

    @property
    def requires(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.inputs if spec.required)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "accept",
            _("Accept"),
            frozenset({Stage.INTAKE}),
            Stage.CLARIFICATION,
            FRONT_DESK_PLUS,
            help=_("Take the complaint on; starts the callback and resolution clocks."),
        ),
        Action(
            "close_as_explained",
            _("Close as explained"),
            frozenset({Stage.CLARIFICATION}),
            Stage.CLOSED,
            FRONT_DESK_PLUS,
            inputs=(
                Input(
                    "validity",
                    Kind.CHOICE,
                    _("Validity"),
                    choices=(Validity.INVALID, Validity.VALID),
                ),
                Input(
                    "explanation",
                    Kind.TEXT,
                    _("The explanation given"),
                    max_length=TEXT_MAX,
                    canned=True,
                ),
            ),
        ),
        Action(
            "plan_resolution",
            _("Plan the resolution"),
            frozenset({Stage.CLARIFICATION}),
            Stage.RESOLUTION,
            FRONT_DESK_PLUS,
            inputs=(
                Input(
                    "validity",
                    Kind.CHOICE,
                    _("Validity"),
                    choices=(Validity.VALID, Validity.ASSISTED),
                ),
                Input(
                    "department",
                    Kind.DEPARTMENT,
                    _("Handling department"),
                    max_length=DEPARTMENT_CODE_MAX,
                ),
                Input(
                    "plan",
                    Kind.TEXT,
                    _("The plan agreed with the resident"),
                    max_length=TEXT_MAX,
                    canned=True,
                ),
                Input(
                    "callback_due_at",
                    Kind.DATETIME,
                    _("Agreed callback time"),
                    max_ahead=CALLBACK_MAX_AHEAD,
                ),
            ),
        ),
        Action(
            "mark_resolved",
            _("Mark resolved"),
            frozenset({Stage.RESOLUTION}),
            Stage.FOLLOW_UP,
            frozenset({HANDLER}) | SUPERVISOR_PLUS,
            inputs=(
                Input("outcome", Kind.TEXT, _("What was done"), max_length=TEXT_MAX),
                Input("cause", Kind.TEXT, _("Cause"), max_length=TEXT_MAX, rows=2),
                Input("liability", Kind.CHOICE, _("Liability"), choices=tuple(Liability)),
            ),
            guard=guards.handler_of_department,
        ),
        Action(
            "close",
            _("Close after follow-up"),
            frozenset({Stage.FOLLOW_UP}),
            Stage.CLOSED,
            FRONT_DESK_PLUS,
            inputs=(
                Input("satisfaction", Kind.CHOICE, _("Satisfaction"), choices=tuple(Satisfaction)),
                Input("summary", Kind.TEXT, _("Follow-up summary"), max_length=TEXT_MAX),
            ),
        ),
        Action(
            "reopen",
            _("Reopen"),
            frozenset({Stage.FOLLOW_UP, Stage.CLOSED}),
            Stage.RESOLUTION,
            FRONT_DESK_PLUS,
            inputs=(Input("reason", Kind.TEXT, _("Why it is reopened"), max_length=TEXT_MAX),),
            guard=guards.reopen_guard,
        ),
        Action(
            "escalate",
            _("Escalate"),
            OPEN_STAGES,
            None,
            EVERYONE,
            inputs=(
                Input(
                    "reason",
                    Kind.CHOICE,
                    _("Reason"),
                    choices=(
                        EscalationReason.UNSATISFIED,
                        EscalationReason.REFUSED_TIME,
                        EscalationReason.OTHER,
                    ),
                ),
                Input("note", Kind.TEXT, _("Note"), required=False, max_length=TEXT_MAX, rows=2),
            ),
            guard=guards.below_top_level,
        ),
        Action(
            "log_callback",
            _("Log a callback"),
            OPEN_STAGES,
            None,
            FRONT_DESK_PLUS,
            inputs=(
                Input(
                    "reached",
                    Kind.BOOL,
                    _("Reached the resident?"),
                    answers=(_("yes, reached"), _("no, not reached")),
                    invalid=_("Say whether the resident was reached (true or false)."),
                ),
                Input(
                    "note",
                    Kind.TEXT,
                    _("What was said"),
                    required=False,
                    max_length=TEXT_MAX,
                    rows=2,
                ),
                Input(
                    "next_callback_at",
                    Kind.DATETIME,
                    _("Next agreed callback (optional)"),
                    required=False,
                    max_ahead=CALLBACK_MAX_AHEAD,
                ),
            ),
        ),
        Action(
            "assign",
            _("Assign"),
            OPEN_STAGES,
            None,
            frozenset({HANDLER}) | SUPERVISOR_PLUS,
            # Each is optional on its own; the action itself asks for a department or a person.
            inputs=(
                Input(
                    "department",
                    Kind.DEPARTMENT,
                    _("Department"),
                    required=False,
                    max_length=DEPARTMENT_CODE_MAX,
                ),
                Input(
                    "assignee",
                    Kind.ASSIGNEE,
                    _("Person"),
                    required=False,
                    max_length=USERNAME_MAX,
                ),
                Input("note", Kind.TEXT, _("Note"), required=False, max_length=TEXT_MAX, rows=2),
            ),
            guard=guards.department_lead,
        ),
        Action(
            "take",
            _("Take it on"),
            # Until it is resolved: once the department's work is done there is nothing to take.
            frozenset({Stage.INTAKE, Stage.CLARIFICATION, Stage.RESOLUTION}),
            None,
            frozenset({HANDLER}),
            guard=guards.takeable,
            help=_("You become the person handling it for your department."),
        ),
        Action(
            "hold",
            _("Put on hold"),
            frozenset({Stage.RESOLUTION}),
            None,
            SUPERVISOR_PLUS,
            inputs=(
                Input("reason", Kind.LINE, _("What it waits for"), max_length=HOLD_REASON_MAX),
                Input("until", Kind.DATETIME, _("Expected end"), max_ahead=HOLD_MAX_AHEAD),
            ),
            guard=guards.not_on_hold,
        ),
        Action(
            "release",
            _("Release the hold"),
            frozenset({Stage.RESOLUTION}),
            None,
            SUPERVISOR_PLUS,
            inputs=(
                Input("reason", Kind.TEXT, _("Note"), required=False, max_length=TEXT_MAX, rows=2),
            ),
            guard=guards.on_hold,
        ),
        Action(
            "link_incident",
            _("Link to a building-wide incident"),
            OPEN_STAGES,
            None,
            SUPERVISOR_PLUS,
            inputs=(
                Input("incident", Kind.INCIDENT, _("Incident (none: unlink)"), required=False),
                Input("note", Kind.TEXT, _("Note"), required=False, max_length=TEXT_MAX, rows=2),
            ),
            help=_(
                "While linked, the incident carries the resolution deadline; the complaint "
                "keeps its own acknowledge and callback deadlines."
            ),
        ),
        Action(
            "add_note",
            _("Add a note"),
            ALL_STAGES,
            None,
            EVERYONE,
            inputs=(Input("text", Kind.TEXT, _("Note"), max_length=10000),),
        ),
    )
}


# What acknowledging an escalation may be given besides a person: a new agreed callback time,
# held to the same limit as the actions' own.
ACKNOWLEDGE_INPUTS = (
    Input(
        "callback_due_at",
        Kind.DATETIME,
        _("New callback time"),
        required=False,
        max_ahead=CALLBACK_MAX_AHEAD,
    ),
)


def role_refusal(action: Action, user: User | AnonymousUser) -> ActionForbidden | None:
    """The part of ``refusal`` that does not depend on the complaint: may this role ever?"""
    if not user_roles(user) & action.roles:
        return ActionForbidden(
            _("Your role may not take the action “%(action)s”.") % {"action": action.label}
        )
    return None


def refusal(
    action: Action, complaint: Complaint, user: User | AnonymousUser
) -> ActionRefused | None:
    """Why ``user`` may not take ``action`` on ``complaint`` now, or None when they may.

    The caller has already established that the user may see the complaint.
    """
    if refused := role_refusal(action, user):
        return refused
    roles = user_roles(user)
    if complaint.stage not in action.sources:
        return ActionRefused(
            _("“%(action)s” is not possible while the complaint is in %(stage)s.")
            % {"action": action.label, "stage": Stage(complaint.stage).label}
        )
    if action.guard is not None:
        return action.guard(complaint, user, roles)
    return None


def available_actions(complaint: Complaint, user: User | AnonymousUser) -> list[str]:
    """The actions ``refusal`` allows, by the same three tests, without wording a refusal for
    each of the others (an API page asks this of fifty complaints)."""
    roles = user_roles(user)
    return [
        name
        for name, action in ACTIONS.items()
        if roles & action.roles
        and complaint.stage in action.sources
        and (action.guard is None or action.guard(complaint, user, roles) is None)
    ]


def transitions() -> list[tuple[str, str, str]]:
    """(from, action, to) for every stage-changing action, to draw the diagram."""
    return [
        (source, action.name, action.target)
        for action in ACTIONS.values()
        if action.target
        for source in sorted(action.sources)
    ]
