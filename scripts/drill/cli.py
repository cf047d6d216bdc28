"""The drill's command line: its options, its exit code and the summary it prints."""

from __future__ import annotations

import argparse
import json
import os
import signal
import time

import scripts.drill
from scripts.drill.common import DrillFailed, say
from scripts.drill.run import drill

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/desk_drill"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.drill", description=scripts.drill.__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DRILL_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL on 127.0.0.1; dropped and created unless --existing-database",
    )
    parser.add_argument(
        "--existing-database",
        action="store_true",
        help="use the database as it is (a pytest-django test database)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("DRILL_REDIS_URL", DEFAULT_REDIS_URL),
        help="a Redis database number of the drill's own; it is emptied first",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the processes' logs after a pass too"
    )
    args = parser.parse_args(argv)
    # Ctrl-C or a TERM from a CI runner: unwind through the finally that stops everything.
    signal.signal(signal.SIGTERM, _interrupted)
    started = time.monotonic()
    try:
        summary = drill(args)
    except DrillFailed as exc:
        say(f"FAILED: {exc}")
        return 1
    print_summary(summary)
    print("DRILL-RESULT " + json.dumps(summary, default=str), flush=True)
    if summary["problems"]:
        say("FAILED: " + "; ".join(summary["problems"]))
        return 1
    say(f"passed in {time.monotonic() - started:.1f}s")
    return 0


def print_summary(summary: dict) -> None:
    intake, kill, facts, times = (
        summary["intake"],
        summary["kill"],
        summary["database"],
        summary["timings_s"],
    )
    notifications = ", ".join(
        f"{k} {v[1]}/{v[0]}" for k, v in sorted(facts["notifications"].items())
    )
    lines = [
        "",
        "Drill summary",
        f"  intake      {summary['complaints_posted']} POSTs in {intake['seconds']}s"
        f" ({intake['per_second']}/s), median {intake['latency_ms_median']} ms,"
        f" p95 {intake['latency_ms_p95']} ms; answers {intake['statuses']};"
        f" {intake['per_web_process']}",
        f"  web logs    {summary['web_access_log_statuses']}",
        f"  complaints  {facts['complaints']} in the database,"
        f" {facts['distinct_references']} distinct references",
        f"  deadlines   {facts['overdue_deadlines']} overdue, {facts['overdue_escalated_once']}"
        f" escalated exactly once, {facts['overdue_without_escalation']} without,"
        f" {facts['overdue_escalated_twice_or_more']} twice or more;"
        f" {facts['escalations']} escalations in all",
        f"  kill        {kill['worker']} SIGKILLed {kill['seconds_into_run']}s into the run"
        f" inside the sweep with {kill['escalations_committed_at_kill']} escalations committed;"
        f" {kill['survivor']} escalated {kill['survivor_escalated_after_kill']} after it"
        f" ({facts['escalations_after_kill']} escalation rows dated after the kill)",
        f"  outbox      {notifications} sent; {facts['notifications_unsent']} unsent",
        f"  timings     {times}",
    ]
    print("\n".join(lines), flush=True)
