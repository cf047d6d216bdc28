"""The bench's results as a table against the SPEC §8 targets, printed and written to
var/bench/results-<N>.md and .json. Plain Python: nothing here needs Django."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from bench.database import STATE_DIR, Build

if TYPE_CHECKING:
    from bench.server import Figure
    from bench.web import Intake

# name: (median ms at most, queries at most); the SPEC §8 targets at 1,000,000 complaints.
TARGETS = {
    "worklist": (50, 12),
    "worklist: estate+stage+overdue": (50, 12),
    "worklist: search by phone": (50, 12),
    "complaint page": (50, 12),
    "escalation queue": (50, 12),
    "API complaint list": (50, 12),
    "weekly summary, one estate": (300, None),
    "weekly summary, all estates": (1000, None),
    "idle sweep": (20, None),
}
# The front desk's searches and look-ups (bench/search.py) answer within the worklist's target.
SEARCH_PREFIXES = ("worklist: ", "intake look-up: ")
SWEEP_DUE_TARGET_MS = 15_000
INTAKE_TARGET = (150, 150)  # complaints a second at least, p95 ms at most
RSS_TARGET_MB = 150


@dataclass
class Results:
    complaints: int
    units: int
    workers: int
    build: Build
    loads: dict[str, str]
    postgresql: str
    pages: list[Figure]
    idle: Figure
    due: Figure | None
    http: dict[str, float]
    intake: Intake | None
    explains: dict[str, dict]


def _row(
    name: str,
    median: float,
    floor: float,
    queries: int | None,
    target: tuple[int, int | None] | None,
    http_ms: float | None = None,
) -> dict:
    return {
        "name": name,
        "ms": round(median, 1),
        "http_ms": None if http_ms is None else round(http_ms, 1),
        "ratio": round(median / floor, 1) if floor else None,
        "queries": queries,
        "target": target,
    }


def _verdict(row: dict) -> str:
    target = row["target"]
    if not target:
        return ""
    limit_ms, limit_queries = target
    fine = row["ms"] <= limit_ms and (
        limit_queries is None or (row["queries"] or 0) <= limit_queries
    )
    text = f"≤ {limit_ms:,} ms" + (f", ≤ {limit_queries} q" if limit_queries else "")
    return f"{text}: {'met' if fine else 'MISSED'}"


def _table(rows: list[dict]) -> str:
    lines = [
        "| measurement | server ms (median) | × floor | queries | HTTP ms (median) | target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['ms']:,.1f} | {row['ratio'] or ''} | "
            f"{'' if row['queries'] is None else row['queries']} | "
            f"{'' if row['http_ms'] is None else format(row['http_ms'], ',.1f')} | "
            f"{_verdict(row)} |"
        )
    return "\n".join(lines)


def _target(name: str) -> tuple[int, int | None] | None:
    if name in TARGETS:
        return TARGETS[name]
    return TARGETS["worklist"] if name.startswith(SEARCH_PREFIXES) else None


def _rows(results: Results) -> list[dict]:
    """Every figure as a multiple of the login page, the floor every other page stands on."""
    floor = next(f for f in results.pages if f.name == "login page (floor)").median_ms
    rows = [
        _row(f.name, f.median_ms, floor, f.queries, _target(f.name), results.http.get(f.name))
        for f in results.pages
    ]
    idle, due = results.idle, results.due
    rows.append(_row(idle.name, idle.median_ms, floor, idle.queries, TARGETS["idle sweep"]))
    if due:
        rows.append(_row(due.name, due.median_ms, floor, due.queries, (SWEEP_DUE_TARGET_MS, None)))
    return rows


def _machine(postgresql: str) -> dict:
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "postgresql": postgresql,
        "python": sys.version.split()[0],
    }


def _intake_lines(intake: Intake, *, workers: int) -> list[str]:
    worker_rss = {pid: mb for pid, mb in intake.rss_mb.items() if pid in intake.workers_after}
    recycled = sorted(set(intake.workers_before) - set(intake.workers_after))
    met = intake.per_second >= INTAKE_TARGET[0] and intake.p95_ms <= INTAKE_TARGET[1]
    return [
        f"intake: {intake.per_second:,.1f} complaints/s through the API, {workers} "
        f"workers, wrk -c {intake.connections} for {intake.seconds} s; p50 "
        f"{intake.p50_ms:.1f} ms, p95 {intake.p95_ms:.1f} ms, p99 {intake.p99_ms:.1f} ms; "
        f"statuses {intake.statuses}, socket errors {intake.errors} "
        f"(target ≥ {INTAKE_TARGET[0]}/s, p95 ≤ {INTAKE_TARGET[1]} ms: "
        f"{'met' if met else 'MISSED'})",
        "web worker RSS after the run (MB): "
        + ", ".join(f"{pid}: {mb:.0f}" for pid, mb in sorted(worker_rss.items()))
        + f"; max {max(worker_rss.values(), default=0):.0f} (target ≤ {RSS_TARGET_MB}: "
        f"{'met' if max(worker_rss.values(), default=0) <= RSS_TARGET_MB else 'MISSED'})"
        + (f"; recycled during the run: {recycled}" if recycled else ""),
    ]


def _summary(results: Results, *, rows: list[dict], machine: dict) -> str:
    build = results.build
    lines = [
        f"N = {results.complaints:,} complaints (seed {build.seed}), {results.units:,} units; "
        + time.strftime("%Y-%m-%d %H:%M %Z"),
        f"machine: {machine}",
        f"build: {'reused' if build.reused else 'built now'}; seed_demo {build.seed_seconds} s, "
        f"migrate {build.migrate_seconds} s, VACUUM ANALYZE {build.vacuum_seconds} s "
        f"(built {build.built_at}, load {build.load_during_build})",
        f"load average (1, 5, 15 min): {results.loads}",
        "",
        _table(rows),
        "",
    ]
    if results.due:
        lines.append(
            f"sweep with due deadlines: {results.due.note}; idle sweep: {results.idle.note}"
        )
    if results.intake:
        lines += _intake_lines(results.intake, workers=results.workers)
    return "\n".join(lines)


def results_write(results: Results) -> None:
    rows = _rows(results)
    machine = _machine(results.postgresql)
    summary = _summary(results, rows=rows, machine=machine)
    plans = "\n\n".join(
        f"### {label}\n\n```sql\n{item['sql']}\n```\n\n```\n{item['plan']}\n```"
        for label, item in results.explains.items()
    )
    print("\n" + summary + "\n\nEXPLAIN (ANALYZE, BUFFERS):\n\n" + plans)
    (STATE_DIR / f"results-{results.complaints}.md").write_text(summary + "\n\n" + plans + "\n")
    (STATE_DIR / f"results-{results.complaints}.json").write_text(
        json.dumps(
            {
                "complaints": results.complaints,
                "units": results.units,
                "machine": machine,
                "build": asdict(results.build),
                "loads": results.loads,
                "rows": rows,
                "intake": asdict(results.intake) if results.intake else None,
                "explains": results.explains,
            },
            indent=2,
            default=str,
        )
    )
