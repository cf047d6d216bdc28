"""The admin loads a year's statutory holidays with an action on the holiday calendars and on
the estates, and warns from 1 November while next year's are missing."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages

from residents.models import CalendarDay, Estate, HolidayCalendar
from tests.complaints.helpers import local
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db

# In 2025 the package knows next year (2026); in 2026 it does not know 2027.
AUTUMN_2025 = local(2025, 11, 3, 10)
WARNING_2027 = (
    "The public holidays of 2027 are missing or incomplete in: {}. Once the State Council has "
    "announced them, load them with the action “Load next year's statutory holidays”, or run "
    "manage.py import_holidays --year 2027."
)


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-for-tests"))
    return client


@pytest.fixture
def company(db):
    return HolidayCalendar.objects.create(name="公司日历")


def _this_years(company, estate) -> None:
    """2026 has its (one) public holiday in both: only next year can be missing."""
    CalendarDay.objects.create(calendar=company, date=dt.date(2026, 10, 1), kind="holiday")
    CalendarDay.objects.create(estate=estate, date=dt.date(2026, 10, 1), kind="holiday")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _act(client, model: str, action: str, *pks: int):
    return client.post(
        f"/admin/residents/{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


def test_the_calendars_action_loads_next_year_once(admin_client, company, estate):
    estate.holiday_calendar = company
    estate.save()
    # This year's are there: the page after the action has nothing else to say.
    CalendarDay.objects.create(calendar=company, date=dt.date(2025, 10, 1), kind="holiday")

    with time_machine.travel(AUTUMN_2025, tick=False):
        first = _act(admin_client, "holidaycalendar", "load_next_years_holidays", company.pk)
        second = _act(admin_client, "holidaycalendar", "load_next_years_holidays", company.pk)

    [loaded] = _messages(first)
    assert loaded.startswith(
        "holiday calendar 公司日历 (HY), 2026: added 2026-01-01 public holiday (New Year's Day); "
        "added 2026-01-02 public holiday (New Year's Day); "
    )
    assert "added 2026-02-14 make-up working day (Spring Festival)" in loaded
    assert _messages(second) == ["holiday calendar 公司日历 (HY), 2026: nothing changed."]
    assert CalendarDay.objects.filter(calendar=company, date__year=2026).count() == 39


def test_the_estates_action_loads_each_estates_calendar_once(
    admin_client, company, estate, other_estate, frontdesk
):
    Estate.objects.update(holiday_calendar=company)
    third = Estate.objects.create(code="CH", name="翠湖湾")
    with time_machine.travel(local(2026, 9, 30, 17), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, severity="normal")
        response = _act(
            admin_client, "estate", "load_this_years_holidays", estate.pk, other_estate.pk, third.pk
        )

    shown = _messages(response)
    assert [message.split(":")[0] for message in shown] == [
        "翠湖湾 (CH), 2026",
        "holiday calendar 公司日历 (HY, JD), 2026",
        f"{complaint.deadlines.count()} open deadlines were recomputed.",
    ]
    assert CalendarDay.objects.filter(calendar=company).count() == 39
    assert CalendarDay.objects.filter(estate=third).count() == 39
    assert not CalendarDay.objects.filter(estate__in=[estate, other_estate]).exists()


def test_a_year_the_package_does_not_know_is_refused_in_the_admin(
    client, django_user_model, estate
):
    with time_machine.travel(local(2035, 6, 1, 10), tick=False):
        client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
        response = _act(client, "estate", "load_this_years_holidays", estate.pk)

    refusal, reminder = _messages(response)
    assert "does not know the public holidays of 2035" in refusal
    assert "Nothing was changed." in refusal
    assert reminder.startswith("The public holidays of 2035 are missing or incomplete in: 海悦")
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize("page", ["estate", "holidaycalendar"])
def test_next_years_holidays_are_asked_for_from_1_november(admin_client, company, estate, page):
    Estate.objects.create(code="JD", name="锦都名苑", holiday_calendar=company)
    _this_years(company, estate)

    with time_machine.travel(local(2026, 10, 31, 23, 59), tick=False):
        october = admin_client.get(f"/admin/residents/{page}/")
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        november = admin_client.get(f"/admin/residents/{page}/")

    assert _messages(october) == []
    assert _messages(november) == [WARNING_2027.format("公司日历, 海悦花园 (HY)")]
    assert "The public holidays of 2027 are missing" in november.content.decode()


def test_no_warning_once_next_years_holidays_are_there(admin_client, company, estate):
    Estate.objects.create(code="JD", name="锦都名苑", holiday_calendar=company)
    _this_years(company, estate)
    CalendarDay.objects.create(calendar=company, date=dt.date(2027, 1, 1), kind="holiday")
    CalendarDay.objects.create(estate=estate, date=dt.date(2027, 2, 6), kind="workday")

    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        response = admin_client.get("/admin/residents/estate/")

    # A make-up working day is not a holiday: the estate still has none for 2027.
    assert _messages(response) == [WARNING_2027.format("海悦花园 (HY)")]
    CalendarDay.objects.create(estate=estate, date=dt.date(2027, 1, 1), kind="holiday")
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        assert _messages(admin_client.get("/admin/residents/estate/")) == []


def test_changing_a_shared_calendars_days_moves_deadlines_of_its_estates(
    admin_client, company, estate, other_estate, frontdesk, frontdesk_b
):
    Estate.objects.update(holiday_calendar=company)
    with time_machine.travel(local(2026, 11, 20, 17), tick=False):
        complaints = [
            log_complaint(frontdesk, estate=estate, severity="normal"),
            log_complaint(frontdesk_b, estate=other_estate, severity="normal"),
        ]
        response = admin_client.post(
            f"/admin/residents/holidaycalendar/{company.pk}/change/",
            {
                "name": "公司日历",
                "days-TOTAL_FORMS": 1,
                "days-INITIAL_FORMS": 0,
                "days-MIN_NUM_FORMS": 0,
                "days-MAX_NUM_FORMS": 1000,
                "days-0-date": "2026-11-21",
                "days-0-kind": "holiday",
                "days-0-opens_like": 0,
                "days-0-name": "公司假日",
            },
            follow=True,
        )

    assert response.status_code == 200
    for complaint in complaints:
        acknowledge = complaint.deadlines.get(kind="acknowledge")
        # 2 working hours from Friday 17:00: 1 h on Friday, then 1 h after Saturday's holiday.
        assert acknowledge.due_at == local(2026, 11, 22, 9, 30)


def test_a_new_years_day_entered_ahead_does_not_silence_the_warning(admin_client, company):
    Estate.objects.create(code="JD", name="锦都名苑", holiday_calendar=company)
    for day in range(1, 9):  # 2026: eight days of holidays; 2027: New Year's Day alone
        CalendarDay.objects.create(calendar=company, date=dt.date(2026, 10, day), kind="holiday")
    CalendarDay.objects.create(calendar=company, date=dt.date(2027, 1, 1), kind="holiday")

    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        response = admin_client.get("/admin/residents/holidaycalendar/")

    assert _messages(response) == [WARNING_2027.format("公司日历")]


def test_the_current_years_holidays_are_asked_for_all_year(client, django_user_model, company):
    Estate.objects.create(code="JD", name="锦都名苑", holiday_calendar=company)
    CalendarDay.objects.create(calendar=company, date=dt.date(2026, 10, 1), kind="holiday")

    with time_machine.travel(local(2027, 1, 5, 9), tick=False):
        client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
        january = _messages(client.get("/admin/residents/estate/"))
        CalendarDay.objects.create(calendar=company, date=dt.date(2027, 1, 1), kind="holiday")
        loaded = _messages(client.get("/admin/residents/estate/"))

    assert january == [
        "The public holidays of 2027 are missing or incomplete in: 公司日历. Load them with the "
        "action “Load this year's statutory holidays”, or run manage.py import_holidays "
        "--year 2027."
    ]
    assert loaded == []
