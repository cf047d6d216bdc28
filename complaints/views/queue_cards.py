"""The escalation queue's cards as the page shows them: each card's words and links worked out
here, in one loop, so that the template only places them (as the worklist's rows)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from complaints.display import duration, local
from complaints.models import Escalation
from residents.phones import mask_phone
from staff.names import person_html


def _place(escalation: Escalation) -> str:
    complaint = escalation.complaint
    if complaint.unit is None:
        return complaint.estate.name
    return f"{complaint.estate.name} · {complaint.unit.label}"


def card(entry: dict, *, now: dt.datetime) -> dict:
    """``entry``: the escalation with its reason, deadline kind and severity label, read with
    its complaint's estate, unit, resident, category and assignee."""
    escalation: Escalation = entry["escalation"]
    complaint = escalation.complaint
    zone = complaint.estate.zone
    reason = capfirst(entry["reason"])
    if entry["deadline_kind"]:
        reason = f"{reason}: {capfirst(entry['deadline_kind'])}"
    on_hold = ""
    if complaint.on_hold:
        on_hold = _("on hold until %(until)s") % {"until": local(complaint.hold_until, zone)}
    phone = mask_phone(complaint.contact_phone) if complaint.contact_phone else ""
    return {
        "pk": escalation.pk,
        "level": _("Level %(level)s") % {"level": escalation.level},
        "reference": complaint.reference,
        "detail_url": reverse("complaints:detail", args=[complaint.reference]),
        "acknowledge_url": reverse("complaints:escalation-acknowledge", args=[escalation.pk]),
        "escalate_url": reverse("complaints:action", args=[complaint.reference, "escalate"]),
        "severity": complaint.severity,
        "severity_label": capfirst(entry["severity"]),
        "on_hold": on_hold,
        "reason": reason,
        # A missed deadline's note is its kind's code, already said in words.
        "note": escalation.note if escalation.reason != "deadline_missed" else "",
        "summary": complaint.summary,
        "waiting": duration(now - escalation.created_at),
        "complainant": f"{complaint.complainant_name} · {phone}",
        "category": complaint.category.path,
        "assignee": person_html(complaint.assignee) or "—",
        "place": _place(escalation),
        "raised": local(escalation.created_at, zone),
        "can_escalate": complaint.escalation_level < 3 and not complaint.closed_at,
        "version": complaint.version,
    }
