"""How far each demo complaint has come by now: the steps of its life, and when each falls."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User

from complaints.models import (
    Category,
    Channel,
    Complaint,
    DeadlineKind,
    DeadlineState,
    EscalationReason,
    Severity,
    Stage,
    Validity,
)
from demo import replies
from demo.story import Story
from demo.world import EstateWorld, World
from staff.models import Department

SATISFACTION = {"satisfied": 62, "fairly": 25, "unsatisfied": 5, "unreachable": 8}
MINUTE = dt.timedelta(minutes=1)


class LifePlayer:
    """Plays a story from intake to the stage it has reached by ``now``; the maker of
    complaints (``scenario.ComplaintMaker``) is one."""

    rng: random.Random
    now: dt.datetime
    world: World
    users: dict[str, int]
    user_objects: dict[str, User]

    def _desk(self, estate_world: EstateWorld) -> int:
        if self.rng.random() < 0.06:
            return self.users["supervisor"]
        if estate_world.estate.code == "JD" and self.rng.random() < 0.5:
            return self.users["frontdesk_b"]
        return self.users["frontdesk"]

    def _path(self, target: str, story: Story) -> list[str]:
        rng = self.rng
        if target == Stage.INTAKE:
            return []
        if target == Stage.CLARIFICATION:
            return ["accept"]
        if target == Stage.CLOSED and rng.random() < 0.16:
            return ["accept", "explain"]
        path = ["accept", "plan"]
        reopened = (
            rng.random() < 0.04
            and self.now - story.complaint.received_at > 3 * dt.timedelta(days=1)
        )
        if target in (Stage.FOLLOW_UP, Stage.CLOSED):
            path.append("resolve")
        if reopened:
            path += ["resolve", "reopen"] if target == Stage.RESOLUTION else ["reopen", "resolve"]
        if target == Stage.CLOSED:
            path.append("close")
        return path

    def _entered(self, story: Story) -> dt.datetime:
        """When the desk enters the complaint: at once on the phone or in person; a letter or
        an online form waits for opening hours (days, over a public holiday)."""
        rng = self.rng
        complaint = story.complaint
        entered = complaint.received_at + MINUTE * rng.uniform(0.2, 3)
        if complaint.channel in (Channel.LETTER, Channel.ONLINE):
            entered = self._desk_time(complaint.received_at + MINUTE * rng.uniform(5, 90), story)
        return min(entered, self.now)

    def _play(self, story: Story, estate_world: EstateWorld, target: str) -> None:
        """From intake, entered at ``story.complaint.created_at``, to ``target``."""
        complaint = story.complaint
        prev = complaint.created_at
        story.created(prev, complaint.logged_by_id)
        path = self._path(target, story)
        stage: str = Stage.INTAKE
        for i, step in enumerate(path):
            at = self._fit(self._natural(step, story, prev), prev, remaining=len(path) - i)
            self._extras(stage, story, estate_world, prev, at, final=False)
            self._step(step, story, estate_world, at)
            stage, prev = complaint.stage, at
        self._extras(stage, story, estate_world, prev, self.now, final=True)

    def _desk_time(self, at: dt.datetime, story: Story) -> dt.datetime:
        """Desk work happens in opening hours, except on urgent complaints."""
        if story.complaint.severity == Severity.URGENT:
            return at
        return story.calendar.next_opening(at).astimezone(dt.UTC)

    def _by(
        self, kind: str, story: Story, start: dt.datetime, on_time: float, fallback: float
    ) -> dt.datetime:
        """When a step happens: usually well within its deadline, sometimes late."""
        rng = self.rng
        deadline = story.deadline(kind)
        if deadline is None or deadline.due_at <= start:
            return start + MINUTE * fallback * rng.uniform(0.3, 1.5)
        share = rng.uniform(0.1, 0.9) if rng.random() < on_time else rng.uniform(1.1, 2.5)
        return self._desk_time(start + (deadline.due_at - start) * share, story)

    def _natural(self, step: str, story: Story, prev: dt.datetime) -> dt.datetime:
        if step == "accept":
            return max(prev, self._by(DeadlineKind.ACKNOWLEDGE, story, prev, 0.97, 60))
        if step in ("plan", "explain"):
            return self._by(DeadlineKind.FIRST_CALLBACK, story, prev, 0.95, 240)
        if step == "resolve":
            return self._by(DeadlineKind.RESOLUTION, story, prev, 0.9, 2 * 24 * 60)
        if step == "reopen":
            return self._by(DeadlineKind.FOLLOW_UP, story, prev, 1.0, 24 * 60)
        return self._by(DeadlineKind.FOLLOW_UP, story, prev, 0.95, 24 * 60)

    def _fit(self, at: dt.datetime, prev: dt.datetime, *, remaining: int) -> dt.datetime:
        """Squeeze a step that would fall after now so that the target stage is still reached."""
        limit = prev + (self.now - prev) * self.rng.uniform(0.5, 1.0) / remaining
        return max(prev, min(at, limit))

    def _step(self, step: str, story: Story, estate_world: EstateWorld, at: dt.datetime) -> None:
        rng = self.rng
        complaint = story.complaint
        desk = self._desk(estate_world)
        top = complaint.category.parent or complaint.category
        if step == "accept":
            story.accept(at, desk)
        elif step == "explain":
            validity = Validity.INVALID if rng.random() < 0.65 else Validity.VALID
            explanation = rng.choice(replies.EXPLANATIONS)
            story.close_as_explained(at, desk, validity=validity, explanation=explanation)
        elif step == "plan":
            urgent = complaint.severity == Severity.URGENT
            lead = dt.timedelta(hours=rng.uniform(1, 6) if urgent else rng.uniform(3, 48))
            story.plan_resolution(
                at,
                desk,
                validity=Validity.VALID if rng.random() < 0.9 else Validity.ASSISTED,
                department=self._department(complaint.category),
                plan=rng.choice(replies.PLANS.get(top.code, replies.PLANS["NBR"])),
                callback_due=self._desk_time(at + lead, story),
            )
        elif step == "resolve":
            causes = replies.CAUSES.get(top.code, replies.CAUSES["NBR"])
            if complaint.in_warranty and rng.random() < 0.7:
                cause, liability = causes[0]
            else:
                cause, liability = rng.choice([c for c in causes if c[1] != "developer"])
            outcome = rng.choice(replies.OUTCOMES.get(top.code, replies.OUTCOMES["NBR"]))
            story.mark_resolved(
                at, self._resolver(complaint), outcome=outcome, cause=cause, liability=liability
            )
        elif step == "reopen":
            story.reopen(at, desk, reason=rng.choice(replies.REOPEN_REASONS))
        elif step == "close":
            satisfaction = rng.choices(list(SATISFACTION), list(SATISFACTION.values()))[0]
            closer = self.users["supervisor"] if satisfaction == "unsatisfied" else desk
            summary = rng.choice(replies.FOLLOW_UPS[satisfaction])
            story.close(at, closer, satisfaction=satisfaction, summary=summary)
        else:
            raise ValueError(f"no such step: {step}")

    def _department(self, category: Category) -> Department:
        return (
            category.default_department
            or (category.parent.default_department if category.parent is not None else None)
            or self.world.departments["CS"]
        )

    def _handlers(self, complaint: Complaint) -> list[User]:
        code = complaint.department.code if complaint.department is not None else "CS"
        return self.world.handlers.get(code) or [self.user_objects["supervisor"]]

    def _resolver(self, complaint: Complaint) -> int:
        handlers = self._handlers(complaint)
        if complaint.assignee_id and complaint.assignee in handlers:
            return complaint.assignee_id
        return self.rng.choice(handlers).pk

    def _extras(self, stage, story, estate_world, start, end, *, final: bool) -> None:
        """What else happens in a stage before the next step: callbacks, notes, holds."""
        rng = self.rng
        span = end - start
        steps: list[tuple[dt.datetime, str, dict]] = []
        desk = self._desk(estate_world)
        if stage == Stage.CLARIFICATION and rng.random() < (0.6 if final else 0.35):
            at = self._by(DeadlineKind.FIRST_CALLBACK, story, start, 0.95, 120)
            note = rng.choice(replies.CALLBACK_NOTES)
            steps.append((at, "log_callback", {"reached": True, "note": note}))
        if stage in (Stage.RESOLUTION, Stage.FOLLOW_UP):
            steps += self._agreed_callbacks(story, start, end, desk)
        if stage == Stage.RESOLUTION:
            complaint = story.complaint
            if complaint.assignee_id is None:
                steps += self._take_over(story, start)
            if rng.random() < 0.06:
                reason = rng.choice((EscalationReason.UNSATISFIED, EscalationReason.REFUSED_TIME))
                note = rng.choice(replies.ESCALATION_NOTES[reason])
                at = start + span * rng.uniform(0.2, 0.8)
                steps.append((at, "escalate", {"reason": reason, "note": note}))
            if rng.random() < 0.05 and not complaint.on_hold:
                steps += self._hold(story, start, end, final=final)
        if rng.random() < 0.08 and stage != Stage.INTAKE:
            at = start + span * rng.uniform(0.1, 0.9)
            steps.append((at, "add_note", {"text": rng.choice(replies.NOTES)}))
        for at, action, kwargs in sorted(steps, key=lambda s: s[0]):
            if not start <= at < end:
                continue
            actor = kwargs.pop("by", desk)
            getattr(story, action)(at, actor, **kwargs)

    def _agreed_callbacks(self, story: Story, start, end, desk: int) -> list[tuple]:
        """Calls at the agreed times; an unreached resident gets a new agreed time."""
        rng = self.rng
        steps: list[tuple] = []
        deadline = next(
            (
                d
                for d in story.deadlines
                if d.kind == DeadlineKind.AGREED_CALLBACK and d.state == DeadlineState.PENDING
            ),
            None,
        )
        due = deadline.due_at if deadline else None
        last = start
        while due is not None and len(steps) < 3:
            on_time = rng.random() < 0.94
            at = (
                due - MINUTE * rng.uniform(0, 45)
                if on_time
                else due + MINUTE * rng.uniform(10, 480)
            )
            at = max(at, last + MINUTE)
            if at >= end:
                break
            reached = rng.random() < 0.85
            next_at = None
            if not reached:
                next_at = self._desk_time(at + dt.timedelta(hours=rng.uniform(2, 24)), story)
            notes = replies.CALLBACK_NOTES if reached else replies.UNREACHED_NOTES
            kwargs = {"reached": reached, "note": rng.choice(notes), "next_at": next_at}
            steps.append((at, "log_callback", kwargs))
            due, last = next_at, at
        return steps

    def _take_over(self, story: Story, start) -> list[tuple]:
        """Handed to a department: mostly one of its people takes it on within the time, some
        are assigned by a supervisor, a few slip and are escalated as not taken over."""
        rng = self.rng
        handlers = self._handlers(story.complaint)
        deadline = story.deadline(DeadlineKind.TAKE_OVER)
        within = (deadline.due_at - start) if deadline is not None else dt.timedelta(hours=2)
        roll = rng.random()
        # A department without handlers of its own (customer service) is assigned its person.
        department = story.complaint.department
        has_handlers = department is not None and bool(self.world.handlers.get(department.code))
        if roll < 0.8 and has_handlers:
            taker = rng.choice(handlers)
            at = start + within * rng.uniform(0.05, 0.9)
            return [(at, "take", {"taker": taker, "by": taker.pk})]
        if roll < 0.93:
            at = start + within * rng.uniform(0.2, 1.5)
            assignee = rng.choice(handlers)
            return [(at, "assign", {"assignee": assignee, "by": self.users["supervisor"]})]
        return []

    def _hold(self, story: Story, start, end, *, final: bool) -> list[tuple]:
        rng = self.rng
        at = start + (end - start) * rng.uniform(0.1, 0.4)
        until = at + dt.timedelta(days=rng.uniform(2, 10))
        supervisor = self.users["supervisor"]
        steps = [
            (
                at,
                "hold",
                {"until": until, "reason": rng.choice(replies.HOLD_REASONS), "by": supervisor},
            )
        ]
        release_at = until if final else min(until, end - MINUTE * rng.uniform(1, 60))
        if at < release_at < end:
            steps.append((release_at, "release", {"by": supervisor}))
        elif not final:
            return []  # a complaint is never marked resolved while on hold
        return steps
