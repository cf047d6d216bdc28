"""The resident's own rating, from the rating page that the status link leads to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import ActionRefused, AlreadyRated
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

# A complaint is rated once it is resolved: at the follow-up, or after closing.
RATED_STAGES = (Stage.FOLLOW_UP, Stage.CLOSED)
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
        data.update(
            escalation_raise(ctx, reason=EscalationReason.UNSATISFIED, note=ctx.text("comment"))
        )
    return ctx.text("comment"), data


def complaint_rate(*, complaint_id: int, rating: str, comment: str = "") -> Complaint:
    """Record the resident's rating from the rating page: once per complaint.

    Raises ValidationError (400) for a rating not offered or a comment too long,
    AlreadyRated (409) for a second rating and ActionRefused (409) before it is resolved,
    changing nothing.
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
        if complaint.stage not in RATED_STAGES:
            raise ActionRefused(
                _("It can be rated once it is resolved. We will send you the link then.")
            )
        now = timezone.now()
        # Unsatisfied reopens a closed complaint, however long ago it closed: the link that
        # asked the question is valid for 90 days after closing.
        reopen = rating == Satisfaction.UNSATISFIED and complaint.stage == Stage.CLOSED
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
