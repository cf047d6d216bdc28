"""The figures of the weekly summary (SPEC §6), each defined once, here.

Each definition is a condition for a week's ``Window``; the summary counts rows meeting it and
the worklist filters by the same condition, so a count and the list behind its link agree.

Closing and reopening are read from the timeline, not from ``closed_at``/``resolved_at``/
``satisfaction``: a reopen clears those fields, and a past week's figures must not change
because of what happened after it. Hence:

- a complaint closed in week 47 and reopened in week 48 stays *closed* in week 47, is not
  *open at the end* of week 47, and is open at the end of week 48;
- a complaint closed, reopened and closed again within one week is closed in it once, and its
  satisfaction is the rating of its last closing in that week;
- a resident's own rating (the rating page) counts in the week it was given; an unsatisfied
  one that reopens a closed complaint is a reopening like ``reopen``, from its instant on.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import pgettext_lazy

from complaints.models import (
    ComplaintEvent,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Escalation,
    Mindset,
    Satisfaction,
    Stage,
    Validity,
)
from complaints.workflow import ACTIONS
from reports.iso_weeks import IsoWeek, Span, Window
from residents.models import Estate

FIGURES = (
    "received",
    "closed",
    "open_at_end",
    "escalated",
    "overdue_at_end",
    "callbacks_on_time",
    "median_resolution_hours",
    "satisfaction",
    "follow_up_rate",
    "resident_satisfaction",
    "repeat",
    "invalid",
    # Added last: the exports' columns keep their places.
    "incident_linked",
)
# Column headings; the context keeps them apart from the same words elsewhere (a time column).
FIGURE_LABELS = {
    "received": pgettext_lazy("weekly summary", "Received"),
    "incident_linked": pgettext_lazy("weekly summary", "Incident-linked"),
    "closed": pgettext_lazy("weekly summary", "Closed"),
    "open_at_end": pgettext_lazy("weekly summary", "Open at end"),
    "escalated": pgettext_lazy("weekly summary", "Escalated"),
    "overdue_at_end": pgettext_lazy("weekly summary", "Overdue at end"),
    "callbacks_on_time": pgettext_lazy("weekly summary", "Callbacks on time"),
    "median_resolution_hours": pgettext_lazy("weekly summary", "Median hours to resolution"),
    "satisfaction": pgettext_lazy("weekly summary", "Satisfaction"),
    "follow_up_rate": pgettext_lazy("weekly summary", "Follow-up rate"),
    "resident_satisfaction": pgettext_lazy("weekly summary", "Residents' own satisfaction"),
    "repeat": pgettext_lazy("weekly summary", "Repeat complaints"),
    "invalid": pgettext_lazy("weekly summary", "Invalid"),
}
# A week not yet over has no end yet: its state figures are those of now.
NOW_LABELS = {
    "open_at_end": pgettext_lazy("weekly summary", "Open now"),
    "overdue_at_end": pgettext_lazy("weekly summary", "Overdue now"),
}


def figure_label(name: str, *, in_progress: bool = False) -> str:
    if in_progress and name in NOW_LABELS:
        return str(NOW_LABELS[name])
    return str(FIGURE_LABELS[name])


RATIOS = ("callbacks_on_time", "satisfaction", "follow_up_rate", "resident_satisfaction")
# The quality figures, given also over the complaints not linked to a building-wide incident:
# one outage that brings eighty calls would otherwise set them for the whole week.
QUALITY = (
    "callbacks_on_time",
    "median_resolution_hours",
    "satisfaction",
    "follow_up_rate",
    "resident_satisfaction",
)
RATED = (Satisfaction.SATISFIED, Satisfaction.FAIRLY, Satisfaction.UNSATISFIED)
PLEASED = (Satisfaction.SATISFIED, Satisfaction.FAIRLY)


# -- the timeline ------------------------------------------------------------------------------
# Each figure is a condition on complaints. Where it reads the timeline it is ``pk IN (entries
# of the week)``, not a correlated EXISTS: the database reads the week's entries once instead
# of probing the timeline of every complaint.

CLOSING = tuple(a.name for a in ACTIONS.values() if a.target == Stage.CLOSED)
REOPENING = tuple(
    a.name
    for a in ACTIONS.values()
    if Stage.CLOSED in a.sources and a.target not in (None, Stage.CLOSED)
)
# ``mark_resolved``, and the resolution of a building-wide incident carrying each complaint in
# resolution on to follow-up (``complaints.services.actions.resolve_together``).
INCIDENT_RESOLVED = "incident_resolved"
RESOLVING = (
    *(a.name for a in ACTIONS.values() if a.target == Stage.FOLLOW_UP),
    INCIDENT_RESOLVED,
)
# The resident's own rating from the rating page (``complaints.services.ratings``): not a
# staff action; an unsatisfied one may take a closed complaint back to resolution.
RESIDENT_RATING = "rated"


def closings() -> QuerySet[ComplaintEvent]:
    """Entries that closed a complaint (``close``, ``close_as_explained``)."""
    return ComplaintEvent.objects.filter(kind__in=CLOSING)


def _reopenings() -> QuerySet[ComplaintEvent]:
    """Entries that took a closed complaint out of ``closed``: ``reopen``, and a resident's
    unsatisfied rating that reopened it (a rating that left it closed has no ``to_stage``)."""
    return ComplaintEvent.objects.filter(
        kind__in=(*REOPENING, RESIDENT_RATING), from_stage=Stage.CLOSED
    ).exclude(to_stage__in=("", Stage.CLOSED))


def resolutions_of() -> QuerySet[ComplaintEvent]:
    """Entries that marked a complaint resolved (``mark_resolved``, or its incident's
    resolution)."""
    return ComplaintEvent.objects.filter(kind__in=RESOLVING)


def _later() -> Q:
    """An entry after the outer one; two entries of one instant are ordered by id."""
    return Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id"))


def _in(span: Span, field: str = "at") -> Q:
    return Q(**{f"{field}__gte": span.start, f"{field}__lt": span.end})


def _last_of_complaint(events: Callable[[], QuerySet[ComplaintEvent]], span: Span) -> Q:
    """An entry of ``events`` (in the span) with no later one (``_later``) of its complaint in
    the span."""
    if connection.vendor == "postgresql":
        # The same entries, found by one sort of the span's entries (DISTINCT ON) instead of
        # a probe into each one's timeline for a later entry.
        last = (
            events()
            .filter(_in(span))
            .order_by("complaint_id", "-at", "-id")
            .distinct("complaint_id")
            .values("id")
        )
        return Q(id__in=last)
    later = events().filter(_in(span), _later(), complaint_id=OuterRef("complaint_id"))
    return ~Q(Exists(later))


def last_in(events: Callable[[], QuerySet[ComplaintEvent]], span: Span):
    """Of ``events`` in the span, only each complaint's last one."""
    return events().filter(_in(span)).filter(_last_of_complaint(events, span))


def _closed_at(end) -> Q:
    """Closed at the instant ``end``, for a complaint open now or closed after ``end``: a
    closing before ``end`` that no reopening before ``end`` undid. Such a complaint was
    reopened after ``end`` (how else is it open now?), so only the few reopened then are read."""
    reopened_since = _reopenings().filter(at__gte=end).values("complaint_id")
    undone = _reopenings().filter(_later(), complaint_id=OuterRef("complaint_id"), at__lt=end)
    still_closed = (
        closings()
        .filter(at__lt=end, complaint_id__in=reopened_since)
        .filter(~Exists(undone))
        .values("complaint_id")
    )
    return Q(pk__in=still_closed)


def _open_at(end) -> Q:
    # ``closed_at`` before ``end`` means closed since then; only the rest need the timeline.
    return (
        Q(received_at__lt=end)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        & ~_closed_at(end)
    )


# -- the figures, as conditions on complaints ------------------------------------------------

# A complaint linked to a building-wide incident; ``UNLINKED`` is the rest, over which the
# quality figures are given a second time. On rows of the complaints' other tables (deadlines,
# timeline entries) the same through ``complaint__``.
LINKED = Q(incident__isnull=False)
UNLINKED = Q(incident__isnull=True)
UNLINKED_COMPLAINT = Q(complaint__incident__isnull=True)


def received(window: Window) -> Q:
    """Received: the complaint's received time falls in the week."""
    return window.within("received_at")


def closed(window: Window) -> Q:
    """Closed: the complaint was closed (closed or closed as explained) during the week, even
    if it was reopened later; counted once however often it closed in the week."""
    return window.each(lambda s: Q(pk__in=closings().filter(_in(s)).values("complaint_id")))


def open_at_end(window: Window) -> Q:
    """Open at end: received before the week's end and not closed at that instant (a complaint
    closed after the end, or closed and reopened before it, is open)."""
    return window.each(lambda s: _open_at(s.end))


def escalated(window: Window) -> Q:
    """Escalated: at least one escalation (any reason, any level) created during the week."""
    return window.each(
        lambda s: Q(pk__in=Escalation.objects.filter(_in(s, "created_at")).values("complaint_id"))
    )


def overdue_at_end(window: Window) -> Q:
    """Overdue at end: open at the week's end with a deadline due before the end and not met by
    then (unmet, or met at or after the end). Cancelled deadlines are no longer owed; a paused
    one (resolution clock on hold) was stopped before it fell due, so neither counts."""

    def overdue(span: Span) -> Q:
        owed = (
            Deadline.objects.filter(complaint=OuterRef("pk"), due_at__lt=span.end)
            .exclude(state__in=(DeadlineState.CANCELLED, DeadlineState.PAUSED))
            .filter(Q(met_at__isnull=True) | Q(met_at__gte=span.end))
        )
        # Open first: the deadlines are read only for complaints open at the end.
        return _open_at(span.end) & Q(Exists(owed))

    return window.each(overdue)


def incident_linked(window: Window) -> Q:
    """Incident-linked: received in the week and linked to a building-wide incident (counted
    in ``received`` as well)."""
    return received(window) & LINKED


def repeat(window: Window) -> Q:
    """Repeat complaints: received in the week and linked to an earlier one as a repeat."""
    return received(window) & Q(repeat_of__isnull=False)


def invalid(window: Window) -> Q:
    """Invalid: closed in the week (as above) and judged invalid."""
    return closed(window) & Q(validity=Validity.INVALID)


def rated(window: Window) -> Q:
    """Satisfaction's denominator: closed in the week with a rating (satisfied, fairly
    satisfied or unsatisfied; ``unreachable`` or none is no rating) at its last closing in the
    week. The rating is the one the closing recorded, which neither a later reopen nor a
    resident's later rating changes.

    Follow-up rate: these over ``closed``, the share of the week's closings that recorded a
    rating."""
    return _rating_in(window, RATED)


def pleased(window: Window) -> Q:
    """Satisfaction's numerator: of those, rated satisfied or fairly satisfied."""
    return _rating_in(window, PLEASED)


def _rating_in(window: Window, ratings) -> Q:
    def rating(span: Span) -> Q:
        last = last_in(closings, span).filter(data__satisfaction__in=list(ratings))
        return Q(pk__in=last.values("complaint_id"))

    return window.each(rating)


COUNTS: dict[str, Callable[[Window], Q]] = {
    "received": received,
    "incident_linked": incident_linked,
    "closed": closed,
    "open_at_end": open_at_end,
    "escalated": escalated,
    "overdue_at_end": overdue_at_end,
    "repeat": repeat,
    "invalid": invalid,
}


def _received_wanting(mindset: str) -> Callable[[Window], Q]:
    def condition(window: Window) -> Q:
        return received(window) & Q(mindset=mindset)

    return condition


# What the residents wanted (the procedure's three mindsets), of the complaints received in
# the week; those the desk did not judge are the rest of ``received``. Given apart from the
# figures' table, as ``mindsets`` in each set of figures.
MINDSET_COUNTS = {f"mindset_{value}": _received_wanting(value) for value in Mindset.values}
MINDSET_LABELS = {
    "mindset_vent": pgettext_lazy("weekly summary", "To be heard"),
    "mindset_respect": pgettext_lazy("weekly summary", "To be respected"),
    "mindset_compensation": pgettext_lazy("weekly summary", "To be compensated"),
}
COUNTS.update(MINDSET_COUNTS)
# For a form field naming one of them.
COUNT_LABELS = {name: {**FIGURE_LABELS, **MINDSET_LABELS}[name] for name in COUNTS}


# -- the figures that are not counts of complaints -------------------------------------------


def callbacks_due(window: Window, *, now) -> Q:
    """Callbacks on time, denominator (on Deadline rows): first-callback deadlines due in the
    week, not cancelled, and already due (``now`` matters only for the current week)."""
    return (
        Q(kind=DeadlineKind.FIRST_CALLBACK, due_at__lte=now)
        & ~Q(state=DeadlineState.CANCELLED)
        & window.within("due_at", estate="complaint__estate_id")
    )


# Callbacks on time, numerator: of those, the ones met by their due time.
CALLBACK_ON_TIME = Q(met_at__lte=F("due_at"))


def resident_ratings_of() -> QuerySet[ComplaintEvent]:
    """Entries of the residents' own ratings (satisfied, fairly satisfied or unsatisfied)."""
    return ComplaintEvent.objects.filter(
        kind=RESIDENT_RATING, data__rating__in=[str(r) for r in RATED]
    )


def resident_rated(window: Window) -> Q:
    """Residents' own satisfaction, denominator (on those ComplaintEvent rows): the ratings
    given during the week, counted each, per category of the complaint rated. A rating belongs
    to the week it was given in, whenever the complaint was closed; it changes no earlier week
    (nor the staff-recorded ``satisfaction`` of the closing it follows)."""
    return window.within("at", estate="complaint__estate_id")


# Residents' own satisfaction, numerator: of those, satisfied or fairly satisfied.
RESIDENT_PLEASED = Q(data__rating__in=[str(r) for r in PLEASED])


def resolutions(window: Window) -> Q:
    """Median time to resolution (on ComplaintEvent rows): complaints marked resolved in the
    week, each once (its last resolution in the week), timed from its received time to that
    resolution, in hours. Read from the timeline because a reopen clears ``resolved_at``."""

    def last_in_span(span: Span) -> Q:
        return _in(span) & _last_of_complaint(resolutions_of, span)

    return Q(kind__in=RESOLVING) & window.each(last_in_span, estate="complaint__estate_id")


# -- the worklist's link to a count ----------------------------------------------------------


def figure_filter(*, figure: str, week: str | IsoWeek) -> Q:
    """The complaints behind a count of the summary, in every estate's own week.

    Raises ValueError for an unknown figure or a malformed week.
    """
    if figure not in COUNTS:
        raise ValueError(f"not a countable figure: {figure!r}")
    week = week if isinstance(week, IsoWeek) else IsoWeek.parse(week)
    window = Window.build(week, Estate.objects.values_list("id", "time_zone"))
    return COUNTS[figure](window)
