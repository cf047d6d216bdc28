"""Units at the size of an estate group's register: ``--units`` (100,000 by default).

The demo's three estates hold about 1,100 units, which is what its stories need; the front
desk's look-up and the worklist's unit search are measured against a register of 100,000. The
bench adds towers (``9号楼``, ``10号楼``, … of 2 entrances, 32 floors, 4 rooms a floor) to the
demo's estates, in the share of complaints each receives, each unit with one owner with a
Chinese name, its pinyin initials and a mobile phone, until the database holds that many units.
Nobody complains from them: the complaints stay the demo's. Run again, it adds nothing.
"""

from __future__ import annotations

import random

from django.db import connection, transaction

from demo.people import mobile_phone, person_name
from demo.world import ESTATES
from residents.models import Building, Estate, Residency, Resident, Unit
from residents.names import name_initials

ENTRANCES = 2
FLOORS = 32
ROOMS_PER_FLOOR = 4
BATCH = 5000
# The name lookup.py's own database gives one resident, so both look-ups type the same words.
NAMED = "陈小明"


def _shares(missing: int) -> dict[str, int]:
    """The units each demo estate receives, by its share of the complaints; they add up."""
    shares = {plan.code: int(missing * plan.weight) for plan in ESTATES}
    shares[ESTATES[0].code] += missing - sum(shares.values())
    return shares


def _towers(estate: Estate, count: int) -> list[Unit]:
    """``count`` units in new towers of ``estate``, numbered on from its buildings."""
    first = estate.buildings.count() + 1
    per_tower = ENTRANCES * FLOORS * ROOMS_PER_FLOOR
    towers = Building.objects.bulk_create(
        Building(estate=estate, name=f"{number}号楼")
        for number in range(first, first + -(-count // per_tower))
    )
    units = [
        Unit(building=tower, entrance=str(entrance), floor=floor, room=f"{floor}{room:02d}")
        for tower in towers
        for entrance in range(1, ENTRANCES + 1)
        for floor in range(1, FLOORS + 1)
        for room in range(1, ROOMS_PER_FLOOR + 1)
    ]
    return units[:count]


def units_top_up(total: int, *, seed: int = 1) -> int:
    """Add units (with their owners) until the database holds ``total``; the number added."""
    missing = total - Unit.objects.count()
    if missing <= 0:
        return 0
    rng = random.Random(seed)
    with transaction.atomic():
        units: list[Unit] = []
        for code, count in _shares(missing).items():
            units += _towers(Estate.objects.get(code=code), count)
        Unit.objects.bulk_create(units, batch_size=BATCH)
        names = [person_name(rng) for _ in units]
        names[len(names) // 3] = NAMED
        owners = Resident.objects.bulk_create(
            (
                Resident(name=name, initials=name_initials(name), phone=mobile_phone(rng))
                for name in names
            ),
            batch_size=BATCH,
        )
        residencies = [Residency(resident=r, unit=u) for r, u in zip(owners, units, strict=True)]
        Residency.objects.bulk_create(residencies, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE residents_building, residents_unit, residents_resident, residents_residency"
        )
    return len(units)
