import datetime as dt
import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from complaints.clock import calendars_forget
from complaints.forms.worklist import worklist_lists_forget
from complaints.services.deadlines import policies_forget
from tests.factories import (
    BuildingFactory,
    EstateFactory,
    ResidentFactory,
    UnitFactory,
    make_staff,
)

IN_CI = bool(os.environ.get("CI"))


def _redis_reachable(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return False
    return True


REDIS_TEST_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def pytest_collection_modifyitems(config, items):
    redis_up = None
    for item in items:
        if item.get_closest_marker("redis"):
            if redis_up is None:
                redis_up = _redis_reachable(REDIS_TEST_URL)
            if not redis_up:
                if IN_CI:
                    item.fixturenames.insert(0, "_require_redis")
                else:
                    item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))
    if connection.vendor == "postgresql":
        return
    for item in items:
        if item.get_closest_marker("postgres"):
            if IN_CI:
                # In CI a missing service is a failure, never a skip.
                item.fixturenames.insert(0, "_require_postgres")
            else:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))


@pytest.fixture
def _require_postgres():
    pytest.fail("This test needs PostgreSQL; CI must set DATABASE_URL to it.")


@pytest.fixture
def _require_redis():
    pytest.fail(f"This test needs Redis at {REDIS_TEST_URL}; CI must start it.")


@pytest.fixture
def redis_url():
    """A Redis database of its own, emptied before the test."""
    import redis

    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    return REDIS_TEST_URL


@pytest.fixture(autouse=True)
def _configuration_read_afresh():
    """Policies, calendars and the worklist's lists are kept per process: a test's rolled-back
    rows must not be what the next test reads."""
    calendars_forget()
    policies_forget()
    worklist_lists_forget()


@pytest.fixture(autouse=True)
def _language_of_the_process():
    """A request leaves its reader's language active in the thread (the locale middleware sets
    it for each request, never unsets it): the next test starts from the default again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _migrated_defaults(request):
    """Transactional tests flush the tables, and with them the rows migrations seeded."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from complaints.defaults import seed_defaults
    from complaints.models import Category, DeadlinePolicy
    from staff.defaults import seed_roles_and_departments
    from staff.models import Department

    seed_roles_and_departments(Group, Department)
    seed_defaults(Category, Department, DeadlinePolicy)


@pytest.fixture
def estate(db):
    return EstateFactory(code="HY", name="海悦花园")


@pytest.fixture
def no_quiet_hours(estate):
    """Residents' messages may go at any hour. A test that waits for every message to be sent
    would otherwise pass or fail by the hour it runs at (quiet from 21:00 to 08:00)."""
    estate.quiet_from = estate.quiet_until = dt.time(0, 0)
    estate.save(update_fields=["quiet_from", "quiet_until"])
    return estate


@pytest.fixture
def other_estate(db):
    return EstateFactory(code="JD", name="锦都名苑")


@pytest.fixture
def unit(estate):
    return UnitFactory(
        building=BuildingFactory(estate=estate, name="3号楼"), entrance="2", room="1201"
    )


@pytest.fixture
def resident(unit):
    return ResidentFactory(name="王芳", phone="13812345678", units=[unit])


@pytest.fixture
def frontdesk(estate):
    return make_staff("frontdesk", role="front_desk", department="CS", estates=[estate])


@pytest.fixture
def frontdesk_b(other_estate):
    return make_staff("frontdesk_b", role="front_desk", department="CS", estates=[other_estate])


@pytest.fixture
def handler(estate):
    return make_staff("handler", role="handler", department="ENG", estates=[estate])


@pytest.fixture
def supervisor(estate, other_estate):
    return make_staff(
        "supervisor", role="supervisor", department="CS", estates=[estate, other_estate]
    )


@pytest.fixture
def manager(estate, other_estate):
    return make_staff("manager", role="manager", department="CS", estates=[estate, other_estate])


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates it."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=user)
            return self

    return Client()
