"""Who complains about what: each demo complaint as logged, then played by ``life``."""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from itertools import accumulate

from django.conf import settings

from complaints.models import (
    Category,
    Channel,
    Complaint,
    DesiredOutcome,
    Severity,
    Stage,
)
from complaints.services.warranty import warranty_applies
from demo.life import LifePlayer
from demo.people import mobile_phone, person_name
from demo.story import Story
from demo.subjects import DEMANDS, ENGLISH, OPENERS, SUBJECTS, Subject
from demo.world import EstateWorld, World
from residents.models import Resident, Unit

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
REPEAT_SHARE = 0.05
REPEAT_PREFIX = "再次投诉："
# Openers that do not name a unit, for complaints about common areas.
GREETINGS = tuple(opener for opener in OPENERS if "{unit}" not in opener)


# What a resident mainly wants, as the desk would judge it from what they ask for; a repair
# request may come with any mindset, or none the desk noted. No draw from the scenario's
# random sequence: the rest of the demo stays as it was.
MINDSET_OF_OUTCOME = {"compensation": "compensation", "apology": "respect", "explanation": "vent"}
MINDSETS_OF_REPAIRS = ("", "vent", "respect", "")


def _mindset(desired_outcome: str, number: int) -> str:
    if desired_outcome in MINDSET_OF_OUTCOME:
        return MINDSET_OF_OUTCOME[desired_outcome]
    return MINDSETS_OF_REPAIRS[number % len(MINDSETS_OF_REPAIRS)]


class ComplaintMaker(LifePlayer):
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
        # Recent complaints with a unit or resident, and per party and category those within
        # the repeat window, in order of arrival.
        self.recent: deque[Complaint] = deque(maxlen=400)
        self.earlier: dict[tuple, deque[Complaint]] = {}

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
        complaint = self._complaint(
            received_at, estate_world, subject, category, unit, resident, contact, repeat_of
        )
        story = Story(
            complaint=complaint,
            calendar=estate_world.calendar,
            policy=self.world.policy(
                top_category_id=complaint.top_category_id, severity=complaint.severity
            ),
            now=self.now,
            rng=rng,
            acknowledgers=self.acknowledgers,
        )
        target = stage or self._stage(received_at)
        complaint.created_at = self._entered(story)
        story.repeat_of = self._repeat_link(complaint)
        self._remember(complaint)
        self._play(story, estate_world, target)
        return story.finish()

    def _complaint(
        self, received_at, estate_world, subject, category, unit, resident, contact, repeat_of
    ) -> Complaint:
        rng = self.rng
        estate = estate_world.estate
        day = received_at.astimezone(estate.zone).date()
        number = self.counters.get((estate.pk, day), 0) + 1
        self.counters[(estate.pk, day)] = number
        desired_outcome = rng.choices(OUTCOMES, subject.outcome)[0]
        summary, account = self._words(estate_world, subject, category, unit, resident)
        account += rng.choice(DEMANDS[desired_outcome])
        if repeat_of is not None:
            summary = f"{REPEAT_PREFIX}{repeat_of.summary.removeprefix(REPEAT_PREFIX)}"[:200]
            account = f"上次反映的问题还没有解决。{account}"
        return Complaint(
            reference=f"TS-{estate.code}-{day:%y%m%d}-{number:04d}",
            estate=estate,
            unit=unit,
            resident=resident,
            contact_name="" if resident else contact[0],
            contact_phone=resident.phone if resident else contact[1],
            channel=rng.choices(list(CHANNELS), list(CHANNELS.values()))[0],
            category=category,
            top_category_id=category.parent_id or category.pk,
            severity=rng.choices(SEVERITIES, subject.severity)[0],
            summary=summary,
            account=account,
            desired_outcome=desired_outcome,
            mindset=_mindset(desired_outcome, number),
            in_warranty=warranty_applies(unit=unit, category=category, on=day),
            received_at=received_at,
            logged_by_id=self._desk(estate_world),
        )

    @staticmethod
    def _keys(complaint: Complaint) -> list[tuple]:
        top_id = complaint.top_category_id
        keys = [("u", complaint.unit_id, top_id), ("r", complaint.resident_id, top_id)]
        return [key for key in keys if key[1] is not None]

    def _repeat_link(self, complaint: Complaint) -> Complaint | None:
        """As the intake rule: the latest complaint of the same unit or resident and top
        category within the repeat window, whether or not the resident meant to repeat it.

        Intake sees only complaints already entered. A letter that arrived first but waits
        for opening hours (over a holiday, for days) is no repeat's original for a call
        entered before it; the replay enters complaints entered at the same instant in order
        of arrival."""
        received_at = complaint.received_at
        linked = []
        for key in self._keys(complaint):
            for earlier in reversed(self.earlier.get(key, ())):
                if received_at - earlier.received_at > self.repeat_window:
                    break
                if earlier.created_at <= complaint.created_at:
                    linked.append(earlier)
                    break
        return max(linked, key=lambda c: c.received_at, default=None)

    def _remember(self, complaint: Complaint) -> None:
        if complaint.unit_id is None and complaint.resident_id is None:
            return
        self.recent.append(complaint)
        since = complaint.received_at - self.repeat_window
        for key in self._keys(complaint):
            earlier = self.earlier.setdefault(key, deque())
            while earlier and earlier[0].received_at < since:
                earlier.popleft()
            earlier.append(complaint)

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

    def _stage(self, received_at: dt.datetime) -> str:
        age = (self.now - received_at).total_seconds() / 3600
        weights = next(w for limit, w in STAGE_WEIGHTS if limit is None or age < limit)
        return self.rng.choices(STAGES, weights)[0]
