"""``bulk_seed``: the demo's stories written straight into the tables, for benchmark sizes.

The same world, arrivals and stories as ``demo.seed`` for the same seed, but each story's
rows (as ``demo.story`` works them out, mirroring the services) are inserted batch by batch
instead of being taken through the services one step at a time: a million complaints in
minutes instead of days. ``tests/demo/test_paths.py`` holds the two to the same invariants.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from bench.bulk.writer import TABLES, BatchWriter
from complaints.models import ReferenceCounter
from demo.start import DemoSummary, Progress, demo_history_settle, demo_start, demo_stories
from demo.story import Story

DEFAULT_BATCH_SIZE = 2000


def bulk_seed(
    *,
    complaints: int = 200,
    seed: int = 1,
    add: bool = False,
    now: dt.datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> DemoSummary:
    """Create the demo world (unless ``add``) and ``complaints`` complaints of the last weeks.

    The same ``seed`` and ``now`` on an empty database give the same data. Raises
    DemoDataPresent as ``demo.start.demo_start`` does.
    """
    start = demo_start(complaints=complaints, seed=seed, add=add, now=now)
    summary = start.summary
    counters = start.maker.counters

    def written() -> None:
        if progress:
            progress(summary.complaints, complaints, start.elapsed())

    earliest: dt.datetime | None = None
    with BatchWriter(summary, written, background=not connection.in_atomic_block) as writer:
        batch: list[Story] = []
        for story in demo_stories(start):
            received_at = story.complaint.received_at
            earliest = received_at if earliest is None else min(earliest, received_at)
            batch.append(story)
            if len(batch) >= batch_size:
                writer.write(batch, {key: counters[key] for key in _days(batch)})
                batch = []
        if batch or not complaints:
            writer.write(batch, {key: counters[key] for key in _days(batch)})
    demo_history_settle(start, earliest=earliest)
    if connection.vendor == "postgresql":
        # Fresh statistics, so that the first pages read the new rows with good plans instead
        # of waiting for autovacuum to notice them.
        tables = [m._meta.db_table for m in (*TABLES, ReferenceCounter)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))
    summary.seconds = start.elapsed()
    return summary


def _days(stories: list[Story]) -> set[tuple[int, dt.date]]:
    """The (estate, local day) reference counters a batch moves on."""
    return {
        (c.estate_id, c.received_at.astimezone(c.estate.zone).date())
        for c in (story.complaint for story in stories)
    }
