"""The access rules, in ids: what each kind of user may read."""

import pytest
from django.contrib.auth.models import User

from staff.access import (
    EVERYTHING,
    NOTHING,
    complaint_scope,
    escalation_floor,
    estate_ids_visible_to,
    residents_readable_by,
)
from staff.models import Department
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_the_front_desk_reads_its_estates_in_every_department(estate, other_estate):
    user = _fresh(make_staff("desk", role="front_desk", department="CS", estates=[estate]))

    assert estate_ids_visible_to(user) == {estate.pk}
    assert complaint_scope(user).estate_ids == {estate.pk}
    assert complaint_scope(user).department_id is None
    assert residents_readable_by(user)
    assert escalation_floor(user) is None


def test_a_handler_reads_only_its_department_and_no_residents(estate):
    user = _fresh(make_staff("fixer", role="handler", department="ENG", estates=[estate]))

    scope = complaint_scope(user)

    assert scope.estate_ids == {estate.pk}
    assert scope.department_id == Department.objects.get(code="ENG").pk
    assert not residents_readable_by(user)


def test_a_handler_without_a_department_reads_nothing(estate):
    user = _fresh(make_staff("loose", role="handler", department=None, estates=[estate]))

    assert complaint_scope(user) == NOTHING


def test_supervisors_work_every_level_and_managers_from_level_two(estate):
    supervisor = _fresh(make_staff("sup", role="supervisor", estates=[estate]))
    manager = _fresh(make_staff("boss", role="manager", estates=[estate]))

    assert (escalation_floor(supervisor), escalation_floor(manager)) == (0, 2)


def test_the_superuser_reads_everything(estate):
    user = _fresh(UserFactory(username="root", is_superuser=True))

    assert estate_ids_visible_to(user) is None
    assert complaint_scope(user) == EVERYTHING
    assert escalation_floor(user) == 0
