import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.search import ESTATE, fixtures_choose, scenarios
from bench.units import units_top_up
from complaints.models import Complaint

NOW = dt.datetime(2026, 11, 27, 10, 15, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def test_every_search_answers_within_the_query_budget_and_finds_its_complaint():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", complaints=60, seed=3, verbosity=0)
        units_top_up(2000)
        fx = fixtures_choose()
        complaint = Complaint.objects.get(
            estate__code=ESTATE, reference__endswith=fx.reference_piece
        )
        assert fx.phone_middle == complaint.contact_phone[-7:-3]
        assert fx.name in (complaint.contact_name, complaint.resident and complaint.resident.name)
        assert fx.name
        assert fx.received_to - fx.received_from == dt.timedelta(days=6)
        clients = {}
        for scenario in scenarios(fx):
            if scenario.user not in clients:
                clients[scenario.user] = Client()
                clients[scenario.user].force_login(User.objects.get(username=scenario.user))
            with CaptureQueriesContext(connection) as queries:
                response = clients[scenario.user].get(scenario.path)
            assert response.status_code == 200, scenario.name
            assert len(queries) <= 12, scenario.name
            if scenario.name.startswith(("worklist: q reference ", "worklist: q name ")):
                assert complaint.reference in response.content.decode(), scenario.name
    assert len(clients) == 2
