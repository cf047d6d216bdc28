"""The two ways of seeding the demo hold the same invariants on the same seed.

``demo.seed`` takes every planned step through the services; ``bench.bulk`` inserts the plan's
rows as ``demo.story`` works them out. If the story stops mirroring the workflow, the bulk
data (the benchmark's) drifts from what the desk writes, and this test says where.

Must agree exactly, complaint by complaint (matched by received time, which both take from
the same arrivals):
- the stage, the escalation level and the repeat link;
- the kinds of the timeline's events in order (the workflow actions, the sweep's
  escalations, the acknowledgements);
- each deadline's kind and state, in order;
- the escalations' levels and reasons, and which were acknowledged.

May differ, and why:
- references: the services number complaints in the order they are entered (a letter is
  entered hours after it arrived), the bulk loader in the order they arrived;
- the times the sweep acted: the story notices a missed deadline within its minute, the
  replay sweeps at that instant too, but a reminder is sent by the sweep of the next whole
  hour, so ``reminded_at`` (and whether a deadline was reminded at all) may differ;
- notifications: only the services write them (the bulk loader writes no outbox rows).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from bench.bulk.seed import bulk_seed
from complaints.models import Complaint
from demo.seed import demo_seed

NOW = dt.datetime(2026, 11, 27, 10, 15, tzinfo=dt.UTC)
# Just after the National Day holiday (1 to 7 October): letters and online forms of the
# holiday are entered on the 8th, after calls about the same units.
AFTER_HOLIDAY = dt.datetime(2026, 10, 9, 10, 15, tzinfo=dt.UTC)
COUNT = 120

pytestmark = pytest.mark.django_db


def invariants() -> dict[dt.datetime, tuple]:
    """What must agree, per complaint, keyed by its received time."""
    complaints = Complaint.objects.select_related("repeat_of").prefetch_related(
        "events", "deadlines", "escalations"
    )
    found = {}
    for c in complaints:
        events = sorted(c.events.all(), key=lambda e: (e.at, e.pk))
        deadlines = sorted(c.deadlines.all(), key=lambda d: (d.starts_at, d.kind, d.pk))
        escalations = sorted(c.escalations.all(), key=lambda e: (e.created_at, e.pk))
        found[c.received_at] = (
            c.stage,
            c.escalation_level,
            c.repeat_of.received_at if c.repeat_of else None,
            tuple(e.kind for e in events),
            tuple((d.kind, d.state) for d in deadlines),
            tuple((e.level, e.reason, e.acknowledged_at is not None) for e in escalations),
        )
    return found


def seeded(seed_with, *, now: dt.datetime, seed: int) -> dict[dt.datetime, tuple]:
    with transaction.atomic():
        with time_machine.travel(now, tick=False):
            seed_with(complaints=COUNT, seed=seed)
        found = invariants()
        transaction.set_rollback(True)
    return found


@pytest.mark.parametrize(
    ("now", "seed"),
    [
        pytest.param(NOW, 11, id="late-november"),
        # A call entered before the holiday's letter about the same unit, which arrived first:
        # no repeat for intake, which sees only complaints already entered.
        pytest.param(AFTER_HOLIDAY, 12, id="repeat-of-a-complaint-entered-later"),
        # Deadlines missed just before a resident asks for a manager take the complaint to
        # the top level: the workflow refuses the escalation.
        pytest.param(AFTER_HOLIDAY, 18, id="escalation-asked-at-the-top"),
    ],
)
def test_the_services_and_the_bulk_loader_write_the_same_lives(now: dt.datetime, seed: int):
    through_services = seeded(demo_seed, now=now, seed=seed)
    in_bulk = seeded(bulk_seed, now=now, seed=seed)

    assert len(through_services) == len(in_bulk) == COUNT
    assert through_services.keys() == in_bulk.keys()
    differences = {
        at: (through_services[at], in_bulk[at])
        for at in sorted(in_bulk)
        if through_services[at] != in_bulk[at]
    }
    assert differences == {}
    stages = {stage for stage, *_ in in_bulk.values()}
    assert stages == {"intake", "clarification", "resolution", "follow_up", "closed"}
    assert any(level for _, level, *_ in in_bulk.values())
