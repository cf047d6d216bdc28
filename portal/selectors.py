"""What the resident's own pages read about one complaint: only what the resident told us, what
we promised them and what we sent them. Never staff names, notes, evidence or the timeline."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from complaints.models import Complaint, Deadline, DeadlineKind, DeadlineState, Stage
from complaints.services.ratings import RATED_STAGES
from complaints.status_links import VALID_AFTER_CLOSING
from notifications.models import Notification

# The four stages of the workflow in the words a resident uses.
PLAIN_STAGES = {
    Stage.INTAKE: pgettext_lazy("status page", "Received"),
    Stage.CLARIFICATION: pgettext_lazy("status page", "In progress"),
    Stage.RESOLUTION: pgettext_lazy("status page", "In progress"),
    Stage.FOLLOW_UP: pgettext_lazy("status page", "Resolved, awaiting our follow-up call"),
    Stage.CLOSED: pgettext_lazy("status page", "Closed"),
}
# Deadlines that end in a call to the resident; take-over is the desk's own business.
CALL_KINDS = (DeadlineKind.ACKNOWLEDGE, DeadlineKind.FIRST_CALLBACK, DeadlineKind.AGREED_CALLBACK)
# Never the last four digits of any phone: what a complaint without one is compared with.
NO_DIGITS = "----"
_NON_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True)
class NextSteps:
    """The times promised to the resident that are still to come."""

    call_by: dt.datetime | None
    resolve_by: dt.datetime | None
    follow_up_by: dt.datetime | None


def plain_stage(complaint: Complaint) -> str:
    return str(PLAIN_STAGES[Stage(complaint.stage)])


def next_steps(complaint: Complaint) -> NextSteps:
    pending = list(
        Deadline.objects.filter(complaint=complaint, state=DeadlineState.PENDING)
        .exclude(kind=DeadlineKind.TAKE_OVER)
        .order_by("due_at", "id")
        .values_list("kind", "due_at")
    )

    def first(*kinds: str) -> dt.datetime | None:
        return next((due_at for kind, due_at in pending if kind in kinds), None)

    return NextSteps(
        call_by=first(*CALL_KINDS),
        resolve_by=first(DeadlineKind.RESOLUTION),
        follow_up_by=first(DeadlineKind.FOLLOW_UP),
    )


def messages_sent(complaint: Complaint) -> QuerySet[Notification]:
    """The text messages this complaint sent to the resident, oldest first; a merged one went
    together with another."""
    return (
        Notification.objects.filter(
            complaint=complaint,
            audience=Notification.Audience.RESIDENT,
            channel=Notification.Channel.SMS,
            status__in=(Notification.Status.SENT, Notification.Status.MERGED),
        )
        .annotate(shown_at=Coalesce("sent_at", "created_at"))
        .order_by("shown_at", "id")
        .only("body", "sent_at", "created_at")
    )


def complaint_phone(complaint: Complaint) -> str:
    """The number the desk texts about this complaint."""
    if complaint.contact_phone:
        return complaint.contact_phone
    return complaint.resident.phone if complaint.resident is not None else ""


def may_rate(complaint: Complaint) -> bool:
    return complaint.stage in RATED_STAGES and complaint.resident_rated_at is None


def complaint_for_lookup(
    *, reference: str, phone_last4: str, now: dt.datetime | None = None
) -> Complaint | None:
    """The complaint with this reference whose phone ends in these digits, while its status link
    is valid. An unknown reference and wrong digits cost the same: one query, one comparison of
    four characters in constant time."""
    now = now or timezone.now()
    complaint = (
        Complaint.objects.select_related("resident")
        .filter(reference=reference)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=now - VALID_AFTER_CLOSING))
        .only("pk", "contact_phone", "resident__phone")
        .first()
    )
    digits = _NON_DIGITS.sub("", complaint_phone(complaint)) if complaint is not None else ""
    expected = digits[-4:] if len(digits) >= 4 else NO_DIGITS
    matches = hmac.compare_digest(expected.encode(), phone_last4.encode())
    return complaint if matches and complaint is not None else None
