"""Guessing passwords is throttled: after five failures the username waits, on every door."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _token(client, password):
    return client.post(
        "/api/v1/auth/token/",
        {"username": "frontdesk", "password": password},
        content_type="application/json",
    )


def test_the_token_endpoint_locks_after_five_wrong_passwords(frontdesk):
    client = Client()
    answers = [_token(client, f"guess-{n}").status_code for n in range(5)]
    locked = _token(client, "demo")

    # The fifth failure already answers "locked"; then even the right password waits.
    assert answers == [401, 401, 401, 401, 429]
    assert locked.status_code == 429
    assert locked.json() == {"detail": "Too many failed sign-ins. Try again in 15 minutes."}


def test_a_right_password_before_the_limit_resets_the_count(frontdesk):
    client = Client()
    for n in range(4):
        _token(client, f"guess-{n}")

    assert _token(client, "demo").status_code == 200
    assert _token(client, "guess-again").status_code == 401
    assert _token(client, "demo").status_code == 200


def test_the_sign_in_page_locks_too_and_says_why(frontdesk):
    client = Client()
    for n in range(4):
        response = client.post("/accounts/login/", {"username": "frontdesk", "password": f"x{n}"})
        assert response.status_code == 200  # the form again, with its error
    assert (
        client.post("/accounts/login/", {"username": "frontdesk", "password": "x"}).status_code
        == 429
    )

    locked = client.post("/accounts/login/", {"username": "frontdesk", "password": "demo"})

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_behind_a_trusted_proxy_failures_count_against_the_address_it_saw(frontdesk, settings):
    settings.DESK_TRUSTED_PROXIES = 1
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for n in range(5):
        _token(attacker, f"guess-{n}")

    assert _token(attacker, "demo").status_code == 429
    assert _token(colleague, "demo").status_code == 200


def test_a_client_cannot_pick_its_address_by_writing_the_header(frontdesk, settings):
    settings.DESK_TRUSTED_PROXIES = 1
    for n in range(5):
        # The client writes a fresh address each time; nginx appends the real one last.
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.9")
        _token(client, f"guess-{n}")

    again = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.9")
    assert _token(again, "demo").status_code == 429
