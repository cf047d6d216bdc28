"""Reads of complaints, always through one scoping rule: ``complaints_visible_to``, which
applies ``staff.access``. What a user may not see answers as if it did not exist.

The estate rules are named here too (``estates_visible_to``, ``estate_ids_visible_to``): the
complaint pages, the API and the reports choose their estates through this module.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from complaints.listing import count_link
from complaints.models import (
    CannedExplanation,
    Complaint,
    ComplaintEvent,
    Deadline,
    DeadlineState,
    Escalation,
    Stage,
)
from complaints.received import received_match
from complaints.search import search_match, search_text
from residents.models import Estate
from residents.selectors import estates_visible_to as estates_visible_to
from staff.access import complaint_scope, escalation_floor
from staff.access import estate_ids_visible_to as estate_ids_visible_to


def complaints_visible_to(user: User | AnonymousUser) -> QuerySet[Complaint]:
    return Complaint.objects.filter(complaints_visible_condition(user, prefix=""))


def complaints_visible_condition(user: User | AnonymousUser, *, prefix: str) -> Q:
    """The complaints ``user`` may see, as a condition on the complaint a row refers to through
    ``prefix`` (``complaint__``; empty for the complaints themselves): a probe of each row's
    complaint, where a list of the visible complaints would be read whole (a million for a
    manager) to test a few rows against it."""
    scope = complaint_scope(user)
    if scope.estate_ids is None:
        return Q()
    if not scope.estate_ids:
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}estate_id__in": sorted(scope.estate_ids)})
    if scope.department_id is not None:
        condition &= Q(**{f"{prefix}department_id": scope.department_id})
    return condition


def complaint_get(
    *, user: User | AnonymousUser, reference: str, for_update: bool = False
) -> Complaint:
    """The complaint if ``user`` may see it; otherwise Http404, exactly as if it did not exist."""
    related = (
        "estate",
        "unit__building",
        "resident",
        "category__parent",
        "top_category",
        "department",
        "assignee",
        "repeat_of",
        "logged_by",
        "incident",
    )
    if not for_update:
        # A read: visibility and the joined rows in one query.
        complaint = (
            complaints_visible_to(user).filter(reference=reference).select_related(*related).first()
        )
        if complaint is None:
            raise Http404("No complaint with that reference.")
        return complaint
    pk = (
        complaints_visible_to(user).filter(reference=reference).values_list("pk", flat=True).first()
    )
    if pk is None:
        raise Http404("No complaint with that reference.")
    # Lock the complaint row alone; the joined rows are read, not locked.
    queryset = Complaint.objects.select_related(*related).select_for_update(of=("self",))
    return queryset.get(pk=pk)


def complaint_list(
    *, user: User | AnonymousUser, filters: dict | None = None
) -> QuerySet[Complaint]:
    """The complaints ``user`` sees, filtered. ``filters``: stage, category, severity, estate
    (code), building, department (code), department_id, assignee_id, overdue, escalated, week
    and figure, q (``complaints.search``), and the received days: received_from / received_to
    (dates) or period (``complaints.received.PERIODS``)."""
    filters = filters or {}
    queryset = complaints_visible_to(user).select_related(
        "estate",
        "unit__building",
        "resident",
        "category__parent",
        "department",
        "assignee",
    )
    if stage := filters.get("stage"):
        queryset = queryset.filter(stage=stage)
    if category := filters.get("category"):
        queryset = queryset.filter(Q(category__code=category) | Q(top_category__code=category))
    if severity := filters.get("severity"):
        queryset = queryset.filter(severity=severity)
    if estate := filters.get("estate"):
        # The estate's id, read in the same statement (docs/benchmarks.md, "Query shapes").
        estate_id = Estate.objects.filter(code=estate).order_by().values("id")[:1]
        queryset = queryset.filter(estate_id=Subquery(estate_id))
    if (building := filters.get("building")) is not None:
        queryset = queryset.filter(unit__building_id=building)
    if department := filters.get("department"):
        queryset = queryset.filter(department__code=department)
    if filters.get("department_id"):
        queryset = queryset.filter(department_id=filters["department_id"])
    if filters.get("assignee_id"):
        queryset = queryset.filter(assignee_id=filters["assignee_id"])
    if filters.get("overdue"):
        # Past due and not met: still pending, or already marked missed by the sweep.
        overdue = Deadline.objects.filter(
            complaint=OuterRef("pk"),
            state__in=[DeadlineState.PENDING, DeadlineState.MISSED],
            due_at__lt=timezone.now(),
        )
        queryset = queryset.filter(Exists(overdue))
        if not stage or stage == Stage.CLOSED:
            # Closed complaints owe nothing; another chosen stage implies it already.
            queryset = queryset.exclude(stage=Stage.CLOSED)
    if filters.get("escalated"):
        queryset = queryset.filter(escalation_level__gt=0)
    if filters.get("figure") and filters.get("week") and (link := count_link()):
        # The complaints behind one count of the weekly summary, by the summary's definition.
        queryset = queryset.filter(link.condition(figure=filters["figure"], week=filters["week"]))
    if any(filters.get(key) for key in ("period", "received_from", "received_to")):
        queryset = queryset.filter(_received(user, filters))
    if q := search_text(filters.get("q")):
        queryset = queryset.filter(search_match(q))
    return queryset.order_by("-received_at", "-id")


def _received(user: User | AnonymousUser, filters: dict) -> Q:
    """The received-date filter, each estate's days in its zone; the zones are the caller's
    (``estate_zones``: (id, zone) pairs of the reader's estates) or read here."""
    zones = filters.get("estate_zones")
    if zones is None:
        zones = list(estates_visible_to(user).values_list("id", "time_zone"))
    return received_match(
        estates=zones,
        received_from=filters.get("received_from"),
        received_to=filters.get("received_to"),
        period=filters.get("period") or "",
    )


def complaint_events(*, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.select_related("actor").order_by("at", "id")


def escalations_visible_to(user: User | AnonymousUser) -> QuerySet[Escalation]:
    """Supervisors see level 1 and up, managers level 2 and up, of the estates they cover."""
    floor = escalation_floor(user)
    if floor is None:
        return Escalation.objects.none()
    queryset = Escalation.objects.filter(complaint__in=complaints_visible_to(user)).select_related(
        "complaint", "acknowledged_by", "deadline"
    )
    return queryset.filter(level__gte=floor) if floor else queryset


def escalations_waiting_for(user: User | AnonymousUser) -> QuerySet[Escalation]:
    """The open escalations of ``user``'s queue, most overdue first (ties by id).

    The partial index ``escalation_queue`` holds the open ones in this order: a page, or the
    first hundred for a badge, is read from it and stops, however long the queue.
    """
    return (
        escalations_visible_to(user)
        .filter(acknowledged_at__isnull=True)
        .order_by("overdue_since", "id")
    )


# Enough for a phone screen; the worklist holds the rest.
HANDLER_DESK_ROWS = 30


def handler_desk(*, user: User) -> dict[str, list[Complaint]]:
    """A handler's three lists, all within ``complaints_visible_to``: ``to_take`` (the
    department's, with nobody on it yet), ``mine`` (assigned to ``user``) and ``overdue`` (an
    owed deadline past its time). Each row carries ``next_due_at``, its next owed deadline."""
    now = timezone.now()
    owed = Deadline.objects.filter(
        complaint=OuterRef("pk"), state__in=[DeadlineState.PENDING, DeadlineState.MISSED]
    )
    open_ones = (
        complaints_visible_to(user)
        .exclude(stage=Stage.CLOSED)
        .select_related("unit__building")
        .annotate(next_due_at=Subquery(owed.order_by("due_at").values("due_at")[:1]))
        .order_by("next_due_at", "received_at", "id")
    )
    lists = {
        "to_take": open_ones.filter(
            assignee__isnull=True,
            stage__in=[Stage.INTAKE, Stage.CLARIFICATION, Stage.RESOLUTION],
        ),
        "mine": open_ones.filter(assignee=user),
        "overdue": open_ones.filter(Exists(owed.filter(due_at__lt=now))),
    }
    return {name: list(rows[:HANDLER_DESK_ROWS]) for name, rows in lists.items()}


def canned_explanations_for(*, complaint: Complaint) -> list[CannedExplanation]:
    """The active canned explanations for ``complaint``: its category's own first, then its
    top-level category's, then those for every category."""
    rank: dict[int | None, int] = {None: 2}
    if complaint.top_category_id:
        rank[complaint.top_category_id] = 1
    if complaint.category_id:
        rank[complaint.category_id] = 0
    found = CannedExplanation.objects.filter(
        Q(category__isnull=True) | Q(category_id__in=[pk for pk in rank if pk]), active=True
    ).order_by("order", "id")
    return sorted(found, key=lambda canned: rank[canned.category_id])
