"""The deadline sweep: escalates each missed deadline exactly once, reminds at 80%."""

import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from complaints.models import (
    Complaint,
    ComplaintEvent,
    Deadline,
    Escalation,
)
from complaints.services import complaint_act
from complaints.services.acknowledgements import escalation_acknowledge
from complaints.services.sweep import sweep_run
from notifications.models import Notification
from notifications.sending import notifications_send
from tests.complaints.helpers import sweeps_at_once
from tests.factories import log_complaint

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Friday, 10:00 in Shanghai: inside the default opening hours.
MORNING = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db


def _urgent(actor, estate, **fields):
    return log_complaint(actor, estate=estate, severity="urgent", **fields)


def test_a_missed_deadline_is_escalated_once_however_often_the_sweep_runs(
    frontdesk, supervisor, estate
):
    with time_machine.travel(MORNING, tick=False):
        complaint = _urgent(frontdesk, estate)
    # Urgent: acknowledge within 15 minutes, around the clock.
    with time_machine.travel(MORNING + dt.timedelta(minutes=16), tick=False):
        first = sweep_run()
        second = sweep_run()

    assert first.escalated == [(complaint.reference, "acknowledge", 1)]
    assert second.escalated == []
    escalation = Escalation.objects.get(complaint=complaint)
    assert (escalation.level, escalation.reason, escalation.deadline.kind) == (
        1,
        "deadline_missed",
        "acknowledge",
    )
    # Overdue since the deadline fell due, not since the sweep noticed it.
    assert escalation.overdue_since == MORNING + dt.timedelta(minutes=15)
    assert escalation.created_at == MORNING + dt.timedelta(minutes=16)
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1
    assert complaint.version == 2
    event = ComplaintEvent.objects.get(complaint=complaint, kind="escalated")
    assert event.actor is None
    assert event.data["deadline"] == "acknowledge"
    assert event.data["level"] == {"before": 0, "after": 1}
    assert Deadline.objects.get(complaint=complaint, kind="acknowledge").state == "missed"


def test_the_supervisors_of_the_estate_are_told_once_in_their_language(
    frontdesk, supervisor, estate
):
    supervisor.email = "zhuguan@example.com"
    supervisor.save()
    with time_machine.travel(MORNING, tick=False):
        complaint = _urgent(frontdesk, estate)
    with time_machine.travel(MORNING + dt.timedelta(minutes=16), tick=False):
        sweep_run()
        sweep_run()
        sent = notifications_send()

    messages = Notification.objects.filter(kind="escalation", recipient=supervisor)
    assert messages.count() == 1
    assert messages.get().language == "zh-hans"
    assert sent >= 1
    subject = messages.get().subject
    assert complaint.reference in subject
    escalation_mail = [m for m in mail.outbox if m.subject == subject]
    assert len(escalation_mail) == 1
    assert escalation_mail[0].to == ["zhuguan@example.com"]
    assert "\n" not in escalation_mail[0].subject


def test_a_reminder_goes_at_80_percent_and_only_once(frontdesk, estate):
    with time_machine.travel(MORNING, tick=False):
        complaint = _urgent(frontdesk, estate)
    # 80% of 15 minutes is 12 minutes.
    with time_machine.travel(MORNING + dt.timedelta(minutes=11), tick=False):
        assert sweep_run().reminded == []
    with time_machine.travel(MORNING + dt.timedelta(minutes=12, seconds=1), tick=False):
        assert sweep_run().reminded == [(complaint.reference, "acknowledge")]
        assert sweep_run().reminded == []

    reminder = Notification.objects.get(kind="deadline_reminder")
    assert reminder.recipient == frontdesk
    assert Escalation.objects.count() == 0


def test_catch_up_after_the_worker_was_down_escalates_each_deadline_once(frontdesk, estate):
    with time_machine.travel(MORNING, tick=False):
        complaint = _urgent(frontdesk, estate)
        complaint_act(reference=complaint.reference, actor=frontdesk, action="accept")
    # Two days later: first callback (2 h) and resolution (24 h) both missed.
    with time_machine.travel(MORNING + dt.timedelta(days=2), tick=False):
        result = sweep_run()

    assert sorted(kind for _, kind, _ in result.escalated) == ["first_callback", "resolution"]
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2
    assert sorted(Escalation.objects.values_list("level", flat=True)) == [1, 2]


def test_the_level_stops_at_three(frontdesk, estate):
    with time_machine.travel(MORNING, tick=False):
        complaint = _urgent(frontdesk, estate)
        complaint_act(reference=complaint.reference, actor=frontdesk, action="accept")
        for reason in ("unsatisfied", "refused_time"):
            complaint_act(
                reference=complaint.reference,
                actor=frontdesk,
                action="escalate",
                data={"reason": reason, "note": "住户不同意"},
            )
    with time_machine.travel(MORNING + dt.timedelta(days=2), tick=False):
        sweep_run()

    complaint.refresh_from_db()
    assert complaint.escalation_level == 3
    missed = Escalation.objects.filter(complaint=complaint, reason="deadline_missed")
    assert sorted(missed.values_list("level", flat=True)) == [3, 3]


def test_acknowledging_an_escalation_stops_its_reminders(frontdesk, supervisor, estate):
    with time_machine.travel(MORNING, tick=False):
        complaint = _urgent(frontdesk, estate)
    with time_machine.travel(MORNING + dt.timedelta(minutes=16), tick=False):
        sweep_run()
    escalation = Escalation.objects.get(complaint=complaint)
    with time_machine.travel(MORNING + dt.timedelta(minutes=77), tick=False):
        assert sweep_run().escalation_reminders == [(complaint.reference, 1)]
        escalation_acknowledge(
            escalation_id=escalation.pk,
            actor=supervisor,
            callback_due_at=MORNING + dt.timedelta(hours=5),
        )
    with time_machine.travel(MORNING + dt.timedelta(minutes=200), tick=False):
        assert sweep_run().escalation_reminders == []

    escalation.refresh_from_db()
    assert escalation.acknowledged_by == supervisor
    assert escalation.next_reminder_at is None
    agreed = Deadline.objects.get(complaint=complaint, kind="agreed_callback")
    assert agreed.due_at == MORNING + dt.timedelta(hours=5)


def test_staff_alerts_for_normal_complaints_wait_for_opening_hours(frontdesk, supervisor, estate):
    late = dt.datetime(2026, 11, 20, 22, 30, tzinfo=SHANGHAI)
    with time_machine.travel(late, tick=False):
        complaint = log_complaint(frontdesk, estate=estate, severity="normal")
        complaint_act(
            reference=complaint.reference,
            actor=frontdesk,
            action="escalate",
            data={"reason": "unsatisfied", "note": ""},
        )

    alert = Notification.objects.get(kind="escalation", recipient=supervisor)
    assert alert.not_before == dt.datetime(2026, 11, 21, 8, 30, tzinfo=SHANGHAI)


def test_urgent_staff_alerts_go_at_once_even_at_night(frontdesk, supervisor, estate):
    night = dt.datetime(2026, 11, 20, 3, 0, tzinfo=SHANGHAI)
    with time_machine.travel(night, tick=False):
        _urgent(frontdesk, estate)

    alert = Notification.objects.get(kind="urgent_intake", recipient=supervisor)
    assert alert.not_before == night


def test_messages_to_residents_wait_out_the_quiet_hours(frontdesk, estate):
    late = dt.datetime(2026, 11, 20, 22, 30, tzinfo=SHANGHAI)
    with time_machine.travel(late, tick=False):
        log_complaint(frontdesk, estate=estate)

    message = Notification.objects.get(audience="resident")
    assert message.channel == "sms"
    assert message.not_before == dt.datetime(2026, 11, 21, 8, 0, tzinfo=SHANGHAI)
    with time_machine.travel(late + dt.timedelta(minutes=5), tick=False):
        assert notifications_send() == 0
    with time_machine.travel(dt.datetime(2026, 11, 21, 8, 0, 1, tzinfo=SHANGHAI), tick=False):
        assert notifications_send() == 1


class BrokenChannel:
    def send(self, notification):
        raise ConnectionError("smtp down")


def test_a_failed_send_is_kept_and_retried_later(frontdesk, supervisor, estate, settings):
    settings.DESK_CHANNELS = {**settings.DESK_CHANNELS, "email": f"{__name__}.BrokenChannel"}
    supervisor.email = "zhuguan@example.com"
    supervisor.save()
    with time_machine.travel(MORNING, tick=False):
        _urgent(frontdesk, estate)
        assert notifications_send() == 1  # the resident's text message
    alert = Notification.objects.get(kind="urgent_intake")
    assert alert.sent_at is None
    assert alert.attempts == 1
    assert "smtp down" in alert.last_error
    assert alert.not_before > MORNING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_every_deadline_exactly_once(frontdesk, estate):
    with time_machine.travel(MORNING, tick=False):
        complaints = [_urgent(frontdesk, estate, summary=f"电梯困人 {n}") for n in range(60)]
    results = sweeps_at_once(MORNING + dt.timedelta(minutes=20))

    assert sum(len(r.escalated) for r in results) == 60
    assert Escalation.objects.count() == 60
    assert set(Escalation.objects.values_list("level", flat=True)) == {1}
    assert set(Complaint.objects.values_list("escalation_level", flat=True)) == {1}
    assert ComplaintEvent.objects.filter(kind="escalated").count() == 60
    assert len(complaints) == 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_complaint_someone_is_acting_on_is_left_for_the_next_sweep(frontdesk, estate):
    with time_machine.travel(MORNING, tick=False):
        busy = _urgent(frontdesk, estate, summary="正在处理")
        free = _urgent(frontdesk, estate, summary="无人处理")
    holding, release = threading.Event(), threading.Event()

    def person_holds_the_lock():
        try:
            with transaction.atomic():
                Complaint.objects.select_for_update().get(pk=busy.pk)
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    person = threading.Thread(target=person_holds_the_lock)
    person.start()
    holding.wait(timeout=10)
    try:
        first = sweep_run(now=MORNING + dt.timedelta(minutes=20))
    finally:
        release.set()
        person.join(timeout=20)
    second = sweep_run(now=MORNING + dt.timedelta(minutes=21))

    assert [ref for ref, _, _ in first.escalated] == [free.reference]
    assert [ref for ref, _, _ in second.escalated] == [busy.reference]
    assert Escalation.objects.count() == 2


def test_the_in_app_list_shows_a_users_own_messages_until_read(api, frontdesk, supervisor, estate):
    with time_machine.travel(MORNING, tick=False):
        complaint = _urgent(frontdesk, estate)

    client = api.as_user(supervisor)
    unread = client.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert [(n["kind"], n["complaint"]) for n in unread] == [("urgent_intake", complaint.reference)]
    assert api.as_user(frontdesk).get("/api/v1/notifications/").json() == []

    answer = client.post("/api/v1/notifications/read/", {}, format="json").json()
    assert answer == {"unread": 0}
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json() == []
