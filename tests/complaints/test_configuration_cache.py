"""Policies and calendars are kept per process: read once, then answered without a query, and
read again as soon as a change is saved or deleted here, or committed by another process (its
new stamp in the shared cache), or when they have been kept a minute."""

import datetime as dt
import uuid
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from complaints.clock import _calendars, calendar_for_estate
from complaints.configuration_cache import ConfigurationCache
from complaints.models import Category, DeadlinePolicy
from complaints.services.deadlines import _policies, policy_for
from residents.models import CalendarDay, Estate, OpeningWindow
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 16)
TUESDAY_10 = dt.datetime(2026, 3, 10, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def _complaint(severity: str = "normal") -> object:
    """What ``policy_for`` reads of a complaint."""
    top = Category.objects.get(code="FAC")
    return type("Complaint", (), {"top_category_id": top.pk, "severity": severity})()


def test_a_calendar_is_read_once(estate, django_assert_num_queries):
    calendar_for_estate(estate)
    as_another_request_reads_it = Estate.objects.get(pk=estate.pk)

    with django_assert_num_queries(0):
        again = calendar_for_estate(as_another_request_reads_it)

    assert again.name == "HY"


def test_a_saved_holiday_is_in_the_next_calendar(estate):
    assert calendar_for_estate(estate).windows_on(MONDAY) != []

    day = CalendarDay.objects.create(estate=estate, date=MONDAY, kind="holiday")
    assert calendar_for_estate(estate).windows_on(MONDAY) == []

    day.delete()
    assert calendar_for_estate(estate).windows_on(MONDAY) != []


def test_changed_opening_hours_are_in_the_next_calendar(estate):
    window = OpeningWindow.objects.create(
        estate=estate, weekday=0, opens=dt.time(9, 0), closes=dt.time(17, 0)
    )
    [(opens, _closes)] = calendar_for_estate(estate).windows_on(MONDAY)
    assert opens.time() == dt.time(9, 0)

    window.opens = dt.time(10, 0)
    window.save()

    [(opens, _closes)] = calendar_for_estate(estate).windows_on(MONDAY)
    assert opens.time() == dt.time(10, 0)


def test_a_changed_time_zone_is_in_the_next_calendar(estate):
    assert str(calendar_for_estate(estate).zone) == "Asia/Shanghai"

    estate.time_zone = "Europe/London"
    estate.save()

    assert str(calendar_for_estate(estate).zone) == "Europe/London"


def test_policies_are_read_once(db, django_assert_num_queries):
    complaint = _complaint()
    policy_for(complaint=complaint)

    with django_assert_num_queries(0):
        policy = policy_for(complaint=complaint)
        label = str(policy)

    assert label == "* / normal"


def test_a_saved_policy_is_the_next_one_used(db):
    complaint = _complaint()
    default = policy_for(complaint=complaint)
    assert default.category_id is None

    own = DeadlinePolicy.objects.create(
        category=Category.objects.get(code="FAC"),
        severity="normal",
        clock="calendar",
        acknowledge_minutes=10,
        first_callback_minutes=60,
        resolution_minutes=600,
        follow_up_minutes=600,
    )
    assert policy_for(complaint=complaint).acknowledge_minutes == 10

    own.acknowledge_minutes = 20
    own.save()
    assert policy_for(complaint=complaint).acknowledge_minutes == 20

    own.delete()
    assert policy_for(complaint=complaint).pk == default.pk


def test_a_kept_value_is_read_again_once_it_has_been_kept_long_enough(db):
    loads = []
    cache = ConfigurationCache("test_expiry", sources=(), seconds=0)

    cache.get("key", lambda: loads.append(1) or len(loads))
    value = cache.get("key", lambda: loads.append(1) or len(loads))

    assert value == 2


def test_a_change_saved_while_loading_is_not_kept(db):
    cache = ConfigurationCache("test_race", sources=())

    def load_while_changed() -> str:
        cache.clear()  # as a signal would, from another thread, while the rows were read
        return "read before the change"

    assert cache.get("key", load_while_changed) == "read before the change"
    assert cache.get("key", lambda: "read after the change") == "read after the change"


def test_the_next_intake_runs_its_clock_by_the_policy_just_saved(frontdesk, estate):
    with time_machine.travel(TUESDAY_10, tick=False):
        before = log_complaint(frontdesk, estate=estate, severity="urgent")
        policy = DeadlinePolicy.objects.get(category=None, severity="urgent")
        policy.acknowledge_minutes = 45
        policy.save()
        after = log_complaint(frontdesk, estate=estate, severity="urgent")

    due = {c.reference: c.deadlines.get(kind="acknowledge").due_at for c in (before, after)}
    assert due[before.reference] == TUESDAY_10 + dt.timedelta(minutes=15)
    assert due[after.reference] == TUESDAY_10 + dt.timedelta(minutes=45)


def test_a_change_committed_by_another_process_is_in_the_next_calendar(estate):
    calendar_for_estate(estate)
    # Another process's change: this one sees no signal, only the stamp it sets on commit.
    CalendarDay.objects.bulk_create([CalendarDay(estate=estate, date=MONDAY, kind="holiday")])
    assert calendar_for_estate(estate).windows_on(MONDAY) != []  # the copy kept here

    cache.set(_calendars.stamp_key, f"another process, {uuid.uuid4()}", timeout=None)

    assert calendar_for_estate(estate).windows_on(MONDAY) == []


def test_a_saved_policy_gives_every_process_a_new_stamp_once_committed(
    estate, django_capture_on_commit_callbacks
):
    policy_for(complaint=_complaint())
    before = cache.get(_policies.stamp_key)
    with django_capture_on_commit_callbacks(execute=True):
        policy = DeadlinePolicy.objects.filter(category__isnull=True, severity="normal").get()
        policy.reminder_percent = 70
        policy.save()
        assert cache.get(_policies.stamp_key) == before  # not before the change is readable

    assert cache.get(_policies.stamp_key) not in (None, before)


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
)
def test_without_a_shared_stamp_nothing_is_kept(estate, django_assert_num_queries):
    calendar_for_estate(estate)
    with django_assert_num_queries(1):
        calendar_for_estate(estate)
