"""``demo_seed``: the demo world, then N complaints generated and inserted batch by batch."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

from django.db import connection, connections, reset_queries, transaction
from django.utils import timezone

from complaints.demo.arrivals import arrivals
from complaints.demo.bulk import Columns, columns_insert, ids_reserve, rows_columns
from complaints.demo.scenario import STAGES, ComplaintMaker
from complaints.demo.story import Story
from complaints.demo.world import (
    DEMO_ESTATE_CODES,
    DEMO_USERNAMES,
    demo_world_create,
    demo_world_load,
    demo_world_present,
)
from complaints.models import (
    Callback,
    Complaint,
    ComplaintEvent,
    Deadline,
    Escalation,
    ReferenceCounter,
)
from reports.models import WeeklySummarySnapshot
from reports.past_changes import weekly_history_changed
from residents.models import Estate

WEEKS = 12
# In the order they are written: each row points only at rows written before it.
TABLES = (Complaint, Deadline, Escalation, Callback, ComplaintEvent)
# The DemoSummary count of each table's rows, in the same order.
COUNTED = ("complaints", "deadlines", "escalations", "callbacks", "events")
DEFAULT_BATCH_SIZE = 2000

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


def demo_seed(
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
    DemoDataPresent when demo estates or users exist already and ``add`` is not set, or when
    ``add`` finds only part of the demo world.
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

    def written() -> None:
        if progress:
            progress(summary.complaints, complaints, time.perf_counter() - started)

    earliest: dt.datetime | None = None
    with _BatchWriter(summary, written, background=not connection.in_atomic_block) as writer:
        batch: list[Story] = []
        for story in _stories(maker, times, count=complaints):
            received_at = story.complaint.received_at
            earliest = received_at if earliest is None else min(earliest, received_at)
            batch.append(story)
            if len(batch) >= batch_size:
                writer.write(batch, {key: counters[key] for key in _days(batch)})
                batch = []
        if batch or not complaints:
            writer.write(batch, {key: counters[key] for key in _days(batch)})
    # Whole stories were written into the past. Weeks of the summary stored meanwhile by a
    # reader of a world made just now are dropped; added to an existing world, they record the
    # change, so every stored week it reaches is computed again.
    if summary.world_created:
        WeeklySummarySnapshot.objects.filter(computed_at__gte=seeding_since).delete()
    elif earliest is not None:
        weekly_history_changed(since=earliest)
    if connection.vendor == "postgresql":
        # Fresh statistics, so that the first pages read the new rows with good plans instead
        # of waiting for autovacuum to notice them.
        tables = [m._meta.db_table for m in (*TABLES, ReferenceCounter)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))
    summary.seconds = time.perf_counter() - started
    return summary


def _stories(maker: ComplaintMaker, times: Iterator[dt.datetime], *, count: int):
    """Stories in order of arrival; the last few make sure every stage is shown at least once."""
    seen: set[str] = set()
    for i, received_at in enumerate(times):
        missing = [stage for stage in STAGES if stage not in seen]
        forced = missing[0] if missing and count - i <= len(missing) else None
        story = maker.make(received_at, stage=forced)
        seen.add(story.complaint.stage)
        yield story


def _days(stories: list[Story]) -> set[tuple[int, dt.date]]:
    """The (estate, local day) reference counters a batch moves on."""
    return {
        (c.estate_id, c.received_at.astimezone(c.estate.zone).date())
        for c in (story.complaint for story in stories)
    }


class _BatchWriter:
    """Writes batches in order, each in its own transaction.

    Outside a caller's transaction one batch is written while the next is generated, so that
    the database works on one core while Python works on the other. On PostgreSQL the rows
    are turned into COPY text and sent by a child process: in a thread, that work would share
    the interpreter's lock with the generation, and both would run on one core. The ids come
    from the tables' sequences before the batch is handed over, so the child only inserts.
    On SQLite, whose ids are taken inside the writing transaction, a thread writes. Inside a
    caller's transaction the batches are written in place: another connection could not see
    the caller's uncommitted rows.
    """

    def __init__(
        self, summary: DemoSummary, written: Callable[[], None], *, background: bool
    ) -> None:
        self.summary = summary
        self.written = written
        self.pool: Executor | None = None
        self.process = background and connection.vendor == "postgresql"
        if self.process:
            # Forked without an open connection, the child opens its own.
            connections.close_all()
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork"))
            self.pool.submit(int).result()
        elif background:
            self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: Future | None = None

    def __enter__(self) -> _BatchWriter:
        return self

    def write(self, stories: list[Story], counters: dict) -> None:
        if self.pool is None:
            self._done(_write(stories, counters))
            return
        if self.process:
            batch = _batch(stories, counters)
            # At most one batch is written while the next is made: memory stays bounded.
            self._wait()
            self.pending = self.pool.submit(_insert, batch)
        else:
            self._wait()
            self.pending = self.pool.submit(_write, stories, counters)

    def _done(self, counts: tuple[int, ...]) -> None:
        summary = self.summary
        for name, count in zip(COUNTED, counts, strict=True):
            setattr(summary, name, getattr(summary, name) + count)
        self.written()

    def _wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self._done(pending.result())

    def __exit__(self, *exc_info) -> None:
        if self.pool is None:
            return
        try:
            self._wait()
        finally:
            # The worker's connection would otherwise stay open until it is collected.
            self.pool.submit(_connections_close).result()
            self.pool.shutdown()


def _connections_close() -> None:
    connections.close_all()


@dataclass
class _Batch:
    tables: list[Columns]
    counters: dict
    counts: tuple[int, ...]  # rows per table of TABLES


def _batch(stories: list[Story], counters: dict) -> _Batch:
    """Ids first, so that every row can point at the others; then the rows as columns."""
    complaints = [story.complaint for story in stories]
    deadlines = [d for story in stories for d in story.deadlines]
    escalations = [e for story in stories for e in story.escalations]
    callbacks = [c for story in stories for c in story.callbacks]
    events = [e for story in stories for e in story.events]
    ids_reserve(Complaint, complaints)
    ids_reserve(Deadline, deadlines)
    ids_reserve(Escalation, escalations)
    for story in stories:
        complaint = story.complaint
        if story.repeat_of is not None:
            complaint.repeat_of_id = story.repeat_of.pk
        for row in (*story.deadlines, *story.escalations, *story.callbacks, *story.events):
            row.complaint_id = complaint.pk
        for escalation, deadline in story.missed_deadlines:
            escalation.deadline_id = deadline.id
        for data, escalation in story.escalation_ids:
            data["escalation"] = escalation.id
    tables = (complaints, deadlines, escalations, callbacks, events)
    batch = _Batch(
        tables=[
            rows_columns(model, rows) for model, rows in zip(TABLES, tables, strict=True) if rows
        ],
        counters=counters,
        counts=tuple(len(rows) for rows in tables),
    )
    alias = connection.alias
    for complaint in complaints:
        complaint._state.adding = False
        complaint._state.db = alias
    return batch


def _insert(batch: _Batch) -> tuple[int, ...]:
    """One batch in one transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Demo data can be seeded again; waiting for each batch to reach the disk cannot
            # make it safer, only slower. Consistency is unaffected.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for columns in batch.tables:
            columns_insert(columns)
        # Later intakes number on from here: reference_next reads and bumps these rows.
        ReferenceCounter.objects.bulk_create(
            [
                ReferenceCounter(estate_id=e, day=d, last=last)
                for (e, d), last in batch.counters.items()
            ],
            update_conflicts=True,
            unique_fields=["estate", "day"],
            update_fields=["last"],
        )
    # With DEBUG on, Django keeps every query's SQL; a million rows of it would fill memory.
    reset_queries()
    return batch.counts


def _write(stories: list[Story], counters: dict) -> tuple[int, ...]:
    """Ids, rows and counters in one transaction (SQLite takes its ids inside it)."""
    with transaction.atomic():
        return _insert(_batch(stories, counters))
