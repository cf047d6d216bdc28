from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from complaints.models import Complaint, ComplaintEvent


def event_build(
    *,
    complaint: Complaint,
    actor: User | None,
    kind: str,
    at: dt.datetime,
    from_stage: str = "",
    to_stage: str = "",
    note: str = "",
    data: dict | None = None,
) -> ComplaintEvent:
    """An unsaved timeline entry, for a change that writes several in one insert."""
    return ComplaintEvent(
        complaint=complaint,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        at=at,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        data=data or {},
    )


def event_record(
    *,
    complaint: Complaint,
    actor: User | None,
    kind: str,
    at: dt.datetime,
    from_stage: str = "",
    to_stage: str = "",
    note: str = "",
    data: dict | None = None,
) -> ComplaintEvent:
    """Append to the timeline; call inside the transaction that made the change."""
    event = event_build(
        complaint=complaint,
        actor=actor,
        kind=kind,
        at=at,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        data=data,
    )
    event.save(force_insert=True)
    return event
