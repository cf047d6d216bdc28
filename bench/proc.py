"""CPU time and memory of processes, read from /proc: plain Python, no Django.

A process's CPU time is its utime + stime (field 14 and 15 of /proc/<pid>/stat, in clock
ticks). The share of the machine over a window is the growth of the sum over the window's
wall time and the cores. A process that ended inside the window is missing from its end and
counts for nothing; one that started inside it counts from zero.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg2

TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    # After the command: state is field 3, utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(ppid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == ppid:
            found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def machine_busy() -> tuple[float, float]:
    """(busy, total) clock ticks of every core since boot, from /proc/stat."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in first]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


def database_backends(url: str, application_name: str) -> list[int]:
    """The PostgreSQL backends the web workers hold: the connections that named themselves
    ``application_name``."""
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [application_name],
            )
            return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()


@dataclass
class Snapshot:
    web: dict[int, float]  # gunicorn master and workers
    database: dict[int, float]  # their PostgreSQL backends
    generator: float  # this process: the load generator
    machine: tuple[float, float]


def snapshot(*, master: int, url: str, application_name: str) -> Snapshot:
    def times(pids: list[int]) -> dict[int, float]:
        found = {pid: cpu_seconds(pid) for pid in pids}
        return {pid: seconds for pid, seconds in found.items() if seconds is not None}

    return Snapshot(
        web=times([master, *children(master)]),
        database=times(database_backends(url, application_name)),
        generator=cpu_seconds(os.getpid()) or 0.0,
        machine=machine_busy(),
    )


def _grown(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def cpu_share(before: Snapshot, after: Snapshot, wall: float) -> dict[str, float]:
    """Percent of the machine's cores over ``wall`` seconds: the web processes, their database
    backends, both, the load generator, and the whole machine (every process, other users'
    included)."""
    web = _grown(before.web, after.web) / wall / CORES * 100
    database = _grown(before.database, after.database) / wall / CORES * 100
    busy = after.machine[0] - before.machine[0]
    total = after.machine[1] - before.machine[1]
    return {
        "web": round(web, 1),
        "database": round(database, 1),
        "web+database": round(web + database, 1),
        "generator": round((after.generator - before.generator) / wall / CORES * 100, 1),
        "machine": round(busy / total * 100, 1) if total else 0.0,
    }
