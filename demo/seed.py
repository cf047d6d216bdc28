"""``demo_seed``: the demo world, then N complaints whose lives are played through the services.

The plan of each complaint (``scenario`` and ``story``) is made first, in order of arrival;
then every step of every plan, across all complaints in order of time, is taken by the real
services with the clock set to that step's time (``replay``). What the database holds is what
the desk would have written had those people done those things on those days.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from demo.incident import CALLS, demo_incident
from demo.replay import Replay
from demo.start import (
    SERVICES_LIMIT,
    DemoSummary,
    Progress,
    demo_history_settle,
    demo_start,
    demo_stories,
)
from demo.world import demo_world_present


def demo_seed(
    *,
    complaints: int = 200,
    seed: int = 1,
    add: bool = False,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    incident: bool = False,
) -> DemoSummary:
    """Create the demo world (unless ``add``) and ``complaints`` complaints of the last weeks,
    every one of them logged and moved on by the services.

    With ``incident``, a new world's morning has a water cut, and three of the ``complaints``
    are calls about it linked at intake (``demo.incident``).

    The same ``seed`` and ``now`` on an empty database give the same data. Raises
    DemoDataPresent as ``demo_start`` does, and ValueError above ``SERVICES_LIMIT``.
    """
    if complaints > SERVICES_LIMIT:
        raise ValueError(
            f"{complaints:,} complaints would keep the services busy too long; above "
            f"{SERVICES_LIMIT:,}, bench.bulk.bulk_seed writes them."
        )
    calls = len(CALLS) if incident and complaints >= 10 and not demo_world_present() else 0
    start = demo_start(complaints=complaints - calls, seed=seed, add=add, now=now)
    stories = list(demo_stories(start))
    Replay(start, stories, progress=progress).run()
    if calls:
        demo_incident(start, rng=random.Random(f"incident-{seed}"))
        if progress is not None:
            progress(start.summary.complaints, complaints, start.elapsed())
    earliest = min((story.complaint.received_at for story in stories), default=None)
    with transaction.atomic():
        demo_history_settle(start, earliest=earliest)
    start.summary.seconds = start.elapsed()
    return start.summary
