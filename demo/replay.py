"""Every step of the demo's stories taken by the real services, in order of time, with the
clock set to the step's time.

A story's timeline says who did what and when; here each of its events becomes the call that
writes it: intake, a workflow action, an acknowledgement, or the sweep that noticed a missed
deadline or a reminder due. The stories' own rows are not written: the services write theirs,
and the sweep, run over every complaint at once, escalates whatever was due at that instant.
Steps of all stories are taken in one order of time, so that each sweep sees the desk as it
stood then.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, fields

import time_machine
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from complaints.models import (
    Callback,
    Complaint,
    ComplaintEvent,
    Deadline,
    Escalation,
    EscalationReason,
)
from complaints.services import ComplaintInput, complaint_act, complaint_create
from complaints.services.acknowledgements import escalation_acknowledge
from complaints.services.sweep import sweep_run
from demo.rows import EventRow
from demo.start import DemoStart, Progress
from demo.story import Story
from notifications.models import Notification

CREATE = "create"
SWEEP = "sweep"
ACKNOWLEDGE = "acknowledge"


def _at(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


# A workflow action's inputs, read back from the event the story recorded for it.
INPUTS: dict[str, Callable[[EventRow], dict]] = {
    "accept": lambda e: {},
    "close_as_explained": lambda e: {"validity": e.data["validity"], "explanation": e.note},
    "plan_resolution": lambda e: {
        "validity": e.data["validity"],
        "department": e.data["department"]["after"],
        "plan": e.note,
        "callback_due_at": _at(e.data["callback_due_at"]),
    },
    "mark_resolved": lambda e: {
        "outcome": e.note,
        "cause": e.data["cause"],
        "liability": e.data["liability"],
    },
    "close": lambda e: {"satisfaction": e.data["satisfaction"], "summary": e.note},
    "reopen": lambda e: {"reason": e.note},
    "escalate": lambda e: {"reason": e.data["reason"], "note": e.note},
    "log_callback": lambda e: {
        "reached": e.data["reached"],
        "note": e.note,
        "next_callback_at": _at(e.data["next_callback_at"]),
    },
    "assign": lambda e: {"assignee": e.data["assignee"]["after"]},
    "take": lambda e: {},
    "hold": lambda e: {"reason": e.note, "until": _at(e.data["until"])},
    "release": lambda e: {},
    "add_note": lambda e: {"text": e.note},
}


@dataclass(frozen=True, slots=True)
class Step:
    at: dt.datetime
    story: int  # the story's place in order of arrival
    seq: int  # the step's place in its story
    kind: str  # CREATE, SWEEP, ACKNOWLEDGE or a workflow action
    actor_id: int | None
    data: dict


def _step(event: EventRow, story: int, seq: int) -> Step | None:
    kind, data = event.kind, {}
    if kind == "created":
        kind = CREATE
    elif kind == "escalated":
        if event.data["reason"] == EscalationReason.REPEAT:
            return None  # intake escalates a repeat itself
        kind = SWEEP
    elif kind == "escalation_acknowledged":
        kind, data = ACKNOWLEDGE, {"level": event.data["level"]}
    else:
        data = INPUTS[kind](event)
    return Step(event.at, story, seq, kind, event.actor_id, data)


def story_steps(story: Story, index: int) -> list[Step]:
    """The calls that write the story: its events, and the sweeps that sent its reminders."""
    steps = [
        step
        for seq, event in enumerate(story.events)
        if (step := _step(event, index, seq)) is not None
    ]
    last = len(story.events)
    steps += [
        Step(_hour_after(deadline.reminded_at), index, last, SWEEP, None, {})
        for deadline in story.deadlines
        if deadline.reminded_at is not None
    ]
    return steps


def _hour_after(at: dt.datetime) -> dt.datetime:
    """The next whole hour: one sweep sends every reminder that fell due within the hour.
    Thousands of complaints share a couple of thousand hours; a sweep per reminder would
    take most of the seeding time, for reminders at most an hour late."""
    return at.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)


class Replay:
    def __init__(
        self, start: DemoStart, stories: list[Story], *, progress: Progress | None = None
    ) -> None:
        self.start = start
        self.stories = stories
        self.progress = progress
        self.users = {user.pk: user for user in start.world.users.values()}
        # Real references by story: they are given out in the order complaints are entered.
        self.references: dict[int, str] = {}
        self.swept_at: dt.datetime | None = None

    def run(self) -> None:
        steps = [step for i, story in enumerate(self.stories) for step in story_steps(story, i)]
        steps.sort(key=lambda step: (step.at, step.story, step.seq))
        now = self.start.now
        complaints_before = _last_pk(Complaint)
        notifications_before = _last_pk(Notification)
        sweep_log = logging.getLogger(sweep_run.__module__)
        level = sweep_log.level
        # Each sweep logs what it did; the demo's hundreds of sweeps are history, not news.
        sweep_log.setLevel(logging.WARNING)
        try:
            # One transaction: each service's own becomes a savepoint, and the disk is synced
            # once rather than after each of thousands of steps.
            with transaction.atomic():
                self._take_all(steps)
                self._delivered(after=notifications_before, now=now)
        finally:
            sweep_log.setLevel(level)
        self._count(after=complaints_before)

    def _take_all(self, steps: list[Step]) -> None:
        now = self.start.now
        with time_machine.travel(now, tick=False) as traveller:
            for step in steps:
                traveller.move_to(step.at)
                self._take(step)
            # The sweep of this minute: what fell due since the last step, reminders included.
            traveller.move_to(now)
            sweep_run(now=now)

    def _take(self, step: Step) -> None:
        if step.kind == SWEEP:
            if step.at != self.swept_at:
                sweep_run(now=step.at)
                self.swept_at = step.at
            return
        # Only the sweep acts as nobody; every other step has its person.
        assert step.actor_id is not None
        actor = self.users[step.actor_id]
        if step.kind == CREATE:
            self._create(step.story, actor)
        elif step.kind == ACKNOWLEDGE:
            reference = self.references[step.story]
            escalation_id = (
                Escalation.objects.filter(
                    complaint__reference=reference,
                    level=step.data["level"],
                    acknowledged_at__isnull=True,
                )
                .order_by("created_at", "id")
                .values_list("pk", flat=True)
                .first()
            )
            if escalation_id is None:
                raise RuntimeError(
                    f"The plan acknowledges a level {step.data['level']} escalation of "
                    f"{reference} at {step.at}, which the services did not raise."
                )
            escalation_acknowledge(escalation_id=escalation_id, actor=actor)
        else:
            complaint_act(
                reference=self.references[step.story],
                actor=actor,
                action=step.kind,
                data=step.data,
            )
        self.swept_at = None

    def _create(self, index: int, actor: User) -> None:
        planned = self.stories[index].complaint
        complaint = complaint_create(
            actor=actor,
            # The planned complaint holds every field intake is told, under the same names.
            data=ComplaintInput(
                **{f.name: getattr(planned, f.name) for f in fields(ComplaintInput)}
            ),
        )
        self.references[index] = complaint.reference
        summary = self.start.summary
        summary.complaints += 1
        if self.progress:
            self.progress(summary.complaints, self.start.count, self.start.elapsed())

    def _delivered(self, *, after: int, now: dt.datetime) -> None:
        """Messages due before now went out when they were due: the worker sends within the
        minute. Left unsent, a worker starting now would send weeks of them at once."""
        Notification.objects.filter(pk__gt=after, sent_at__isnull=True, not_before__lte=now).update(
            sent_at=F("not_before"), attempts=1, status=Notification.Status.SENT
        )

    def _count(self, *, after: int) -> None:
        summary = self.start.summary
        new = {"complaint_id__gt": after}
        summary.events = ComplaintEvent.objects.filter(**new).count()
        summary.deadlines = Deadline.objects.filter(**new).count()
        summary.escalations = Escalation.objects.filter(**new).count()
        summary.callbacks = Callback.objects.filter(**new).count()


def _last_pk(model: type[Complaint] | type[Notification]) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
