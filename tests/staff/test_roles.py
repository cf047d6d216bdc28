"""A user's access (roles, staff record, covered estates) is one query per request."""

import pytest
from django.contrib.auth.models import Group, User

from complaints.selectors import complaints_visible_to, estates_visible_to
from staff.roles import staff_of, user_access, user_roles
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_roles_staff_record_and_estates_are_read_in_one_query(
    estate, other_estate, django_assert_num_queries
):
    made = make_staff("zhang", role="supervisor", department="ENG", estates=[estate, other_estate])
    made.groups.add(Group.objects.get(name="front_desk"))
    user = _fresh(made)

    with django_assert_num_queries(1):
        access = user_access(user)
        member = user.staff_member
        again = (user_roles(user), staff_of(user), user_access(user))

    assert access.roles == {"supervisor", "front_desk"}
    assert access.estate_ids == {estate.pk, other_estate.pk}
    assert member.pk == made.staff_member.pk
    assert member.department.code == "ENG"
    assert (member.language, member.phone) == (
        made.staff_member.language,
        made.staff_member.phone,
    )
    assert member.user is user
    assert again == (access.roles, member, access)


def test_visibility_reads_no_more_once_access_is_known(
    estate, other_estate, django_assert_num_queries
):
    user = _fresh(make_staff("li", role="front_desk", estates=[estate]))
    user_access(user)

    with django_assert_num_queries(1):
        codes = list(estates_visible_to(user).values_list("code", flat=True))
    with django_assert_num_queries(0):
        complaints_visible_to(user)

    assert codes == [estate.code]


def test_a_user_without_a_staff_record_has_roles_and_no_estates(estate, django_assert_num_queries):
    made = UserFactory(username="groupie")
    made.groups.add(Group.objects.get(name="supervisor"))
    user = _fresh(made)

    with django_assert_num_queries(1):
        access = user_access(user)
        member = staff_of(user)

    assert access.roles == {"supervisor"}
    assert access.estate_ids == frozenset()
    assert member is None
    assert list(estates_visible_to(user)) == []


def test_a_staff_record_without_a_role_covers_nothing(estate):
    made = make_staff("clerk", role="handler", estates=[estate])
    made.groups.clear()
    user = _fresh(made)

    access = user_access(user)

    assert access.roles == frozenset()
    assert access.estate_ids == {estate.pk}
    assert list(estates_visible_to(user)) == []
    assert list(complaints_visible_to(user)) == []


def test_the_superuser_holds_every_role_and_sees_every_estate(estate, other_estate):
    user = _fresh(UserFactory(username="root", is_superuser=True))

    assert user_roles(user) == {"front_desk", "handler", "supervisor", "manager"}
    assert sorted(estates_visible_to(user).values_list("code", flat=True)) == ["HY", "JD"]


def test_an_inactive_user_has_no_access_and_costs_no_query(estate, django_assert_num_queries):
    user = _fresh(make_staff("gone", role="manager", estates=[estate]))
    user.is_active = False

    with django_assert_num_queries(0):
        access = user_access(user)

    assert access.roles == frozenset()
    assert access.estate_ids == frozenset()
    assert list(estates_visible_to(user)) == []
