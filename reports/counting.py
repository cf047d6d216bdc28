"""The weekly summary's numbers (SPEC §6): one ISO week's figures, counted per top-level
category over a set of estates.

The figures are defined in ``reports.figures``; this module counts them per top-level category
in a fixed number of aggregate queries, whatever the number of complaints: the estates, the
complaint counts of this and the previous week, the first callbacks, the residents' own
ratings, the resolution times (two on PostgreSQL), the top buildings, three for the trend, the
week's incidents (``reports.week_incidents``, and their buildings when there are any) and the
category names, besides the reader's roles and estates. Each share and median is also read over
the complaints not linked to a building-wide incident, in the same queries. The timeline is read
by the entries' ``kind`` and ``at``; on a large table an index on those two columns keeps each
read short. ``reports.tally`` makes the figures from what these queries read.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Manager,
    Q,
    QuerySet,
    Value,
    When,
)

from complaints.models import (
    Complaint,
    Deadline,
    DeadlineKind,
    Escalation,
)
from reports import figures as f
from reports.iso_weeks import IsoWeek, Window
from reports.tally import Medians, Parts, Share
from reports.week_incidents import week_incidents
from residents.models import Estate

TREND_WEEKS = 8
TOP_BUILDINGS = 5


# Besides the counts, each category's aggregates hold the satisfaction ratio's two parts; the
# first of them (rated) over ``closed`` is the follow-up rate. The three again over the
# complaints not linked to an incident give those two figures without incident-linked ones.
def _unlinked(condition: Callable[[Window], Q]) -> Callable[[Window], Q]:
    return lambda window: condition(window) & f.UNLINKED


APART = {"closed": f.closed, "rated": f.rated, "pleased": f.pleased}
CONDITIONS: dict[str, Callable[[Window], Q]] = {
    **f.COUNTS,
    "rated": f.rated,
    "pleased": f.pleased,
    **{f"{name}_unlinked": _unlinked(counted) for name, counted in APART.items()},
}
COUNTED = tuple(CONDITIONS)


class Median(Aggregate):
    """PostgreSQL's continuous median of an interval."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass(frozen=True)
class _Scope:
    """The complaints counted: those of ``complaints``, or when None every one of the
    estates ``estate_ids``."""

    estate_ids: tuple[int, ...]
    complaints: QuerySet[Complaint] | None

    def rows(self) -> QuerySet[Complaint]:
        if self.complaints is not None:
            return self.complaints
        return Complaint.objects.filter(estate_id__in=self.estate_ids)

    def of(self, queryset: QuerySet | Manager) -> QuerySet:
        """Rows of another table (deadlines, events, escalations) of these complaints."""
        if self.complaints is not None:
            return queryset.filter(complaint__in=self.complaints)
        return queryset.filter(complaint__estate_id__in=self.estate_ids)


@contextmanager
def _one_off_queries():
    """PostgreSQL's JIT compiler, judging these aggregates costly, spends seconds compiling
    them to save milliseconds; a transaction-local setting keeps it out of the report alone."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _hours(duration: dt.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 3600, 2)


def _counts(scope: _Scope, weeks: dict[str, Window]) -> dict[tuple[str, int], dict]:
    """{(tag, category id): {figure: count}} in one grouped query over both weeks."""
    earliest = min(w.first_start for w in weeks.values())
    latest = max(w.last_end for w in weeks.values())
    # Only what can meet a definition: a complaint closed before the first week began and never
    # reopened (closed_at < earliest) was neither received, closed, escalated nor open then.
    candidates = (
        scope.rows()
        .filter(received_at__lt=latest)
        .filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=earliest) | Q(received_at__gte=earliest)
        )
    )
    aggregates = {
        f"{tag}__{name}": Count("pk", filter=CONDITIONS[name](window))
        for tag, window in weeks.items()
        for name in COUNTED
    }
    result: dict[tuple[str, int], dict] = {}
    # Read by the aggregates' names, which the typed rows of ``values`` do not know.
    rows: Iterable[Mapping[str, Any]] = (
        candidates.values("top_category_id").annotate(**aggregates).order_by()
    )
    for row in rows:
        for tag in weeks:
            result[(tag, row["top_category_id"])] = {
                name: row[f"{tag}__{name}"] for name in COUNTED
            }
    return result


def _shares(
    rows: QuerySet, weeks: dict[str, Window], whole: Callable[[Window], Q], part: Q
) -> dict[tuple[str, int], Share]:
    """{(tag, category id): (whole, part, whole unlinked, part unlinked)}: a share's parts
    counted on ``rows`` (deadlines or timeline entries), per top-level category of their
    complaint, over all of them and over those of complaints not incident-linked, in one
    grouped query."""
    aggregates = {}
    for tag, window in weeks.items():
        aggregates[f"{tag}__whole"] = Count("pk", filter=whole(window))
        aggregates[f"{tag}__part"] = Count("pk", filter=whole(window) & part)
        unlinked = whole(window) & f.UNLINKED_COMPLAINT
        aggregates[f"{tag}__whole_unlinked"] = Count("pk", filter=unlinked)
        aggregates[f"{tag}__part_unlinked"] = Count("pk", filter=unlinked & part)
    grouped = rows.values("complaint__top_category_id").annotate(**aggregates).order_by()
    return {
        (tag, row["complaint__top_category_id"]): (
            row[f"{tag}__whole"],
            row[f"{tag}__part"],
            row[f"{tag}__whole_unlinked"],
            row[f"{tag}__part_unlinked"],
        )
        for row in grouped
        for tag in weeks
    }


def _callbacks(scope: _Scope, weeks: dict[str, Window], now) -> dict[tuple[str, int], Share]:
    """First callbacks: (due, made on time)."""
    earliest = min(w.first_start for w in weeks.values())
    latest = max(w.last_end for w in weeks.values())
    rows = scope.of(Deadline.objects).filter(
        kind=DeadlineKind.FIRST_CALLBACK, due_at__gte=earliest, due_at__lt=latest
    )
    return _shares(rows, weeks, lambda window: f.callbacks_due(window, now=now), f.CALLBACK_ON_TIME)


def _resident_ratings(scope: _Scope, weeks: dict[str, Window]) -> dict[tuple[str, int], Share]:
    """The residents' own ratings: (given, satisfied or fairly satisfied)."""
    earliest = min(w.first_start for w in weeks.values())
    latest = max(w.last_end for w in weeks.values())
    rows = scope.of(f.resident_ratings_of()).filter(at__gte=earliest, at__lt=latest)
    return _shares(rows, weeks, f.resident_rated, f.RESIDENT_PLEASED)


def _medians(scope: _Scope, weeks: dict[str, Window]) -> tuple[dict, dict]:
    """({(tag, category id): medians}, {tag: medians}) of the resolutions in each week, each
    a pair of hours: over every complaint, over those not incident-linked."""
    earliest = min(w.first_start for w in weeks.values())
    latest = max(w.last_end for w in weeks.values())
    tag = Case(
        *[When(f.resolutions(window), then=Value(name)) for name, window in weeks.items()],
        default=None,
    )
    events = (
        scope.of(f.resolutions_of())
        .filter(at__gte=earliest, at__lt=latest)
        .annotate(week_tag=tag)
        .filter(week_tag__isnull=False)
        .order_by()
    )
    if connection.vendor == "postgresql":
        duration = ExpressionWrapper(
            F("at") - F("complaint__received_at"), output_field=DurationField()
        )
        both = {
            "median": Median(duration),
            "median_unlinked": Median(duration, filter=f.UNLINKED_COMPLAINT),
        }
        per_category = events.values("complaint__top_category_id", "week_tag").annotate(**both)
        overall = events.values("week_tag").annotate(**both)

        def pair(row) -> Medians:
            return _hours(row["median"]), _hours(row["median_unlinked"])

        return (
            {(r["week_tag"], r["complaint__top_category_id"]): pair(r) for r in per_category},
            {r["week_tag"]: pair(r) for r in overall},
        )
    # Elsewhere (SQLite) the week's resolution times are few enough to take the median here.
    return _medians_here(events)


def _medians_here(events: QuerySet) -> tuple[dict, dict]:
    """``_medians`` from the week-tagged resolution entries, taken in Python."""
    durations: dict[tuple, tuple[list[dt.timedelta], list[dt.timedelta]]] = defaultdict(
        lambda: ([], [])
    )
    for category_id, week_tag, received_at, at, incident_id in events.values_list(
        "complaint__top_category_id",
        "week_tag",
        "complaint__received_at",
        "at",
        "complaint__incident_id",
    ):
        for key in ((week_tag, category_id), (week_tag,)):
            durations[key][0].append(at - received_at)
            if incident_id is None:
                durations[key][1].append(at - received_at)
    # Typeshed's median takes numbers only; it sorts and averages, which timedeltas do.
    medians = {
        key: tuple(
            _hours(statistics.median(values)) if values else None  # type: ignore[type-var]
            for values in lists
        )
        for key, lists in durations.items()
    }
    return (
        {key: value for key, value in medians.items() if len(key) == 2},
        {key[0]: value for key, value in medians.items() if len(key) == 1},
    )


def _top_buildings(scope: _Scope, window: Window, several_estates: bool) -> list[dict]:
    rows = (
        scope.rows()
        .filter(f.received(window), unit__isnull=False)
        .values("unit__building_id", "unit__building__name", "estate__code", "estate__name")
        .annotate(received=Count("pk"))
        .order_by("-received", "estate__code", "unit__building__name")[:TOP_BUILDINGS]
    )
    return [
        {
            "label": (
                f"{row['estate__name']} {row['unit__building__name']}"
                if several_estates
                else row["unit__building__name"]
            ),
            "received": row["received"],
            "estate": row["estate__code"],
            "building": row["unit__building_id"],
        }
        for row in rows
    ]


def _trend(scope: _Scope, window: Window) -> list[dict]:
    """Received, closed and escalated for the eight weeks ending with ``window``."""
    weeks = [window.shifted(-back) for back in range(TREND_WEEKS - 1, -1, -1)]
    earliest, latest = weeks[0].first_start, window.last_end

    def week_index(field: str, estate: str = "estate_id") -> Case:
        whens = [When(w.within(field, estate=estate), then=Value(i)) for i, w in enumerate(weeks)]
        return Case(*whens, default=None, output_field=IntegerField())

    def per_week(queryset, field: str, counted: Count, estate: str) -> dict[int, int]:
        rows = (
            queryset.filter(**{f"{field}__gte": earliest, f"{field}__lt": latest})
            .annotate(week_index=week_index(field, estate))
            .values("week_index")
            .annotate(n=counted)
            .order_by()
        )
        return {row["week_index"]: row["n"] for row in rows if row["week_index"] is not None}

    # The same definitions as ``figures.received/closed/escalated``, counted per week.
    received = per_week(scope.rows(), "received_at", Count("pk"), "estate_id")
    closed = per_week(
        scope.of(f.closings()),
        "at",
        Count("complaint_id", distinct=True),
        "complaint__estate_id",
    )
    escalated = per_week(
        scope.of(Escalation.objects),
        "created_at",
        Count("complaint_id", distinct=True),
        "complaint__estate_id",
    )
    return [
        {
            "week": str(w.week),
            "received": received.get(i, 0),
            "closed": closed.get(i, 0),
            "escalated": escalated.get(i, 0),
        }
        for i, w in enumerate(weeks)
    ]


def _read(
    estates: list[Estate], week: IsoWeek, now, complaints: QuerySet[Complaint] | None
) -> Parts:
    window = Window.build(week, [(e.pk, e.time_zone) for e in estates])
    weeks = {"current": window, "previous": window.shifted(-1)}
    if not estates:
        trend = [
            {"week": str(week.shifted(-back)), "received": 0, "closed": 0, "escalated": 0}
            for back in range(TREND_WEEKS - 1, -1, -1)
        ]
        return Parts({}, {}, {}, {}, {}, [], trend)
    with _one_off_queries():
        scope = _Scope(tuple(e.pk for e in estates), complaints)
        return Parts(
            _counts(scope, weeks),
            _callbacks(scope, weeks, now),
            _resident_ratings(scope, weeks),
            *_medians(scope, weeks),
            top_buildings=_top_buildings(scope, window, len(estates) > 1),
            trend=_trend(scope, window),
        )


# The shape of ``weekly_figures``; a stored payload of another version is computed again.
# 2: ``follow_up_rate`` and ``resident_satisfaction``.
# 3: ``incident_linked``, the quality figures ``without_incidents`` and the week's incidents.
# 4: ``mindsets``, what the residents received in the week wanted.
FIGURES_VERSION = 4


def weekly_figures(
    *,
    estates: list[Estate],
    week: IsoWeek,
    now,
    complaints: QuerySet[Complaint] | None = None,
) -> dict:
    """The numbers of the report, language-neutral: per top-level category id (JSON keys are
    strings), the totals of this and the previous week, the top buildings and the trend.

    ``complaints``: those of ``estates`` the reader sees, None for all of them.
    ``now`` matters only for a week not yet over (callbacks not yet due are not counted)."""
    parts = _read(estates, week, now, complaints)
    return {
        "version": FIGURES_VERSION,
        # Categories with figures: listed even when no longer active or top-level.
        "seen": sorted(parts.categories("current") | parts.categories("previous")),
        "categories": {
            str(category_id): parts.category("current", category_id)
            for category_id in sorted(parts.categories("current"))
        },
        "total": parts.total("current"),
        "previous_total": parts.total("previous"),
        "top_buildings": parts.top_buildings,
        "trend": parts.trend,
        "incidents": week_incidents(estates=estates, week=week, complaints=complaints),
    }
