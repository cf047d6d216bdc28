"""Business time: how far "this much working time after that instant" lands for an estate.

Every function answers with a UTC instant: local wall-clock times are ambiguous for an hour
each autumn where daylight saving ends, UTC never is.

Every deadline is stored as a UTC instant. Local opening hours are turned into aware
intervals day by day, so a day that gains or loses an hour to daylight saving still counts
the minutes a clock on the wall would.

A window opens the first moment the wall clock shows its opening time (or later) on its day,
and closes the first moment it shows its closing time: a time the clocks skip in spring opens
or closes the window as they jump, a time shown twice in autumn counts its first showing. A
day's windows are merged before counting, so hours that two windows share count once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    ExpressionWrapper,
    Q,
    TimeField,
    Value,
)

from complaints.configuration_cache import ConfigurationCache
from residents.models import CalendarDay, Estate, HolidayCalendar, OpeningWindow

DEFAULT_WINDOWS = ((dt.time(8, 30), dt.time(18, 0)),)
# A window closing at 23:59 or later runs to midnight, so a 24-hour calendar has no gap.
END_OF_DAY = dt.time(23, 59)
# How many days in a row without an opening a search crosses before it gives up.
MAX_DAYS_AHEAD = 3 * 366
# How far ahead any search goes at all, however open the calendar: far past any deadline,
# and short of the last date a datetime can hold.
MAX_DAYS_IN_ALL = 100 * 366

Span = tuple[dt.datetime, dt.datetime]


class CalendarHasNoOpenings(ValueError):
    pass


def _merged(spans: list[Span]) -> tuple[Span, ...]:
    """Spans in order, empty ones dropped, overlapping or touching ones joined."""
    merged: list[Span] = []
    for start, end in sorted(span for span in spans if span[1] > span[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


@dataclass(frozen=True)
class BusinessCalendar:
    zone: zoneinfo.ZoneInfo
    windows: dict[int, tuple[tuple[dt.time, dt.time], ...]]
    holidays: frozenset[dt.date] = frozenset()
    workdays: dict[dt.date, int] = field(default_factory=dict)
    name: str = ""
    # Each local day's openings as UTC intervals, worked out once per calendar: aware
    # datetimes of one tzinfo (UTC) compare and subtract without consulting the zone's rules,
    # which is most of the cost of a deadline otherwise.
    _days: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def every_day(
        cls, zone: str = "Asia/Shanghai", windows=DEFAULT_WINDOWS, **kwargs
    ) -> BusinessCalendar:
        return cls(zone=zoneinfo.ZoneInfo(zone), windows=dict.fromkeys(range(7), windows), **kwargs)

    def windows_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The opening intervals of a local day, merged, as aware local datetimes in order."""
        return [(s.astimezone(self.zone), e.astimezone(self.zone)) for s, e in self._utc_day(day)]

    def wall_clock_reaches(self, day: dt.date, time: dt.time) -> dt.datetime:
        """The first moment (UTC) the wall clock on ``day`` shows ``time`` or later: the jump
        itself for a time the clocks skip, the first showing for a time shown twice."""
        local = dt.datetime.combine(day, time, tzinfo=self.zone).replace(fold=0)
        first = local.astimezone(dt.UTC)
        if first.astimezone(self.zone).replace(tzinfo=None) == local.replace(tzinfo=None):
            return first
        # Skipped: ``first`` reads the time with the offset before the jump, so it lands after
        # it; the same time read with the offset after the jump lands before it.
        before = local.replace(fold=1).astimezone(dt.UTC).replace(microsecond=0)
        after_jump = first.astimezone(self.zone).utcoffset()
        seconds = range(int((first - before).total_seconds()) + 1)
        jump = bisect.bisect_left(
            seconds,
            True,
            key=lambda s: (
                (before + dt.timedelta(seconds=s)).astimezone(self.zone).utcoffset() == after_jump
            ),
        )
        return before + dt.timedelta(seconds=jump)

    def _utc_day(self, day: dt.date) -> tuple[Span, ...]:
        known = self._days.get(day)
        if known is None:
            spans: list[Span] = []
            if day not in self.holidays:
                weekday = self.workdays.get(day, day.weekday())
                for opens, closes in self.windows.get(weekday, ()):
                    if closes >= END_OF_DAY:
                        end = self.wall_clock_reaches(day + dt.timedelta(days=1), dt.time(0))
                    else:
                        end = self.wall_clock_reaches(day, closes)
                    spans.append((self.wall_clock_reaches(day, opens), end))
            known = self._days[day] = _merged(spans)
        return known

    def _open_days(self, instant: dt.datetime) -> Iterator[tuple[dt.date, tuple[Span, ...]]]:
        """Each local day with openings from the one holding ``instant`` on, with its spans.

        Gives up after ``MAX_DAYS_AHEAD`` days in a row without an opening, counted from the
        last one, so a long span on an open calendar is counted through."""
        day = instant.astimezone(self.zone).date()
        closed = 0
        for _ in range(MAX_DAYS_IN_ALL):
            spans = self._utc_day(day)
            closed = 0 if spans else closed + 1
            if closed >= MAX_DAYS_AHEAD:
                raise CalendarHasNoOpenings(
                    f"No opening hours within {MAX_DAYS_AHEAD} days ({self.name})."
                )
            if spans:
                yield day, spans
            day += dt.timedelta(days=1)
        raise CalendarHasNoOpenings(
            f"Business time runs more than {MAX_DAYS_IN_ALL} days ahead ({self.name})."
        )

    def next_opening(self, instant: dt.datetime) -> dt.datetime:
        """The instant itself when open, else the start of the next opening window."""
        instant = instant.astimezone(dt.UTC)
        for _day, spans in self._open_days(instant):
            for start, end in spans:
                if end > instant:
                    return max(start, instant)
        raise AssertionError("unreachable")

    def add_business_minutes(self, instant: dt.datetime, minutes: int) -> dt.datetime:
        remaining = dt.timedelta(minutes=minutes)
        if remaining <= dt.timedelta(0):
            return self.next_opening(instant)
        instant = instant.astimezone(dt.UTC)
        for _day, spans in self._open_days(instant):
            for start, end in spans:
                if end <= instant:
                    continue
                begin = max(start, instant)
                # In UTC: a day that gains or loses an hour to daylight saving counts what a
                # clock on the wall would.
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise AssertionError("unreachable")

    def add_working_days(self, instant: dt.datetime, days: int) -> dt.datetime:
        """The same business moment ``days`` working days later.

        A clock started outside opening hours starts at the next opening. The result keeps the
        local time of day, or the last close of the target day when that day closes earlier.
        A working day is a day with an opening; everything is compared in UTC.
        """
        start = self.next_opening(instant)
        if days <= 0:
            return start
        local = start.astimezone(self.zone)
        counted = 0
        for day, spans in self._open_days(start):
            if day == local.date():
                continue
            counted += 1
            if counted == days:
                target = self.wall_clock_reaches(day, local.time())
                if any(span_start <= target <= span_end for span_start, span_end in spans):
                    return target
                before = [span_end for _, span_end in spans if span_end <= target]
                return before[-1] if before else spans[0][0]
        raise AssertionError("unreachable")

    def business_minutes_between(self, a: dt.datetime, b: dt.datetime) -> int:
        if b <= a:
            return 0
        a, b = a.astimezone(dt.UTC), b.astimezone(dt.UTC)
        total = dt.timedelta(0)
        # A local day's openings lie within that day, so the days from a's to b's hold them all.
        day, last = a.astimezone(self.zone).date(), b.astimezone(self.zone).date()
        while day <= last:
            for start, end in self._utc_day(day):
                lo, hi = max(start, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return int(total.total_seconds() // 60)


def _calendar_rows(estate: Estate) -> tuple[list[tuple], list[tuple]]:
    """(weekday, opens, closes) of the estate's opening windows and (date, kind, opens like,
    own) of its calendar days and its holiday calendar's, in one statement: each column takes
    the type of the windows' half, so every database answers dates and times as such."""
    windows = OpeningWindow.objects.filter(estate_id=estate.pk).values_list(
        Value(None, output_field=DateField()),
        "weekday",
        Value(None, output_field=CharField()),
        "opens",
        "closes",
        Value(None, output_field=BooleanField()),
    )
    shared = Q(calendar_id=estate.holiday_calendar_id) if estate.holiday_calendar_id else Q()
    days = CalendarDay.objects.filter(Q(estate_id=estate.pk) | shared).values_list(
        "date",
        "opens_like",
        "kind",
        Value(None, output_field=TimeField()),
        Value(None, output_field=TimeField()),
        ExpressionWrapper(Q(estate_id__isnull=False), output_field=BooleanField()),
    )
    window_rows, day_rows = [], []
    for row in windows.order_by().union(days.order_by(), all=True):
        date, weekday, kind, opens, closes, own = row
        if date is None:
            window_rows.append((weekday, opens, closes))
        else:
            day_rows.append((date, kind, weekday, own))
    return window_rows, day_rows


def _calendar_days(day_rows: list[tuple]) -> tuple[frozenset[dt.date], dict[dt.date, int]]:
    """Holidays and make-up working days (with the weekday they open like); an estate's own
    day wins over its holiday calendar's on the same date."""
    holidays: set[dt.date] = set()
    workdays: dict[dt.date, int] = {}
    # The shared calendar's days first, so that the estate's own replace them.
    for date, kind, opens_like, _own in sorted(day_rows, key=lambda row: bool(row[3])):
        holidays.discard(date)
        workdays.pop(date, None)
        if kind == CalendarDay.Kind.HOLIDAY:
            holidays.add(date)
        else:
            workdays[date] = opens_like
    return frozenset(holidays), workdays


def _calendar_build(estate: Estate) -> BusinessCalendar:
    window_rows, day_rows = _calendar_rows(estate)
    windows: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for weekday, opens, closes in window_rows:
        windows[weekday].append((opens, closes))
    holidays, workdays = _calendar_days(day_rows)
    if not windows:
        return BusinessCalendar.every_day(
            estate.time_zone, holidays=holidays, workdays=workdays, name=estate.code
        )
    return BusinessCalendar(
        zone=zoneinfo.ZoneInfo(estate.time_zone),
        windows={k: tuple(sorted(v)) for k, v in windows.items()},
        holidays=holidays,
        workdays=workdays,
        name=estate.code,
    )


_calendars = ConfigurationCache(
    "calendars", sources=(Estate, OpeningWindow, CalendarDay, HolidayCalendar)
)


def calendar_for_estate(estate: Estate) -> BusinessCalendar:
    """The estate's calendar from its opening windows, its own calendar days and its holiday
    calendar's (defaults if none), kept in the process (``configuration_cache``)."""
    return _calendars.get(estate.pk, lambda: _calendar_build(estate))


def calendars_forget() -> None:
    """Read every calendar afresh next time: after a change made without signals (a queryset
    ``update`` or ``bulk_create``), or where a change must be seen at once."""
    _calendars.clear()
