"""The front desk's look-up of a unit or a resident as the caller says it, on PostgreSQL:
``python -m bench.lookup [--units 100000] [--runs 25]``.

It builds its own database, ``desk_bench_lookup`` on postgres://postgres@127.0.0.1:5432,
afresh each run: three estates of 40 buildings, ``--units`` units over them (entrances of
floors of four rooms, ``3号楼2单元801``), one resident per unit with a Chinese name, its pinyin
initials and a phone. Complaints are not built: neither look-up reads them. Each figure is the
median of ``--runs`` calls of the selector the intake page calls, as the front desk of one
estate (the desk's usual reader), after one call to warm up, with its query count.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import django

from bench.database import SERVER, database_fresh

ROOT = Path(__file__).resolve().parent.parent
NAME = "desk_bench_lookup"
URL = f"{SERVER}/{NAME}"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英小红建华"
# (what the desk types, what it is): the forms of SPEC's front-desk issue, then residents.
TYPED = [
    ("3号楼2单元801", "unit"),
    ("3栋2单元801", "unit"),
    ("3-2-801", "unit"),
    ("32801", "unit"),
    ("３－２－８０１", "unit"),
    ("801", "unit"),
    ("陈小明", "resident"),
    ("cxm", "resident"),
    ("0414", "resident"),
    ("13812340414", "resident"),
]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=25)
    return parser.parse_args()


def _world(units: int):
    from django.contrib.auth.models import Group, User

    from residents.models import Building, Estate, Residency, Resident, Unit
    from residents.names import name_initials
    from staff.models import Department, StaffMember

    rng = random.Random(1)
    estates = [Estate.objects.create(code=code, name=code) for code in ("HY", "JD", "CH")]
    buildings = Building.objects.bulk_create(
        Building(estate=estate, name=f"{n}号楼") for estate in estates for n in range(1, 41)
    )
    rows = []
    per_building = units // len(buildings)
    for building in buildings:
        for n in range(per_building):
            entrance, rest = divmod(n, per_building // 2)
            floor, room = divmod(rest, 4)
            rows.append(
                Unit(
                    building=building,
                    entrance=str(entrance + 1),
                    floor=floor + 1,
                    room=f"{floor + 1}{room + 1:02d}",
                )
            )
    made = Unit.objects.bulk_create(rows, batch_size=5000)
    names = [rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in made]
    names[len(names) // 3] = "陈小明"
    residents = Resident.objects.bulk_create(
        (
            Resident(
                name=name, initials=name_initials(name), phone=f"8613{rng.randrange(10**9):09d}"
            )
            for name in names
        ),
        batch_size=5000,
    )
    Residency.objects.bulk_create(
        (Residency(resident=r, unit=u) for r, u in zip(residents, made, strict=True)),
        batch_size=5000,
    )
    desk = User.objects.create_user("bench_desk", password="x")
    desk.groups.add(Group.objects.get(name="front_desk"))
    member = StaffMember.objects.create(user=desk, department=Department.objects.get(code="CS"))
    member.estates.set([estates[0]])
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", NAME, "-qc", "ANALYZE"], check=True
    )
    return desk


def _timed(call, runs: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        found = call()
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(times) * 1000, len(queries), len(found)


def main() -> None:
    args = _arguments()
    database_fresh(NAME)
    os.environ.update(DATABASE_URL=URL, DJANGO_SETTINGS_MODULE="config.settings.test")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from residents.selectors import resident_search, units_lookup

    desk = _world(args.units)
    print(f"units {args.units:,}, residents {args.units:,}, runs {args.runs}")
    for typed, kind in TYPED:
        if kind == "unit":
            ms, queries, found = _timed(lambda q=typed: units_lookup(user=desk, q=q), args.runs)
        else:
            ms, queries, found = _timed(
                lambda q=typed: list(resident_search(user=desk, q=q)[:8]), args.runs
            )
        print(f"{kind:8} {typed:14} median {ms:6.1f} ms  {queries} queries  {found} found")


if __name__ == "__main__":
    main()
