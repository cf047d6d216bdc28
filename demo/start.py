"""The start of every seeding run: the demo world, the maker of complaints, their arrivals.

``demo.seed`` plays the stories it makes through the services; ``bench.bulk`` writes the same
stories' rows straight into the tables, for the benchmark's hundreds of thousands.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from complaints.models import ReferenceCounter
from demo.arrivals import arrivals
from demo.scenario import STAGES, ComplaintMaker
from demo.story import Story
from demo.world import (
    DEMO_ESTATE_CODES,
    DEMO_USERNAMES,
    World,
    demo_world_create,
    demo_world_load,
    demo_world_present,
)
from reports.models import WeeklySummaryChange, WeeklySummarySnapshot
from reports.past_changes import weekly_history_changed
from residents.models import Estate

WEEKS = 12
# Above this many complaints the services take minutes; the benchmark's sizes go through
# ``bench.bulk`` instead (``manage.py seed_demo`` chooses).
SERVICES_LIMIT = 5000

# Called with (complaints written, complaints asked for, seconds since the start).
Progress = Callable[[int, int, float], None]


class DemoDataPresent(Exception):
    def __init__(self, found: list[str], *, partial: bool = False) -> None:
        self.found = found
        self.partial = partial
        estates = [name for name in found if name in DEMO_ESTATE_CODES]
        users = len(found) - len(estates)
        super().__init__(f"estates {', '.join(estates) or 'none'}; {users} of the demo users")


@dataclass
class DemoSummary:
    complaints: int = 0
    events: int = 0
    deadlines: int = 0
    escalations: int = 0
    callbacks: int = 0
    seconds: float = 0.0
    world_created: bool = False


@dataclass
class DemoStart:
    """What a seeding run knows before its first complaint."""

    world: World
    maker: ComplaintMaker
    times: Iterator[dt.datetime]
    count: int
    now: dt.datetime
    summary: DemoSummary
    started: float  # perf_counter
    seeding_since: dt.datetime
    # The last weekly-summary change recorded before the run: the run's own come after it.
    last_change_id: int

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def demo_start(*, complaints: int, seed: int, add: bool, now: dt.datetime | None) -> DemoStart:
    """The demo world, made (unless ``add``) or loaded, and the maker of its complaints.

    Raises DemoDataPresent when demo estates or users exist already and ``add`` is not set,
    or when ``add`` finds only part of the demo world.
    """
    started = time.perf_counter()
    seeding_since = timezone.now()
    now = now or seeding_since
    summary = DemoSummary()
    found = demo_world_present()
    if found and not add:
        raise DemoDataPresent(found)
    if found and len(found) < len(DEMO_ESTATE_CODES) + len(DEMO_USERNAMES):
        raise DemoDataPresent(found, partial=True)
    last_change = WeeklySummaryChange.objects.order_by("-pk").values_list("pk", flat=True)
    last_change_id = last_change.first() or 0
    if not found:
        zone = Estate().zone  # the default time zone, which the demo estates keep
        with transaction.atomic():
            demo_world_create(rng=random.Random(f"world-{seed}"), today=now.astimezone(zone).date())
        summary.world_created = True
    world = demo_world_load()
    zone = world.estates[0].estate.zone
    first_day = (now - dt.timedelta(weeks=WEEKS, days=1)).astimezone(zone).date()
    counters = {
        (row.estate_id, row.day): row.last
        for row in ReferenceCounter.objects.filter(
            estate__code__in=DEMO_ESTATE_CODES, day__gte=first_day
        )
    }
    maker = ComplaintMaker(world=world, rng=random.Random(seed), now=now, counters=counters)
    times = arrivals(
        count=complaints, now=now, zone=zone, rng=random.Random(f"arrivals-{seed}"), days=WEEKS * 7
    )
    return DemoStart(
        world, maker, times, complaints, now, summary, started, seeding_since, last_change_id
    )


def demo_stories(start: DemoStart) -> Iterator[Story]:
    """Stories in order of arrival; the last few make sure every stage is shown at least once."""
    seen: set[str] = set()
    count = start.count
    for i, received_at in enumerate(start.times):
        missing = [stage for stage in STAGES if stage not in seen]
        forced = missing[0] if missing and count - i <= len(missing) else None
        story = start.maker.make(received_at, stage=forced)
        seen.add(story.complaint.stage)
        yield story


def demo_history_settle(start: DemoStart, *, earliest: dt.datetime | None) -> None:
    """Tell the stored weeks of the weekly summary that the past was written.

    Weeks stored meanwhile by a reader of a world made just now are dropped, and so are the
    changes the run recorded: nothing of estates made now can have been stored before. Added
    to an existing world, the change is recorded at the present, so every stored week it
    reaches is computed again (the run's own records carry the story's past instants).
    """
    if start.summary.world_created:
        WeeklySummarySnapshot.objects.filter(computed_at__gte=start.seeding_since).delete()
        WeeklySummaryChange.objects.filter(
            pk__gt=start.last_change_id, estate__code__in=DEMO_ESTATE_CODES
        ).delete()
    elif earliest is not None:
        weekly_history_changed(since=earliest)
