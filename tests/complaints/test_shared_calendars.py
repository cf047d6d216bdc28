"""Holiday calendars shared by estates: their days apply to every estate that uses one, an
estate's own day wins on its date, and loading a year's holidays moves open deadlines."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction

from complaints.clock import calendar_for_estate
from complaints.models import ComplaintEvent, Deadline
from residents.models import CalendarDay, Estate, HolidayCalendar
from tests.complaints.helpers import local
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)
SATURDAY = dt.date(2026, 11, 28)


@pytest.fixture
def company(estate, other_estate):
    calendar = HolidayCalendar.objects.create(name="公司日历")
    Estate.objects.filter(pk__in=[estate.pk, other_estate.pk]).update(holiday_calendar=calendar)
    estate.refresh_from_db()
    other_estate.refresh_from_db()
    return calendar


def test_a_shared_calendars_days_apply_to_every_estate_using_it(company, estate, other_estate):
    CalendarDay.objects.create(calendar=company, date=MONDAY, kind="holiday", name="公司假日")

    for each in (estate, other_estate):
        calendar = calendar_for_estate(each)
        assert calendar.holidays == frozenset({MONDAY})
        assert calendar.next_opening(local(2026, 11, 23, 9)) == local(2026, 11, 24, 8, 30)


def test_an_estates_own_day_wins_over_its_calendars(company, estate, other_estate):
    CalendarDay.objects.create(calendar=company, date=MONDAY, kind="holiday")
    CalendarDay.objects.create(calendar=company, date=SATURDAY, kind="workday", opens_like=4)
    CalendarDay.objects.create(estate=estate, date=MONDAY, kind="workday", opens_like=0)
    CalendarDay.objects.create(estate=estate, date=SATURDAY, kind="holiday")

    own, shared = calendar_for_estate(estate), calendar_for_estate(other_estate)

    assert (own.holidays, own.workdays) == (frozenset({SATURDAY}), {MONDAY: 0})
    assert (shared.holidays, shared.workdays) == (frozenset({MONDAY}), {SATURDAY: 4})


def test_a_calendar_with_a_shared_one_is_still_one_query(
    company, estate, django_assert_num_queries
):
    CalendarDay.objects.create(calendar=company, date=MONDAY, kind="holiday")
    CalendarDay.objects.create(estate=estate, date=SATURDAY, kind="holiday")

    with django_assert_num_queries(1):
        calendar = calendar_for_estate(estate)

    assert calendar.holidays == frozenset({MONDAY, SATURDAY})


def test_a_day_belongs_to_an_estate_or_a_calendar_never_both(company, estate):
    for owners in ({}, {"estate": estate, "calendar": company}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CalendarDay.objects.create(date=MONDAY, kind="holiday", **owners)


def test_loading_the_national_day_holidays_moves_an_open_complaints_deadlines(
    company, frontdesk, estate
):
    # Wednesday 30 September, 17:00: two working hours end on 1 October, until it is a holiday.
    with time_machine.travel(local(2026, 9, 30, 17), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, severity="normal")
        acknowledge = Deadline.objects.get(complaint=complaint, kind="acknowledge")
        assert acknowledge.due_at == local(2026, 10, 1, 9, 30)
        out = io.StringIO()
        call_command("import_holidays", "--year", "2026", "--calendar", "公司日历", stdout=out)

    acknowledge.refresh_from_db()
    assert acknowledge.due_at == local(2026, 10, 8, 9, 30)
    moved = ComplaintEvent.objects.filter(complaint=complaint, kind="deadline_recomputed")
    assert moved.count() == Deadline.objects.filter(complaint=complaint).count()
    assert f"  {moved.count()} open deadlines were recomputed." in out.getvalue().splitlines()
