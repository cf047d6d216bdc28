"""The sweep with many deadlines due, on its own:
``python -m bench.sweep [--complaints 100000] [--due 10000] [--runs 3] [--profile]``.

Against ``desk_bench_<complaints>`` (or ``--database NAME``), already built by ``bench.run``
(``--build-only``) or ``seed_demo --bulk``; nothing is built here. The same measurement as the
full benchmark's (``bench.server.sweep_due``): inside a transaction, ``--due`` deadlines are
moved into the past, ``sweep_run()`` is timed, and the transaction is rolled back. Median of
``--runs`` after a warm-up run, and the query count of one more. ``--profile`` adds a cProfile
of one more run, its functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
from pathlib import Path

import django

from bench.database import SERVER, bench_env, database_name


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", "-n", type=int, default=100_000)
    parser.add_argument("--database", help="A database name other than desk_bench_<N>.")
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one more run.")
    parser.add_argument("--top", type=int, default=40, help="Profiled functions shown.")
    return parser.parse_args()


def _profiled(due: int, top: int) -> None:
    from bench.server import _sweep_once

    profile = cProfile.Profile()
    profile.enable()
    _sweep_once(due)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    args = _arguments()
    name = args.database or database_name(args.complaints)
    scratch = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    env = bench_env(static_root=scratch / "static", var_dir=scratch / "var")
    env["DATABASE_URL"] = f"{SERVER}/{name}"
    os.environ.clear()
    os.environ.update(env)
    django.setup()
    # Imported only now: they import models, which needs Django set up with this database.
    from bench.server import sweep_due

    print(f"{name}: sweep with {args.due:,} deadlines due, {args.runs} runs", flush=True)
    figure = sweep_due(args.due, args.runs)
    runs = ", ".join(f"{ms:,.0f}" for ms in figure.runs_ms)
    print(f"{figure.name}: median {figure.median_ms:,.0f} ms ({runs}), {figure.queries} queries")
    print(f"  {figure.note}")
    if args.profile:
        _profiled(args.due, args.top)


if __name__ == "__main__":
    main()
