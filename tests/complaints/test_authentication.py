"""The API's token check reads the user's access with the token, in one query."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from complaints.api.authentication import TokenAuthentication
from complaints.selectors import complaints_visible_to

pytestmark = pytest.mark.django_db


def test_the_token_the_user_and_their_access_are_one_query(
    supervisor, estate, other_estate, django_assert_num_queries
):
    key = Token.objects.create(user=supervisor).key

    with django_assert_num_queries(1):
        user, token = TokenAuthentication().authenticate_credentials(key)
        member = user.staff_member
        complaints_visible_to(user)

    assert (user.pk, user.username, token.key, token.user is user) == (
        supervisor.pk,
        "supervisor",
        key,
        True,
    )
    assert user._desk_access.roles == {"supervisor"}
    assert user._desk_access.estate_ids == {estate.pk, other_estate.pk}
    assert member.department.code == "CS"


def test_an_unknown_token_is_refused_in_drf_s_words(frontdesk):
    with pytest.raises(AuthenticationFailed) as refused:
        TokenAuthentication().authenticate_credentials("0" * 40)

    assert str(refused.value.detail) == "Invalid token."


def test_an_inactive_user_s_token_is_refused(frontdesk):
    key = Token.objects.create(user=frontdesk).key
    User.objects.filter(pk=frontdesk.pk).update(is_active=False)

    with pytest.raises(AuthenticationFailed) as refused:
        TokenAuthentication().authenticate_credentials(key)

    assert str(refused.value.detail) == "User inactive or deleted."


def test_a_token_of_a_user_without_staff_record_has_roles_and_no_estates(estate):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username="groupie")
    user.groups.add(Group.objects.get(name="supervisor"))
    key = Token.objects.create(user=user).key

    found, _token = TokenAuthentication().authenticate_credentials(key)

    assert found._desk_access.roles == {"supervisor"}
    assert found._desk_access.estate_ids == frozenset()
    assert getattr(found, "staff_member", None) is None
    assert list(complaints_visible_to(found)) == []
