"""The demo's building-wide incident: this morning's water cut in one building of the busiest
estate, opened two hours before the demo's present, its notice updated once, and three calls
about it taken at the front desk and linked at intake, as a desk would on such a morning.
Written through the services with the clock set, as the rest of the demo is; the three calls
are counted among the demo's complaints."""

from __future__ import annotations

import datetime as dt
import random

import time_machine

from complaints.models import Category, Channel, Incident
from complaints.services import ComplaintInput, complaint_create
from complaints.services.incidents import IncidentInput, incident_act, incident_open
from demo.start import DemoStart

CATEGORY = "FAC-UTIL"
CALLS = (
    ("一早起来就没水", "从早上七点开始家里就没有水，也没有看到停水通知，请问什么时候恢复？"),
    ("停水影响做饭", "整栋楼停水，老人在家没法做饭，希望尽快恢复，并给个准确时间。"),
    ("停水多久了", "已经停水两个多小时，电话一直占线，想知道抢修进度。"),
)


def demo_incident(start: DemoStart, *, rng: random.Random) -> Incident:
    """The incident and its calls (``len(CALLS)`` complaints)."""
    place = max(start.world.estates, key=lambda estate: estate.weight)
    lived_in = [unit for unit in place.units if place.residents.get(unit.pk)]
    building = rng.choice(lived_in).building
    units = [unit for unit in lived_in if unit.building_id == building.pk]
    supervisor, desk = start.world.users["supervisor"], start.world.users["frontdesk"]
    opened_at = start.now - dt.timedelta(hours=2)
    with time_machine.travel(opened_at, tick=False):
        incident = incident_open(
            actor=supervisor,
            data=IncidentInput(
                estate=place.estate,
                category=Category.objects.get(code=CATEGORY),
                title=f"{building.name}停水",
                notice="供水主管爆裂，正在抢修，请业户提前储水。",
                expected_end=start.now + dt.timedelta(hours=4),
                buildings=(building,),
            ),
        )
    with time_machine.travel(opened_at + dt.timedelta(minutes=5), tick=False):
        incident_act(
            incident_id=incident.pk,
            actor=supervisor,
            action="update",
            data={"notice": "抢修队已到场，正在更换爆裂管段，请业户提前储水。"},
        )
    for minutes, (summary, account) in zip((10, 40, 70), CALLS, strict=True):
        unit = rng.choice(units)
        resident = place.residents[unit.pk][0]
        with time_machine.travel(opened_at + dt.timedelta(minutes=minutes), tick=False):
            complaint_create(
                actor=desk,
                data=ComplaintInput(
                    estate=place.estate,
                    category=Category.objects.get(code=CATEGORY),
                    channel=Channel.PHONE,
                    summary=summary,
                    account=account,
                    unit=unit,
                    resident=resident,
                    incident=incident,
                ),
            )
    start.summary.complaints += len(CALLS)
    return incident
