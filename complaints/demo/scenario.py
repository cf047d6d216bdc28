"""Who complains about what, and how far each demo complaint has come by now."""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from itertools import accumulate

from django.conf import settings
from django.contrib.auth.models import User

from complaints.demo import replies
from complaints.demo.people import mobile_phone, person_name
from complaints.demo.story import Story
from complaints.demo.subjects import DEMANDS, ENGLISH, OPENERS, SUBJECTS, Subject
from complaints.demo.world import EstateWorld, World
from complaints.models import (
    Category,
    Channel,
    Complaint,
    DeadlineKind,
    DeadlineState,
    DesiredOutcome,
    EscalationReason,
    Severity,
    Stage,
    Validity,
)
from complaints.models.choices import MAX_ESCALATION_LEVEL
from complaints.services.intake import warranty_applies
from residents.models import Resident, Unit
from staff.models import Department

STAGES = (Stage.CLOSED, Stage.FOLLOW_UP, Stage.RESOLUTION, Stage.CLARIFICATION, Stage.INTAKE)
# By age in hours: weights of closed, follow-up, resolution, clarification, intake. Recent
# complaints are mostly open; a few old ones are stuck, overdue and escalated.
STAGE_WEIGHTS = (
    (2, (15, 0, 10, 30, 45)),
    (24, (20, 4, 40, 30, 6)),
    (72, (30, 15, 44, 10, 1)),
    (168, (50, 16, 30, 3, 0.5)),
    (504, (83, 6, 10, 1, 0.2)),
    (None, (92, 2.2, 4.5, 1, 0.3)),
)
CHANNELS = {
    Channel.PHONE: 45, Channel.FRONT_DESK: 18, Channel.WALK_IN: 14,
    Channel.ONLINE: 15, Channel.LETTER: 5, Channel.OTHER: 3,
}  # fmt: skip
TOP_CATEGORY_WEIGHTS = {"QUAL": 18, "FAC": 24, "ENV": 14, "SEC": 16, "SVC": 8, "FEE": 12, "NBR": 8}
SEVERITIES = (Severity.NORMAL, Severity.MAJOR, Severity.URGENT)
OUTCOMES = (
    DesiredOutcome.EXPLANATION, DesiredOutcome.REPAIR, DesiredOutcome.COMPENSATION,
    DesiredOutcome.APOLOGY, DesiredOutcome.OTHER,
)  # fmt: skip
SATISFACTION = {"satisfied": 62, "fairly": 25, "unsatisfied": 5, "unreachable": 8}
REPEAT_SHARE = 0.05
REPEAT_PREFIX = "再次投诉："
# Openers that do not name a unit, for complaints about common areas.
GREETINGS = tuple(opener for opener in OPENERS if "{unit}" not in opener)
MINUTE = dt.timedelta(minutes=1)


class ComplaintMaker:
    def __init__(
        self, *, world: World, rng: random.Random, now: dt.datetime, counters: dict
    ) -> None:
        self.world = world
        self.rng = rng
        self.now = now
        # Last reference number per (estate id, local day), shared with the writer.
        self.counters = counters
        self.repeat_window = dt.timedelta(days=settings.DESK_REPEAT_WINDOW_DAYS)
        self.users = {name: user.pk for name, user in world.users.items()}
        self.user_objects = world.users
        self.acknowledgers = (self.users["supervisor"], self.users["manager"])
        self.subjects = self._subjects(world.categories)
        self.subject_weights = list(accumulate(w for *_, w in self.subjects))
        self.estate_weights = list(accumulate(e.weight for e in world.estates))
        # Recent complaints with a unit or resident, and the latest per party and category.
        self.recent: deque[Complaint] = deque(maxlen=400)
        self.latest: dict[tuple, Complaint] = {}

    @staticmethod
    def _subjects(categories: list[Category]) -> list[tuple[Category, Subject, float]]:
        children: dict[int, list[Category]] = {}
        for category in categories:
            if category.parent_id:
                children.setdefault(category.parent_id, []).append(category)
        choices = []
        for top in (c for c in categories if not c.parent_id):
            kinds = children.get(top.pk, [top])
            weight = TOP_CATEGORY_WEIGHTS.get(top.code, 5) / len(kinds)
            for category in kinds:
                generic = Subject({category.name_zh: f"反映{category.name_zh}方面的问题。"})
                choices.append((category, SUBJECTS.get(category.code, generic), weight))
        return choices

    # -- the complaint as logged ------------------------------------------------------------

    def make(self, received_at: dt.datetime, *, stage: str | None = None) -> Story:
        rng = self.rng
        repeat_of = None
        if rng.random() < REPEAT_SHARE:
            recent = [c for c in self.recent if received_at - c.received_at <= self.repeat_window]
            repeat_of = rng.choice(recent) if recent else None
        if repeat_of is not None:
            estate_world = next(e for e in self.world.estates if e.estate.pk == repeat_of.estate_id)
            category, subject = repeat_of.category, self._subject_of(repeat_of.category)
            unit, resident = repeat_of.unit, repeat_of.resident
        else:
            estate_world = rng.choices(self.world.estates, cum_weights=self.estate_weights)[0]
            category, subject, _ = rng.choices(self.subjects, cum_weights=self.subject_weights)[0]
            unit, resident = self._party(estate_world, subject)
        if repeat_of is not None and resident is None:
            contact = (repeat_of.contact_name, repeat_of.contact_phone)
        else:
            contact = (person_name(rng), mobile_phone(rng)) if resident is None else ("", "")
        estate = estate_world.estate
        top_id = category.parent_id or category.pk
        day = received_at.astimezone(estate.zone).date()
        number = self.counters.get((estate.pk, day), 0) + 1
        self.counters[(estate.pk, day)] = number
        desired_outcome = rng.choices(OUTCOMES, subject.outcome)[0]
        summary, account = self._words(estate_world, subject, category, unit, resident)
        account += rng.choice(DEMANDS[desired_outcome])
        if repeat_of is not None:
            summary = f"{REPEAT_PREFIX}{repeat_of.summary.removeprefix(REPEAT_PREFIX)}"[:200]
            account = f"上次反映的问题还没有解决。{account}"
        complaint = Complaint(
            reference=f"TS-{estate.code}-{day:%y%m%d}-{number:04d}",
            estate=estate,
            unit=unit,
            resident=resident,
            contact_name="" if resident else contact[0],
            contact_phone=resident.phone if resident else contact[1],
            channel=rng.choices(list(CHANNELS), list(CHANNELS.values()))[0],
            category=category,
            top_category_id=top_id,
            severity=rng.choices(SEVERITIES, subject.severity)[0],
            summary=summary,
            account=account,
            desired_outcome=desired_outcome,
            in_warranty=warranty_applies(unit=unit, category=category, on=day),
            received_at=received_at,
            logged_by_id=self._desk(estate_world),
        )
        if repeat_of is not None:
            # The intake rule links the latest complaint of the same unit or resident.
            keys = [("u", complaint.unit_id, top_id), ("r", complaint.resident_id, top_id)]
            linked = [self.latest[k] for k in keys if k in self.latest]
            repeat_of = max(linked, key=lambda c: c.received_at, default=repeat_of)
        if unit is not None or resident is not None:
            self.recent.append(complaint)
            for key in (("u", complaint.unit_id, top_id), ("r", complaint.resident_id, top_id)):
                if key[1] is not None:
                    self.latest[key] = complaint
        story = Story(
            complaint=complaint,
            calendar=estate_world.calendar,
            policy=self.world.policy(top_category_id=top_id, severity=complaint.severity),
            now=self.now,
            rng=rng,
            acknowledgers=self.acknowledgers,
        )
        story.repeat_of = repeat_of
        self._play(story, estate_world, stage or self._stage(received_at))
        return story.finish()

    def _subject_of(self, category: Category) -> Subject:
        return next(s for c, s, _ in self.subjects if c.pk == category.pk)

    def _party(
        self, estate_world: EstateWorld, subject: Subject
    ) -> tuple[Unit | None, Resident | None]:
        rng = self.rng
        unit = rng.choice(estate_world.units)
        residents = estate_world.residents.get(unit.pk, [])
        resident = rng.choice(residents) if residents and rng.random() < 0.88 else None
        # A common-area complaint is still made by someone living somewhere.
        return (None if rng.random() < subject.common_area else unit), resident

    def _words(self, estate_world, subject, category, unit, resident) -> tuple[str, str]:
        rng = self.rng
        building = unit.building.name if unit else rng.choice(estate_world.units).building.name
        values = {"unit": unit.label if unit else building, "building": building}
        values["days"] = rng.randint(2, 6)
        top_code = category.parent.code if category.parent_id else category.code
        if resident and resident.language == "en" and top_code in ENGLISH:
            summary, account = ENGLISH[top_code]
            return summary, account.format(**values)
        summary, detail = rng.choice(subject.pairs)
        opener = rng.choice(OPENERS if unit else GREETINGS)
        return summary, (opener + detail).format(**values)

    def _desk(self, estate_world: EstateWorld) -> int:
        if self.rng.random() < 0.06:
            return self.users["supervisor"]
        if estate_world.estate.code == "JD" and self.rng.random() < 0.5:
            return self.users["frontdesk_b"]
        return self.users["frontdesk"]

    def _stage(self, received_at: dt.datetime) -> str:
        age = (self.now - received_at).total_seconds() / 3600
        weights = next(w for limit, w in STAGE_WEIGHTS if limit is None or age < limit)
        return self.rng.choices(STAGES, weights)[0]

    # -- its life so far ----------------------------------------------------------------------

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

    def _play(self, story: Story, estate_world: EstateWorld, target: str) -> None:
        rng = self.rng
        complaint = story.complaint
        entered = complaint.received_at + MINUTE * rng.uniform(0.2, 3)
        if complaint.channel in (Channel.LETTER, Channel.ONLINE):
            entered = self._desk_time(complaint.received_at + MINUTE * rng.uniform(5, 90), story)
        prev = min(entered, self.now)
        story.created(prev, complaint.logged_by_id)
        path = self._path(target, story)
        stage = Stage.INTAKE
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
            or (category.parent.default_department if category.parent_id else None)
            or self.world.departments["CS"]
        )

    def _handlers(self, complaint: Complaint) -> list[User]:
        code = complaint.department.code if complaint.department_id else "CS"
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
            if rng.random() < 0.45 and complaint.assignee_id is None:
                at = start + MINUTE * rng.uniform(5, 120)
                assignee = rng.choice(self._handlers(complaint))
                steps.append((at, "assign", {"assignee": assignee, "by": self.users["supervisor"]}))
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
            if action == "escalate" and story.complaint.escalation_level >= MAX_ESCALATION_LEVEL:
                continue  # the workflow refuses to escalate past the top level
            actor = kwargs.pop("by", desk)
            getattr(story, action)(at, actor, **kwargs)

    def _agreed_callbacks(self, story: Story, start, end, desk: int) -> list[tuple]:
        """Calls at the agreed times; an unreached resident gets a new agreed time."""
        rng = self.rng
        steps = []
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
