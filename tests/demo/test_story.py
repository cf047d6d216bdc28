"""``demo.story`` takes the steps the workflow allows, as the services would see them."""

from __future__ import annotations

import datetime as dt
import random

from complaints.clock import BusinessCalendar
from complaints.models import Complaint, DeadlineKind, DeadlineState, EscalationReason
from complaints.models.choices import MAX_ESCALATION_LEVEL
from demo.rows import DeadlineRow
from demo.story import Story

RECEIVED = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


def story_one_below_the_top(*, due: dt.datetime) -> Story:
    complaint = Complaint(received_at=RECEIVED, escalation_level=MAX_ESCALATION_LEVEL - 1)
    story = Story(
        complaint=complaint,
        calendar=BusinessCalendar.every_day(),
        policy=None,
        now=RECEIVED + dt.timedelta(days=10),
        rng=random.Random(1),
        acknowledgers=(1, 2),
    )
    story.deadlines.append(
        DeadlineRow(
            kind=DeadlineKind.RESOLUTION,
            starts_at=RECEIVED,
            due_at=due,
            remind_at=None,
            policy_id=None,
            explanation={},
            opened_at=RECEIVED,
        )
    )
    return story


def test_an_escalation_after_a_missed_deadline_took_the_complaint_to_the_top_is_not_made():
    at = RECEIVED + dt.timedelta(days=3)
    story = story_one_below_the_top(due=at - dt.timedelta(minutes=1))

    story.escalate(at, 7, reason=EscalationReason.UNSATISFIED, note="Wants the manager.")

    assert [event.kind for event in story.events] == ["escalated"]
    assert story.events[0].data["level"] == {"before": 2, "after": 3}
    assert story.deadlines[0].state == DeadlineState.MISSED
    assert [(e.level, e.reason) for e in story.escalations] == [
        (3, EscalationReason.DEADLINE_MISSED)
    ]


def test_an_escalation_below_the_top_is_made_after_the_missed_deadlines():
    at = RECEIVED + dt.timedelta(days=3)
    story = story_one_below_the_top(due=at + dt.timedelta(hours=1))

    story.escalate(at, 7, reason=EscalationReason.UNSATISFIED, note="Wants the manager.")

    assert [event.kind for event in story.events] == ["escalate"]
    assert story.events[0].data["level"] == {"before": 2, "after": 3}
    assert story.deadlines[0].state == DeadlineState.PENDING
