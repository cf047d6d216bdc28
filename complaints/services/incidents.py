"""Building-wide incidents: opened, updated, resolved and closed by supervisors, each change in
one locked transaction with its own timeline entry and a version check, as complaints' actions
are. Resolving carries every linked complaint that is in resolution on to follow-up, each
through the complaints' own action layer with an event that names the incident."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import ActionForbidden, ActionRefused, StaleVersion, UnknownAction
from complaints.models import (
    Category,
    Complaint,
    DeadlineKind,
    Incident,
    IncidentEvent,
    IncidentStage,
    Liability,
    Stage,
)
from complaints.services.actions import complaint_act, resolve_together
from complaints.services.incident_clock import (
    CLOCK_KINDS,
    incident_clock_meet,
    incident_clock_start,
    incident_clock_stop,
    incident_escalations_acknowledge,
)
from complaints.services.incident_links import incident_link as incident_link  # for intake
from complaints.services.incident_links import resolution_clocks_restart
from complaints.signals import incident_changed
from residents.models import Building, Estate, Unit
from residents.names import is_visible
from staff.access import estate_ids_visible_to
from staff.roles import SUPERVISOR_PLUS, user_roles

TITLE_MAX = 200  # Incident.title's length
TEXT_MAX = 5000


@dataclass(frozen=True)
class IncidentInput:
    """What a supervisor says when opening an incident (SPEC §9.3)."""

    estate: Estate
    category: Category
    title: str
    notice: str
    expected_end: dt.datetime | None = None
    # Empty: the whole estate.
    buildings: tuple[Building, ...] = field(default_factory=tuple)


def units_covered(*, estate_id: int, building_ids: Iterable[int] = ()) -> QuerySet[Unit]:
    """The units an incident reaches: those of its buildings, or of the whole estate."""
    units = Unit.objects.filter(building__estate_id=estate_id)
    building_ids = list(building_ids)
    return units.filter(building_id__in=building_ids) if building_ids else units


def _may_act(actor: User, estate_id: int) -> None:
    covered = estate_ids_visible_to(actor)
    if covered is not None and estate_id not in covered:
        raise Http404("No such incident.")
    if not user_roles(actor) & SUPERVISOR_PLUS:
        raise ActionForbidden(_("Only a supervisor may open or change a building-wide incident."))


def _text(value: str, field_name: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not is_visible(text):
        raise ValidationError({field_name: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field_name: _("At most %(count)d characters.") % {"count": limit}})
    return text


def _future(value: dt.datetime | None, field_name: str, now: dt.datetime) -> dt.datetime | None:
    if value is not None and value <= now:
        raise ValidationError({field_name: _("Choose a time in the future.")})
    return value


def _checked(data: IncidentInput, now: dt.datetime) -> tuple[str, str]:
    title = _text(data.title, "title", TITLE_MAX)
    notice = _text(data.notice, "notice", TEXT_MAX)
    _future(data.expected_end, "expected_end", now)
    if any(building.estate_id != data.estate.pk for building in data.buildings):
        raise ValidationError({"buildings": _("Every building must be in the chosen estate.")})
    ids = [building.pk for building in data.buildings]
    if not units_covered(estate_id=data.estate.pk, building_ids=ids).exists():
        raise ValidationError({"buildings": _("No unit is covered: there is nobody to tell.")})
    return title, notice


def _reference(estate: Estate, now: dt.datetime) -> str:
    """``GG-<estate>-<yymmdd>-<n>``, numbered per estate and day. The caller holds the
    estate's row lock, which keeps the numbers sequential."""
    day = timezone.localtime(now, estate.zone).date()
    prefix = f"GG-{estate.code}-{day:%y%m%d}-"
    return f"{prefix}{Incident.objects.filter(reference__startswith=prefix).count() + 1}"


def _event(incident: Incident, actor: User | None, kind: str, at, note="", data=None) -> None:
    IncidentEvent(
        incident=incident, actor=actor, kind=kind, at=at, note=note, data=data or {}
    ).save(force_insert=True)


def incident_open(*, actor: User, data: IncidentInput) -> Incident:
    """Open an incident and tell every resident it reaches. Raises Http404 (an estate the
    actor does not cover), ActionForbidden (403) or ValidationError (400)."""
    _may_act(actor, data.estate.pk)
    now = timezone.now()
    title, notice = _checked(data, now)
    with transaction.atomic():
        estate = Estate.objects.select_for_update().get(pk=data.estate.pk)
        incident = Incident.objects.create(
            reference=_reference(estate, now),
            estate=estate,
            category=data.category,
            title=title,
            notice=notice,
            expected_end=data.expected_end,
            opened_by=actor,
            opened_at=now,
        )
        incident.buildings.set(data.buildings)
        incident_clock_start(incident=incident, now=now)
        _event(
            incident, actor, "opened", now, notice, {"buildings": [b.pk for b in data.buildings]}
        )
        incident_changed.send(Incident, incident=incident, kind="incident_opened", now=now)
    return incident


def incident_open_from(*, actor: User, data: IncidentInput, reference: str) -> Incident:
    """Open an incident from the complaint ``reference`` and link that complaint to it, both
    or neither: a complaint that cannot be linked (closed, another estate) opens nothing."""
    with transaction.atomic():
        incident = incident_open(actor=actor, data=data)
        complaint_act(
            reference=reference,
            actor=actor,
            action="link_incident",
            data={"incident": incident.pk},
        )
    return incident


# What a handler returns: the timeline note and data, the stage it leads to (or None) and the
# broadcast it causes (or "").
Change = tuple[str, dict, str | None, str]


def _update(incident: Incident, data: dict, actor: User, now: dt.datetime) -> Change:
    if incident.stage != IncidentStage.OPEN:
        raise ActionRefused(_("Only an open incident can be updated."))
    changed: dict = {}
    if "notice" in data:
        notice = _text(data["notice"], "notice", TEXT_MAX)
        if notice != incident.notice:
            changed["notice"] = True
            incident.notice = notice
    if "expected_end" in data:
        end = _future(data["expected_end"], "expected_end", now)
        if end != incident.expected_end:
            before = incident.expected_end.isoformat() if incident.expected_end else None
            changed["expected_end"] = {"before": before, "after": end.isoformat() if end else None}
            incident.expected_end = end
    if not changed:
        raise ValidationError({"notice": _("Nothing to change: give a new notice or end.")})
    # The residents have heard from the desk: that is the incident's acknowledgement.
    incident_clock_meet(incident=incident, kinds=(DeadlineKind.ACKNOWLEDGE,), at=now)
    return incident.notice, changed, None, "incident_updated"


def _resolved_linked(incident: Incident, actor: User, now: dt.datetime) -> list[str]:
    """Each linked complaint in resolution moves on to follow-up, with its own event."""
    complaints = list(
        Complaint.objects.select_related("estate", "category", "unit__building", "resident")
        .select_for_update(of=("self",))
        .filter(incident=incident, stage=Stage.RESOLUTION)
        .order_by("pk")
    )
    body = {"outcome": incident.outcome, "cause": incident.cause, "liability": incident.liability}
    resolve_together(
        complaints, actor=actor, now=now, body=body, data={"incident": incident.reference}
    )
    return [complaint.reference for complaint in complaints]


def _resolve(incident: Incident, data: dict, actor: User, now: dt.datetime) -> Change:
    if incident.stage != IncidentStage.OPEN:
        raise ActionRefused(_("This incident is resolved already."))
    incident.outcome = _text(data.get("outcome", ""), "outcome", TEXT_MAX)
    incident.cause = _text(data.get("cause", ""), "cause", TEXT_MAX, required=False)
    liability = data.get("liability", "")
    if liability not in Liability.values:
        raise ValidationError({"liability": _("Choose one of the answers offered.")})
    incident.liability = liability
    incident.resolved_at = now
    incident_clock_meet(incident=incident, kinds=CLOCK_KINDS, at=now)
    moved = _resolved_linked(incident, actor, now)
    restarted = resolution_clocks_restart(incident=incident, now=now)
    info = {"liability": liability, "complaints": moved, "clocks_restarted": restarted}
    return incident.outcome, info, IncidentStage.RESOLVED, "incident_resolved"


def _close(incident: Incident, data: dict, actor: User, now: dt.datetime) -> Change:
    if incident.stage == IncidentStage.CLOSED:
        raise ActionRefused(_("This incident is closed already."))
    if incident.stage != IncidentStage.RESOLVED:
        raise ActionRefused(_("Resolve the incident before closing it."))
    incident.closed_at = now
    incident_clock_stop(incident=incident)
    note = _text(data.get("note", ""), "note", TEXT_MAX, required=False)
    return note, {}, IncidentStage.CLOSED, ""


def _acknowledge(incident: Incident, data: dict, actor: User, now: dt.datetime) -> Change:
    """A supervisor takes the incident on: its acknowledge deadline is met, without a message
    to the residents as an update would send, and its waiting escalations are seen."""
    if incident.stage == IncidentStage.CLOSED:
        raise ActionRefused(_("This incident is closed already."))
    met = 0
    if incident.stage == IncidentStage.OPEN:
        met = incident_clock_meet(incident=incident, kinds=(DeadlineKind.ACKNOWLEDGE,), at=now)
    count = incident_escalations_acknowledge(incident=incident, actor=actor, at=now)
    if not count and not met:
        raise ActionRefused(_("Nothing of this incident is waiting to be acknowledged."))
    note = _text(data.get("note", ""), "note", TEXT_MAX, required=False)
    return note, {"escalations": count, "acknowledged": bool(met)}, None, ""


INCIDENT_ACTIONS: dict[str, Callable[[Incident, dict, User, dt.datetime], Change]] = {
    "update": _update,
    "resolve": _resolve,
    "close": _close,
    "acknowledge": _acknowledge,
}


def incident_act(
    *, incident_id: int, actor: User, action: str, data: dict, version: int | None = None
) -> Incident:
    """Take ``action`` on the incident: all of it in one transaction, or nothing. Raises
    Http404, ActionForbidden (403), StaleVersion or ActionRefused (409), ValidationError
    (400). The incident's stage changes here and nowhere else."""
    handler = INCIDENT_ACTIONS.get(action)
    if handler is None:
        raise UnknownAction(action)
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("estate", "category")
            .filter(pk=incident_id)
            .first()
        )
        if incident is None:
            raise Http404("No such incident.")
        _may_act(actor, incident.estate_id)
        if version is not None and version != incident.version:
            raise StaleVersion(
                _("Someone else changed this incident meanwhile. Reload it and try again.")
            )
        now = timezone.now()
        note, info, target, broadcast = handler(incident, data, actor, now)
        if target is not None:
            incident.stage = target
        incident.version += 1
        incident.save()
        _event(incident, actor, action, now, note, info)
        if broadcast:
            incident_changed.send(Incident, incident=incident, kind=broadcast, now=now)
    return incident
