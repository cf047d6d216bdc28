from __future__ import annotations

import datetime as dt

from complaints.models import Complaint, ComplaintEvent


def event_record(
    *,
    complaint: Complaint,
    actor,
    kind: str,
    at: dt.datetime,
    from_stage: str = "",
    to_stage: str = "",
    note: str = "",
    data: dict | None = None,
) -> ComplaintEvent:
    """Append to the timeline; call inside the transaction that made the change."""
    return ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        at=at,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        data=data or {},
    )
