"""The resident's own rating, from the rating page that the status link leads to."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import AlreadyRated
from complaints.models import (
    RESIDENT_RATINGS,
    Complaint,
    EscalationReason,
    Satisfaction,
    SatisfactionSource,
    Stage,
)
from complaints.services.actions import carry_out, escalation_raise, reopened
from complaints.services.context import Context, Outcome

# The longest comment the rating page keeps.
COMMENT_MAX = 500


def _rated(ctx: Context) -> Outcome:
    """The resident's own answer; an unsatisfied one reopens a closed complaint to the
    supervisors, or escalates an open one."""
    complaint, rating = ctx.complaint, ctx.data["rating"]
    complaint.resident_rating = rating
    complaint.resident_rated_at = ctx.now
    complaint.resident_comment = ctx.text("comment")
    data: dict = {"rating": rating, "source": SatisfactionSource.RESIDENT}
    if complaint.satisfaction != rating:
        data["satisfaction"] = {"before": complaint.satisfaction or None, "after": rating}
    complaint.satisfaction = rating
    complaint.satisfaction_source = SatisfactionSource.RESIDENT
    if rating == Satisfaction.UNSATISFIED:
        if ctx.data["reopen"]:
            reopened(ctx)
            data["reopened"] = True
        if complaint.stage != Stage.CLOSED or ctx.data["reopen"]:
            data.update(
                escalation_raise(ctx, reason=EscalationReason.UNSATISFIED, note=ctx.text("comment"))
            )
    return ctx.text("comment"), data


def complaint_rate(*, complaint_id: int, rating: str, comment: str = "") -> Complaint:
    """Record the resident's rating from the rating page: once per complaint.

    Raises ValidationError (400) for a rating not offered or a comment too long, and
    AlreadyRated (409) for a second rating, changing nothing.
    """
    if rating not in RESIDENT_RATINGS:
        raise ValidationError({"rating": _("Choose one of the answers offered.")})
    comment = " ".join(comment.replace("\x00", "").split())
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("Keep the comment under %(count)d characters.") % {"count": COMMENT_MAX}}
        )
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_related("estate", "category", "unit__building", "resident")
            .select_for_update(of=("self",))
            .get(pk=complaint_id)
        )
        if complaint.resident_rated_at is not None:
            raise AlreadyRated(_("This complaint has been rated already. Thank you."))
        now = timezone.now()
        closed = complaint.stage == Stage.CLOSED
        # Reopened only within the window in which the desk itself may reopen it.
        window = dt.timedelta(days=settings.DESK_REOPEN_MAX_DAYS)
        reopen = bool(
            rating == Satisfaction.UNSATISFIED
            and closed
            and complaint.closed_at
            and now - complaint.closed_at <= window
        )
        carry_out(
            Context(
                complaint=complaint,
                actor=None,
                data={"rating": rating, "comment": comment, "reopen": reopen},
                now=now,
            ),
            action="rated",
            handler=_rated,
            target=Stage.RESOLUTION if reopen else None,
        )
    return complaint
