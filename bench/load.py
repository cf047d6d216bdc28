"""Fifty staff at once: ``python -m bench.load --complaints N`` (``make bench-load N=…``).

Gunicorn from deploy/gunicorn.conf.py (``--workers`` sync workers, production settings on
loopback, as ``bench.run`` starts it) serves the bench database ``desk_bench_<N>``, which must
already be built (``make bench N=… BENCH_ARGS=--build-only``): this benchmark never builds,
rebuilds or changes its complaints. Staff (``bench/locustfile.py``) sign in once and click with
0.5-2 s between clicks in the mix of ``bench/load_mix.py``: a warm-up, then each of
``--users`` for ``--seconds`` (each step in its own process, ``bench/load_swarm.py``).

Per page and overall: p50/p95/p99, requests a second and errors (a status outside 2xx/3xx or
an exception); the CPU share of the web processes and of their database backends over each
step; the workers' resident memory at its end; the load average before and after. A table is
printed and written to var/bench/load-<N>.md and .json. What signing in leaves behind
(sessions, API tokens, the last-login times) is removed or restored afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import django

from bench.database import SERVER, STATE_DIR, bench_env, database_name, load_average
from bench.load_report import report_write

ROOT = Path(__file__).resolve().parent.parent
APPLICATION_NAME = "desk-load-web"  # how the workers' database backends are told apart


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", "-n", type=int, default=100_000)
    parser.add_argument("--database", help="A database other than desk_bench_<N>, built alike.")
    parser.add_argument("--users", default="10,25,50", help="Users of each step, by commas.")
    parser.add_argument("--seconds", type=int, default=60, help="Length of each step.")
    parser.add_argument("--warmup-users", type=int, default=10)
    parser.add_argument("--warmup-seconds", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=10, help="Users started a second.")
    parser.add_argument("--workers", type=int, default=4, help="Gunicorn workers.")
    return parser.parse_args()


def _database_url(complaints: int, name: str | None) -> str:
    url = f"{SERVER}/{name or database_name(complaints)}"
    ready = subprocess.run(
        ["psql", url, "-Atc", "SELECT to_regclass('complaints_complaint') IS NOT NULL"],
        capture_output=True,
        text=True,
    )
    if ready.stdout.strip() != "t":
        sys.exit(f"{url} is not built: make bench N={complaints} BENCH_ARGS=--build-only")
    return url


def _collectstatic(env: dict) -> None:
    # Production settings serve hashed names from the manifest; it must exist.
    if not (Path(env["DJANGO_STATIC_ROOT"]) / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )


def _step(
    args: argparse.Namespace, *, users: int, seconds: int, server, plan: Path, url: str, sign_ins
):
    out = STATE_DIR / f"load-{args.complaints}-step-{users}.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load_swarm",
            *("--plan", str(plan), "--host", f"http://127.0.0.1:{server.port}"),
            *("--users", str(users), "--seconds", str(seconds)),
            *("--spawn-rate", str(args.spawn_rate), "--master", str(server.process.pid)),
            *("--database-url", url, "--application-name", APPLICATION_NAME),
            *("--access-log", str(server.log), "--out", str(out)),
        ],
        cwd=ROOT,
        check=True,
    )
    step = json.loads(out.read_text())
    sign_ins.issued(**step.pop("issued"))
    overall = step["overall"]
    print(
        f"  {users} users, {step['seconds']} s: {overall['per_second']} requests/s, p50 "
        f"{overall['p50_ms']} ms, p95 {overall['p95_ms']} ms, p99 {overall['p99_ms']} ms, "
        f"errors {overall['errors']}; in the worker p50 {overall['worker_p50_ms']} ms, p95 "
        f"{overall['worker_p95_ms']} ms; CPU {step['cpu_percent']}",
        flush=True,
    )
    return step


def _steps(args: argparse.Namespace, *, env: dict, plan: Path, url: str, sign_ins) -> list[dict]:
    from bench.web import Gunicorn

    steps = []
    log = STATE_DIR / f"load-gunicorn-{args.complaints}.log"
    with Gunicorn(env=env, workers=args.workers, log=log) as server:
        print(f"Warm-up: {args.warmup_users} users for {args.warmup_seconds} s", flush=True)
        common = dict(server=server, plan=plan, url=url, sign_ins=sign_ins)
        _step(args, users=args.warmup_users, seconds=args.warmup_seconds, **common)
        for users in [int(n) for n in args.users.split(",")]:
            steps.append(_step(args, users=users, seconds=args.seconds, **common))
    return steps


def main() -> None:
    args = _arguments()
    loads = {"start": load_average()}
    url = _database_url(args.complaints, args.database)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    env = bench_env(static_root=STATE_DIR / "static", var_dir=STATE_DIR / "var")
    (STATE_DIR / "var").mkdir(parents=True, exist_ok=True)
    env["DATABASE_URL"] = url
    _collectstatic(env)
    os.environ.update(env)
    django.setup()
    # The plan reads the database through the models: only once Django is set up.
    from bench.load_cleanup import SignIns
    from bench.load_plan import plan_build

    plan = STATE_DIR / f"load-plan-{args.complaints}.json"
    plan.write_text(json.dumps(plan_build(), ensure_ascii=False, indent=1), encoding="utf-8")
    web_env = {**env, "DATABASE_URL": f"{url}?application_name={APPLICATION_NAME}"}
    started = dt.datetime.now(dt.UTC)
    with SignIns(since=started) as sign_ins:
        steps = _steps(args, env=web_env, plan=plan, url=url, sign_ins=sign_ins)
    loads["end"] = load_average()
    report_write(args, steps=steps, loads=loads, started=started)


if __name__ == "__main__":
    main()
