"""The batch writer of ``bulk_seed``: each batch of stories in one transaction, as COPY on
PostgreSQL and ``executemany`` on SQLite, written while the next batch is planned."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

from django.db import connection, connections, reset_queries, transaction

from bench.bulk.columns import Columns, columns_insert, ids_reserve, rows_columns
from complaints.models import (
    Callback,
    Complaint,
    ComplaintEvent,
    Deadline,
    Escalation,
    ReferenceCounter,
)
from demo.rows import CallbackRow, DeadlineRow, EscalationRow, EventRow
from demo.start import DemoSummary
from demo.story import Story

# In the order they are written: each row points only at rows written before it.
TABLES = (Complaint, Deadline, Escalation, Callback, ComplaintEvent)
# The DemoSummary count of each table's rows, in the same order.
COUNTED = ("complaints", "deadlines", "escalations", "callbacks", "events")


class BatchWriter:
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

    def __enter__(self) -> BatchWriter:
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
        rows: list[DeadlineRow | EscalationRow | CallbackRow | EventRow] = [
            *story.deadlines,
            *story.escalations,
            *story.callbacks,
            *story.events,
        ]
        for row in rows:
            row.complaint_id = complaint.pk
        for escalation, deadline in story.missed_deadlines:
            escalation.deadline_id = deadline.id
        for data, escalation in story.escalation_ids:
            data["escalation"] = escalation.id
    tables: tuple[Sequence[object], ...] = (complaints, deadlines, escalations, callbacks, events)
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
