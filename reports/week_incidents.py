"""The week's building-wide incidents (SPEC §9.3): those of the report's estates opened in the
week or still unresolved at some moment of it, each with the linked complaints received in
the week (the category figure ``incident_linked``, per incident).

What is listed depends only on instants before the week's end: an incident is opened and
resolved "now", never back-dated, and its title, category and buildings do not change; a
complaint linked or unlinked later tells the stored weeks through ``history_changed``. So a
stored week's list stays what computing it again would give.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from complaints.models import Complaint, Incident
from reports.iso_weeks import IsoWeek, Span, Window
from residents.models import Building, Estate


def _during(span: Span) -> Q:
    """Opened before the week's end and not resolved before its start."""
    return Q(opened_at__lt=span.end) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=span.start)
    )


def _local(moment: dt.datetime | None, estate: Estate) -> str | None:
    return None if moment is None else moment.astimezone(estate.zone).isoformat()


def week_incidents(
    *, estates: list[Estate], week: IsoWeek, complaints: QuerySet[Complaint] | None = None
) -> list[dict]:
    """The week's incidents of ``estates``, oldest first, language-neutral: the category by
    id, the buildings by name (none: the whole estate), times on the estate's clock; a
    resolution after the week's end is not shown. ``complaints``: those the reader sees (None:
    every one), the only ones counted."""
    if not estates:
        return []
    window = Window.build(week, [(e.pk, e.time_zone) for e in estates])
    linked = window.within("complaints__received_at")
    if complaints is not None:
        linked &= Q(complaints__in=complaints)
    incidents = (
        Incident.objects.filter(estate_id__in=[e.pk for e in estates])
        .filter(window.each(_during))
        .annotate(incident_linked=Count("complaints", filter=linked))
        .prefetch_related(
            Prefetch("buildings", queryset=Building.objects.order_by("name").only("id", "name"))
        )
        .order_by("opened_at", "id")
    )
    by_id = {e.pk: e for e in estates}
    ends = {estate_id: span.end for span in window.spans for estate_id in span.estate_ids}
    rows = []
    for incident in incidents:
        estate = by_id[incident.estate_id]
        resolved = incident.resolved_at
        rows.append(
            {
                "id": incident.pk,
                "reference": incident.reference,
                "title": incident.title,
                "estate": estate.code,
                "category": incident.category_id,
                "buildings": [building.name for building in incident.buildings.all()],
                "opened_at": _local(incident.opened_at, estate),
                "resolved_at": _local(
                    resolved if resolved and resolved < ends[estate.pk] else None, estate
                ),
                "incident_linked": incident.incident_linked,
            }
        )
    return rows
