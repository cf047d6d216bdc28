"""Writes that change what the weekly summary says about weeks already over.

The complaint records announce such writes (``complaints.signals.history_changed``); this
module turns each announcement into a record here, in the same transaction.

A finished week is stored (``reports.snapshots``) and must still equal what computing
it now would give. The figures (``reports.figures``) mostly count what happens at
the present instant: events, escalations and met deadlines are written "now", so they reach
the current week only. The writes that reach back are recorded here, each in the transaction
that makes it, as "the history of this estate changed from instant T on":

- a complaint entered with a received time in the past (back-dated intake), T = that time;
- a deadline created, moved, cancelled or paused whose due time has passed: "overdue at end"
  reads a deadline's state and due time as they are today, T = the due time;
- a complaint judged again after it was closed: "invalid" reads today's validity, T = its
  received time;
- what the stored figures hold of the configuration: an estate's code, name or time zone, a
  building's name or estate, a unit's building (top buildings and the weeks' bounds), T = the
  beginning of the records;
- demo data written straight into the tables, T = its earliest received time.

Category names, codes and parents need no record: the stored figures are per top-level
category id (a complaint's ``top_category``, fixed at intake) and the rows are named and
listed when the report is read.
"""

from __future__ import annotations

import datetime as dt

from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from complaints.models import Complaint
from complaints.signals import history_changed
from reports.models import WeeklySummaryChange
from residents.models import Building, Estate, Unit

# Before every complaint: a change to what the stored figures hold of the configuration.
ALL_OF_HISTORY = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# A write whose instant is this close to the clock happens now, not in the past: a week is
# stored only once it has been over for longer (``stored.MARGIN``), so a write like this
# cannot fall into a stored week, even from a server whose clock is a little behind.
PRESENT = dt.timedelta(minutes=1)
# What the stored figures hold of each model: a change to one of these fields rewrites weeks.
REPORTED_FIELDS = {
    Estate: ("code", "name", "time_zone"),
    Building: ("estate_id", "name"),
    Unit: ("building_id",),
}


def weekly_history_changed(
    *, since: dt.datetime, estate_id: int | None = None, now: dt.datetime | None = None
) -> bool:
    """Record that the history of ``estate_id`` (every estate when None) changed from
    ``since`` on, unless ``since`` is the present. Call inside the change's transaction."""
    now = now or timezone.now()
    if since >= now - PRESENT:
        return False
    WeeklySummaryChange.objects.create(since=since, estate_id=estate_id, recorded_at=now)
    return True


def _history_changed(sender, *, since: dt.datetime, estate_id: int | None, **kwargs) -> None:
    weekly_history_changed(since=since, estate_id=estate_id)


def _complaint_entered(sender, instance: Complaint, created: bool, **kwargs) -> None:
    if created:
        weekly_history_changed(since=instance.received_at, estate_id=instance.estate_id)


def _note_reported_fields(sender, instance, raw: bool = False, **kwargs) -> None:
    if instance.pk is None or raw:
        return
    fields = REPORTED_FIELDS[sender]
    before = sender.objects.filter(pk=instance.pk).values(*fields).first()
    instance._weekly_history_changed = before is not None and any(
        before[name] != getattr(instance, name) for name in fields
    )


def _record_reported_fields(sender, instance, created: bool, **kwargs) -> None:
    if getattr(instance, "_weekly_history_changed", False):
        instance._weekly_history_changed = False
        weekly_history_changed(since=ALL_OF_HISTORY)


def connect() -> None:
    """Called once from the app's ``ready``. Complaints are entered by the intake service,
    tests and imports alike; configuration is edited in the admin or a shell: the signals
    see every one of them, in the transaction of the save."""
    history_changed.connect(_history_changed, dispatch_uid="weekly_history")
    post_save.connect(_complaint_entered, sender=Complaint, dispatch_uid="weekly_complaint")
    for model in REPORTED_FIELDS:
        uid = f"weekly_{model._meta.model_name}"
        pre_save.connect(_note_reported_fields, sender=model, dispatch_uid=f"{uid}_before")
        post_save.connect(_record_reported_fields, sender=model, dispatch_uid=f"{uid}_after")
