"""Acknowledging an escalation: someone at its level has taken it on."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import ActionRefused
from complaints.inputs import inputs_clean
from complaints.models import Complaint, Escalation
from complaints.selectors import complaint_get, escalations_visible_to
from complaints.services.context import Context
from complaints.services.deadlines import deadline_agree
from complaints.services.handover import assignment_apply
from complaints.services.timeline import event_record
from complaints.signals import complaint_progressed
from complaints.workflow import ACKNOWLEDGE_INPUTS, ACTIONS


def escalation_acknowledge(
    *,
    escalation_id: int,
    actor: User,
    callback_due_at: dt.datetime | None = None,
    assignee: str = "",
    note: str = "",
) -> Escalation:
    reference = (
        escalations_visible_to(actor)
        .filter(pk=escalation_id)
        .values_list("complaint__reference", flat=True)
        .first()
    )
    if reference is None:
        raise Http404("No such escalation.")
    now = timezone.now()
    with transaction.atomic():
        complaint = complaint_get(user=actor, reference=reference, for_update=True)
        escalation = Escalation.objects.select_for_update().get(pk=escalation_id)
        if escalation.acknowledged_at is not None:
            raise ActionRefused(_("This escalation was already acknowledged."))
        data: dict = {"escalation": escalation.pk, "level": escalation.level}
        if callback_due_at is not None:
            inputs_clean(ACKNOWLEDGE_INPUTS, {"callback_due_at": callback_due_at})
            if callback_due_at <= now:
                raise ValidationError({"callback_due_at": _("Choose a time in the future.")})
            deadline_agree(complaint=complaint, due=callback_due_at, start=now)
            data["callback_due_at"] = callback_due_at.isoformat()
        if assignee:
            # Held to the assign action's own inputs, as if that action had been taken.
            body = inputs_clean(ACTIONS["assign"].inputs, {"assignee": assignee})
            _note, assigned = assignment_apply(
                Context(complaint=complaint, actor=actor, data=body, now=now)
            )
            data.update(assigned)
        escalation.acknowledged_at = now
        escalation.acknowledged_by = actor
        escalation.next_reminder_at = None
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by", "next_reminder_at"])
        complaint.version += 1
        complaint.save()
        event_record(
            complaint=complaint,
            actor=actor,
            kind="escalation_acknowledged",
            at=now,
            note=note,
            data=data,
        )
        if callback_due_at is not None:
            # A new time agreed with the resident: whoever tells them hears of it.
            complaint_progressed.send(
                Complaint, complaint=complaint, action="escalation_acknowledged", now=now
            )
    return escalation
