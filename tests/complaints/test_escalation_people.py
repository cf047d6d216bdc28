"""The people told of an escalation, read for many estates and levels at once, are the people
each estate and level has on its own."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.services.escalations import staff_at_level, staff_at_levels
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(estate, other_estate, frontdesk, frontdesk_b, handler, supervisor, manager):
    make_staff("manager_jd", role="manager", estates=[other_estate])
    away = make_staff("supervisor_away", role="supervisor", estates=[estate])
    away.is_active = False
    away.save()
    both = make_staff("supervisor_and_manager", role="supervisor", estates=[estate])
    both.groups.add(manager.groups.get())
    UserFactory(username="quality", is_superuser=True)
    UserFactory(username="quality_left", is_superuser=True, is_active=False)


def test_each_estate_and_level_has_the_people_it_has_on_its_own(estate, other_estate, everyone):
    pairs = set(itertools.product([estate.pk, other_estate.pk], range(4)))

    with CaptureQueriesContext(connection) as queries:
        found = staff_at_levels(pairs=pairs)

    assert len(queries) == 2
    assert {pair: [user.username for user in people] for pair, people in found.items()} == {
        pair: [
            user.username
            for user in sorted(staff_at_level(estate_id=pair[0], level=pair[1]), key=lambda u: u.pk)
        ]
        for pair in pairs
    }
    assert [user.username for user in found[estate.pk, 3]] == [
        "manager",
        "supervisor_and_manager",
        "quality",
    ]
    assert [user.username for user in found[other_estate.pk, 1]] == ["supervisor"]


def test_without_the_top_level_no_superuser_is_told(estate, everyone):
    found = staff_at_levels(pairs={(estate.pk, 2)})

    assert [user.username for user in found[estate.pk, 2]] == ["manager", "supervisor_and_manager"]
    assert staff_at_levels(pairs=set()) == {}
