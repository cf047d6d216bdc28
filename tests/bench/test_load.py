import datetime as dt
import random

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from bench import load_mix as mix
from bench.load_plan import plan_build
from staff.tokens import api_token_issue

NOW = dt.datetime(2026, 11, 27, 10, 15, tzinfo=dt.UTC)


def test_the_roster_clicks_each_kind_of_page_its_share_of_the_time():
    per_user = {name: mix.weights(name) for name in mix.ROSTER}
    for name, weights in per_user.items():
        assert sum(weights.values()) == pytest.approx(100), name
    for kind, share in mix.SHARES.items():
        mean = sum(weights[kind] for weights in per_user.values()) / len(mix.ROSTER)
        assert mean == pytest.approx(share), kind
    assert per_user["frontdesk"][mix.ESCALATIONS] == 0
    assert per_user["supervisor"][mix.ESCALATIONS] == 20
    assert per_user["handler"][mix.WORKLIST] == 70


def test_clicks_follow_the_weights_and_stay_within_the_users_pages():
    pages = {
        mix.WORKLIST: {"worklist": ["/complaints/"], "worklist: overdue": ["/o/"]},
        mix.COMPLAINT: {"complaint page": ["/c/1/", "/c/2/"]},
    }
    rng = random.Random(1)
    clicks = [mix.click(pages, {mix.WORKLIST: 75, mix.COMPLAINT: 25}, rng) for _ in range(4000)]
    complaint_pages = [path for name, path in clicks if name == "complaint page"]
    assert 900 < len(complaint_pages) < 1100
    assert set(complaint_pages) == {"/c/1/", "/c/2/"}
    assert {name for name, _ in clicks} == {"worklist", "worklist: overdue", "complaint page"}


def _client(username: str, *, api: bool) -> Client:
    user = User.objects.get(username=username)
    if api:
        _stored, token = api_token_issue(user=user)
        return Client(HTTP_AUTHORIZATION=f"Token {token}")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_every_page_of_the_plan_answers_its_user_and_the_left_out_ones_refuse():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", complaints=60, seed=3, verbosity=0)
        plan = plan_build()
        everything = plan["manager"]
        assert set(everything) == set(mix.SHARES)
        for username, pages in plan.items():
            assert pages[mix.COMPLAINT]["complaint page"], username
            assert len(pages[mix.WORKLIST]["worklist: search"]) == 2, username
            session, token = _client(username, api=False), _client(username, api=True)
            for named in pages.values():
                for name, paths in named.items():
                    for path in paths:
                        client = token if path.startswith("/api/") else session
                        response = client.get(path)
                        assert response.status_code == 200, (username, name, path)
            for kind in set(everything) - set(pages):
                assert not mix.opens(username, kind)
                for paths in everything[kind].values():
                    assert session.get(paths[0]).status_code == 403, (username, kind)
    assert set(plan) == set(mix.ROSTER)
