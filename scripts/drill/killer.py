"""The kill: a thread that watches pg_stat_activity and SIGKILLs a worker caught inside the
sweep's escalating transaction, so the drill can show the other worker finishing its work."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import threading
import time
from dataclasses import dataclass

import psycopg2

from scripts.drill.processes import Service

# The sweep's escalating transaction touches these tables and, last, complaints_notification;
# a worker's outbox run touches complaints_notification only.
SWEEP_TABLES = re.compile(
    r'"(complaints_complaint|complaints_deadline|complaints_escalation|complaints_complaintevent'
    r'|auth_user)"'
)
# Workers that have written in an open transaction, with what they ran last.
WRITING_WORKERS = """
SELECT application_name, pid, query
FROM pg_stat_activity
WHERE datname = current_database()
  AND application_name LIKE 'complaint-desk-worker%'
  AND backend_xid IS NOT NULL
"""
BACKEND = "SELECT state, backend_xid IS NOT NULL, query FROM pg_stat_activity WHERE pid = %s"


def in_sweep(statement: str) -> bool:
    return bool(SWEEP_TABLES.search(statement)) and "complaints_notification" not in statement


@dataclass
class Kill:
    worker: str = ""
    statement: str = ""
    at_wall: dt.datetime | None = None
    at: float = 0.0
    escalations_before: int = 0
    inside_sweep: bool = False


class SweepKiller(threading.Thread):
    """Watches pg_stat_activity; once some escalations are committed, SIGKILLs the first
    worker caught inside an escalating sweep."""

    def __init__(self, dsn: str, workers: dict[str, Service]) -> None:
        super().__init__(name="sweep-killer", daemon=True)
        self.dsn = dsn
        self.workers = workers
        self.done = threading.Event()
        self.stop = threading.Event()
        self.kill = Kill()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._watch()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            self.error = exc
        finally:
            self.done.set()

    def _watch(self) -> None:
        connection = psycopg2.connect(self.dsn)
        connection.autocommit = True
        cursor = connection.cursor()
        armed_checked = 0.0
        armed = False
        while not self.stop.is_set():
            if not armed and time.monotonic() - armed_checked > 0.05:
                armed_checked = time.monotonic()
                cursor.execute("SELECT count(*) FROM complaints_escalation")
                armed = cursor.fetchone()[0] > 0
            if armed:
                cursor.execute(WRITING_WORKERS)
                for application, backend, statement in cursor.fetchall():
                    if in_sweep(statement) and self._freeze_then_kill(application, backend, cursor):
                        connection.close()
                        return
            time.sleep(0.002)
        connection.close()

    def _freeze_then_kill(self, application: str, backend: int, cursor) -> bool:
        """SIGSTOP the worker, then look again: pg_stat_activity can be a moment behind, and
        a frozen client cannot move on. Killed only if it is still inside the sweep's
        transaction (so it holds no claimed notifications); otherwise it goes on."""
        service = self.workers[application]
        os.killpg(service.process.pid, signal.SIGSTOP)
        killed = False
        try:
            row = None
            for _ in range(200):  # let a running statement finish
                cursor.execute(BACKEND, [backend])
                row = cursor.fetchone()
                if row is None or row[0] != "active":
                    break
                time.sleep(0.005)
            if row and row[0] == "idle in transaction" and row[1] and in_sweep(row[2]):
                os.killpg(service.process.pid, signal.SIGKILL)
                killed = True
                self._record(service, backend, row[2], cursor=cursor)
        finally:
            if not killed:
                os.killpg(service.process.pid, signal.SIGCONT)
        return killed

    def _record(self, service: Service, backend: int, statement: str, *, cursor) -> None:
        self.kill.at = time.monotonic()
        self.kill.at_wall = dt.datetime.now(dt.UTC)
        self.kill.worker = service.name
        self.kill.statement = " ".join(statement.split())[:120]
        self.kill.inside_sweep = True
        service.process.wait(timeout=10)
        # The server notices the dead client and rolls its transaction back.
        for _ in range(500):
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
            if not cursor.fetchone():
                break
            time.sleep(0.01)
        cursor.execute("SELECT count(*) FROM complaints_escalation")
        self.kill.escalations_before = cursor.fetchone()[0]
