"""A building-wide incident told to every resident it reaches: one text message per phone
number per update, however many units, residents or linked complaints share that number,
written in one insert with the change that causes it. At its resolution, a caller whose
complaint it resolved is told of that complaint instead, with its status link."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from complaints.models import Complaint, DeadlineKind, Incident, Severity
from complaints.services.incidents import units_covered
from notifications.outbox import Outbox
from notifications.progress import local_minute, notify_resolved
from notifications.quiet import quiet_wake
from residents.models import Resident
from residents.phones import normalise_phone


def _phones(incident: Incident, now: dt.datetime) -> dict[str, str]:
    """Each phone number of the residents living in the covered units and of the callers of
    its linked complaints, with its language."""
    today = timezone.localtime(now, incident.estate.zone).date()
    units = units_covered(
        estate_id=incident.estate_id,
        building_ids=incident.buildings.values_list("pk", flat=True),
    )
    living = Q(residencies__unit__in=units) & (
        Q(residencies__end__isnull=True) | Q(residencies__end__gte=today)
    )
    phones: dict[str, str] = {}
    for phone, language in (
        Resident.objects.filter(living).exclude(phone="").values_list("phone", "language")
    ):
        phones.setdefault(phone, language)
    # Those who rang about it hear of it too, registered in the covered units or not.
    for contact, phone, language in Complaint.objects.filter(incident=incident).values_list(
        "contact_phone", "resident__phone", "resident__language"
    ):
        if number := normalise_phone(contact or phone or ""):
            phones.setdefault(number, language or "zh-hans")
    return phones


def _said(incident: Incident, kind: str) -> tuple[str, dict[str, str]]:
    """The message and its template's variables, in the active language."""
    if kind == "incident_resolved":
        params = {"title": incident.title, "outcome": incident.outcome[:60]}
        text = _("[%(title)s] Resolved: %(outcome)s Thank you for your patience.") % params
        return text, params
    params = {
        "title": incident.title,
        "notice": incident.notice[:60],
        "end": local_minute(incident.estate, incident.expected_end) or "-",
    }
    if kind == "incident_updated":
        text = _("[%(title)s] Update: %(notice)s Now expected to end by %(end)s.") % params
    else:
        text = _("[%(title)s] %(notice)s Expected to end by %(end)s.") % params
    return text, params


def _callers_told(outbox: Outbox, incident: Incident, now: dt.datetime) -> set[str]:
    """Each caller whose complaint the resolution carried on to follow-up hears of that
    complaint, with its status link: once per phone, by the first of their complaints."""
    told: set[str] = set()
    carried = (
        Complaint.objects.filter(incident=incident, resolved_at=incident.resolved_at)
        .select_related("estate", "resident")
        .order_by("pk")
    )
    for complaint in carried:
        resident = complaint.resident
        phone = normalise_phone(complaint.contact_phone or (resident.phone if resident else ""))
        if phone and phone not in told:
            told.add(phone)
            notify_resolved(outbox=outbox, complaint=complaint, now=now)
    return told


def notify_incident(*, outbox: Outbox, incident: Incident, kind: str, now: dt.datetime) -> None:
    """One message to each phone number of the covered units' residents. Quiet hours hold it,
    unless the incident's category is urgent; the day's limit does not. At the resolution, a
    caller whose complaint it resolved hears of that complaint instead."""
    urgent = incident.category.default_severity == Severity.URGENT
    not_before = now if urgent else quiet_wake(incident.estate, now)
    told = _callers_told(outbox, incident, now) if kind == "incident_resolved" else set()
    said: dict[str, tuple[str, dict[str, str]]] = {}
    for phone, language in _phones(incident, now).items():
        if phone in told:
            continue
        if language not in said:
            with override(language):
                said[language] = _said(incident, kind)
        text, params = said[language]
        outbox.text_to_resident(
            incident=incident,
            address=phone,
            language=language,
            kind=kind,
            key=f"gg{incident.pk}:v{incident.version}:{kind}:{phone}",
            text=text,
            params=params,
            urgent=True,
            not_before=not_before,
        )


def notify_incident_escalation(*, outbox: Outbox, escalation, now: dt.datetime) -> None:
    """The people of the escalation's level hear that the incident's deadline was missed."""
    incident = escalation.incident

    def subject():
        return _("[Escalated to level %(level)d] %(reference)s %(title)s") % {
            "level": escalation.level,
            "reference": incident.reference,
            "title": incident.title,
        }

    def body():
        kind = DeadlineKind(escalation.deadline.kind).label
        lead = _("The building-wide incident missed its %(deadline)s deadline (due %(due)s).")
        return (
            lead
            % {"deadline": kind, "due": local_minute(incident.estate, escalation.overdue_since)}
            + "\n\n"
            + incident.notice
        )

    outbox.to_staff(
        incident=incident,
        users=outbox.staff(estate_id=incident.estate_id, level=escalation.level),
        kind="incident_escalation",
        key=f"ggesc{escalation.pk}",
        subject=subject,
        body=body,
        now=now,
    )
