"""The benchmark of SPEC §8: ``make bench N=100000`` or ``python -m bench.run --complaints N``.

1. A PostgreSQL database of its own, ``desk_bench_<N>`` on postgres://postgres@127.0.0.1:5432,
   with N demo complaints from ``manage.py seed_demo`` (build time reported). It is reused
   when it already holds N complaints; ``--rebuild`` starts again. Then units are added, with
   their owners, until it holds ``--units`` (``bench/units.py``: the demo has ~1,100).
2. Server side, through Django's test client in this process (production settings, DEBUG
   off): the login page (the floor every other figure is divided by), the worklist (default;
   filtered by estate + stage + overdue; searched by phone), a complaint page, the escalation
   queue, the API complaint list, the front desk's searches, date filters and intake look-up
   as the front desk of one estate and a manager of all (``bench/search.py``), the weekly
   summary (one estate, all estates; read as stored,
   and computed with nothing stored, which its first reader waits for), the idle sweep
   and a sweep with ``--due`` deadlines due (moved into the past inside a transaction that is
   rolled back). Median of ``--runs`` after a warm-up; query counts from
   ``CaptureQueriesContext``.
3. Over HTTP against gunicorn (deploy/gunicorn.conf.py, ``--workers`` sync workers, loopback,
   config.settings.production with a throwaway secret, SSL redirect off): the same pages, then
   intake throughput (wrk POSTing JSON with a token, ``--intake-seconds``), its p95 latency and
   the workers' resident memory afterwards. The complaints the intake added are removed.
4. A table (also written to var/bench/results-<N>.md and .json) and the EXPLAIN (ANALYZE,
   BUFFERS) of the key queries.

The machine may be shared: the load average is recorded at each step.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import django

from bench.database import STATE_DIR, Build, bench_env, database_ensure, load_average
from bench.report import results_write

ROOT = Path(__file__).resolve().parent.parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", "-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--units", type=int, default=100_000, help="Units in the register.")
    parser.add_argument("--rebuild", action="store_true", help="Drop and build the database.")
    parser.add_argument("--runs", type=int, default=7, help="Timed runs per figure (>= 7).")
    parser.add_argument("--due", type=int, default=10_000, help="Deadlines due in the sweep.")
    parser.add_argument("--workers", type=int, default=4, help="Gunicorn workers.")
    parser.add_argument("--intake-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4, help="wrk connections.")
    parser.add_argument("--skip-http", action="store_true", help="Server side only.")
    parser.add_argument("--build-only", action="store_true", help="Build (or reuse), then stop.")
    return parser.parse_args()


def _collectstatic(env: dict, static_root: Path) -> None:
    # Production settings serve hashed names from the manifest; it must exist.
    if not (static_root / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )


def _database_ready(args: argparse.Namespace) -> tuple[dict, Build]:
    """The environment the bench's Django and gunicorn run with, and the database it points at,
    built or reused."""
    static_root = STATE_DIR / "static"
    var_dir = STATE_DIR / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = bench_env(static_root=static_root, var_dir=var_dir)
    build = database_ensure(
        complaints=args.complaints, seed=args.seed, rebuild=args.rebuild, env=env
    )
    env["DATABASE_URL"] = build.url
    return env, build


def main() -> None:
    args = _arguments()
    if args.runs < 7:
        sys.exit("--runs must be 7 or more: each figure is a median of at least seven runs.")
    loads = {"start": load_average()}
    env, build = _database_ready(args)
    if args.build_only:
        print(f"{build}", flush=True)
        return
    _collectstatic(env, STATE_DIR / "static")
    os.environ.update(env)
    django.setup()
    # The measurements import models, which needs Django set up with the bench database from
    # the environment above; so they are imported only now.
    from bench.measure import measurements_take
    from bench.units import units_top_up

    added = units_top_up(args.units, seed=args.seed)
    print(f"Units: {added:,} added for {args.units:,} in the register.", flush=True)
    results_write(measurements_take(args, env=env, build=build, loads=loads))


if __name__ == "__main__":
    main()
