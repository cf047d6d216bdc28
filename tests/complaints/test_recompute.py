import datetime as dt
import zoneinfo

import pytest
import time_machine

from complaints.models import ComplaintEvent, Deadline, DeadlinePolicy
from complaints.services.recompute import deadlines_recompute
from residents.models import CalendarDay
from tests.factories import log_complaint

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)  # a Friday

pytestmark = pytest.mark.django_db


def test_a_changed_policy_moves_open_deadlines_and_says_so(frontdesk, estate):
    with time_machine.travel(MORNING, tick=False):
        complaint = log_complaint(frontdesk, estate=estate, severity="normal")
        policy = DeadlinePolicy.objects.get(category=None, severity="normal")
        policy.acknowledge_minutes = 60
        policy.save()
        moved = deadlines_recompute(
            complaints=type(complaint).objects.filter(pk=complaint.pk),
            because={"policy_change": "changed", "category": "", "severity": "normal"},
            actor=frontdesk,
        )

    acknowledge = Deadline.objects.get(complaint=complaint, kind="acknowledge")
    assert moved == 1
    assert acknowledge.due_at == MORNING + dt.timedelta(hours=1)
    event = ComplaintEvent.objects.get(complaint=complaint, kind="deadline_recomputed")
    assert dt.datetime.fromisoformat(event.data["before"]) == MORNING + dt.timedelta(hours=2)
    assert dt.datetime.fromisoformat(event.data["after"]) == MORNING + dt.timedelta(hours=1)
    assert event.data["policy_change"] == "changed"


def test_a_new_holiday_pushes_business_deadlines_past_it(frontdesk, estate):
    evening = dt.datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI)
    with time_machine.travel(evening, tick=False):
        complaint = log_complaint(frontdesk, estate=estate, severity="normal")
        before = Deadline.objects.get(complaint=complaint, kind="acknowledge").due_at
        CalendarDay.objects.create(estate=estate, date=dt.date(2026, 11, 21), kind="holiday")
        deadlines_recompute(
            complaints=type(complaint).objects.filter(estate=estate),
            because={"calendar_of": estate.code},
        )

    after = Deadline.objects.get(complaint=complaint, kind="acknowledge").due_at
    # 2 working hours from Friday 17:00: 1 h on Friday, then 1 h after Saturday's holiday.
    assert before == dt.datetime(2026, 11, 21, 9, 30, tzinfo=SHANGHAI)
    assert after == dt.datetime(2026, 11, 22, 9, 30, tzinfo=SHANGHAI)


def test_saving_a_policy_in_the_admin_recomputes(client, frontdesk, estate, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests")
    with time_machine.travel(MORNING, tick=False):
        complaint = log_complaint(frontdesk, estate=estate, severity="urgent")
        policy = DeadlinePolicy.objects.get(category=None, severity="urgent")
        client.force_login(admin)
        response = client.post(
            f"/admin/complaints/deadlinepolicy/{policy.pk}/change/",
            {
                "severity": "urgent",
                "clock": "calendar",
                "acknowledge_minutes": 30,
                "first_callback_minutes": 120,
                "resolution_minutes": 1440,
                "follow_up_minutes": 1440,
                "take_over_minutes": 30,
                "reminder_percent": 80,
            },
        )

    assert response.status_code == 302, response.content[:2000]
    acknowledge = Deadline.objects.get(complaint=complaint, kind="acknowledge")
    assert acknowledge.due_at == MORNING + dt.timedelta(minutes=30)
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="deadline_recomputed").exists()
