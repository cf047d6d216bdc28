"""Intake: a complaint is written, numbered and timed in one transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
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
    EscalationReason,
    ReferenceCounter,
    Severity,
    Stage,
)
from complaints.selectors import estate_ids_visible_to
from complaints.services.deadlines import deadline_build
from complaints.services.escalations import escalation_build, staff_at_level
from complaints.services.timeline import event_build
from complaints.signals import complaint_received
from residents.models import Estate, Resident, Unit
from residents.phones import normalise_phone
from staff.roles import FRONT_DESK_PLUS, user_roles

# Clocks of the entering machine and the server may differ by this much.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def _counter_bump(*, estate_id: int, day: dt.date) -> int:
    """The estate-day counter plus one, in one statement (two for the day's first number).

    The row lock it takes is held until commit: every other intake for the same estate and
    day waits for it, which is what keeps the numbers sequential and never reused."""
    if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35
        return _counter_bump_without_returning(estate_id=estate_id, day=day)
    quote = connection.ops.quote_name
    table = quote(ReferenceCounter._meta.db_table)
    estate_col, day_col, last = (
        quote(ReferenceCounter._meta.get_field(name).column) for name in ("estate", "day", "last")
    )
    params = [estate_id, connection.ops.adapt_datefield_value(day)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {last} = {last} + 1 "
            f"WHERE {estate_col} = %s AND {day_col} = %s RETURNING {last}",
            params,
        )
        row = cursor.fetchone()
        if row is None:
            # The day's first intake; another may be creating the row at this very moment,
            # and then this one waits for it and counts on from its number.
            cursor.execute(
                f"INSERT INTO {table} ({estate_col}, {day_col}, {last}) VALUES (%s, %s, 1) "
                f"ON CONFLICT ({estate_col}, {day_col}) DO UPDATE SET {last} = {table}.{last} + 1 "
                f"RETURNING {last}",
                params,
            )
            row = cursor.fetchone()
    return row[0]


def _counter_bump_without_returning(*, estate_id: int, day: dt.date) -> int:
    counter = ReferenceCounter.objects.filter(estate_id=estate_id, day=day)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(estate_id=estate_id, day=day, last=1)
        except IntegrityError:
            counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()


def reference_next(*, estate: Estate, day: dt.date) -> str:
    """``TS-HY-261127-0001``: numbered per estate and day under a row lock, never reused."""
    last = _counter_bump(estate_id=estate.pk, day=day)
    return f"TS-{estate.code}-{day:%y%m%d}-{last:04d}"


def warranty_applies(*, unit: Unit | None, category: Category, on: dt.date) -> bool | None:
    """True while the defect's warranty runs from the unit's handover; None when unknown."""
    years = category.effective_warranty_years
    if unit is None or unit.handover_date is None or years is None:
        return None
    handover = unit.handover_date
    try:
        ends = handover.replace(year=handover.year + years)
    except ValueError:  # 29 February
        ends = handover.replace(year=handover.year + years, day=28)
    return on < ends


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


def _clean(
    *,
    actor,
    estate,
    unit,
    resident,
    contact_name,
    contact_phone,
    channel,
    category,
    severity,
    summary,
    account,
    desired_outcome,
    received_at,
    now,
) -> dict:
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if estate is None:
        fail("estate", _("This field is required."))
    elif (covered := estate_ids_visible_to(actor)) is not None and estate.pk not in covered:
        fail("estate", _("You do not cover this estate."))
    if unit is not None and estate is not None and unit.building.estate_id != estate.pk:
        fail("unit", _("This unit is not in the chosen estate."))
    contact_name = (contact_name or "").strip()
    phone = normalise_phone(contact_phone or "")
    if contact_phone and not (7 <= len(phone) <= 15):
        fail("contact_phone", _("Enter a phone number of 7 to 15 digits."))
    if resident is None and not contact_name:
        fail("contact_name", _("Give the complainant's name, or choose a resident."))
    if resident is None and not phone:
        fail("contact_phone", _("Give a phone number to call the complainant back on."))
    if resident is not None and not phone:
        phone = resident.phone
    if channel not in Channel.values:
        fail("channel", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Channel.values)})
    if category is None:
        fail("category", _("This field is required."))
    elif not category.active:
        fail("category", _("This category is no longer in use."))
    severity = severity or (category.default_severity if category else Severity.NORMAL)
    if severity not in Severity.values:
        fail("severity", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Severity.values)})
    desired_outcome = desired_outcome or DesiredOutcome.REPAIR
    if desired_outcome not in DesiredOutcome.values:
        fail(
            "desired_outcome",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(DesiredOutcome.values)},
        )
    summary = (summary or "").strip()
    account = (account or "").strip()
    if not summary:
        fail("summary", _("This field is required."))
    if not account:
        fail("account", _("Record the resident's own account."))
    if received_at is None:
        received_at = now
    elif not isinstance(received_at, dt.datetime) or timezone.is_naive(received_at):
        fail("received_at", _("Give a date and time with its time zone."))
        received_at = now
    elif received_at > now + FUTURE_TOLERANCE:
        fail("received_at", _("The received time cannot be in the future."))
    elif received_at < now - dt.timedelta(days=settings.DESK_BACKDATE_MAX_DAYS):
        fail(
            "received_at",
            _("Complaints can be entered up to %(days)d days back.")
            % {"days": settings.DESK_BACKDATE_MAX_DAYS},
        )
    if errors:
        raise ValidationError(errors)
    return {
        "contact_name": contact_name,
        "contact_phone": phone,
        "severity": severity,
        "desired_outcome": desired_outcome,
        "summary": summary,
        "account": account,
        "received_at": min(received_at, now),
    }


@transaction.atomic
def complaint_create(
    *,
    actor,
    estate: Estate | None,
    category: Category | None,
    channel: str,
    summary: str,
    account: str,
    unit: Unit | None = None,
    resident: Resident | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    severity: str = "",
    desired_outcome: str = "",
    received_at: dt.datetime | None = None,
) -> Complaint:
    """Log a complaint: numbered, timed, checked for a repeat (escalated at once if it is
    one), the resident and, when urgent or a repeat, the supervisors told through the outbox.

    Everything is read and computed first; the reference number is taken last, right before
    the writes, so that the estate-day counter's row lock is held for a few inserts. The
    complaint comes back with the deadlines it was written with as ``shown_deadlines``, as a
    read through ``Prefetch("deadlines", to_attr="shown_deadlines")`` has them."""
    if not user_roles(actor) & FRONT_DESK_PLUS:
        raise ActionForbidden(_("Your role may not log complaints."))
    now = timezone.now()
    clean = _clean(
        actor=actor,
        estate=estate,
        unit=unit,
        resident=resident,
        contact_name=contact_name,
        contact_phone=contact_phone,
        channel=channel,
        category=category,
        severity=severity,
        summary=summary,
        account=account,
        desired_outcome=desired_outcome,
        received_at=received_at,
        now=now,
    )
    received_at = clean.pop("received_at")
    local_day = received_at.astimezone(estate.zone).date()
    top_category = category.parent if category.parent_id else category
    repeat_of = repeat_find(
        estate=estate,
        unit=unit,
        resident=resident,
        top_category=top_category,
        received_at=received_at,
    )
    complaint = Complaint(
        estate=estate,
        unit=unit,
        resident=resident,
        channel=channel,
        category=category,
        top_category=top_category,
        received_at=received_at,
        logged_by=actor,
        in_warranty=warranty_applies(unit=unit, category=category, on=local_day),
        repeat_of=repeat_of,
        escalation_level=0,
        stage=Stage.INTAKE,
        **clean,
    )
    # One read of the calendar serves the deadline and the notifications' opening hours.
    calendar = calendar_for_estate(estate)
    deadline = deadline_build(
        complaint=complaint, kind=DeadlineKind.ACKNOWLEDGE, start=received_at, calendar=calendar
    )
    # A repeat starts at level 1: the complaint is written escalated, not updated after.
    escalation = (
        escalation_build(
            complaint=complaint, reason=EscalationReason.REPEAT, note=repeat_of.reference, now=now
        )
        if repeat_of is not None
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
    deadlines = []
    if deadline is not None:
        deadline.save(force_insert=True)
        deadlines.append(deadline)
    backdated = now - received_at > FUTURE_TOLERANCE
    events = [
        event_build(
            complaint=complaint,
            actor=actor,
            kind="created",
            at=now,
            to_stage=Stage.INTAKE,
            data={
                "channel": channel,
                "received_at": received_at.isoformat(),
                **({"backdated": True, "entered_at": now.isoformat()} if backdated else {}),
            },
        )
    ]
    if escalation is not None:
        escalation.save(force_insert=True)
        events.append(
            event_build(
                complaint=complaint,
                actor=None,
                kind="escalated",
                at=now,
                data={
                    "level": {"before": 0, "after": escalation.level},
                    "reason": EscalationReason.REPEAT,
                    "repeat_of": repeat_of.reference,
                    "escalation": escalation.pk,
                },
            )
        )
    ComplaintEvent.objects.bulk_create(events)
    complaint_received.send(
        Complaint, complaint=complaint, now=now, escalation=escalation, supervisors=supervisors
    )
    complaint.shown_deadlines = deadlines
    return complaint
