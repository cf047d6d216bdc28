"""A complaint linked at intake to the building-wide incident it is about (SPEC §9.3).

The incident must be open, of the complaint's estate and reach its unit. The link is made
under the incident's row lock, so that an incident resolved meanwhile is seen and refused; a
complaint linked so never gets a resolution deadline of its own while the incident is open
(``incident_links.own_resolution_clock``)."""

from __future__ import annotations

from complaints.models import Complaint, Incident
from complaints.services.incident_links import incident_link, incident_link_refusal
from residents.models import Estate, Unit


def intake_incident_refusal(
    *, incident: Incident | None, estate: Estate | None, unit: Unit | None
) -> str | None:
    """Why a new complaint of ``estate`` and ``unit`` may not be linked to ``incident``;
    None when it may (or when there is none to link). A unit of another estate is refused on
    its own field, not here."""
    if incident is None or estate is None:
        return None
    own_unit = unit if unit is not None and unit.building.estate_id == estate.pk else None
    return incident_link_refusal(incident=incident, estate_id=estate.pk, unit=own_unit)


def intake_incident_link(*, complaint: Complaint, incident: Incident | None) -> None:
    """Link the unsaved complaint to the incident, read again under its row lock (held until
    the intake commits). Raises ValidationError on ``incident`` if it is no longer open."""
    if incident is None:
        return
    locked = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
    incident_link(complaint=complaint, incident=locked)
