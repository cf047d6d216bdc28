"""The building-wide incident's two timed promises (SPEC §9.3), on PostgreSQL:
``python -m bench.incidents [--residents 2000] [--complaints 500] [--runs 3]``.

1. Opening an incident whose buildings hold ``--residents`` residents, each with a phone of
   their own: the incident, its timeline entry and one outbox row per phone, in one
   transaction (the promise: 2,000 rows in under 2 s).
2. Resolving an incident with ``--complaints`` linked complaints in resolution: each carried
   on to follow-up through the action layer with its own event (the promise: 500 in ≤ 2 s).

It builds its own database, ``desk_bench_incidents`` on postgres://postgres@127.0.0.1:5432,
afresh each run: the residents in bulk, the complaints through the real intake and actions
(that part is set-up, not measured). Each figure is the median of ``--runs``, each in a
transaction rolled back afterwards, so every run starts from the same rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import django

from bench.database import SERVER, database_fresh

ROOT = Path(__file__).resolve().parent.parent
NAME = "desk_bench_incidents"
URL = f"{SERVER}/{NAME}"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--complaints", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


class Rollback(Exception):
    pass


def _timed(work) -> float:
    """Seconds ``work`` takes inside a transaction that is then rolled back."""
    from django.db import transaction

    started = 0.0
    try:
        with transaction.atomic():
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def main() -> None:
    args = _arguments()
    database_fresh(NAME)
    os.environ.update(DATABASE_URL=URL, DJANGO_SETTINGS_MODULE="config.settings.test")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from bench.incidents_world import open_incident, resolve_incident, world_build

    world = world_build(residents=args.residents, complaints=args.complaints)
    opening = [_timed(lambda: open_incident(world)) for _ in range(args.runs)]
    resolving = [_timed(lambda: resolve_incident(world)) for _ in range(args.runs)]
    print(f"residents {args.residents}, linked complaints {args.complaints}, runs {args.runs}")
    print(f"open + broadcast: median {statistics.median(opening):.3f} s {opening}")
    print(f"resolve linked:   median {statistics.median(resolving):.3f} s {resolving}")


if __name__ == "__main__":
    main()
