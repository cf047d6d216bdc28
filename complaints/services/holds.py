"""Holds: a complaint paused until a given time runs again at that time, by itself.

The sweep calls ``holds_release_due`` each minute. Each batch locks its complaints with SKIP
LOCKED and reads ``on_hold`` under that lock, so two sweeps at once release a hold once: the
second finds it locked (and leaves it) or already released (and does not see it).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from complaints.models import Complaint, ComplaintEvent, DeadlineKind
from complaints.services.deadlines import deadline_resume
from complaints.services.timeline import event_build

BATCH = 200


def hold_end(*, complaint: Complaint, at: dt.datetime) -> None:
    """The hold is over: the paused resolution clock runs again from ``at``."""
    complaint.on_hold = False
    complaint.hold_until = None
    complaint.hold_reason = ""
    deadline_resume(complaint=complaint, kind=DeadlineKind.RESOLUTION, at=at)


def _release_batch(*, now: dt.datetime) -> list[str]:
    with transaction.atomic():
        complaints = list(
            Complaint.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("estate")
            .filter(on_hold=True, hold_until__lte=now)
            .order_by("hold_until", "id")[:BATCH]
        )
        events = []
        for complaint in complaints:
            until, reason = complaint.hold_until, complaint.hold_reason
            assert until is not None  # the filter above
            # The hold ended at its time, not at the sweep's minute after it.
            hold_end(complaint=complaint, at=until)
            complaint.version += 1
            complaint.updated_at = now
            events.append(
                event_build(
                    complaint=complaint,
                    actor=None,
                    kind="released",
                    at=now,
                    note=reason,
                    data={"until": until.isoformat()},
                )
            )
        Complaint.objects.bulk_update(
            complaints, ["on_hold", "hold_until", "hold_reason", "version", "updated_at"]
        )
        ComplaintEvent.objects.bulk_create(events)
    return [complaint.reference for complaint in complaints]


def holds_release_due(*, now: dt.datetime, max_batches: int = 1000) -> list[str]:
    """Release every hold whose ``until`` has come; returns the references released."""
    released: list[str] = []
    for _ in range(max_batches):
        batch = _release_batch(now=now)
        released += batch
        if len(batch) < BATCH:
            break
    return released
