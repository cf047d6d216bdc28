"""What the resident is told, and when: each step of their complaint as a text message through
the in-memory backend, never in quiet hours, at most three a day, none after a stop, and every
answer of the provider recorded on the outbox row."""

import datetime as dt
import time

import pytest
import time_machine

from complaints.models import Escalation, EscalationReason
from complaints.services.acknowledgements import escalation_acknowledge
from complaints.services.sweep import sweep_run
from complaints.status_links import rating_url, status_url
from notifications.models import Notification
from notifications.sending import MAX_ATTEMPTS, notifications_send
from notifications.sms import Outcome, Result
from notifications.sms import local as locmem
from residents.services import messages_stop
from tests.complaints.helpers import act, local
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db

# A Tuesday in the estate's zone (quiet hours 21:00–08:00).
DAY = (2026, 3, 10)
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _empty_locmem():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


def at(hour: int, minute: int = 0, *, day: int = 0) -> dt.datetime:
    return local(*DAY, hour, minute) + dt.timedelta(days=day)


def send_at(when: dt.datetime) -> list:
    """Send what is due at ``when``; the messages the backend was given then."""
    before = len(locmem.outbox)
    with time_machine.travel(when, tick=False):
        notifications_send(now=when)
    return locmem.outbox[before:]


def step(when: dt.datetime, complaint, actor, action: str, **data):
    with time_machine.travel(when, tick=False):
        return act(complaint, actor, action, **data)


def rows(complaint) -> list[Notification]:
    return list(
        Notification.objects.filter(complaint=complaint, audience="resident").order_by("id")
    )


def walk_to_closed(estate, frontdesk, supervisor, *, send=True):
    """Intake at 09:00, accepted 09:10, planned 09:30, resolved 11:00, closed 15:00; the
    sender runs a minute after each step when ``send``."""
    with time_machine.travel(at(9), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE)
    sent = send_at(at(9, 1)) if send else []
    step(at(9, 10), complaint, frontdesk, "accept")
    sent += send_at(at(9, 11)) if send else []
    step(
        at(9, 30),
        complaint,
        supervisor,
        "plan_resolution",
        validity="valid",
        department="ENG",
        plan="工程部今天下午检修电梯",
        callback_due_at=at(14),
    )
    sent += send_at(at(9, 31)) if send else []
    step(
        at(11),
        complaint,
        supervisor,
        "mark_resolved",
        outcome="换了控制板",
        cause="控制板老化",
        liability="ours",
    )
    sent += send_at(at(11, 1)) if send else []
    step(at(15), complaint, supervisor, "close", satisfaction="satisfied", summary="回访满意")
    sent += send_at(at(15, 1)) if send else []
    complaint.refresh_from_db()
    return complaint, sent


def test_a_complaint_from_intake_to_closed_sends_these_messages_in_order(
    estate, frontdesk, supervisor
):
    complaint, sent = walk_to_closed(estate, frontdesk, supervisor)

    assert [m.kind for m in sent] == ["received", "planned", "resolved", "closed"]
    assert {m.phone for m in sent} == {"+8613812345678"}
    received, planned, resolved, closed = sent
    assert complaint.reference in received.text
    assert status_url(complaint) in received.text
    assert received.params == {"reference": complaint.reference, "link": status_url(complaint)}
    resolution = complaint.deadlines.get(kind="resolution")
    due = resolution.due_at.astimezone(estate.zone).strftime("%Y-%m-%d %H:%M")
    assert planned.params == {
        "reference": complaint.reference,
        "plan": "工程部今天下午检修电梯",
        "due": due,
    }
    assert "工程部今天下午检修电梯" in planned.text and due in planned.text
    assert resolved.params["reference"] == complaint.reference
    assert closed.params == {"reference": complaint.reference, "link": rating_url(complaint)}
    # In the resident's language (no resident on record: Chinese).
    assert "您的投诉" in received.text
    assert [(r.kind, r.status) for r in rows(complaint)] == [
        ("received", "sent"),
        ("planned", "sent"),
        ("resolved", "sent"),
        ("closed", "sent"),
    ]
    assert all(r.provider_id.startswith("locmem-") for r in rows(complaint))


def test_nothing_goes_in_quiet_hours_and_what_waited_goes_at_their_end(
    estate, frontdesk, supervisor
):
    with time_machine.travel(at(22, 30), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE)

    assert send_at(at(22, 31)) == []
    assert send_at(at(7, 59, day=1)) == []
    assert rows(complaint)[0].not_before == at(8, 0, day=1)
    sent = send_at(at(8, 0, day=1))

    assert [m.kind for m in sent] == ["received"]


def test_a_retry_that_falls_into_quiet_hours_waits_for_their_end(estate, frontdesk):
    with time_machine.travel(at(20, 50), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE)
    # As if a failed try had put it off to 21:10, inside the quiet hours.
    Notification.objects.filter(complaint=complaint).update(not_before=at(21, 10))

    assert send_at(at(21, 10)) == []

    row = rows(complaint)[0]
    assert row.status == "queued" and row.not_before == at(8, 0, day=1)
    assert [m.kind for m in send_at(at(8, 0, day=1))] == ["received"]


def explained(when: dt.datetime, frontdesk, supervisor, estate, summary: str):
    """A complaint logged (its receipt sent), accepted and closed as explained within ten
    minutes of ``when``."""
    with time_machine.travel(when, tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE, summary=summary)
    assert [m.kind for m in send_at(when + dt.timedelta(minutes=1))] == ["received"]
    step(when + dt.timedelta(minutes=5), complaint, frontdesk, "accept")
    step(
        when + dt.timedelta(minutes=10),
        complaint,
        supervisor,
        "close_as_explained",
        validity="invalid",
        explanation="属市政管辖",
    )
    return complaint


def test_the_fourth_message_of_a_day_waits_for_the_next_morning_and_goes_with_the_rest(
    estate, frontdesk, supervisor
):
    first, sent = walk_to_closed(estate, frontdesk, supervisor)
    # Held by the limit: resolved and closed. The receipt and the plan, which carries a time,
    # are not.
    assert [m.kind for m in sent] == ["received", "planned", "resolved", "closed"]
    second = explained(at(16), frontdesk, supervisor, estate, "路灯不亮")
    assert [m.kind for m in send_at(at(16, 11))] == ["closed"]  # the day's third
    third = explained(at(17), frontdesk, supervisor, estate, "垃圾没清")
    fourth = explained(at(18), frontdesk, supervisor, estate, "噪音扰民")

    # Their receipts went; their closings wait for the morning.
    assert send_at(at(18, 11)) == []
    waiting = [r for c in (third, fourth) for r in rows(c) if r.kind == "closed"]
    assert [r.not_before for r in waiting] == [at(8, 0, day=1)] * 2

    morning = send_at(at(8, 0, day=1))

    assert len(morning) == 1
    assert morning[0].kind == "digest"
    assert morning[0].params == {"count": "2", "link": status_url(fourth)}
    assert third.reference in morning[0].text and fourth.reference in morning[0].text
    for row in waiting:
        row.refresh_from_db()
    assert [r.status for r in waiting] == ["merged", "sent"]
    assert waiting[0].sent_at == waiting[1].sent_at
    assert waiting[0].provider_id == waiting[1].provider_id != ""
    assert first.reference != second.reference


def test_a_stop_holds_back_everything_but_the_receipt(estate, frontdesk, supervisor):
    with time_machine.travel(at(9), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE)
    send_at(at(9, 1))
    messages_stop(phone="+86 138 1234 5678", at=at(9, 5), via="reply", name="王芳")
    step(at(9, 10), complaint, frontdesk, "accept")
    step(at(11), complaint, supervisor, "close_as_explained", validity="invalid", explanation="x")
    with time_machine.travel(at(12), tick=False):
        another = log_complaint(frontdesk, estate=estate, contact_phone=PHONE, summary="噪音")

    sent = send_at(at(12, 1))

    assert [(m.kind, m.params["reference"]) for m in sent] == [("received", another.reference)]
    closed = [r for r in rows(complaint) if r.kind == "closed"]
    assert [(r.status, r.attempts, r.sent_at) for r in closed] == [("stopped", MAX_ATTEMPTS, None)]


def test_a_missed_agreed_callback_brings_an_apology_then_the_new_time_once(
    estate, frontdesk, supervisor
):
    with time_machine.travel(at(9), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE)
    step(at(9, 10), complaint, frontdesk, "accept")
    step(
        at(9, 20),
        complaint,
        supervisor,
        "plan_resolution",
        validity="valid",
        department="ENG",
        plan="下午检修",
        callback_due_at=at(11),
    )
    send_at(at(9, 21))
    with time_machine.travel(at(11, 5), tick=False):
        sweep_run(now=at(11, 5))
    assert Escalation.objects.filter(
        complaint=complaint, reason=EscalationReason.DEADLINE_MISSED
    ).exists()

    apology = send_at(at(11, 6))
    step(at(11, 30), complaint, frontdesk, "log_callback", reached=True, next_callback_at=at(16))
    new_time = send_at(at(11, 31))
    step(at(16), complaint, frontdesk, "log_callback", reached=True, next_callback_at=at(17))
    again = send_at(at(16, 1))

    assert [m.kind for m in apology] == ["callback_missed"]
    assert "sorry" in apology[0].text.lower() or "抱歉" in apology[0].text
    assert [(m.kind, m.params["time"]) for m in new_time] == [
        ("callback_new_time", "2026-03-10 16:00")
    ]
    assert again == []


class Throttled:
    def send(self, message):
        return Result(Outcome.RETRY, detail="LimitExceeded.PhoneNumberDailyLimit: too many")


class Refused:
    def send(self, message):
        return Result(Outcome.FAILED, detail="isv.SMS_TEMPLATE_ILLEGAL: template refused")


class Down:
    def send(self, message):
        raise ConnectionError("provider unreachable")


@pytest.mark.parametrize(
    ("backend", "status", "attempts", "error"),
    [
        (Throttled, "retrying", 1, "LimitExceeded.PhoneNumberDailyLimit: too many"),
        (Refused, "failed", MAX_ATTEMPTS, "isv.SMS_TEMPLATE_ILLEGAL: template refused"),
        (Down, "retrying", 1, "ConnectionError('provider unreachable')"),
    ],
)
def test_each_answer_of_the_provider_is_recorded_on_the_row(
    settings, estate, frontdesk, backend, status, attempts, error
):
    settings.DESK_SMS_BACKEND = f"{__name__}.{backend.__name__}"
    with time_machine.travel(at(9), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE)

    assert send_at(at(9, 1)) == []

    row = rows(complaint)[0]
    assert (row.status, row.attempts, row.last_error, row.sent_at) == (
        status,
        attempts,
        error,
        None,
    )
    if status == "retrying":
        assert row.not_before == at(9, 1) + dt.timedelta(minutes=2)
        # Once the provider answers again, it goes.
        settings.DESK_SMS_BACKEND = "locmem"
        assert [m.kind for m in send_at(at(9, 4))] == ["received"]
        row.refresh_from_db()
        assert (row.status, row.last_error) == ("sent", "")


def test_a_number_that_cannot_take_a_text_fails_for_good_and_intake_is_kept(estate, frontdesk):
    with time_machine.travel(at(9), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone="021-6543 2100")

    assert send_at(at(9, 1)) == []

    row = rows(complaint)[0]
    assert (row.status, row.last_error) == ("failed", "not a mobile number")
    assert complaint.pk is not None


def test_the_complaint_page_shows_what_was_sent_and_when(client, estate, frontdesk, supervisor):
    complaint, _sent = walk_to_closed(estate, frontdesk, supervisor)
    client.force_login(frontdesk)

    page = client.get(f"/complaints/{complaint.reference}/").content.decode()

    assert "发给业户的短信" in page  # the heading, in the reader's language
    assert page.count('data-status="sent"') == 4
    assert status_url(complaint) in page


def test_a_reply_td_is_recorded_on_the_resident_and_stops_what_follows(
    client, settings, estate, frontdesk, supervisor, resident
):
    settings.DESK_SMS_REPLY_SECRET = "s3cret-reply-address"
    with time_machine.travel(at(9), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, resident=resident, contact_phone="")
        answer = client.post(
            "/sms/replies/s3cret-reply-address/",
            data={"mobile": "13812345678", "nationcode": "86", "text": "td", "time": 1773104400},
            content_type="application/json",
        )
    step(at(9, 10), complaint, frontdesk, "accept")
    step(at(11), complaint, supervisor, "close_as_explained", validity="invalid", explanation="x")

    sent = send_at(at(11, 1))

    assert answer.json() == {"result": 0, "errmsg": "OK"}
    resident.refresh_from_db()
    assert (resident.messages_stopped_at, resident.messages_stopped_via) == (at(9), "reply")
    assert [m.kind for m in sent] == ["received"]
    assert [r.status for r in rows(complaint)] == ["sent", "stopped"]


def test_a_new_time_agreed_when_acknowledging_the_escalation_is_sent(estate, frontdesk, supervisor):
    with time_machine.travel(at(9), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE)
    step(at(9, 10), complaint, frontdesk, "accept")
    step(
        at(9, 20),
        complaint,
        supervisor,
        "plan_resolution",
        validity="valid",
        department="ENG",
        plan="下午检修",
        callback_due_at=at(11),
    )
    send_at(at(9, 21))
    with time_machine.travel(at(11, 5), tick=False):
        sweep_run(now=at(11, 5))
    escalation = Escalation.objects.get(complaint=complaint, deadline__kind="agreed_callback")
    with time_machine.travel(at(11, 20), tick=False):
        escalation_acknowledge(
            escalation_id=escalation.pk, actor=supervisor, callback_due_at=at(15, 30)
        )

    sent = send_at(at(11, 21))

    # The apology and the new time, due together, go as one message.
    assert [(m.kind, m.params["count"]) for m in sent] == [("digest", "2")]
    new_time = [r for r in rows(complaint) if r.kind == "callback_new_time"]
    assert [r.params["time"] for r in new_time] == ["2026-03-10 15:30"]


class Slow:
    def send(self, message):
        time.sleep(0.6)
        return Result(Outcome.SENT, provider_id="slow")


def test_a_slow_provider_leaves_the_rest_for_the_next_run_before_the_lease_ends(
    settings, estate, frontdesk
):
    settings.DESK_SMS_BACKEND = f"{__name__}.Slow"
    settings.DESK_SEND_LEASE_SECONDS = 2  # half of it, 1 s, is the time to send in
    with time_machine.travel(at(9), tick=False):
        complaints = [
            log_complaint(frontdesk, estate=estate, contact_phone=f"1381234567{n}")
            for n in range(4)
        ]
    with time_machine.travel(at(9, 1)):
        notifications_send(now=at(9, 1))

    receipts = [rows(complaint)[0] for complaint in complaints]
    assert [r.status for r in receipts] == ["sent", "sent", "queued", "queued"]
    # Put back as due now, not left claimed until the lease ends.
    assert all(r.not_before < at(9, 1) + dt.timedelta(seconds=30) for r in receipts[2:])


def test_a_plan_written_with_its_own_full_stop_gets_one_stop_in_the_message(
    estate, frontdesk, supervisor
):
    with time_machine.travel(at(9), tick=False):
        complaint = log_complaint(frontdesk, estate=estate, contact_phone=PHONE)
    step(at(9, 10), complaint, frontdesk, "accept")
    step(
        at(9, 30),
        complaint,
        supervisor,
        "plan_resolution",
        validity="valid",
        department="ENG",
        plan="安排绿化班组修剪树木。",
        callback_due_at=at(14),
    )
    # Sent together with the receipt, folded into one digest.
    [digest] = send_at(at(9, 31))

    assert "处理方案：安排绿化班组修剪树木。预计于" in digest.text
    assert "。。" not in digest.text
