"""Reads of building-wide incidents, scoped as complaints are: an incident of an estate the
reader does not cover answers as if it did not exist. The desk's pages, intake and the API read
them through here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from complaints.models import (
    Category,
    Complaint,
    Incident,
    IncidentDeadline,
    IncidentEscalation,
    IncidentEvent,
    IncidentStage,
)
from complaints.selectors import complaints_visible_to, estate_ids_visible_to, estates_visible_to
from residents.models import Unit

# The table of the incidents' buildings; an incident without rows there covers its estate.
IncidentBuilding = Incident.buildings.through

# The list shows the open incidents first: those are the ones the front desk reads out.
OPEN_FIRST = Case(
    When(stage=IncidentStage.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def incidents_scoped(user: User | AnonymousUser) -> QuerySet[Incident]:
    """The incidents of the estates ``user`` covers: the one rule, nothing joined."""
    return Incident.objects.filter(estate__in=estates_visible_to(user))


def incidents_visible_to(user: User | AnonymousUser) -> QuerySet[Incident]:
    """The incidents of the estates ``user`` covers, each with its linked complaints' count,
    its buildings, deadlines and escalations (the API's shape)."""
    return (
        incidents_scoped(user)
        .select_related("estate", "category")
        .prefetch_related("buildings", "deadlines", "escalations__deadline")
        .annotate(complaint_count=Count("complaints"))
    )


def incident_list(
    *, user: User | AnonymousUser, estate_code: str = "", open_only: bool = False
) -> QuerySet[Incident]:
    """The incidents page's rows: open ones first, newest first within each part, with what a
    row shows (estate, category, buildings and the count of linked complaints)."""
    incidents = incidents_scoped(user)
    if estate_code:
        incidents = incidents.filter(estate__code=estate_code)
    if open_only:
        incidents = incidents.filter(stage=IncidentStage.OPEN)
    return (
        incidents.select_related("estate", "category__parent")
        .prefetch_related("buildings")
        .annotate(complaint_count=Count("complaints"), open_first=OPEN_FIRST)
        .order_by("open_first", "-opened_at", "-id")
    )


def incident_get(*, user: User | AnonymousUser, pk: int) -> Incident:
    """The incident if ``user`` covers its estate; otherwise Http404, as if it did not exist."""
    incident = (
        incidents_scoped(user)
        .select_related("estate", "category__parent", "opened_by")
        .prefetch_related("buildings")
        .annotate(complaint_count=Count("complaints"))
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise Http404("No such incident.")
    return incident


def incident_events(*, incident: Incident) -> QuerySet[IncidentEvent]:
    return incident.events.select_related("actor").order_by("at", "id")


def incident_deadlines(*, incident: Incident) -> QuerySet[IncidentDeadline]:
    return incident.deadlines.order_by("due_at", "id")


def incident_escalations(*, incident: Incident) -> QuerySet[IncidentEscalation]:
    return incident.escalations.select_related("deadline", "acknowledged_by").order_by(
        "overdue_since", "id"
    )


def incident_complaints(*, user: User | AnonymousUser, incident: Incident) -> QuerySet[Complaint]:
    """The linked complaints ``user`` may read (a handler: those of their department)."""
    return (
        complaints_visible_to(user)
        .filter(incident=incident)
        .select_related("unit__building")
        .order_by("received_at", "id")
    )


def covering(*, building_id: int) -> Q:
    """Incidents that reach the building: over the whole estate, or over it among others."""
    rows = IncidentBuilding.objects.filter(incident_id=OuterRef("pk"))
    return ~Exists(rows) | Exists(rows.filter(building_id=building_id))


def incidents_covering(
    *, user: User | AnonymousUser, unit: Unit, category: Category | None = None
) -> QuerySet[Incident]:
    """The open incidents that cover ``unit``, if ``user`` covers its estate: those of
    ``category`` itself first, then those of its kind (the same top category), then the
    others; within each, the most recently opened first."""
    estate_id = unit.building.estate_id
    covered = estate_ids_visible_to(user)
    if covered is not None and estate_id not in covered:
        return Incident.objects.none()
    likeness: Case | Value = Value(0)
    if category is not None:
        top = category.top
        likeness = Case(
            When(category_id=category.pk, then=Value(2)),
            When(Q(category_id=top.pk) | Q(category__parent_id=top.pk), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return (
        Incident.objects.filter(
            covering(building_id=unit.building_id), estate_id=estate_id, stage=IncidentStage.OPEN
        )
        .select_related("estate", "category__parent")
        .annotate(likeness=likeness)
        .order_by("-likeness", "-opened_at", "-id")
    )
