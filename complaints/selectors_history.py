"""The history intake shows beside a call: what the chosen unit or resident complained about in
the last twelve months, so the desk can place a caller's "second time" beyond the repeat
window. Read within the reader's estates; a unit or resident the reader does not cover has no
history here, as if it did not exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from complaints.models import Complaint
from complaints.selectors import complaints_visible_to, estates_visible_to
from residents.models import Estate
from residents.selectors import residents_visible_to, units_visible_to

HISTORY_WINDOW = dt.timedelta(days=365)
HISTORY_ROWS = 5


@dataclass(frozen=True)
class IntakeHistory:
    """The latest complaints (at most ``HISTORY_ROWS``, newest first) and how many more the
    window holds. ``estate`` is the chosen estate, whose time zone the dates are read in."""

    estate: Estate | None = None
    recent: list[Complaint] = field(default_factory=list)
    more: int = 0


def complaint_history(
    *,
    user: User | AnonymousUser,
    estate_code: str,
    unit_id: int | None,
    resident_id: int | None,
    now: dt.datetime,
) -> IntakeHistory:
    """The complaints of the estate chosen on the form that are about the unit or made by the
    resident (one list when both are chosen), received in the ``HISTORY_WINDOW`` before ``now``.
    A unit of another estate, or a unit or resident ``user`` does not cover, adds nothing."""
    estate = estates_visible_to(user).filter(code=estate_code).first()
    if estate is None:
        return IntakeHistory()
    unit_seen = (
        unit_id is not None
        and units_visible_to(user).filter(pk=unit_id, building__estate=estate).exists()
    )
    resident_seen = (
        resident_id is not None and residents_visible_to(user).filter(pk=resident_id).exists()
    )
    if not (unit_seen or resident_seen):
        return IntakeHistory()
    party = Q(unit_id=unit_id) if unit_seen else Q()
    if resident_seen:
        party |= Q(resident_id=resident_id)
    complaints = complaints_visible_to(user).filter(
        party, estate=estate, received_at__gt=now - HISTORY_WINDOW, received_at__lte=now
    )
    recent = list(
        complaints.select_related("category__parent").order_by("-received_at", "-id")[:HISTORY_ROWS]
    )
    more = complaints.count() - len(recent) if len(recent) == HISTORY_ROWS else 0
    return IntakeHistory(estate=estate, recent=recent, more=more)
