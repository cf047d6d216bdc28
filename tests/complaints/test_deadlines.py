"""Deadline rows as the actions open, meet and cancel them, and the business calendar below."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from complaints.clock import BusinessCalendar, CalendarHasNoOpenings, calendar_for_estate
from complaints.models import Complaint, DeadlineKind, DeadlinePolicy, DeadlineState
from complaints.services.acknowledgements import escalation_acknowledge
from complaints.services.sweep import sweep_run
from residents.models import CalendarDay, Estate, OpeningWindow
from tests.complaints.helpers import TUESDAY_10, act, complaint_at, local, valid_data
from tests.factories import category, log_complaint

SH_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")

ACK, FIRST, AGREED, RESOLUTION, FOLLOW_UP = (
    DeadlineKind.ACKNOWLEDGE,
    DeadlineKind.FIRST_CALLBACK,
    DeadlineKind.AGREED_CALLBACK,
    DeadlineKind.RESOLUTION,
    DeadlineKind.FOLLOW_UP,
)
PENDING, MET, CANCELLED = DeadlineState.PENDING, DeadlineState.MET, DeadlineState.CANCELLED
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TUESDAY_10, tick=False) as traveller:
        yield traveller


def deadlines(complaint: Complaint) -> list[tuple]:
    """(kind, state, due_at) of each deadline row, oldest first."""
    return list(complaint.deadlines.order_by("id").values_list("kind", "state", "due_at"))


def test_an_urgent_complaint_runs_around_the_clock_from_receipt(clock, frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate, severity="urgent")
    acknowledge = complaint.deadlines.get()
    clock.shift(dt.timedelta(minutes=5))

    act(complaint, frontdesk, "accept")

    assert (acknowledge.due_at, acknowledge.remind_at) == (
        local(2026, 3, 10, 10, 15),
        local(2026, 3, 10, 10, 12),
    )
    assert acknowledge.explanation["clock"] == "calendar"
    assert deadlines(complaint) == [
        (ACK, MET, local(2026, 3, 10, 10, 15)),
        (FIRST, PENDING, local(2026, 3, 10, 12, 0)),
        (RESOLUTION, PENDING, local(2026, 3, 11, 10, 0)),
    ]
    assert complaint.deadlines.get(kind=ACK).met_at == local(2026, 3, 10, 10, 5)
    assert set(complaint.deadlines.values_list("starts_at", flat=True)) == {TUESDAY_10}


def test_an_urgent_complaint_at_night_is_due_within_15_minutes(clock, frontdesk, estate):
    clock.move_to(local(2026, 3, 10, 23, 0))

    complaint = log_complaint(frontdesk, estate=estate, severity="urgent")

    assert deadlines(complaint) == [(ACK, PENDING, local(2026, 3, 10, 23, 15))]


@pytest.mark.parametrize(
    ("logged", "due", "started_at_opening"),
    [
        (local(2026, 3, 10, 10, 0), local(2026, 3, 10, 12, 0), None),
        # One working hour left today (to 18:00), the second from 08:30 tomorrow.
        (local(2026, 3, 10, 17, 0), local(2026, 3, 11, 9, 30), None),
        # After hours: the clock starts at tomorrow's opening.
        (local(2026, 3, 10, 19, 0), local(2026, 3, 11, 10, 30), local(2026, 3, 11, 8, 30)),
    ],
)
def test_a_normal_complaint_is_acknowledged_within_two_working_hours(
    clock, logged, due, started_at_opening, frontdesk, estate
):
    clock.move_to(logged)

    complaint = log_complaint(frontdesk, estate=estate)

    acknowledge = complaint.deadlines.get()
    assert (acknowledge.kind, acknowledge.starts_at, acknowledge.due_at) == (ACK, logged, due)
    assert acknowledge.explanation["clock"] == "business"
    assert acknowledge.explanation["business_minutes"] == 120
    opening = acknowledge.explanation.get("clock_started_at_opening")
    assert (dt.datetime.fromisoformat(opening) if opening else None) == started_at_opening


def test_a_normal_complaint_is_resolved_within_three_working_days(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)

    resolution = complaint.deadlines.get(kind=RESOLUTION)
    assert (resolution.starts_at, resolution.due_at) == (TUESDAY_10, local(2026, 3, 13, 10, 0))
    assert resolution.explanation["working_days"] == 3


def test_a_category_s_own_policy_wins_over_the_default(frontdesk, estate):
    DeadlinePolicy.objects.create(
        category=category("FAC"),
        severity="normal",
        clock="calendar",
        acknowledge_minutes=45,
        first_callback_minutes=60,
        resolution_minutes=600,
        follow_up_minutes=1440,
    )

    lift = log_complaint(frontdesk, estate=estate, category="FAC-LIFT")
    noise = log_complaint(frontdesk, estate=estate, category="SEC-NOISE")

    assert deadlines(lift) == [(ACK, PENDING, local(2026, 3, 10, 10, 45))]
    assert deadlines(noise) == [(ACK, PENDING, local(2026, 3, 10, 12, 0))]


def test_accepting_late_still_meets_the_acknowledge_deadline(clock, frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate, severity="urgent")
    clock.shift(dt.timedelta(hours=1))

    accepted = act(complaint, frontdesk, "accept")

    acknowledge = accepted.deadlines.get(kind=ACK)
    assert (acknowledge.state, acknowledge.met_at) == (MET, local(2026, 3, 10, 11, 0))
    assert acknowledge.met_at > acknowledge.due_at


def test_a_missed_deadline_is_met_when_the_work_is_done(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    # What the sweep does to an overdue deadline.
    complaint.deadlines.update(state=DeadlineState.MISSED)

    accepted = act(complaint, frontdesk, "accept")

    assert accepted.deadlines.get(kind=ACK).state == MET
    assert accepted.events.last().data["deadlines_met"] == ["acknowledge"]


def test_log_callback_meets_the_callbacks_owed_once_the_resident_is_reached(
    clock, frontdesk, estate
):
    complaint = log_complaint(frontdesk, estate=estate, severity="urgent")
    act(complaint, frontdesk, "accept")
    clock.shift(dt.timedelta(minutes=30))

    act(
        complaint,
        frontdesk,
        "log_callback",
        reached=False,
        note="无人接听",
        next_callback_at=local(2026, 3, 10, 15, 0),
    )
    after_first = deadlines(complaint)
    clock.shift(dt.timedelta(hours=3))
    act(complaint, frontdesk, "log_callback", reached=True, note="已告知维修进度")

    # Nobody answered: the first callback is owed still; the time for the next try is agreed.
    assert after_first[1:] == [
        (FIRST, PENDING, local(2026, 3, 10, 12, 0)),
        (RESOLUTION, PENDING, local(2026, 3, 11, 10, 0)),
        (AGREED, PENDING, local(2026, 3, 10, 15, 0)),
    ]
    assert deadlines(complaint)[3] == (AGREED, MET, local(2026, 3, 10, 15, 0))
    assert complaint.deadlines.get(kind=AGREED).met_at == local(2026, 3, 10, 13, 30)
    # Reached at 13:30, after its 12:00: met, late.
    assert complaint.deadlines.get(kind=FIRST).state == MET
    assert complaint.deadlines.get(kind=FIRST).met_at == local(2026, 3, 10, 13, 30)
    assert not complaint.deadlines.filter(kind=AGREED, state=PENDING).exists()


def test_a_call_nobody_answered_meets_nothing_and_the_callback_escalates_when_due(
    clock, frontdesk, estate
):
    complaint = log_complaint(frontdesk, estate=estate, severity="urgent")
    act(complaint, frontdesk, "accept")
    clock.shift(dt.timedelta(minutes=30))

    logged = act(complaint, frontdesk, "log_callback", reached=False, note="无人接听")

    assert logged.events.last().data["deadlines_met"] == []
    first = complaint.deadlines.get(kind=FIRST)
    assert (first.state, first.met_at) == (PENDING, None)
    swept = sweep_run(now=first.due_at + dt.timedelta(minutes=1))
    again = sweep_run(now=first.due_at + dt.timedelta(minutes=2))
    assert swept.escalated == [(complaint.reference, "first_callback", 1)]
    assert again.escalated == []
    assert complaint.deadlines.get(kind=FIRST).state == DeadlineState.MISSED


def test_a_newly_agreed_time_replaces_the_callback_still_pending(supervisor, frontdesk, estate):
    complaint = complaint_at("resolution", actor=frontdesk, estate=estate)
    planned_due = complaint.deadlines.get(kind=AGREED).due_at
    act(complaint, frontdesk, "escalate", reason="refused_time", note="业主不接受下午")
    escalation = complaint.escalations.get()

    # The supervisor agrees another time with the resident.
    escalation_acknowledge(
        escalation_id=escalation.pk, actor=supervisor, callback_due_at=local(2026, 3, 11, 9, 0)
    )

    agreed = list(complaint.deadlines.filter(kind=AGREED).values_list("state", "due_at"))
    assert agreed == [(CANCELLED, planned_due), (PENDING, local(2026, 3, 11, 9, 0))]


def test_plan_resolution_meets_the_first_callback_and_sets_the_agreed_one(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)

    act(complaint, frontdesk, "plan_resolution", **valid_data("plan_resolution"))

    first = complaint.deadlines.get(kind=FIRST)
    agreed = complaint.deadlines.get(kind=AGREED)
    assert (first.state, first.met_at) == (MET, TUESDAY_10)
    assert (agreed.state, agreed.starts_at, agreed.due_at, agreed.policy) == (
        PENDING,
        TUESDAY_10,
        local(2026, 3, 10, 14, 0),
        None,
    )
    assert agreed.explanation["agreed_with_resident"] is True


def test_mark_resolved_meets_the_resolution_and_opens_the_follow_up(clock, supervisor, estate):
    complaint = complaint_at("resolution", actor=supervisor, estate=estate, severity="urgent")
    clock.shift(dt.timedelta(hours=5))

    act(complaint, supervisor, "mark_resolved", **valid_data("mark_resolved"))

    resolution = complaint.deadlines.get(kind=RESOLUTION)
    follow_up = complaint.deadlines.get(kind=FOLLOW_UP)
    assert (resolution.state, resolution.met_at) == (MET, local(2026, 3, 10, 15, 0))
    assert (follow_up.state, follow_up.starts_at, follow_up.due_at) == (
        PENDING,
        local(2026, 3, 10, 15, 0),
        local(2026, 3, 11, 15, 0),
    )


def test_close_meets_the_follow_up_and_cancels_what_is_still_open(supervisor, estate):
    complaint = complaint_at("follow_up", actor=supervisor, estate=estate)
    assert complaint.deadlines.get(kind=AGREED).state == PENDING

    act(complaint, supervisor, "close", **valid_data("close"))

    states = dict(complaint.deadlines.values_list("kind", "state"))
    assert states == {
        ACK: MET,
        FIRST: MET,
        RESOLUTION: MET,
        AGREED: CANCELLED,
        FOLLOW_UP: MET,
        # Handed to engineering and resolved by it: taken on, if by nobody by name.
        DeadlineKind.TAKE_OVER: MET,
    }


def test_close_as_explained_counts_as_the_callback_and_cancels_the_resolution(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)

    act(complaint, frontdesk, "close_as_explained", **valid_data("close_as_explained"))

    states = dict(complaint.deadlines.values_list("kind", "state"))
    assert states == {ACK: MET, FIRST: MET, RESOLUTION: CANCELLED}


@pytest.fixture
def weekday_calendar(estate):
    """Monday to Friday, 08:30–12:00 and 13:30–17:30: a lunch break and closed weekends."""
    for weekday in range(5):
        OpeningWindow.objects.create(
            estate=estate, weekday=weekday, opens=dt.time(8, 30), closes=dt.time(12, 0)
        )
        OpeningWindow.objects.create(
            estate=estate, weekday=weekday, opens=dt.time(13, 30), closes=dt.time(17, 30)
        )
    return estate


@pytest.mark.parametrize(
    ("calendar_day", "due"),
    [
        # 30 minutes on Friday, 90 more on Monday morning.
        (None, local(2026, 3, 16, 10, 0)),
        ({"date": dt.date(2026, 3, 16), "kind": "holiday"}, local(2026, 3, 17, 10, 0)),
        (
            {"date": dt.date(2026, 3, 14), "kind": "workday", "opens_like": 0},
            local(2026, 3, 14, 10, 0),
        ),
    ],
    ids=["weekend", "monday-holiday", "saturday-make-up-day"],
)
def test_the_estate_s_own_calendar_sets_the_deadline(
    clock, calendar_day, due, frontdesk, weekday_calendar
):
    if calendar_day:
        CalendarDay.objects.create(estate=weekday_calendar, **calendar_day)
    clock.move_to(local(2026, 3, 13, 17, 0))  # a Friday

    complaint = log_complaint(frontdesk, estate=weekday_calendar)

    assert deadlines(complaint) == [(ACK, PENDING, due)]
    assert complaint.deadlines.get().explanation["calendar"] == "HY"


def test_the_estate_calendar_is_read_from_its_windows_and_days(weekday_calendar):
    CalendarDay.objects.create(estate=weekday_calendar, date=dt.date(2026, 3, 16), kind="holiday")

    calendar = calendar_for_estate(weekday_calendar)

    assert calendar.windows_on(dt.date(2026, 3, 13)) == [
        (local(2026, 3, 13, 8, 30), local(2026, 3, 13, 12, 0)),
        (local(2026, 3, 13, 13, 30), local(2026, 3, 13, 17, 30)),
    ]
    assert calendar.windows_on(dt.date(2026, 3, 14)) == []
    assert calendar.windows_on(dt.date(2026, 3, 16)) == []


def test_the_estate_calendar_is_one_query_and_the_same_as_from_a_prefetch(
    weekday_calendar, django_assert_num_queries
):
    CalendarDay.objects.create(estate=weekday_calendar, date=dt.date(2026, 3, 16), kind="holiday")
    CalendarDay.objects.create(
        estate=weekday_calendar, date=dt.date(2026, 3, 14), kind="workday", opens_like=4
    )
    plain = Estate.objects.get(pk=weekday_calendar.pk)
    fetched = Estate.objects.prefetch_related("opening_windows", "calendar_days").get(
        pk=weekday_calendar.pk
    )

    with django_assert_num_queries(1):
        calendar = calendar_for_estate(plain)
    with django_assert_num_queries(0):
        prefetched = calendar_for_estate(fetched)

    assert calendar == prefetched
    assert calendar.holidays == {dt.date(2026, 3, 16)}
    assert calendar.workdays == {dt.date(2026, 3, 14): 4}
    assert calendar.windows[4] == (
        (dt.time(8, 30), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(17, 30)),
    )
    assert 5 not in calendar.windows


LUNCH_BREAK = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(18, 0)))


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (local(2026, 3, 10, 11, 30), 60, local(2026, 3, 10, 14, 0)),
        (local(2026, 3, 10, 12, 30), 30, local(2026, 3, 10, 14, 0)),
        (local(2026, 3, 10, 11, 0), 60, local(2026, 3, 10, 12, 0)),
        (local(2026, 3, 10, 7, 0), 0, local(2026, 3, 10, 8, 30)),
    ],
    ids=["across-lunch", "from-lunch", "up-to-lunch", "zero-waits-for-opening"],
)
def test_business_minutes_skip_the_lunch_break(start, minutes, due):
    calendar = BusinessCalendar.every_day(windows=LUNCH_BREAK)

    assert calendar.add_business_minutes(start, minutes) == due


def test_business_minutes_skip_a_holiday():
    calendar = BusinessCalendar.every_day(holidays=frozenset({dt.date(2026, 3, 11)}))

    assert calendar.add_business_minutes(local(2026, 3, 10, 17, 30), 60) == local(2026, 3, 12, 9, 0)
    assert calendar.add_working_days(TUESDAY_10, 3) == local(2026, 3, 14, 10, 0)


def test_a_make_up_working_day_opens_a_weekend_day():
    weekdays = dict.fromkeys(range(5), ((dt.time(8, 30), dt.time(18, 0)),))
    plain = BusinessCalendar(zone=TUESDAY_10.tzinfo, windows=weekdays)
    make_up = BusinessCalendar(
        zone=TUESDAY_10.tzinfo, windows=weekdays, workdays={dt.date(2026, 3, 14): 0}
    )
    friday_evening = local(2026, 3, 13, 17, 30)

    assert plain.add_business_minutes(friday_evening, 60) == local(2026, 3, 16, 9, 0)
    assert make_up.add_business_minutes(friday_evening, 60) == local(2026, 3, 14, 9, 0)
    assert make_up.add_working_days(local(2026, 3, 12, 10, 0), 2) == local(2026, 3, 14, 10, 0)


def test_working_days_start_at_the_next_opening_when_logged_after_hours():
    calendar = BusinessCalendar.every_day()

    assert calendar.add_working_days(local(2026, 3, 10, 19, 0), 3) == local(2026, 3, 14, 8, 30)


def test_a_working_day_landing_in_the_lunch_break_ends_at_the_break():
    lunch_on_friday = {**dict.fromkeys(range(7), ((dt.time(8, 30), dt.time(18, 0)),))}
    lunch_on_friday[4] = LUNCH_BREAK
    calendar = BusinessCalendar(zone=TUESDAY_10.tzinfo, windows=lunch_on_friday)

    assert calendar.add_working_days(local(2026, 3, 10, 12, 30), 3) == local(2026, 3, 13, 12, 0)


def test_business_time_across_the_spring_dst_change_in_london():
    around_the_clock = BusinessCalendar.every_day(
        "Europe/London", windows=((dt.time(0, 0), dt.time(23, 59)),)
    )
    office_hours = BusinessCalendar.every_day("Europe/London")
    saturday = dt.datetime(2026, 3, 28, 23, 0, tzinfo=LONDON)  # the clocks go forward at 01:00

    due = around_the_clock.add_business_minutes(saturday, 180)
    office_due = office_hours.add_business_minutes(
        dt.datetime(2026, 3, 28, 17, 0, tzinfo=LONDON), 120
    )

    # Three hours of real time: 01:00–02:00 never happened on the wall clock.
    assert due == dt.datetime(2026, 3, 29, 3, 0, tzinfo=LONDON)
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 2, 0, tzinfo=dt.UTC)
    assert office_due.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 8, 30, tzinfo=dt.UTC)


def test_the_autumn_dst_change_in_london_has_a_25_hour_day():
    around_the_clock = BusinessCalendar.every_day(
        "Europe/London", windows=((dt.time(0, 0), dt.time(23, 59)),)
    )
    saturday_noon = dt.datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)
    sunday_noon = dt.datetime(2026, 10, 25, 12, 0, tzinfo=LONDON)

    assert around_the_clock.business_minutes_between(saturday_noon, sunday_noon) == 25 * 60
    assert around_the_clock.add_business_minutes(saturday_noon, 24 * 60) == dt.datetime(
        2026, 10, 25, 11, 0, tzinfo=LONDON
    )


def test_a_calendar_without_openings_says_so():
    closed = BusinessCalendar(zone=TUESDAY_10.tzinfo, windows={}, name="HY")

    with pytest.raises(CalendarHasNoOpenings, match=r"No opening hours within 1098 days \(HY\)"):
        closed.add_business_minutes(TUESDAY_10, 60)


def test_the_api_explains_each_deadline(api, frontdesk, estate):
    evening = dt.datetime(2026, 11, 20, 17, 0, tzinfo=SH_ZONE)
    with time_machine.travel(evening, tick=False):
        complaint = log_complaint(frontdesk, estate=estate, severity="normal")
        body = api.as_user(frontdesk).get(f"/api/v1/complaints/{complaint.reference}/").json()

    [acknowledge] = body["deadlines"]
    assert acknowledge["explanation"]["clock"] == "business"
    assert acknowledge["explanation"]["business_minutes"] == 120
    assert acknowledge["explanation"]["time_zone"] == "Asia/Shanghai"
    assert dt.datetime.fromisoformat(acknowledge["starts_at"]) == evening
    assert dt.datetime.fromisoformat(acknowledge["due_at"]) == dt.datetime(
        2026, 11, 21, 9, 30, tzinfo=SH_ZONE
    )
