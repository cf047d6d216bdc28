"""The estate the incident benchmark times its work on; imported once Django is set up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.utils import timezone

from complaints.models import Category, Complaint, Incident
from complaints.services import ComplaintInput, complaint_act, complaint_create
from complaints.services.incidents import (
    IncidentInput,
    incident_act,
    incident_link,
    incident_open,
)
from residents.models import Building, Estate, Residency, Resident, Unit
from staff.models import Department, StaffMember


@dataclass
class World:
    estate: Estate
    supervisor: User
    category: Category
    # An incident with the linked complaints, all in resolution.
    incident: Incident


def _residents(estate: Estate, count: int) -> None:
    building = Building.objects.create(estate=estate, name="1号楼")
    units = Unit.objects.bulk_create(
        Unit(building=building, entrance="1", room=f"{n:05d}") for n in range(count)
    )
    residents = Resident.objects.bulk_create(
        Resident(name=f"住户{n}", phone=f"86139{n:08d}") for n in range(count)
    )
    Residency.objects.bulk_create(
        Residency(resident=resident, unit=unit)
        for resident, unit in zip(residents, units, strict=True)
    )


def _supervisor(estate: Estate) -> User:
    user = User.objects.create_user("bench_supervisor", password="x")
    user.groups.add(Group.objects.get(name="supervisor"))
    member = StaffMember.objects.create(user=user, department=Department.objects.get(code="CS"))
    member.estates.set([estate])
    return user


def _linked(world: World, count: int) -> None:
    """``count`` complaints through the real intake and actions, linked and in resolution."""
    unit = Unit.objects.filter(building__estate=world.estate).first()
    for n in range(count):
        complaint = complaint_create(
            actor=world.supervisor,
            data=ComplaintInput(
                estate=world.estate,
                category=world.category,
                channel="phone",
                summary=f"停水 {n}",
                account="家里没水",
                unit=unit,
                contact_name="住户",
                contact_phone=f"1380000{n:04d}",
            ),
        )
        incident_link(complaint=complaint, incident=world.incident)
        complaint.save(update_fields=["incident"])
        for action, data in (
            ("accept", {}),
            (
                "plan_resolution",
                {
                    "validity": "valid",
                    "department": "ENG",
                    "plan": "等待供水恢复",
                    "callback_due_at": timezone.now() + dt.timedelta(days=1),
                },
            ),
        ):
            complaint_act(
                reference=complaint.reference, actor=world.supervisor, action=action, data=data
            )


def world_build(*, residents: int, complaints: int) -> World:
    estate = Estate.objects.create(code="BN", name="基准小区")
    _residents(estate, residents)
    supervisor = _supervisor(estate)
    category = Category.objects.get(code="FAC-UTIL")
    incident = incident_open(
        actor=supervisor,
        data=IncidentInput(estate=estate, category=category, title="停水", notice="抢修中"),
    )
    world = World(estate=estate, supervisor=supervisor, category=category, incident=incident)
    _linked(world, complaints)
    return world


def open_incident(world: World) -> None:
    incident_open(
        actor=world.supervisor,
        data=IncidentInput(
            estate=world.estate, category=world.category, title="停电", notice="线路检修中"
        ),
    )


def resolve_incident(world: World) -> None:
    incident_act(
        incident_id=world.incident.pk,
        actor=world.supervisor,
        action="resolve",
        data={"outcome": "已恢复供水", "liability": "utility"},
    )
    moved = Complaint.objects.filter(incident=world.incident, stage="follow_up").count()
    assert moved == Complaint.objects.filter(incident=world.incident).count(), moved
