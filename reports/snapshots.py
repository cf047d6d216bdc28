"""Finished weeks, kept: every reader of the weekly summary (page, exports, API, command and
Monday email) goes through ``weekly_report``.

A week that has ended in every estate of the report is computed once and stored per exact set
of estates (``WeeklySummarySnapshot``); later reads return the stored figures while they are
still what computing them now would give, i.e. while no write recorded by
``reports.past_changes`` since the computation reaches back before the week's end. The
current week is always computed live. The hourly Monday-email task stores the week just ended
ahead of its readers and prunes what is no longer needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from reports.counting import FIGURES_VERSION, weekly_figures
from reports.iso_weeks import IsoWeek, Window
from reports.models import WeeklySummaryChange, WeeklySummarySnapshot
from reports.summary import scope_complaints, scope_estates, weekly_report_render
from residents.models import Estate
from staff.roles import SUPERVISOR_PLUS

# How far apart two servers' clocks, or a write's recorded time and its commit, may be. A
# change recorded up to this long before a computation began may not have been committed (or
# visible) when the computation read the tables, so it makes the stored week stale too. And a
# week is stored only once it has been over this long, so that a write made "now" on a server
# whose clock lags cannot land in a week already stored.
MARGIN = dt.timedelta(minutes=5)
# A week stored this long ago is dropped (and computed again if read again), so that the
# changes kept to judge it do not pile up.
KEEP = dt.timedelta(days=28)
# Longer than any computation of a report takes: the changes it may need are kept that long.
LONGEST_COMPUTATION = dt.timedelta(days=1)


def scope_key(estate_ids) -> str:
    """``1,2,3``: the report's exact set of estates (a digest of it when that is long)."""
    ids = ",".join(str(pk) for pk in sorted(set(estate_ids)))
    return ids if len(ids) <= 64 else "sha256:" + hashlib.sha256(ids.encode()).hexdigest()


def weekly_report(
    *,
    reader: User | AnonymousUser | None,
    week: IsoWeek,
    estate: str | None = None,
    fresh: bool = False,
) -> dict:
    """The SPEC §7 report of ``weekly_summary``, a finished week read from storage while it
    is valid (``fresh``: computed again and stored anyway). ``reader=None`` is the system.
    Raises Http404 for an estate the reader does not cover."""
    now = timezone.now()  # before the first query: the stored week's computed_at
    estates = scope_estates(reader, estate)
    # A supervisor or manager sees every complaint of their estates, so the figures are the
    # estates' alone and can be kept; anyone seeing less (a handler) gets them computed.
    complaints = scope_complaints(reader, estates)
    figures, computed_at = _figures(estates, week, now, complaints=complaints, fresh=fresh)
    return weekly_report_render(
        figures, estates=estates, week=week, estate=estate, computed_at=computed_at
    )


def _figures(
    estates: list[Estate], week: IsoWeek, now: dt.datetime, *, complaints=None, fresh: bool
) -> tuple[dict, dt.datetime]:
    """(figures, when they were computed). ``complaints``: see ``weekly_figures``."""
    ends_at = (
        Window.build(week, [(e.pk, e.time_zone) for e in estates]).last_end if estates else None
    )
    if complaints is not None or ends_at is None or now < ends_at + MARGIN:
        figures = weekly_figures(estates=estates, complaints=complaints, week=week, now=now)
        return figures, now
    key = scope_key(e.pk for e in estates)
    if not fresh and (stored := _stored(week, key, estates, ends_at)) is not None:
        return stored.payload, stored.computed_at
    figures = weekly_figures(estates=estates, week=week, now=now)
    # One statement, whoever stores first: each stored copy is judged by its own computed_at.
    WeeklySummarySnapshot.objects.bulk_create(
        [
            WeeklySummarySnapshot(
                week=str(week), scope=key, ends_at=ends_at, computed_at=now, payload=figures
            )
        ],
        update_conflicts=True,
        unique_fields=["week", "scope"],
        update_fields=["ends_at", "computed_at", "payload"],
    )
    return figures, now


def _changed_since_computed(estate_ids: list[int]) -> Exists:
    """Changes that make the outer stored week stale: recorded since (or just before) it was
    computed, reaching back before its end, in one of its estates or in all."""
    return Exists(
        WeeklySummaryChange.objects.filter(
            Q(estate__isnull=True) | Q(estate_id__in=estate_ids),
            since__lt=OuterRef("ends_at"),
            recorded_at__gte=OuterRef("computed_at") - MARGIN,
        )
    )


def _stored(
    week: IsoWeek, key: str, estates: list[Estate], ends_at: dt.datetime
) -> WeeklySummarySnapshot | None:
    """The stored week, if it is still valid: one query."""
    stored = (
        WeeklySummarySnapshot.objects.filter(week=str(week), scope=key)
        .annotate(stale=_changed_since_computed([e.pk for e in estates]))
        .first()
    )
    if (
        stored is None
        or stored.stale
        or stored.ends_at != ends_at  # an estate's time zone changed
        or stored.payload.get("version") != FIGURES_VERSION
    ):
        return None
    return stored


def week_just_ended(estates: list[Estate], now: dt.datetime) -> IsoWeek:
    """The latest week that has been over for ``MARGIN`` in every one of ``estates``."""
    return min(IsoWeek.of((now - MARGIN).astimezone(e.zone).date()).shifted(-1) for e in estates)


def weekly_reports_prepare() -> int:
    """Store the week just ended for what supervisors and managers read: all their estates
    (the page's default and the Monday email) and each estate alone; drop what is no longer
    needed. Safe to run at any time, as often as wanted; returns how many scopes it checked."""
    now = timezone.now()
    weekly_snapshots_prune(now=now)
    readers = (
        get_user_model()
        .objects.filter(
            groups__name__in=SUPERVISOR_PLUS, is_active=True, staff_member__isnull=False
        )
        .prefetch_related("staff_member__estates")
        .distinct()
    )
    scopes: dict[str, list[Estate]] = {}
    for reader in readers:
        estates = sorted(reader.staff_member.estates.all(), key=lambda e: e.code)
        for scope in (estates, *([e] for e in estates)) if estates else ():
            scopes[scope_key(e.pk for e in scope)] = scope
    for estates in scopes.values():
        _figures(estates, week_just_ended(estates, now), now, fresh=False)
    return len(scopes)


def weekly_snapshots_prune(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Drop stored weeks computed more than ``KEEP`` ago, and the changes no stored week, nor
    one being computed, can need. Returns (weeks, changes) removed."""
    now = now or timezone.now()
    weeks, _ = WeeklySummarySnapshot.objects.filter(computed_at__lt=now - KEEP).delete()
    oldest = WeeklySummarySnapshot.objects.aggregate(oldest=Min("computed_at"))["oldest"]
    needed_from = min(oldest or now, now - LONGEST_COMPUTATION) - MARGIN
    changes, _ = WeeklySummaryChange.objects.filter(recorded_at__lt=needed_from).delete()
    return weeks, changes
