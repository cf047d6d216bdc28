"""Reads of building-wide incidents, scoped by estate as the complaints are: an incident of an
estate the reader does not cover answers as if it did not exist."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from complaints.models import Category, Incident, IncidentStage
from complaints.selectors import estate_ids_visible_to, estates_visible_to
from residents.models import Unit

# The table of the incidents' buildings; an incident without rows there covers its estate.
IncidentBuilding = Incident.buildings.through


def incidents_visible_to(user: User | AnonymousUser) -> QuerySet[Incident]:
    """The incidents of the estates ``user`` covers, each with its linked complaints' count."""
    return (
        Incident.objects.filter(estate__in=estates_visible_to(user))
        .select_related("estate", "category")
        .prefetch_related("buildings", "deadlines", "escalations__deadline")
        .annotate(complaint_count=Count("complaints"))
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
