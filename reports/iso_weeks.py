"""ISO weeks and their bounds in each estate's time zone.

A week runs from Monday 00:00 to the next Monday 00:00 on the estate's wall clock. Estates in
one zone share bounds; a report over estates in several zones ORs one condition per zone.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
# The years a week may be chosen from: a report reaches weeks before and after the chosen one,
# which a date near year 1 or 9999 does not have.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class WeekOutOfRange(ValueError):
    """A well-formed ISO week of a year the desk does not report on."""


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, value: str) -> IsoWeek:
        """``2026-W47``; raises ValueError for anything else or a week the year lacks, and
        WeekOutOfRange for a year outside ``FIRST_YEAR`` to ``LAST_YEAR``."""
        match = WEEK_PATTERN.match((value or "").strip())
        if not match:
            raise ValueError(f"not an ISO week like 2026-W47: {value!r}")
        year, week = int(match[1]), int(match[2])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise WeekOutOfRange(f"{value.strip()} is not a week of {FIRST_YEAR} to {LAST_YEAR}")
        dt.date.fromisocalendar(year, week, 1)  # raises ValueError for W00 or W53 of a short year
        return cls(year, week)

    @classmethod
    def of(cls, day: dt.date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def last_full(cls, now: dt.datetime | None = None, zone: str | None = None) -> IsoWeek:
        """The week before the current one on the wall clock of ``zone`` (the desk's zone)."""
        local = timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(zone or DESK_ZONE))
        return cls.of(local.date()).shifted(-1)

    @classmethod
    def current(cls, zones: Iterable[str], now: dt.datetime | None = None) -> IsoWeek:
        """The latest week that has begun on the wall clock of any of ``zones`` (the desk's
        zone when there is none): each estate is on its own clock, and a report over several
        reaches the week in progress as soon as one of them is in it."""
        moment = now or timezone.now()
        return max(
            cls.of(timezone.localtime(moment, zoneinfo.ZoneInfo(zone)).date())
            for zone in (set(zones) or {DESK_ZONE})
        )

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + dt.timedelta(weeks=weeks))

    def bounds(self, zone: str) -> tuple[dt.datetime, dt.datetime]:
        """Monday 00:00 and the next Monday 00:00 in ``zone``, as UTC instants."""
        tz = zoneinfo.ZoneInfo(zone)
        start = dt.datetime.combine(self.monday, dt.time(0), tzinfo=tz)
        end = dt.datetime.combine(self.monday + dt.timedelta(weeks=1), dt.time(0), tzinfo=tz)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


# The zone in which "last week" is judged when nobody chose a week.
DESK_ZONE = settings.TIME_ZONE


def validate_iso_week(value: str) -> None:
    try:
        IsoWeek.parse(value)
    except WeekOutOfRange:
        raise ValidationError(
            _("Choose a week of the years %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="out_of_range",
        ) from None
    except ValueError:
        raise ValidationError(
            _("Enter a week like 2026-W47 (year, W, week number)."), code="invalid"
        ) from None


@dataclass(frozen=True)
class Span:
    """One zone's week: its estates and their common bounds."""

    time_zone: str
    estate_ids: tuple[int, ...]
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Window:
    week: IsoWeek
    spans: tuple[Span, ...]

    @classmethod
    def build(cls, week: IsoWeek, estates: Iterable[tuple[int, str]]) -> Window:
        """``estates`` are (id, time zone) pairs."""
        zones: dict[str, list[int]] = {}
        for estate_id, zone in estates:
            zones.setdefault(zone, []).append(estate_id)
        spans = tuple(
            Span(zone, tuple(sorted(ids)), *week.bounds(zone))
            for zone, ids in sorted(zones.items())
        )
        return cls(week, spans)

    def shifted(self, weeks: int) -> Window:
        week = self.week.shifted(weeks)
        return Window(
            week,
            tuple(Span(s.time_zone, s.estate_ids, *week.bounds(s.time_zone)) for s in self.spans),
        )

    def over_by(self, moment: dt.datetime) -> bool:
        """Whether the week has ended on every estate's clock (the desk's when there is none)
        by ``moment``; until then its figures are those so far."""
        ends = [s.end for s in self.spans] or [self.week.bounds(DESK_ZONE)[1]]
        return moment >= max(ends)

    @property
    def first_start(self) -> dt.datetime:
        return min(s.start for s in self.spans)

    @property
    def last_end(self) -> dt.datetime:
        return max(s.end for s in self.spans)

    def each(self, condition: Callable[[Span], Q], *, estate: str = "estate_id") -> Q:
        """OR over the zones of (the row's estate is in the zone AND ``condition(span)``).

        The rows are those of the window's estates (the caller scopes them); with one zone the
        estate test is therefore left out, which spares the database a join.
        """
        if len(self.spans) == 1:
            return condition(self.spans[0])
        parts = [Q(**{f"{estate}__in": s.estate_ids}) & condition(s) for s in self.spans]
        if not parts:
            return Q(pk__in=[])
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined

    def within(self, field: str, *, estate: str = "estate_id") -> Q:
        """``field`` falls in the week of the row's estate."""
        return self.each(
            lambda s: Q(**{f"{field}__gte": s.start, f"{field}__lt": s.end}), estate=estate
        )
