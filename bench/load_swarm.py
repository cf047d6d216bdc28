"""One step of the load benchmark in a process of its own (locust patches the standard library
for gevent when imported): ``users`` staff sign in, then click for ``seconds``; the figures of
that window, written as JSON to ``--out``.

The window opens once every user has signed in (a sign-in hashes a password: fifty at once
would otherwise weigh on the first seconds) and the statistics are reset then; the CPU of the
web processes and of their database backends is read from /proc at its start and end.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

import gevent

# Importing locust patches the standard library for gevent.
from locust.env import Environment

from bench import load_access, locustfile, proc

PERCENTILES = (0.5, 0.95, 0.99)
SIGN_IN_SECONDS = 180


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True, type=Path)
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--master", type=int, required=True, help="gunicorn's master pid")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--application-name", required=True)
    parser.add_argument("--access-log", required=True, type=Path, help="gunicorn's")
    parser.add_argument("--out", required=True, type=Path)
    return parser.parse_args()


def _figures(entry, wall: float, statuses: Counter) -> dict:
    found = {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "per_second": round(entry.num_requests / wall, 2),
        "statuses": dict(sorted(statuses.items())),
    }
    for fraction in PERCENTILES:
        key = f"p{round(fraction * 100)}_ms"
        found[key] = entry.get_response_time_percentile(fraction) if entry.num_requests else None
    found["mean_ms"] = round(entry.avg_response_time, 1)
    return found


def _names(plan: dict) -> dict[str, str]:
    return {
        path: name
        for pages in plan.values()
        for named in pages.values()
        for name, paths in named.items()
        for path in paths
    }


def _signed_in(users: int, environment: Environment) -> int:
    deadline = time.monotonic() + SIGN_IN_SECONDS
    while len(locustfile.SIGNED_IN) < users and time.monotonic() < deadline:
        if environment.runner.user_count == 0 and environment.runner.state == "stopped":
            break
        gevent.sleep(0.2)
    return len(locustfile.SIGNED_IN)


def swarm(args: argparse.Namespace) -> dict:
    locustfile.PLAN.update(json.loads(args.plan.read_text(encoding="utf-8")))
    environment = Environment(user_classes=[locustfile.DeskStaff], host=args.host)
    statuses: dict[str, Counter] = defaultdict(Counter)

    def tally(name, response=None, exception=None, **_kwargs) -> None:
        code = "exception" if exception and response is None else response.status_code
        statuses[name][str(code)] += 1

    environment.events.request.add_listener(tally)
    runner = environment.create_local_runner()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    runner.start(args.users, spawn_rate=args.spawn_rate)
    signed_in = _signed_in(args.users, environment)
    sign_in_errors = dict(statuses)
    environment.stats.reset_all()
    statuses.clear()
    watch = {"master": args.master, "url": args.database_url}
    before = proc.snapshot(**watch, application_name=args.application_name)
    logged = load_access.size(args.access_log)
    started = time.monotonic()
    gevent.sleep(args.seconds)
    wall = time.monotonic() - started
    after = proc.snapshot(**watch, application_name=args.application_name)
    in_worker = load_access.worker_times(
        args.access_log, logged, load_access.size(args.access_log), _names(locustfile.PLAN)
    )
    pages = {
        name: _figures(entry, wall, statuses[name])
        for (name, _method), entry in sorted(environment.stats.entries.items())
        if entry.num_requests
    }
    overall = _figures(environment.stats.total, wall, sum(statuses.values(), Counter()))
    for name, row in [*pages.items(), ("overall", overall)]:
        for fraction in PERCENTILES:
            key = f"worker_p{round(fraction * 100)}_ms"
            row[key] = load_access.percentile(in_worker.get(name, []), fraction)
    workers = proc.children(args.master)
    runner.quit()
    return {
        "users": args.users,
        "signed_in": signed_in,
        "sign_in_statuses": {name: dict(codes) for name, codes in sign_in_errors.items()},
        "seconds": round(wall, 1),
        "pages": pages,
        "overall": overall,
        "cpu_percent": proc.cpu_share(before, after, wall),
        "cores": proc.CORES,
        "worker_rss_mb": {str(pid): round(proc.rss_mb(pid) or 0, 1) for pid in workers},
        "load_before": " ".join(load_before),
        "load_after": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "issued": {
            "sessions": locustfile.ISSUED_SESSIONS,
            "tokens": list(locustfile.TOKENS.values()),
        },
        "errors_seen": [
            f"{e.name}: {e.error} x{e.occurrences}" for e in environment.runner.errors.values()
        ][:10],
    }


def main() -> None:
    args = _arguments()
    args.out.write_text(json.dumps(swarm(args), indent=2))


if __name__ == "__main__":
    main()
