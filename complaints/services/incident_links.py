"""A complaint linked to a building-wide incident, or unlinked from it.

While linked, the incident carries the resolution clock: the complaint keeps its acknowledge
and callback deadlines (each caller is still owed a call) but not a resolution deadline of
its own, so it is never escalated for the incident's lateness. Unlinked again, or once the
incident is resolved, its own resolution clock starts at that moment.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from complaints.models import (
    Complaint,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Incident,
    IncidentStage,
    Stage,
)
from complaints.selectors_incidents import covering, incidents_scoped
from complaints.services.context import Context, Outcome
from complaints.services.deadlines import deadline_open, deadline_pause, deadlines_cancel
from complaints.signals import history_changed
from residents.models import Unit

# Stages in which a complaint of its own has a running resolution clock: accepted, not yet
# resolved.
RESOLUTION_CLOCK_STAGES = frozenset({Stage.CLARIFICATION, Stage.RESOLUTION})


def incident_link_refusal(*, incident: Incident, estate_id: int, unit: Unit | None) -> str | None:
    """Why a complaint of that estate and unit may not be linked to ``incident``; None when
    it may. The category does not matter: a caller may name the outage under another one."""
    if incident.estate_id != estate_id:
        return _("That incident is in another estate.")
    if incident.stage != IncidentStage.OPEN:
        return _("That incident is no longer open.")
    if unit is not None and not (
        Incident.objects.filter(covering(building_id=unit.building_id), pk=incident.pk).exists()
    ):
        return _("That incident does not cover this unit's building.")
    return None


def incident_link(*, complaint: Complaint, incident: Incident | None) -> None:
    """Link the complaint to an open incident of its estate that reaches its unit (None:
    unlink). The caller holds the complaint's row lock and saves it."""
    if incident is not None:
        refused = incident_link_refusal(
            incident=incident, estate_id=complaint.estate_id, unit=complaint.unit
        )
        if refused is not None:
            raise ValidationError({"incident": refused})
    complaint.incident = incident


def own_resolution_clock(complaint: Complaint) -> bool:
    """Whether the complaint runs a resolution clock of its own: not while an open incident
    carries it."""
    incident = complaint.incident
    return incident is None or incident.stage != IncidentStage.OPEN


def _resolution_clock_open(complaint: Complaint, now) -> None:
    deadline_open(complaint=complaint, kind=DeadlineKind.RESOLUTION, start=now)
    if complaint.on_hold:
        deadline_pause(complaint=complaint, kind=DeadlineKind.RESOLUTION, at=now)


def resolution_clocks_restart(*, incident: Incident, now) -> list[str]:
    """Once the incident is resolved, each linked complaint that was accepted but is not yet
    in resolution runs its own resolution clock from ``now`` (those in resolution were carried
    on to follow-up with it; those not yet accepted start theirs when they are)."""
    running = Deadline.objects.filter(
        complaint=OuterRef("pk"),
        kind=DeadlineKind.RESOLUTION,
        state__in=[DeadlineState.PENDING, DeadlineState.PAUSED],
    )
    owed = (
        Complaint.objects.select_related("estate", "category")
        .select_for_update(of=("self",))
        .filter(incident=incident, stage=Stage.CLARIFICATION, accepted_at__isnull=False)
        .exclude(Exists(running))
        .order_by("pk")
    )
    restarted = []
    for complaint in owed:  # what ``_owes_resolution_clock`` asks of each, in one query
        _resolution_clock_open(complaint, now)
        restarted.append(complaint.reference)
    return restarted


def _owes_resolution_clock(complaint: Complaint) -> bool:
    """Accepted, not yet resolved, and no resolution clock running or paused."""
    return (
        complaint.stage in RESOLUTION_CLOCK_STAGES
        and complaint.accepted_at is not None
        and not complaint.deadlines.filter(
            kind=DeadlineKind.RESOLUTION, state__in=[DeadlineState.PENDING, DeadlineState.PAUSED]
        ).exists()
    )


def link_incident(ctx: Context) -> Outcome:
    """The action ``link_incident``: ``incident`` is an incident's id, or None to unlink."""
    complaint = ctx.complaint
    wanted = ctx.data["incident"]
    before = complaint.incident.reference if complaint.incident is not None else None
    if wanted == complaint.incident_id:
        message = (
            _("The complaint is already linked to that incident.")
            if wanted is not None
            else _("The complaint is not linked to an incident.")
        )
        raise ValidationError({"incident": message})
    incident = None
    if wanted is not None:
        # Only among the incidents the actor may see: another estate's reads as no incident.
        seen = incidents_scoped(ctx.actor) if ctx.actor is not None else Incident.objects.all()
        incident = seen.filter(pk=wanted).first()
        if incident is None:
            raise ValidationError(
                {"incident": _("No incident with the number %(id)d.") % {"id": wanted}}
            )
    incident_link(complaint=complaint, incident=incident)
    # The weekly summary counts the linked complaints of the week they were received in.
    history_changed.send(Complaint, since=complaint.received_at, estate_id=complaint.estate_id)
    if incident is not None:
        # The incident's clock now: a resolution deadline of the complaint's own stops.
        for state in (DeadlineState.PENDING, DeadlineState.PAUSED):
            deadlines_cancel(complaint=complaint, kind=DeadlineKind.RESOLUTION, state=state)
    elif _owes_resolution_clock(complaint):
        _resolution_clock_open(complaint, ctx.now)
    after = incident.reference if incident is not None else None
    return ctx.text("note"), {"incident": {"before": before, "after": after}}
