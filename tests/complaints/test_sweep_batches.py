"""The sweep escalates a batch of complaints in a fixed number of queries, however many there are,
and writes every message the escalations call for: to the people of each estate and level, in
their own language, and the apology to each resident whose agreed callback time was missed."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint, Escalation
from complaints.services.acknowledgements import escalation_acknowledge
from complaints.services.sweep import sweep_run
from notifications.models import Notification
from tests.complaints.helpers import act
from tests.factories import ResidentFactory, UnitFactory, log_complaint, make_staff

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Friday, 10:00 in Shanghai: inside the default opening hours.
MORNING = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
MINUTE = dt.timedelta(minutes=1)

pytestmark = pytest.mark.django_db


def _due_in_a_quarter_hour(desk, supervisor, estates, count: int, start: dt.datetime):
    """``count`` urgent complaints over the estates (two by two), logged at ``start``. Every
    other one is accepted, escalated by hand and acknowledged with a callback agreed for 10
    minutes later; the others wait to be acknowledged (15 minutes). By ``start`` + 16 minutes
    each has one deadline missed: the acknowledgement (to level 1) or the agreed callback (to
    level 2)."""
    complaints = []
    for n in range(count):
        with time_machine.travel(start + n * dt.timedelta(seconds=1), tick=False):
            estate = estates[n // 2 % 2]
            unit = UnitFactory(building__estate=estate)
            complaint = log_complaint(
                desk,
                estate=estate,
                unit=unit,
                resident=ResidentFactory(units=[unit]),
                severity="urgent",
                summary=f"电梯困人 {n}",
            )
            if n % 2:
                act(complaint, desk, "accept")
                act(complaint, desk, "escalate", reason="unsatisfied", note="")
                escalation_acknowledge(
                    escalation_id=Escalation.objects.get(complaint=complaint).pk,
                    actor=supervisor,
                    callback_due_at=start + 10 * MINUTE,
                )
        complaints.append(complaint)
    return complaints


def _swept(now: dt.datetime):
    with time_machine.travel(now, tick=False), CaptureQueriesContext(connection) as queries:
        result = sweep_run(now=now)
    return result, len(queries)


@pytest.fixture
def desk(estate, other_estate):
    return make_staff("qiantai", role="front_desk", estates=[estate, other_estate])


@pytest.fixture
def people(estate, other_estate, supervisor, manager):
    """Level 1 is the supervisor of both estates (Chinese) and, in the second estate only, one
    who reads English; level 2 is the manager of both."""
    english = make_staff("zhuguan_en", role="supervisor", estates=[other_estate])
    english.staff_member.language = "en"
    english.staff_member.save()
    return {
        (estate.pk, 1): {supervisor},
        (other_estate.pk, 1): {supervisor, english},
        (estate.pk, 2): {manager},
        (other_estate.pk, 2): {manager},
    }


def test_escalating_fifty_takes_the_queries_that_ten_take(
    desk, supervisor, estate, other_estate, people
):
    estates = [estate, other_estate]
    _due_in_a_quarter_hour(desk, supervisor, estates, 10, MORNING)
    few, few_queries = _swept(MORNING + 16 * MINUTE)
    _due_in_a_quarter_hour(desk, supervisor, estates, 50, MORNING + 20 * MINUTE)
    many, many_queries = _swept(MORNING + 36 * MINUTE)

    assert (len(few.escalated), len(many.escalated)) == (10, 50)
    assert sorted({kind for _, kind, _ in many.escalated}) == ["acknowledge", "agreed_callback"]
    assert many_queries == few_queries
    # Lock, deadlines, their update, escalations, timeline, levels (1 and 2), the people of
    # four (estate, level) pairs, the messages; then the probes and the reminder passes.
    assert many_queries <= 30


def _expected_subject(user, escalation) -> str:
    complaint = escalation.complaint
    if user.staff_member.language == "en":
        lead = f"[Escalated to level {escalation.level}]"
    else:
        lead = f"[督办升至 {escalation.level} 级]"
    return f"{lead} {complaint.reference} {complaint.summary}"


def test_each_escalation_tells_the_people_of_its_estate_and_level_in_their_language(
    desk, supervisor, estate, other_estate, people
):
    complaints = _due_in_a_quarter_hour(desk, supervisor, [estate, other_estate], 12, MORNING)
    now = MORNING + 16 * MINUTE
    _swept(now)

    raised = Escalation.objects.filter(reason="deadline_missed").select_related(
        "complaint", "deadline"
    )
    assert raised.count() == 12
    written = Notification.objects.filter(kind="escalation", created_at=now)
    expected = {
        (f"esc{e.pk}:r0:u{user.pk}", user.pk, _expected_subject(user, e), now)
        for e in raised
        for user in people[(e.complaint.estate_id, e.level)]
    }
    assert {(n.dedupe_key, n.recipient_id, n.subject, n.not_before) for n in written} == expected
    assert len(expected) == 3 * 1 + 3 * 2 + 6 * 1  # level 1 in HY, in JD; level 2
    for message in written:
        assert message.language == message.recipient.staff_member.language
        assert message.body.count(message.complaint.reference) == 2  # its line and its link

    apologies = Notification.objects.filter(kind="callback_missed")
    callbacks_missed = [e for e in raised if e.deadline.kind == "agreed_callback"]
    assert {(n.dedupe_key, n.complaint_id, n.address) for n in apologies} == {
        (f"dl{e.deadline_id}:apology", e.complaint_id, "8613812345678") for e in callbacks_missed
    }
    assert len(callbacks_missed) == 6
    assert {
        c.escalation_level for c in Complaint.objects.filter(pk__in=[c.pk for c in complaints])
    } == {1, 2}
