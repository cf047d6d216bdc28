"""Business time, against fixed cases — including those that broke other helpdesks."""

import datetime as dt
import zoneinfo

import pytest

from complaints.clock import BusinessCalendar, CalendarHasNoOpenings

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
LDN = zoneinfo.ZoneInfo("Europe/London")
T = dt.time
DAY = ((T(8, 30), T(18, 0)),)
LUNCH = ((T(8, 30), T(12, 0)), (T(13, 30), T(18, 0)))
ALL_DAY = ((T(0, 0), T(23, 59)),)


def cal(zone="Asia/Shanghai", days=range(7), windows=DAY, holidays=(), workdays=None):
    return BusinessCalendar(
        zone=zoneinfo.ZoneInfo(zone),
        windows={d: windows for d in days},
        holidays=frozenset(holidays),
        workdays=workdays or {},
    )


WEEKDAYS = range(5)


def at(y, m, d, h, mi=0, tz=SH):
    return dt.datetime(y, m, d, h, mi, tzinfo=tz)


# 2026-11-20 is a Friday; 2026-11-23 a Monday.
MINUTE_CASES = [
    (
        "4h from 17:00 lands the next (open) morning",
        cal(),
        at(2026, 11, 20, 17),
        240,
        at(2026, 11, 21, 11, 30),
    ),
    (
        "4h from Friday 17:00 on a Mon-Fri calendar lands Monday",
        cal(days=WEEKDAYS),
        at(2026, 11, 20, 17),
        240,
        at(2026, 11, 23, 11, 30),
    ),
    (
        "a clock started before opening starts at opening",
        cal(),
        at(2026, 11, 20, 7),
        60,
        at(2026, 11, 20, 9, 30),
    ),
    (
        "a clock started at closing starts next morning",
        cal(),
        at(2026, 11, 20, 18),
        60,
        at(2026, 11, 21, 9, 30),
    ),
    ("a complaint logged after hours", cal(), at(2026, 11, 20, 22), 120, at(2026, 11, 21, 10, 30)),
    (
        "time that exactly fills the day lands at closing",
        cal(),
        at(2026, 11, 20, 17),
        60,
        at(2026, 11, 20, 18),
    ),
    ("zero minutes is now when open", cal(), at(2026, 11, 20, 12), 0, at(2026, 11, 20, 12)),
    (
        "the lunch break does not count",
        cal(windows=LUNCH),
        at(2026, 11, 20, 11, 30),
        60,
        at(2026, 11, 20, 14),
    ),
    (
        "a clock started in the lunch break waits for the afternoon",
        cal(windows=LUNCH),
        at(2026, 11, 20, 12, 30),
        30,
        at(2026, 11, 20, 14),
    ),
    (
        "a calendar with Wednesday missing skips it",
        cal(days=(0, 1, 3, 4)),
        at(2026, 11, 24, 17),
        120,
        at(2026, 11, 26, 9, 30),
    ),
    (
        "a holiday inside the window is skipped",
        cal(days=WEEKDAYS, holidays={dt.date(2026, 11, 24)}),
        at(2026, 11, 23, 16),
        180,
        at(2026, 11, 25, 9, 30),
    ),
    (
        "a make-up Saturday (调休) is a working day",
        cal(days=WEEKDAYS, workdays={dt.date(2026, 11, 21): 0}),
        at(2026, 11, 20, 17),
        120,
        at(2026, 11, 21, 9, 30),
    ),
    (
        "the National Day week is skipped whole",
        cal(holidays={dt.date(2026, 10, d) for d in range(1, 8)}),
        at(2026, 9, 30, 17, 30),
        60,
        at(2026, 10, 8, 9),
    ),
    (
        "24 hours on a 24-hour calendar is a day",
        cal(windows=ALL_DAY),
        at(2026, 11, 20, 10),
        24 * 60,
        at(2026, 11, 21, 10),
    ),
    (
        "the midnight edge of a 24-hour calendar",
        cal(windows=ALL_DAY),
        at(2026, 11, 20, 23, 45),
        30,
        at(2026, 11, 21, 0, 15),
    ),
    (
        "London, spring forward: an hour is skipped on the wall clock",
        cal("Europe/London", windows=ALL_DAY),
        at(2027, 3, 28, 0, 30, LDN),
        120,
        at(2027, 3, 28, 3, 30, LDN),
    ),
    (
        "London, fall back: an hour repeats on the wall clock",
        cal("Europe/London", windows=ALL_DAY),
        at(2026, 10, 25, 0, 30, LDN),
        120,
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),
    ),
    (
        "London business hours across the autumn change",
        cal("Europe/London", days=WEEKDAYS),
        at(2026, 10, 23, 17, 0, LDN),
        120,
        at(2026, 10, 26, 9, 30, LDN),
    ),
    (
        "London business hours across the spring change",
        cal("Europe/London", days=WEEKDAYS),
        at(2027, 3, 26, 17, 0, LDN),
        120,
        at(2027, 3, 29, 9, 30, LDN),
    ),
    (
        "a start given in UTC is read in the estate's zone",
        cal(),
        dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
        240,
        at(2026, 11, 21, 11, 30),
    ),
]


@pytest.mark.parametrize(
    ("calendar", "start", "minutes", "expected"),
    [case[1:] for case in MINUTE_CASES],
    ids=[case[0] for case in MINUTE_CASES],
)
def test_add_business_minutes(calendar, start, minutes, expected):
    assert calendar.add_business_minutes(start, minutes) == expected


WORKING_DAY_CASES = [
    (
        "3 working days from Monday",
        cal(days=WEEKDAYS),
        at(2026, 11, 23, 10),
        3,
        at(2026, 11, 26, 10),
    ),
    (
        "3 working days over a weekend",
        cal(days=WEEKDAYS),
        at(2026, 11, 26, 10),
        3,
        at(2026, 12, 1, 10),
    ),
    (
        "a clock started after Friday's close starts on Monday",
        cal(days=WEEKDAYS),
        at(2026, 11, 20, 19),
        1,
        at(2026, 11, 24, 8, 30),
    ),
    (
        "a holiday is not a working day",
        cal(days=WEEKDAYS, holidays={dt.date(2026, 11, 24)}),
        at(2026, 11, 23, 10),
        1,
        at(2026, 11, 25, 10),
    ),
    (
        "a shorter target day ends at its close",
        BusinessCalendar(zone=SH, windows={**{d: DAY for d in range(5)}, 5: ((T(8, 30), T(12)),)}),
        at(2026, 11, 20, 15),
        1,
        at(2026, 11, 21, 12),
    ),
]


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [case[1:] for case in WORKING_DAY_CASES],
    ids=[case[0] for case in WORKING_DAY_CASES],
)
def test_add_working_days(calendar, start, days, expected):
    assert calendar.add_working_days(start, days) == expected


def test_business_minutes_between_counts_only_open_time():
    overnight = cal().business_minutes_between(at(2026, 11, 23, 17), at(2026, 11, 24, 9, 30))
    over_lunch = cal(windows=LUNCH).business_minutes_between(
        at(2026, 11, 23, 11), at(2026, 11, 23, 14)
    )

    assert overnight == 120
    assert over_lunch == 90


def test_next_opening_after_a_holiday():
    calendar = cal(holidays={dt.date(2026, 11, 21)})
    assert calendar.next_opening(at(2026, 11, 20, 19)) == at(2026, 11, 22, 8, 30)


def test_a_calendar_with_no_opening_hours_says_so():
    with pytest.raises(CalendarHasNoOpenings):
        cal(days=()).add_business_minutes(at(2026, 11, 20, 10), 60)


FRIDAY = dt.date(2026, 11, 20)
# 2027-03-28: London's clocks jump from 01:00 to 02:00; 01:00–01:59 never shows on the wall.
SPRING_FORWARD = dt.date(2027, 3, 28)
MINUTE = dt.timedelta(minutes=1)


def test_overlapping_windows_count_their_shared_hour_once():
    calendar = cal(windows=((T(8), T(12)), (T(11), T(14))))

    assert calendar.business_minutes_between(at(2026, 11, 20, 0), at(2026, 11, 21, 0)) == 360
    assert calendar.add_business_minutes(at(2026, 11, 20, 8), 360) == at(2026, 11, 20, 14)
    assert calendar.windows_on(FRIDAY) == [(at(2026, 11, 20, 8), at(2026, 11, 20, 14))]


def test_a_window_closing_in_the_skipped_hour_closes_as_the_clocks_jump():
    calendar = cal("Europe/London", windows=((T(0, 30), T(1, 30)),))
    midnight = at(2027, 3, 28, 0, tz=LDN)

    assert calendar.business_minutes_between(midnight, midnight + dt.timedelta(days=1)) == 30
    assert calendar.windows_on(SPRING_FORWARD) == [
        (at(2027, 3, 28, 0, 30, LDN), at(2027, 3, 28, 2, 0, LDN))
    ]


def test_a_window_opening_in_the_skipped_hour_opens_as_the_clocks_jump_and_never_runs_backwards():
    calendar = cal("Europe/London", windows=((T(1, 30), T(2, 15)), (T(9), T(18))))
    midnight = at(2027, 3, 28, 0, tz=LDN)

    # 15 minutes from the jump (02:00) to 02:15, then 45 from nine.
    assert calendar.add_business_minutes(midnight, 60) == at(2027, 3, 28, 9, 45, LDN)
    assert calendar.windows_on(SPRING_FORWARD) == [
        (at(2027, 3, 28, 2, 0, LDN), at(2027, 3, 28, 2, 15, LDN)),
        (at(2027, 3, 28, 9, 0, LDN), at(2027, 3, 28, 18, 0, LDN)),
    ]


def test_a_window_wholly_in_the_skipped_hour_is_no_opening():
    calendar = cal("Europe/London", windows=((T(1, 15), T(1, 45)),))

    assert calendar.windows_on(SPRING_FORWARD) == []
    assert calendar.next_opening(at(2027, 3, 28, 0, tz=LDN)) == at(2027, 3, 29, 1, 15, LDN)


def test_working_days_land_in_utc_where_the_wall_clock_first_shows_the_time():
    calendar = cal("Europe/London", windows=((T(0), T(2, 15)),))

    due = calendar.add_working_days(at(2027, 3, 26, 1, 30, LDN), 2)

    # 01:30 is skipped on Sunday: the clocks show 02:00 first, inside the window (to 02:15).
    assert due == dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC)
    assert due.astimezone(LDN).time() == T(2, 0)


def test_a_long_span_on_a_24_hour_calendar_is_counted_through():
    around_the_clock = cal(windows=ALL_DAY)
    start = at(2026, 11, 20, 10)
    four_years = dt.timedelta(days=4 * 365)

    assert around_the_clock.add_business_minutes(start, four_years // MINUTE) == start + four_years
    assert (
        around_the_clock.business_minutes_between(start, start + four_years) == four_years // MINUTE
    )
    assert around_the_clock.add_working_days(start, 1500) == start + dt.timedelta(days=1500)


def test_the_search_for_openings_counts_from_the_last_opening():
    # Open on 2026-11-20, closed 700 days, open one day, closed 700 days, then open again.
    closed = [FRIDAY + dt.timedelta(days=d) for d in [*range(1, 701), *range(702, 1402)]]
    calendar = cal(holidays=closed)

    due = calendar.add_business_minutes(at(2026, 11, 20, 17), 60 + 570 + 60)

    assert due == dt.datetime.combine(FRIDAY + dt.timedelta(days=1402), T(9, 30), tzinfo=SH)


def test_a_calendar_closed_for_three_years_after_its_last_opening_says_so():
    closed_after_friday = cal(holidays=[FRIDAY + dt.timedelta(days=d) for d in range(1, 1200)])

    with pytest.raises(CalendarHasNoOpenings, match=r"No opening hours within 1098 days"):
        closed_after_friday.add_business_minutes(at(2026, 11, 20, 17), 120)
