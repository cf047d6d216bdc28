"""The fixed part of the demo: estates, buildings, units, residents, calendars and staff."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from complaints.clock import BusinessCalendar, calendar_for_estate
from complaints.defaults import seed_defaults
from complaints.models import Category, DeadlinePolicy
from demo.canned import demo_canned_create
from demo.people import ENGLISH_NAMES, mobile_phone, person_name
from residents.models import (
    Building,
    CalendarDay,
    Estate,
    OpeningWindow,
    Residency,
    Resident,
    Unit,
)
from residents.names import name_initials
from staff.defaults import seed_roles_and_departments
from staff.models import Department, StaffMember
from staff.roles import FRONT_DESK, HANDLER, MANAGER, SUPERVISOR

DEMO_PASSWORD = "demo"
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class EstatePlan:
    code: str
    name: str
    address: str
    buildings: int
    entrances: int
    floors: int
    rooms_per_floor: int
    # (weekdays, opens, closes); several windows on one day make a lunch break.
    windows: tuple[tuple[tuple[int, ...], dt.time, dt.time], ...]
    # Share of the complaints this estate receives.
    weight: float


ESTATES = (
    EstatePlan(
        "HY", "海悦花园", "上海市浦东新区海悦路 88 弄", 8, 2, 18, 2,
        ((EVERY_DAY, dt.time(8, 30), dt.time(18, 0)),), 0.45,
    ),
    EstatePlan(
        "JD", "锦都名苑", "成都市武侯区锦都路 166 号", 6, 3, 11, 2,
        ((EVERY_DAY, dt.time(8, 30), dt.time(12, 0)), (EVERY_DAY, dt.time(13, 30), dt.time(18, 0))),
        0.35,
    ),
    EstatePlan(
        "CH", "翠湖湾", "杭州市西湖区翠湖路 9 号", 10, 1, 6, 2,
        ((EVERY_DAY[:6], dt.time(8, 30), dt.time(18, 0)), ((6,), dt.time(9, 0), dt.time(17, 0))),
        0.20,
    ),
)  # fmt: skip
DEMO_ESTATE_CODES = tuple(plan.code for plan in ESTATES)

# Public holidays and make-up working days (调休) as the State Council announced them.
HOLIDAYS = (
    ("2025-01-01", 1, "元旦"), ("2025-01-28", 8, "春节"), ("2025-04-04", 3, "清明节"),
    ("2025-05-01", 5, "劳动节"), ("2025-05-31", 3, "端午节"), ("2025-10-01", 8, "国庆节、中秋节"),
    ("2026-01-01", 3, "元旦"), ("2026-02-15", 9, "春节"), ("2026-04-04", 3, "清明节"),
    ("2026-05-01", 5, "劳动节"), ("2026-06-19", 3, "端午节"), ("2026-09-25", 3, "中秋节"),
    ("2026-10-01", 7, "国庆节"), ("2027-01-01", 1, "元旦"),
)  # fmt: skip
MAKE_UP_WORKDAYS = (
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
)  # fmt: skip


def demo_calendar_days(estate: Estate) -> list[CalendarDay]:
    """The demo estate's own public holidays and make-up working days, entered by hand."""
    days = [
        CalendarDay(estate=estate, date=first + dt.timedelta(days=i), kind="holiday", name=name)
        for start, length, name in HOLIDAYS
        for first in [dt.date.fromisoformat(start)]
        for i in range(length)
    ]
    days += [
        CalendarDay(estate=estate, date=dt.date.fromisoformat(day), kind="workday", name="调休上班")
        for day in MAKE_UP_WORKDAYS
    ]
    return days


@dataclass(frozen=True)
class StaffPlan:
    username: str
    # Written family name first (陈 + 建国 → 陈建国), as staff.names shows it.
    family_name: str
    given_name: str
    role: str | None
    department: str
    language: str
    # None: every demo estate.
    estates: tuple[str, ...] | None = None
    superuser: bool = False


STAFF = (
    StaffPlan("admin", "黄", "志强", None, "CS", "en", superuser=True),
    StaffPlan("manager", "陈", "建国", MANAGER, "CS", "en"),
    StaffPlan("supervisor", "刘", "敏", SUPERVISOR, "CS", "zh-hans"),
    StaffPlan("frontdesk", "王", "芳", FRONT_DESK, "CS", "zh-hans"),
    StaffPlan("frontdesk_b", "李", "娜", FRONT_DESK, "CS", "en", estates=("JD",)),
    StaffPlan("handler", "张", "伟", HANDLER, "ENG", "zh-hans"),
    # The heads of the other departments: their supervisors, and the hands that resolve.
    StaffPlan("eng_lead", "赵", "强", HANDLER, "ENG", "zh-hans"),
    StaffPlan("sec_lead", "孙", "磊", HANDLER, "SEC", "zh-hans"),
    StaffPlan("cln_lead", "周", "丽", HANDLER, "CLN", "zh-hans"),
    StaffPlan("lnd_lead", "吴", "刚", HANDLER, "LND", "en"),
    StaffPlan("fin_lead", "郑", "静", HANDLER, "FIN", "zh-hans"),
)
DEMO_USERNAMES = tuple(plan.username for plan in STAFF)
DEPARTMENT_SUPERVISORS = {
    "CS": "supervisor", "ENG": "eng_lead", "SEC": "sec_lead",
    "CLN": "cln_lead", "LND": "lnd_lead", "FIN": "fin_lead",
}  # fmt: skip


def demo_world_present() -> list[str]:
    """What of the demo already exists: estate codes and usernames."""
    estates = Estate.objects.filter(code__in=DEMO_ESTATE_CODES).values_list("code", flat=True)
    users = User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    return [*estates, *users]


def demo_world_create(*, rng: random.Random, today: dt.date) -> None:
    """Estates with their buildings, units, residents and calendars, and the demo staff."""
    # Roles, departments, categories and policies come from migrations; ``manage.py flush``
    # empties them too, so put back whatever is missing.
    seed_roles_and_departments(Group, Department)
    seed_defaults(Category, Department, DeadlinePolicy)
    demo_canned_create()
    estates = [_estate_create(plan, rng=rng, today=today) for plan in ESTATES]
    _staff_create(estates)


def _estate_create(plan: EstatePlan, *, rng: random.Random, today: dt.date) -> Estate:
    estate = Estate.objects.create(code=plan.code, name=plan.name, address=plan.address)
    OpeningWindow.objects.bulk_create(
        OpeningWindow(estate=estate, weekday=day, opens=opens, closes=closes)
        for days, opens, closes in plan.windows
        for day in days
    )
    CalendarDay.objects.bulk_create(demo_calendar_days(estate))
    buildings = Building.objects.bulk_create(
        Building(estate=estate, name=f"{number}号楼") for number in range(1, plan.buildings + 1)
    )
    units = []
    for building in buildings:
        # Buildings are handed over in phases across the last eight years, so warranty varies.
        handover = today - dt.timedelta(days=rng.randint(120, 8 * 365))
        for entrance in range(1, plan.entrances + 1):
            for floor in range(1, plan.floors + 1):
                for room in range(1, plan.rooms_per_floor + 1):
                    units.append(
                        Unit(
                            building=building,
                            entrance=str(entrance),
                            floor=floor,
                            room=f"{floor}{room:02d}",
                            handover_date=handover + dt.timedelta(days=rng.randint(0, 60)),
                        )
                    )
    Unit.objects.bulk_create(units)
    _residents_create(units, rng=rng, today=today)
    return estate


def _residents_create(units: list[Unit], *, rng: random.Random, today: dt.date) -> None:
    residents: list[Resident] = []
    residencies: list[Residency] = []

    def move_in(unit: Unit, kind: str, start: dt.date, end: dt.date | None = None) -> None:
        english = kind == Resident.Kind.TENANT and rng.random() < 0.15
        name = rng.choice(ENGLISH_NAMES) if english else person_name(rng)
        resident = Resident(
            name=name,
            initials=name_initials(name),
            phone=mobile_phone(rng),
            kind=kind,
            language="en" if english else "zh-hans",
        )
        residents.append(resident)
        residencies.append(Residency(resident=resident, unit=unit, start=start, end=end))

    for unit in units:
        if rng.random() < 0.1:
            continue  # still empty
        # Every demo unit is made with its handover date (``_estate_create``).
        assert unit.handover_date is not None
        owned = min(unit.handover_date + dt.timedelta(days=rng.randint(0, 90)), today)
        move_in(unit, Resident.Kind.OWNER, owned)
        if rng.random() < 0.35:
            move_in(unit, Resident.Kind.FAMILY, owned)
        if rng.random() < 0.15:
            rented = max(owned, today - dt.timedelta(days=rng.randint(30, 900)))
            if rng.random() < 0.3:
                move_in(unit, Resident.Kind.TENANT, owned, rented)
            move_in(unit, Resident.Kind.TENANT, rented)
    # Phones and initials are made here: bulk_create skips Resident.save().
    Resident.objects.bulk_create(residents)
    Residency.objects.bulk_create(residencies)


def _staff_create(estates: list[Estate]) -> None:
    # One hash for every demo account: hashing is slow on purpose, and these share a password.
    password = make_password(DEMO_PASSWORD)
    departments = {d.code: d for d in Department.objects.all()}
    groups = {g.name: g for g in Group.objects.all()}
    by_code = {estate.code: estate for estate in estates}
    users = {}
    for plan in STAFF:
        user = User.objects.create(
            username=plan.username,
            first_name=plan.given_name,
            last_name=plan.family_name,
            email=f"{plan.username}@example.com",
            password=password,
            is_staff=plan.superuser,
            is_superuser=plan.superuser,
        )
        if plan.role:
            user.groups.add(groups[plan.role])
        member = StaffMember.objects.create(
            user=user,
            department=departments[plan.department],
            language=plan.language,
            # The heads of the departments choose who of theirs handles what.
            lead=plan.username.endswith("_lead"),
        )
        member.estates.set([by_code[code] for code in plan.estates] if plan.estates else estates)
        users[plan.username] = user
    for code, username in DEPARTMENT_SUPERVISORS.items():
        Department.objects.filter(code=code).update(supervisor=users[username])


@dataclass
class EstateWorld:
    estate: Estate
    calendar: BusinessCalendar
    units: list[Unit]
    # Current residents per unit id.
    residents: dict[int, list[Resident]]
    weight: float


@dataclass
class World:
    estates: list[EstateWorld]
    users: dict[str, User]
    # The staff who resolve a department's complaints, by department code.
    handlers: dict[str, list[User]]
    departments: dict[str, Department]
    categories: list[Category]
    policies: dict[tuple[int | None, str], DeadlinePolicy] = field(default_factory=dict)

    def policy(self, *, top_category_id: int, severity: str) -> DeadlinePolicy | None:
        """As ``services.deadlines.policy_for``: the category's own, else the default."""
        return self.policies.get((top_category_id, severity)) or self.policies.get((None, severity))


def demo_world_load() -> World:
    """The demo world as the database holds it, in a stable order so runs are reproducible."""
    estates = []
    weights = {plan.code: plan.weight for plan in ESTATES}
    for estate in Estate.objects.filter(code__in=DEMO_ESTATE_CODES).prefetch_related(
        "opening_windows", "calendar_days"
    ):
        units = list(
            Unit.objects.filter(building__estate=estate)
            .select_related("building")
            .order_by("building__name", "entrance", "floor", "room", "id")
        )
        residents: dict[int, list[Resident]] = defaultdict(list)
        for residency in (
            Residency.objects.filter(unit__building__estate=estate, end__isnull=True)
            .select_related("resident")
            .order_by("unit_id", "resident_id")
        ):
            residents[residency.unit_id].append(residency.resident)
        calendar = calendar_for_estate(estate)
        estates.append(EstateWorld(estate, calendar, units, residents, weights[estate.code]))
    users = {
        user.username: user
        for user in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
            "staff_member__department"
        )
    }
    handlers: dict[str, list[User]] = defaultdict(list)
    for username in DEMO_USERNAMES:
        member = getattr(users.get(username), "staff_member", None)
        if member and member.department and users[username].groups.filter(name=HANDLER):
            handlers[member.department.code].append(users[username])
    categories = list(
        Category.objects.filter(active=True)
        .select_related("parent", "default_department")
        .order_by("code")
    )
    policies = {}
    for policy in DeadlinePolicy.objects.select_related("category"):
        # ``str(policy)`` is written into every deadline's explanation; a choice label costs a
        # translation look-up each time, so it is looked up once per policy.
        label = policy.get_severity_display()
        # An instance attribute shadowing the model's method is the point, hence the ignore.
        policy.get_severity_display = partial(str, label)  # type: ignore[method-assign]
        policies[(policy.category_id, policy.severity)] = policy
    return World(
        estates=estates,
        users=users,
        handlers=dict(handlers),
        departments={d.code: d for d in Department.objects.all()},
        categories=categories,
        policies=policies,
    )
