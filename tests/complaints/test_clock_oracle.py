"""Business time against a wall clock read minute by minute, over random calendars.

The oracle here knows nothing of ``complaints.clock``. It walks real minutes (UTC), reads the
zone's wall clock at each, and calls a minute open when, on the date the wall clock shows, the
clock has already shown the opening time of one of that date's windows and not yet its closing
time (a window closing at 23:59 runs to the end of the date). That is the desk's rule in words:
a window opens the first moment the wall clock shows its opening time and closes the first
moment it shows its closing time; a time skipped in spring is passed as the clocks jump, a time
shown twice in autumn counts from its first showing, hours two windows share count once.

The calendars are random (up to three windows a weekday, overlapping or not, lunch breaks,
holidays, make-up days) and start within days of a daylight-saving change in Europe/London,
America/New_York or Australia/Lord_Howe (a 30-minute change), or anywhere in Asia/Shanghai.
The run is derandomised: the same 2,000 examples every time, in CI too.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zoneinfo
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from complaints.clock import BusinessCalendar, CalendarHasNoOpenings

# Hypothesis keeps caches beside the tests unless told otherwise; they belong in /tmp.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="desk-hypothesis-"))

MINUTE = dt.timedelta(minutes=1)
DAY_MINUTES = 24 * 60
ZONES = ("Asia/Shanghai", "Europe/London", "America/New_York", "Australia/Lord_Howe")
# The oracle walks from a day and more before the start (so the start's date is whole) to
# HORIZON_DAYS after it; the answers it cannot give inside that walk it bounds from below.
LEAD = dt.timedelta(hours=26)
HORIZON_DAYS = 5
EXAMPLES = 2000


def _changes(zone_name: str) -> list[dt.datetime]:
    """The instants (UTC, to the minute) in 2026–2028 at which the zone's clocks change."""
    zone = zoneinfo.ZoneInfo(zone_name)

    def offset(instant: dt.datetime) -> dt.timedelta | None:
        return instant.astimezone(zone).utcoffset()

    noon = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    found = []
    while noon.year < 2029:
        after = noon + dt.timedelta(days=1)
        if offset(noon) != offset(after):
            found.append(
                next(
                    noon + m * MINUTE
                    for m in range(DAY_MINUTES)
                    if offset(noon + m * MINUTE) != offset(noon)
                )
            )
        noon = after
    return found


CHANGES = {zone: _changes(zone) for zone in ZONES}


@dataclass(frozen=True)
class Case:
    zone: str
    # weekday -> (opens, closes) in minutes of the day; 1439 (23:59) closes at midnight.
    windows: dict[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[dt.date]
    workdays: dict[dt.date, int]
    start: dt.datetime
    minutes: int
    working_days: int
    until: dt.datetime

    def windows_of(self, date: dt.date) -> tuple[tuple[int, int], ...]:
        if date in self.holidays:
            return ()
        return self.windows.get(self.workdays.get(date, date.weekday()), ())

    def calendar(self) -> BusinessCalendar:
        def time(minutes: int) -> dt.time:
            return dt.time(minutes // 60, minutes % 60)

        return BusinessCalendar(
            zone=zoneinfo.ZoneInfo(self.zone),
            windows={
                day: tuple((time(o), time(c)) for o, c in spans)
                for day, spans in self.windows.items()
            },
            holidays=self.holidays,
            workdays=self.workdays,
            name="random",
        )


class WallClock:
    """Every real minute from ``first`` on: the date and time its wall clock shows, and whether
    the desk is open in it."""

    def __init__(self, case: Case, first: dt.datetime, count: int) -> None:
        zone = zoneinfo.ZoneInfo(case.zone)
        self.first, self.end = first, first + count * MINUTE
        self.dates: list[dt.date] = []
        self.shown: list[int] = []
        self.open: list[bool] = []
        self.days: dict[dt.date, range] = {}
        date, reached, inside = None, -1, [False] * DAY_MINUTES
        instant = first
        for index in range(count):
            wall = instant.astimezone(zone)
            if wall.date() != date:
                if date is not None:
                    self.days[date] = range(self.days[date].start, index)
                date, reached = wall.date(), -1
                self.days[date] = range(index, count)
                # Whether a wall-clock time of the date lies inside one of its windows.
                inside = [False] * DAY_MINUTES
                for opens, closes in case.windows_of(date):
                    closes = DAY_MINUTES if closes >= 1439 else closes
                    inside[opens:closes] = [True] * (closes - opens)
            shown = wall.hour * 60 + wall.minute
            # The furthest the clock has got today: a time shown again in autumn is not new.
            if shown > reached:
                reached = shown
            self.dates.append(date)
            self.shown.append(shown)
            self.open.append(inside[reached])
            instant += MINUTE

    def at(self, index: int) -> dt.datetime:
        return self.first + index * MINUTE

    def index(self, instant: dt.datetime) -> int:
        return (instant - self.first) // MINUTE

    def next_opening(self, instant: dt.datetime) -> dt.datetime | None:
        for index in range(self.index(instant), len(self.open)):
            if self.open[index]:
                return self.at(index)
        return None

    def add(self, instant: dt.datetime, minutes: int) -> dt.datetime | None:
        if minutes <= 0:
            return self.next_opening(instant)
        for index in range(self.index(instant), len(self.open)):
            minutes -= self.open[index]
            if minutes == 0:
                return self.at(index + 1)
        return None

    def between(self, a: dt.datetime, b: dt.datetime) -> int:
        return sum(self.open[self.index(a) : self.index(b)]) if b > a else 0

    def runs(self, date: dt.date) -> list[tuple[int, int]]:
        """The open stretches of a date as (first index, index after the last)."""
        found: list[tuple[int, int]] = []
        for index in self.days[date]:
            if self.open[index]:
                if found and found[-1][1] == index:
                    found[-1] = (found[-1][0], index + 1)
                else:
                    found.append((index, index + 1))
        return found

    def add_working_days(self, instant: dt.datetime, days: int) -> dt.datetime | None:
        start = self.next_opening(instant)
        if start is None or days <= 0:
            return start
        started = self.index(start)
        counted, date = 0, self.dates[started]
        whole = self.dates[-1]  # the last date is walked only in part
        while (date := date + dt.timedelta(days=1)) < whole:
            runs = self.runs(date)
            counted += bool(runs)
            if counted == days:
                # The first minute of the date whose wall clock shows the start's time or later.
                target = next(i for i in self.days[date] if self.shown[i] >= self.shown[started])
                if any(lo <= target <= hi for lo, hi in runs):
                    return self.at(target)
                ends = [hi for _lo, hi in runs if hi <= target]
                return self.at(ends[-1] if ends else runs[0][0])
        return None


# Window edges on a 15-minute grid: the small hours, where the clocks change, drawn as often
# as the whole day. Lengths up to four hours as often as up to the whole day; one window in
# four open around the clock.
EDGE = st.one_of(st.integers(0, 16), st.integers(0, 95)).map(lambda q: q * 15)
LENGTH = st.one_of(st.integers(1, 16), st.integers(1, 96)).map(lambda q: q * 15)
SPAN = st.tuples(EDGE, LENGTH).map(lambda w: (w[0], min(w[0] + w[1], 1439)))
WINDOW = st.one_of(SPAN, SPAN, SPAN, st.just((0, 1439)))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(ZONES))
    changes = CHANGES[zone] or [dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)]
    change = draw(st.sampled_from(changes))
    working_days = draw(st.integers(0, 3))
    if CHANGES[zone] and draw(st.booleans()):
        # A day or three before a change at about the time of day it happens: working days
        # counted from there land on the change at a time the clocks skip or repeat.
        days_before = max(working_days, 1) * DAY_MINUTES
        start = change + (draw(st.integers(-60, 60)) - days_before) * MINUTE
    elif CHANGES[zone]:
        start = change + draw(st.integers(-4 * DAY_MINUTES, DAY_MINUTES)) * MINUTE
    else:
        start = change + draw(st.integers(-3 * 366 * DAY_MINUTES, 0)) * MINUTE
    first_date = start.astimezone(zoneinfo.ZoneInfo(zone)).date()
    offsets = st.integers(-1, HORIZON_DAYS + 1)
    holidays = draw(st.sets(offsets, max_size=3))
    workdays = draw(st.dictionaries(offsets, st.integers(0, 6), max_size=2))
    return Case(
        zone=zone,
        windows={day: tuple(draw(st.lists(WINDOW, max_size=3))) for day in range(7)},
        holidays=frozenset(first_date + dt.timedelta(days=h) for h in holidays),
        workdays={
            first_date + dt.timedelta(days=d): like
            for d, like in workdays.items()
            if d not in holidays
        },
        start=start,
        minutes=draw(st.integers(0, 3 * DAY_MINUTES)),
        working_days=working_days,
        until=start + draw(st.integers(-60, HORIZON_DAYS * DAY_MINUTES)) * MINUTE,
    )


def _answer(compute):
    try:
        return compute()
    except CalendarHasNoOpenings:
        return None


def _agrees(answer: dt.datetime | None, expected: dt.datetime | None, walked_to: dt.datetime):
    """The oracle's answer, or, where it walked out of its range, one beyond the range (or no
    opening at all)."""
    if expected is None:
        return answer is None or answer >= walked_to
    return answer == expected


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=cases())
def test_the_clock_counts_what_a_wall_clock_shows_minute_by_minute(case):
    first = case.start - LEAD
    oracle = WallClock(case, first, (LEAD // MINUTE) + (HORIZON_DAYS + 1) * DAY_MINUTES)
    clock = case.calendar()
    start, end = case.start, oracle.end

    opening = _answer(lambda: clock.next_opening(start))
    added = _answer(lambda: clock.add_business_minutes(start, case.minutes))
    days_later = _answer(lambda: clock.add_working_days(start, case.working_days))
    expected_opening = oracle.next_opening(start)
    expected_added = oracle.add(start, case.minutes)
    expected_days_later = oracle.add_working_days(start, case.working_days)
    # A working day the walk did not reach lies on its last (part-walked) date or later.
    last_date = oracle.at(oracle.days[oracle.dates[-1]].start)

    assert clock.business_minutes_between(start, case.until) == oracle.between(start, case.until)
    assert _agrees(opening, expected_opening, end), (opening, expected_opening)
    assert _agrees(added, expected_added, end), (added, expected_added)
    assert _agrees(days_later, expected_days_later, last_date), (days_later, expected_days_later)


def _every_minute(zone: str, date: dt.date) -> Case:
    midnight = dt.datetime.combine(date, dt.time(0), tzinfo=zoneinfo.ZoneInfo(zone))
    start = midnight.astimezone(dt.UTC)
    return Case(
        zone=zone,
        windows=dict.fromkeys(range(7), ((0, 1439),)),
        holidays=frozenset(),
        workdays={},
        start=start,
        minutes=0,
        working_days=0,
        until=start,
    )


def test_the_oracle_counts_the_short_and_the_long_days():
    """The oracle itself, against days whose length is known: 23 and 25 hours in London,
    23½ and 24½ on Lord Howe Island, 24 in Shanghai."""
    lengths = {}
    for zone, date in [
        ("Europe/London", dt.date(2027, 3, 28)),
        ("Europe/London", dt.date(2026, 10, 25)),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4)),
        ("Australia/Lord_Howe", dt.date(2027, 4, 4)),
        ("Asia/Shanghai", dt.date(2026, 10, 4)),
    ]:
        case = _every_minute(zone, date)
        oracle = WallClock(case, case.start - LEAD, (LEAD // MINUTE) + 2 * DAY_MINUTES)
        runs = oracle.runs(date)
        lengths[zone, date.month] = runs[0][1] - runs[0][0]

    assert lengths == {
        ("Europe/London", 3): 23 * 60,
        ("Europe/London", 10): 25 * 60,
        ("Australia/Lord_Howe", 10): 23 * 60 + 30,
        ("Australia/Lord_Howe", 4): 24 * 60 + 30,
        ("Asia/Shanghai", 10): 24 * 60,
    }
