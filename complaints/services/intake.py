"""Intake: a complaint is written, numbered and timed in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.clock import calendar_for_estate
from complaints.errors import ActionForbidden
from complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    DeadlineKind,
    DesiredOutcome,
    Escalation,
    EscalationReason,
    Incident,
    Mindset,
    Severity,
    Stage,
)
from complaints.selectors import estate_ids_visible_to
from complaints.services.deadlines import deadline_build
from complaints.services.escalations import escalation_build, staff_at_level
from complaints.services.intake_incidents import intake_incident_link, intake_incident_refusal
from complaints.services.references import reference_next
from complaints.services.timeline import event_build
from complaints.services.warranty import warranty_applies
from complaints.signals import complaint_received
from residents.models import Estate, Resident, Unit
from residents.names import INVISIBLE_NAME_MESSAGE, is_visible
from residents.phones import normalise_phone
from residents.selectors import resident_lives_in
from staff.roles import FRONT_DESK_PLUS, user_roles

# Clocks of the entering machine and the server may differ by this much.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def repeat_find(
    *,
    estate: Estate,
    unit: Unit | None,
    resident: Resident | None,
    top_category: Category,
    received_at: dt.datetime,
) -> Complaint | None:
    """The latest complaint of the same unit or resident and category in the repeat window."""
    if unit is None and resident is None:
        return None
    same_party = Q(unit=unit) if unit is not None else Q()
    if resident is not None:
        same_party |= Q(resident=resident)
    since = received_at - dt.timedelta(days=settings.DESK_REPEAT_WINDOW_DAYS)
    return (
        Complaint.objects.filter(
            same_party,
            estate=estate,
            top_category=top_category,
            received_at__gte=since,
            received_at__lte=received_at,
        )
        .order_by("-received_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class ComplaintInput:
    """What the desk is told when a complaint is logged: the API's and the intake form's fields
    (SPEC §7). Empty texts and choices take their defaults; ``complaint_create`` checks it all."""

    estate: Estate | None
    category: Category | None
    channel: str
    summary: str
    account: str
    unit: Unit | None = None
    resident: Resident | None = None
    contact_name: str = ""
    contact_phone: str = ""
    severity: str = ""
    desired_outcome: str = ""
    # To be heard, respected or compensated (``Mindset``); empty when not judged.
    mindset: str = ""
    received_at: dt.datetime | None = None
    # An open building-wide incident of the estate that reaches the unit: linked at intake.
    incident: Incident | None = None


@dataclass(frozen=True)
class _Checked:
    """A ``ComplaintInput`` that passed every check, with its defaults filled in."""

    estate: Estate
    category: Category
    contact_name: str
    contact_phone: str
    severity: str
    desired_outcome: str
    mindset: str
    summary: str
    account: str
    received_at: dt.datetime


Errors = dict[str, list[str]]


def _fail(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _choices_message(values: list[str]) -> str:
    return _("Choose one of: %(choices)s.") % {"choices": ", ".join(values)}


def _check_place(data: ComplaintInput, actor: User, errors: Errors) -> None:
    estate, unit = data.estate, data.unit
    if estate is None:
        _fail(errors, "estate", _("This field is required."))
    elif (covered := estate_ids_visible_to(actor)) is not None and estate.pk not in covered:
        _fail(errors, "estate", _("You do not cover this estate."))
    if unit is not None and estate is not None and unit.building.estate_id != estate.pk:
        _fail(errors, "unit", _("This unit is not in the chosen estate."))
    # Its name and phone show to all who read the estate: not to another estate's desk.
    if data.resident and estate and not resident_lives_in(resident=data.resident, estate=estate):
        _fail(errors, "resident", _("This resident does not live in the chosen estate."))
    if refusal := intake_incident_refusal(incident=data.incident, estate=estate, unit=unit):
        _fail(errors, "incident", refusal)


def _check_contact(data: ComplaintInput, errors: Errors) -> tuple[str, str]:
    """The contact's name and phone (digits; the resident's own when none is given)."""
    name = (data.contact_name or "").strip()
    phone = normalise_phone(data.contact_phone or "")
    if data.contact_phone and not (7 <= len(phone) <= 15):
        _fail(errors, "contact_phone", _("Enter a phone number of 7 to 15 digits."))
    if name and not is_visible(name):
        _fail(errors, "contact_name", str(INVISIBLE_NAME_MESSAGE))
    elif data.resident is None and not name:
        _fail(errors, "contact_name", _("Give the complainant's name, or choose a resident."))
    if data.resident is None and not phone:
        _fail(errors, "contact_phone", _("Give a phone number to call the complainant back on."))
    if data.resident is not None and not phone:
        phone = data.resident.phone
    return name, phone


def _check_choices(data: ComplaintInput, errors: Errors) -> tuple[str, str]:
    """The severity (the category's default when none) and the desired outcome; the mindset
    is checked too (empty is allowed: not judged)."""
    if data.channel not in Channel.values:
        _fail(errors, "channel", _choices_message(Channel.values))
    category = data.category
    if category is None:
        _fail(errors, "category", _("This field is required."))
    elif not category.active:
        _fail(errors, "category", _("This category is no longer in use."))
    severity = data.severity or (category.default_severity if category else Severity.NORMAL)
    if severity not in Severity.values:
        _fail(errors, "severity", _choices_message(Severity.values))
    desired_outcome = data.desired_outcome or DesiredOutcome.REPAIR
    if desired_outcome not in DesiredOutcome.values:
        _fail(errors, "desired_outcome", _choices_message(DesiredOutcome.values))
    if data.mindset and data.mindset not in Mindset.values:
        _fail(errors, "mindset", _choices_message(Mindset.values))
    return severity, desired_outcome


def _check_received_at(data: ComplaintInput, now: dt.datetime, errors: Errors) -> dt.datetime:
    received_at = data.received_at
    if received_at is None:
        return now
    if not isinstance(received_at, dt.datetime) or timezone.is_naive(received_at):
        _fail(errors, "received_at", _("Give a date and time with its time zone."))
        return now
    refusal = received_at_refusal(received_at, now)
    if refusal:
        _fail(errors, "received_at", refusal)
    return min(received_at, now)


def received_at_refusal(received_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why a complaint cannot be entered as received at ``received_at``, if it cannot."""
    if received_at > now + FUTURE_TOLERANCE:
        return _("The received time cannot be in the future.")
    if received_at < now - dt.timedelta(days=settings.DESK_BACKDATE_MAX_DAYS):
        return _("Complaints can be entered up to %(days)d days back.") % {
            "days": settings.DESK_BACKDATE_MAX_DAYS
        }
    return None


def _checked(data: ComplaintInput, *, actor: User, now: dt.datetime) -> _Checked:
    """Every check at once, so that a form shows every mistake; raises ValidationError."""
    errors: Errors = {}
    _check_place(data, actor, errors)
    contact_name, contact_phone = _check_contact(data, errors)
    severity, desired_outcome = _check_choices(data, errors)
    summary = (data.summary or "").strip()
    account = (data.account or "").strip()
    if not summary:
        _fail(errors, "summary", _("This field is required."))
    elif not is_visible(summary):
        _fail(errors, "summary", _("Write the summary in visible characters."))
    if not account:
        _fail(errors, "account", _("Record the resident's own account."))
    elif not is_visible(account):
        _fail(errors, "account", _("Write the account in visible characters."))
    received_at = _check_received_at(data, now, errors)
    if errors:
        raise ValidationError(errors)
    assert data.estate is not None and data.category is not None  # both checked above
    return _Checked(
        estate=data.estate,
        category=data.category,
        contact_name=contact_name,
        contact_phone=contact_phone,
        severity=severity,
        desired_outcome=desired_outcome,
        mindset=data.mindset or "",
        summary=summary,
        account=account,
        received_at=received_at,
    )


def _complaint_build(
    data: ComplaintInput, checked: _Checked, *, actor: User, local_day: dt.date
) -> Complaint:
    """The complaint as it will be written, unsaved and not yet numbered."""
    category = checked.category
    top_category = category.parent if category.parent is not None else category
    return Complaint(
        estate=checked.estate,
        unit=data.unit,
        resident=data.resident,
        contact_name=checked.contact_name,
        contact_phone=checked.contact_phone,
        channel=data.channel,
        category=category,
        top_category=top_category,
        severity=checked.severity,
        summary=checked.summary,
        account=checked.account,
        desired_outcome=checked.desired_outcome,
        mindset=checked.mindset,
        received_at=checked.received_at,
        logged_by=actor,
        in_warranty=warranty_applies(unit=data.unit, category=category, on=local_day),
        repeat_of=repeat_find(
            estate=checked.estate,
            unit=data.unit,
            resident=data.resident,
            top_category=top_category,
            received_at=checked.received_at,
        ),
        escalation_level=0,
        stage=Stage.INTAKE,
    )


def _intake_events(
    complaint: Complaint, escalation: Escalation | None, *, actor: User, now: dt.datetime
) -> list[ComplaintEvent]:
    data: dict[str, Any] = {
        "channel": complaint.channel,
        "received_at": complaint.received_at.isoformat(),
    }
    if now - complaint.received_at > FUTURE_TOLERANCE:
        data.update(backdated=True, entered_at=now.isoformat())
    if complaint.incident is not None:
        data["incident"] = complaint.incident.reference
    events = [
        event_build(
            complaint=complaint,
            actor=actor,
            kind="created",
            at=now,
            to_stage=Stage.INTAKE,
            data=data,
        )
    ]
    if escalation is not None and complaint.repeat_of is not None:
        events.append(
            event_build(
                complaint=complaint,
                actor=None,
                kind="escalated",
                at=now,
                data={
                    "level": {"before": 0, "after": escalation.level},
                    "reason": EscalationReason.REPEAT,
                    "repeat_of": complaint.repeat_of.reference,
                    "escalation": escalation.pk,
                },
            )
        )
    return events


@transaction.atomic
def complaint_create(*, actor: User, data: ComplaintInput) -> Complaint:
    """Log a complaint: numbered, timed, checked for a repeat (escalated at once if it is
    one), linked to the building-wide incident it is about if one is given, the resident and,
    when urgent or a repeat, the supervisors told through the outbox.

    Everything is read and computed first; the reference number is taken last, right before
    the writes, so that the estate-day counter's row lock is held for a few inserts. The
    complaint comes back with the deadlines it was written with as ``shown_deadlines``, as a
    read through ``Prefetch("deadlines", to_attr="shown_deadlines")`` has them."""
    if not user_roles(actor) & FRONT_DESK_PLUS:
        raise ActionForbidden(_("Your role may not log complaints."))
    now = timezone.now()
    checked = _checked(data, actor=actor, now=now)
    estate, received_at = checked.estate, checked.received_at
    local_day = received_at.astimezone(estate.zone).date()
    complaint = _complaint_build(data, checked, actor=actor, local_day=local_day)
    # One read of the calendar serves the deadline and the notifications' opening hours.
    calendar = calendar_for_estate(estate)
    deadline = deadline_build(
        complaint=complaint, kind=DeadlineKind.ACKNOWLEDGE, start=received_at, calendar=calendar
    )
    intake_incident_link(complaint=complaint, incident=data.incident)
    # A repeat starts at level 1: the complaint is written escalated, not updated after. A
    # second call about the same incident is not escalated: the incident's clock carries it.
    repeat_of = complaint.repeat_of
    escalation = (
        escalation_build(
            complaint=complaint, reason=EscalationReason.REPEAT, note=repeat_of.reference, now=now
        )
        if repeat_of is not None
        and (complaint.incident_id is None or repeat_of.incident_id != complaint.incident_id)
        else None
    )
    # Who answers at level 1 hears of a repeat or an urgent complaint. Read now: once the
    # reference counter is taken, its row lock is held for the inserts alone.
    supervisors = (
        staff_at_level(estate_id=estate.pk, level=1)
        if escalation is not None or complaint.severity == Severity.URGENT
        else []
    )
    complaint.reference = reference_next(estate=estate, day=local_day)
    complaint.save(force_insert=True)
    if deadline is not None:
        deadline.save(force_insert=True)
    if escalation is not None:
        escalation.save(force_insert=True)
    ComplaintEvent.objects.bulk_create(_intake_events(complaint, escalation, actor=actor, now=now))
    complaint_received.send(
        Complaint, complaint=complaint, now=now, escalation=escalation, supervisors=supervisors
    )
    complaint.shown_deadlines = [deadline] if deadline is not None else []
    return complaint
