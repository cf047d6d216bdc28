"""The weekly category summary (SPEC §6, §7): one ISO week, one estate or all the reader covers.

Who may read it and which complaints it counts for them; the numbers come from
``reports.counting`` and are named and dated here, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from complaints.models import Category, Complaint
from complaints.selectors import complaints_visible_to, estates_visible_to
from reports.counting import weekly_figures
from reports.iso_weeks import IsoWeek, Window
from reports.tally import figures_of
from residents.models import Estate
from staff.roles import SUPERVISOR_PLUS, user_roles


def can_read_weekly(user: User | AnonymousUser) -> bool:
    """The summary and its exports are for supervisors and managers (and the superuser)."""
    return bool(user_roles(user) & SUPERVISOR_PLUS)


def scope_estates(reader: User | AnonymousUser | None, estate: str | None) -> list[Estate]:
    """The estates the report covers: ``estate`` or all the reader covers (``reader=None``
    is the system: every estate). Raises Http404 for an estate not covered."""
    estates = Estate.objects.all() if reader is None else estates_visible_to(reader)
    if estate:
        estates = estates.filter(code=estate)
    chosen = list(estates.only("id", "code", "name", "time_zone").order_by("code"))
    if estate and not chosen:
        raise Http404("No such estate among those you cover.")
    return chosen


def scope_complaints(
    reader: User | AnonymousUser | None, estates: list[Estate]
) -> QuerySet[Complaint] | None:
    """The complaints the reader sees of ``estates``; None when that is every one of them, as
    for the system and for supervisors and managers (``weekly_figures`` then reads them by
    estate, on rows it joins anyway, without a second read of the complaint table)."""
    if reader is None or can_read_weekly(reader):
        return None
    return complaints_visible_to(reader).filter(estate_id__in=[e.pk for e in estates])


def weekly_summary(
    *, reader: User | AnonymousUser | None, week: IsoWeek, estate: str | None = None, now=None
) -> dict:
    """The SPEC §7 report, computed now. ``reader=None`` reads as the system (every estate);
    otherwise only what ``complaints_visible_to(reader)`` holds. Raises Http404 for an estate
    not covered. The pages, API, exports, command and email read it through
    ``reports.snapshots.weekly_report``, which keeps finished weeks."""
    now = now or timezone.now()
    estates = scope_estates(reader, estate)
    complaints = scope_complaints(reader, estates)
    figures = weekly_figures(estates=estates, complaints=complaints, week=week, now=now)
    return weekly_report_render(figures, estates=estates, week=week, estate=estate, computed_at=now)


def _bounds(window: Window, estates: list[Estate]) -> list[dict]:
    """The week's exact bounds on each estate's clock."""
    return [
        {
            "time_zone": span.time_zone,
            "estates": [e.code for e in estates if e.pk in span.estate_ids],
            "start": span.start.astimezone(zoneinfo.ZoneInfo(span.time_zone)).isoformat(),
            "end": span.end.astimezone(zoneinfo.ZoneInfo(span.time_zone)).isoformat(),
        }
        for span in window.spans
    ]


def weekly_report_render(
    figures: dict,
    *,
    estates: list[Estate],
    week: IsoWeek,
    estate: str | None,
    computed_at: dt.datetime,
) -> dict:
    """The SPEC §7 report from ``weekly_figures``: category names in the active language,
    the estates and their week's bounds as they are now."""
    window = Window.build(week, [(e.pk, e.time_zone) for e in estates])
    incident_categories = {incident["category"] for incident in figures["incidents"]}
    # The rows of the table, and the incidents' categories (of any level), in one read.
    named = Category.objects.filter(
        Q(parent__isnull=True, active=True) | Q(pk__in=[*figures["seen"], *incident_categories])
    ).order_by("code")
    rows = [c for c in named if (c.parent_id is None and c.active) or c.pk in figures["seen"]]
    names = {c.pk: c for c in named}
    nothing = figures_of({})
    # Not yet over in every estate of the report: the figures are those so far.
    in_progress = not window.over_by(computed_at)
    return {
        "week": str(week),
        "estate": estate or None,
        "in_progress": in_progress,
        "start": week.monday.isoformat(),
        "end": week.shifted(1).monday.isoformat(),
        "time_zones": _bounds(window, estates),
        "estates": [{"code": e.code, "name": e.name} for e in estates],
        "categories": [
            {
                "code": category.code,
                "name": category.name,
                **figures["categories"].get(str(category.pk), nothing),
            }
            for category in rows
        ],
        "total": figures["total"],
        "previous_week": str(week.shifted(-1)),
        "previous_total": figures["previous_total"],
        "top_buildings": figures["top_buildings"],
        # The trend ends with the report's week: only that one can be in progress.
        "trend": [
            {**row, "in_progress": in_progress and row["week"] == str(week)}
            for row in figures["trend"]
        ],
        "incidents": [
            {
                **incident,
                "category": names[incident["category"]].code,
                "category_name": names[incident["category"]].name,
            }
            for incident in figures["incidents"]
        ],
        # When these figures were computed: a finished week may have been stored earlier.
        "computed_at": computed_at.astimezone(dt.UTC).isoformat(),
    }
