"""Factories for the fixed parts of the world; complaints are made through the services."""

import datetime as dt

import factory
from django.contrib.auth.models import Group, User

from complaints import services
from complaints.models import Category, Complaint
from residents.models import Building, Estate, Residency, Resident, Unit
from staff.models import Department, StaffMember


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E{n}")
    name = factory.Sequence(lambda n: f"测试小区{n}")
    time_zone = "Asia/Shanghai"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building
        django_get_or_create = ("estate", "name")

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"{n + 1}号楼")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    entrance = "1"
    floor = 3
    room = factory.Sequence(lambda n: f"{300 + n}")
    handover_date = dt.date(2024, 6, 1)


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"住户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            Residency.objects.create(resident=self, unit=unit)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo")


def make_staff(username: str, *, role: str, department: str | None = "CS", estates=()) -> User:
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    member = StaffMember.objects.create(
        user=user,
        department=Department.objects.get(code=department) if department else None,
    )
    member.estates.set(estates)
    return User.objects.get(pk=user.pk)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def log_complaint(actor, *, estate, **fields) -> Complaint:
    """Intake through the real service, with sensible defaults for a phone complaint."""
    values = {
        "channel": "phone",
        "category": category("FAC-LIFT"),
        "summary": "电梯停运",
        "account": "3号楼电梯从早上开始停运。",
        "contact_name": "王芳",
        "contact_phone": "13812345678",
    }
    values.update(fields)
    if isinstance(values["category"], str):
        values["category"] = category(values["category"])
    return services.complaint_create(
        actor=actor, data=services.ComplaintInput(estate=estate, **values)
    )
