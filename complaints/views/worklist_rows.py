"""The worklist's rows as the page shows them: every cell's text worked out here, in one loop,
so that the template only places them (no include, tag or filter per cell)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils.text import capfirst

from complaints.display import choice_labels, local, time_left
from complaints.models import Complaint, DeadlineKind, Severity, Stage
from residents.phones import mask_phone


@dataclass(frozen=True)
class Row:
    reference: str
    url: str
    received: str
    unit: str  # empty: a common area
    complainant: str
    phone: str
    category: str
    summary: str
    severity: str
    severity_label: str
    stage: str
    on_hold: bool
    level: int
    incident: Incident | None
    deadline: Due | None


@dataclass(frozen=True)
class Incident:
    reference: str
    title: str
    url: str


@dataclass(frozen=True)
class Due:
    text: str
    kind: str
    overdue: bool


def _due(complaint: Complaint, now: dt.datetime, kinds: dict[str, str]) -> Due | None:
    owed = complaint.owed_deadlines  # type: ignore[attr-defined]
    if not owed:
        return None
    left = time_left(owed[0].due_at, now)
    return Due(left.text, capfirst(kinds.get(owed[0].kind, owed[0].kind)), left.overdue)


def _incident(complaint: Complaint) -> Incident | None:
    incident = complaint.incident
    if incident is None:
        return None
    url = reverse("complaints:incident", args=[incident.pk])
    return Incident(incident.reference, incident.title, url)


def worklist_rows(complaints: Sequence[Complaint], *, now: dt.datetime) -> list[Row]:
    """``complaints`` read with their estate, category (and its parent), unit and building,
    resident, incident and owed deadlines."""
    severities, stages, kinds = map(choice_labels, (Severity, Stage, DeadlineKind))
    return [
        Row(
            reference=c.reference,
            url=reverse("complaints:detail", args=[c.reference]),
            received=local(c.received_at, c.estate.zone),
            unit=c.unit.label if c.unit is not None else "",
            complainant=c.complainant_name,
            phone=mask_phone(c.contact_phone) if c.contact_phone else "",
            category=c.category.path,
            summary=c.summary,
            severity=c.severity,
            severity_label=capfirst(severities.get(c.severity, c.severity)),
            stage=capfirst(stages.get(c.stage, c.stage)),
            on_hold=c.on_hold,
            level=c.escalation_level,
            incident=_incident(c),
            deadline=_due(c, now, kinds),
        )
        for c in complaints
    ]
