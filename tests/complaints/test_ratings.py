"""The resident's own rating: recorded once with its source; unsatisfied reopens a closed
complaint to the supervisors, or escalates an open one; a second rating changes nothing."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from complaints.errors import ActionForbidden, ActionRefused, AlreadyRated
from complaints.models import Complaint, ComplaintEvent, Escalation, Stage
from complaints.services.ratings import complaint_rate
from tests.complaints.helpers import TUESDAY_10, act, valid_data
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db


def walk(complaint, actor, *actions):
    for action in actions:
        act(complaint, actor, action, **valid_data(action))
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def closed(estate, frontdesk, supervisor):
    with time_machine.travel(TUESDAY_10, tick=False):
        complaint = log_complaint(frontdesk, estate=estate)
        return walk(complaint, supervisor, "accept", "plan_resolution", "mark_resolved", "close")


def snapshot(complaint) -> tuple:
    complaint.refresh_from_db()
    return (
        complaint.stage,
        complaint.version,
        complaint.satisfaction,
        complaint.satisfaction_source,
        complaint.resident_rating,
        complaint.escalation_level,
        Escalation.objects.filter(complaint=complaint).count(),
        ComplaintEvent.objects.filter(complaint=complaint).count(),
    )


def test_a_staff_closing_records_its_satisfaction_as_staff(closed):
    assert (closed.satisfaction, closed.satisfaction_source) == ("satisfied", "staff")


def test_a_rating_is_recorded_as_the_residents_own(closed):
    with time_machine.travel(TUESDAY_10 + dt.timedelta(days=1), tick=False):
        complaint_rate(complaint_id=closed.pk, rating="fairly", comment="  修得慢了点 ")

    closed.refresh_from_db()
    assert (closed.satisfaction, closed.satisfaction_source) == ("fairly", "resident")
    assert (closed.resident_rating, closed.resident_comment) == ("fairly", "修得慢了点")
    assert closed.stage == Stage.CLOSED
    event = closed.events.get(kind="rated")
    assert event.actor is None
    assert event.data == {
        "rating": "fairly",
        "source": "resident",
        "satisfaction": {"before": "satisfied", "after": "fairly"},
    }


def test_unsatisfied_reopens_a_closed_complaint_to_the_supervisors_once(closed):
    with time_machine.travel(TUESDAY_10 + dt.timedelta(days=2), tick=False):
        complaint_rate(complaint_id=closed.pk, rating="unsatisfied", comment="又坏了")
        after_first = snapshot(closed)
        with pytest.raises(AlreadyRated, match="rated already"):
            complaint_rate(complaint_id=closed.pk, rating="unsatisfied")

    assert snapshot(closed) == after_first
    assert closed.stage == Stage.RESOLUTION and closed.closed_at is None
    assert closed.escalation_level == 1
    escalation = Escalation.objects.get(complaint=closed)
    assert (escalation.reason, escalation.level, escalation.note) == ("unsatisfied", 1, "又坏了")
    event = closed.events.get(kind="rated")
    assert (event.from_stage, event.to_stage) == ("closed", "resolution")
    assert event.data["reopened"] is True
    assert closed.deadlines.filter(kind="resolution", state="pending").count() == 1


def test_unsatisfied_on_an_open_complaint_escalates_it_where_it_stands(
    estate, frontdesk, supervisor
):
    with time_machine.travel(TUESDAY_10, tick=False):
        complaint = walk(
            log_complaint(frontdesk, estate=estate),
            supervisor,
            "accept",
            "plan_resolution",
            "mark_resolved",
        )
        complaint_rate(complaint_id=complaint.pk, rating="unsatisfied")

    complaint.refresh_from_db()
    assert complaint.stage == Stage.FOLLOW_UP
    assert complaint.escalation_level == 1
    assert list(
        Escalation.objects.filter(complaint=complaint).values_list("reason", flat=True)
    ) == ["unsatisfied"]


def test_unsatisfied_reopens_however_long_ago_it_closed(settings, closed):
    # Longer ago than the desk itself may reopen it, within the 90 days the link lasts.
    later = closed.closed_at + dt.timedelta(days=settings.DESK_REOPEN_MAX_DAYS + 30)
    with time_machine.travel(later, tick=False):
        complaint_rate(complaint_id=closed.pk, rating="unsatisfied")

    closed.refresh_from_db()
    assert (closed.stage, closed.resident_rating, closed.escalation_level) == (
        Stage.RESOLUTION,
        "unsatisfied",
        1,
    )


def test_before_it_is_resolved_it_cannot_be_rated(estate, frontdesk):
    with time_machine.travel(TUESDAY_10, tick=False):
        complaint = log_complaint(frontdesk, estate=estate)
    before = snapshot(complaint)

    with pytest.raises(ActionRefused, match="once it is resolved"):
        complaint_rate(complaint_id=complaint.pk, rating="unsatisfied")

    assert snapshot(complaint) == before


def test_a_resident_who_rated_unsatisfied_is_closed_on_only_by_a_supervisor(
    estate, frontdesk, supervisor
):
    with time_machine.travel(TUESDAY_10, tick=False):
        complaint = walk(
            log_complaint(frontdesk, estate=estate),
            supervisor,
            "accept",
            "plan_resolution",
            "mark_resolved",
        )
        complaint_rate(complaint_id=complaint.pk, rating="unsatisfied", comment="没修好")
        with pytest.raises(ActionForbidden, match="only by a supervisor"):
            act(complaint, frontdesk, "close", satisfaction="satisfied", summary="业主满意")
        act(complaint, supervisor, "close", satisfaction="fairly", summary="主管回访后基本满意")

    complaint.refresh_from_db()
    assert (complaint.satisfaction, complaint.satisfaction_source) == ("fairly", "staff")
    assert complaint.resident_rating == "unsatisfied"


@pytest.mark.parametrize(
    ("rating", "comment", "field"),
    [
        ("unreachable", "", "rating"),  # staff's to record, not an answer offered
        ("", "", "rating"),
        ("very", "", "rating"),
        ("satisfied", "字" * 501, "comment"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(closed, rating, comment, field):
    before = snapshot(closed)

    with pytest.raises(ValidationError) as refused:
        complaint_rate(complaint_id=closed.pk, rating=rating, comment=comment)

    assert list(refused.value.message_dict) == [field]
    assert snapshot(closed) == before


def test_a_reopen_by_staff_clears_the_satisfaction_and_its_source(closed, supervisor):
    with time_machine.travel(TUESDAY_10 + dt.timedelta(days=1), tick=False):
        act(closed, supervisor, "reopen", reason="业主说又漏了")

    fresh = Complaint.objects.get(pk=closed.pk)
    assert (fresh.satisfaction, fresh.satisfaction_source) == ("", "")
