"""A complaint linked at intake to the building-wide incident it is about (SPEC §9.3).

The incident must be open, of the complaint's estate and reach its unit. The link is made
under the incident's row lock, so that an incident resolved meanwhile is seen and refused; a
complaint linked so never gets a resolution deadline of its own while the incident is open
(``incident_links.own_resolution_clock``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from complaints.models import Complaint, Incident, IncidentStage
from complaints.selectors_incidents import covering
from complaints.services.incident_links import incident_link
from residents.models import Estate, Unit


def intake_incident_refusal(
    *, incident: Incident | None, estate: Estate | None, unit: Unit | None
) -> str | None:
    """Why a new complaint of ``estate`` and ``unit`` may not be linked to ``incident``;
    None when it may (or when there is none to link). The category does not matter: a
    caller may name the outage under another one."""
    if incident is None or estate is None:
        return None
    if incident.estate_id != estate.pk:
        return _("That incident is in another estate.")
    if incident.stage != IncidentStage.OPEN:
        return _("That incident is no longer open.")
    if unit is not None and unit.building.estate_id == estate.pk:
        reaches = Incident.objects.filter(covering(building_id=unit.building_id), pk=incident.pk)
        if not reaches.exists():
            return _("That incident does not cover this unit's building.")
    return None


def intake_incident_link(*, complaint: Complaint, incident: Incident | None) -> None:
    """Link the unsaved complaint to the incident, read again under its row lock (held until
    the intake commits). Raises ValidationError on ``incident`` if it is no longer open."""
    if incident is None:
        return
    locked = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
    incident_link(complaint=complaint, incident=locked)
