"""How the incident page words its timeline, deadlines and escalations."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.display import (
    choice_labels,
    deadline_explanation,
    deadline_state,
    local,
    time_left,
)
from complaints.models import DeadlineKind, DeadlineState, Incident, IncidentStage, Liability
from complaints.selectors_incidents import (
    incident_deadlines,
    incident_escalations,
    incident_events,
)
from residents.names import names_list

# The timeline's kinds: "opened", then the names of the incident's actions.
INCIDENT_EVENT_LABELS = {
    "opened": gettext_lazy("Incident opened"),
    "update": gettext_lazy("Notice updated"),
    "resolve": gettext_lazy("Incident resolved"),
    "close": gettext_lazy("Incident closed"),
    "acknowledge": gettext_lazy("Acknowledged"),
}


def _when(value: str | None, zone: zoneinfo.ZoneInfo) -> str:
    if not value:
        return "—"
    try:
        return local(dt.datetime.fromisoformat(value), zone)
    except ValueError:
        return value


def event_details(data: dict, incident: Incident) -> list[tuple[str, str]]:
    """An incident event's ``data`` as (label, text) pairs."""
    zone = incident.estate.zone
    rows: list[tuple[str, str]] = []
    if "buildings" in data:
        names = {b.pk: b.name for b in incident.buildings.all()}
        covered = [names.get(pk, str(pk)) for pk in data["buildings"]]
        rows.append((_("buildings"), names_list(covered) or _("the whole estate")))
    if data.get("notice"):
        rows.append((_("public notice"), _("changed")))
    if isinstance(data.get("expected_end"), dict):
        change = data["expected_end"]
        text = f"{_when(change.get('before'), zone)} → {_when(change.get('after'), zone)}"
        rows.append((_("expected end"), text))
    if data.get("liability") in Liability.values:
        rows.append((_("liability"), str(Liability(data["liability"]).label)))
    if "complaints" in data:
        rows.append((_("complaints moved to follow-up"), names_list(data["complaints"]) or "—"))
    if data.get("clocks_restarted"):
        restarted = names_list(data["clocks_restarted"])
        rows.append((_("complaints whose own resolution clock now runs"), restarted))
    if data.get("acknowledged"):
        rows.append((_("acknowledge deadline"), _("met")))
    if data.get("escalations"):
        rows.append((_("escalations acknowledged"), str(data["escalations"])))
    return rows


def incident_timeline(incident: Incident) -> list[dict]:
    return [
        {
            "event": event,
            "label": str(INCIDENT_EVENT_LABELS.get(event.kind, event.kind)),
            "details": event_details(event.data or {}, incident),
            "system": event.actor_id is None,
        }
        for event in incident_events(incident=incident)
    ]


def incident_deadline_rows(incident: Incident, now: dt.datetime) -> list[dict]:
    """The rows of ``complaints/_deadlines.html``: a finished incident owes nothing, so a
    deadline it missed shows no time overdue that would grow for ever."""
    zone = incident.estate.zone
    owing = incident.stage == IncidentStage.OPEN
    rows = []
    for deadline in incident_deadlines(incident=incident).exclude(state=DeadlineState.CANCELLED):
        state = deadline_state(deadline, now)
        still_owed = deadline.state in (DeadlineState.PENDING, DeadlineState.MISSED)
        rows.append(
            {
                "deadline": deadline,
                "state": state,
                "state_label": DeadlineState(state).label,
                "left": time_left(deadline.due_at, now) if still_owed and owing else None,
                "overdue": state == DeadlineState.MISSED and owing,
                "explanation": deadline_explanation(deadline.explanation or {}, zone),
            }
        )
    return rows


def incident_escalation_rows(incident: Incident) -> list[dict]:
    kinds = choice_labels(DeadlineKind)
    return [
        {"escalation": escalation, "kind": kinds.get(escalation.deadline.kind, "")}
        for escalation in incident_escalations(incident=incident)
    ]
