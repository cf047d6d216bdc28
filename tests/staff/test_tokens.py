"""API tokens: they expire, are stored as digests, are seen and revoked by their owner only,
and all go when the owner's password changes or the owner is deactivated."""

from __future__ import annotations

import datetime as dt
import importlib
import types

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from staff.tokens import api_token_issue, api_tokens_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
CREDENTIALS = {"username": "frontdesk", "password": "demo"}


def _issue(username: str = "frontdesk", password: str = "demo") -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _estates(token: str):
    return APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/estates/")


def _works(token: str) -> bool:
    answer = _estates(token)
    assert answer.status_code in (200, 401), answer.content
    return answer.status_code == 200


# Issue, expiry, storage ----------------------------------------------------------------------


def test_a_token_lives_thirty_days_and_only_its_digest_is_stored(frontdesk, estate):
    with time_machine.travel(NOON, tick=False):
        body = _issue()

    stored = AuthToken.objects.get(user=frontdesk)
    assert dt.datetime.fromisoformat(body["expiry"]) == NOON + dt.timedelta(days=30)
    assert stored.expiry == NOON + dt.timedelta(days=30)
    assert stored.digest == hash_token(body["token"])
    assert stored.token_key == body["token"][:15]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        cells = [str(cell) for row in cursor.fetchall() for cell in row]
    assert not [cell for cell in cells if body["token"] in cell]


def test_the_lifetime_is_a_setting(frontdesk, settings):
    settings.DESK_API_TOKEN_DAYS = 7
    with time_machine.travel(NOON, tick=False):
        body = _issue()

    assert dt.datetime.fromisoformat(body["expiry"]) == NOON + dt.timedelta(days=7)


def test_an_expired_token_is_refused_and_removed(frontdesk, estate):
    with time_machine.travel(NOON, tick=False):
        token = _issue()["token"]
    with time_machine.travel(NOON + dt.timedelta(days=30, seconds=-1), tick=False):
        assert _works(token)

    with time_machine.travel(NOON + dt.timedelta(days=30), tick=False):
        answer = _estates(token)

    assert answer.status_code == 401
    assert answer.json() == {"detail": "The token has expired."}
    assert not AuthToken.objects.filter(user=frontdesk).exists()


@pytest.mark.parametrize(
    "header",
    [
        "Token é" + "0" * 63,
        "Token " + "Z" * 64,
        "Token " + "0" * 39,
        "Token " + "0" * 65,
        "Token 0000000000000000000000000000000000000000\x00",
        "Token " + "0" * 10_000,
    ],
    ids=["not-ascii", "not-hex", "too-short", "too-long", "nul", "huge"],
)
def test_what_cannot_be_a_token_is_401_never_500(frontdesk, header):
    answer = APIClient(HTTP_AUTHORIZATION=header).get("/api/v1/estates/")

    assert answer.status_code == 401
    assert answer.json() == {"detail": "Invalid token."}


def test_issuing_past_ten_live_tokens_revokes_the_oldest(frontdesk, estate):
    tokens = []
    for minute in range(11):
        with time_machine.travel(NOON + dt.timedelta(minutes=minute), tick=False):
            tokens.append(api_token_issue(user=frontdesk)[1])

    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        assert api_tokens_of(frontdesk).count() == 10
        assert not _works(tokens[0])
        assert all(_works(token) for token in tokens[1:])


# Seeing and revoking one's own ----------------------------------------------------------------


def test_the_list_shows_only_ones_own_tokens_and_never_a_secret(frontdesk, frontdesk_b):
    with time_machine.travel(NOON, tick=False):
        older = _issue()["token"]
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        newer = _issue()["token"]
        _issue("frontdesk_b")

        answer = APIClient(HTTP_AUTHORIZATION=f"Token {older}").get("/api/v1/auth/tokens/")

    assert answer.status_code == 200
    rows = answer.json()
    assert [row["prefix"] for row in rows] == [newer[:15], older[:15]]
    assert [sorted(row) for row in rows] == [["created", "expiry", "prefix"]] * 2
    assert dt.datetime.fromisoformat(rows[1]["expiry"]) == NOON + dt.timedelta(days=30)
    text = answer.content.decode()
    assert older not in text and newer not in text
    assert not [t.digest for t in AuthToken.objects.all() if t.digest in text]


def test_revoking_ones_own_token_ends_it(frontdesk, estate):
    keep, revoke = _issue()["token"], _issue()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {keep}")

    answer = client.delete(f"/api/v1/auth/tokens/{revoke[:15]}/")

    assert answer.status_code == 204
    assert not _works(revoke)
    assert _works(keep)


@pytest.mark.parametrize("prefix", ["theirs", "0" * 15, "nothex!", "0" * 400])
def test_nobody_revokes_a_token_not_their_own(frontdesk, frontdesk_b, other_estate, prefix):
    theirs = _issue("frontdesk_b")["token"]
    mine = _issue()["token"]
    target = theirs[:15] if prefix == "theirs" else prefix

    answer = APIClient(HTTP_AUTHORIZATION=f"Token {mine}").delete(f"/api/v1/auth/tokens/{target}/")

    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found."}
    assert _works(theirs)
    assert AuthToken.objects.count() == 2


@pytest.mark.parametrize(
    ("language", "title", "empty"),
    [
        ("en", "My API tokens", "You hold no API token."),
        ("zh-hans", "我的 API 令牌", "您没有 API 令牌。"),
    ],
)
def test_the_page_lists_and_revokes_in_both_languages(client, frontdesk, language, title, empty):
    frontdesk.staff_member.language = language
    frontdesk.staff_member.save()
    token = _issue()["token"]
    client.force_login(frontdesk)

    page = client.get("/accounts/tokens/")
    revoked = client.post(f"/accounts/tokens/{token[:15]}/revoke/", follow=True)

    text = page.content.decode()
    assert page.status_code == 200
    assert title in text
    assert f"{token[:15]}…" in text
    assert token not in text
    assert 'href="/accounts/tokens/"' in text  # the link beside the user's name
    assert revoked.status_code == 200
    assert revoked.redirect_chain == [("/accounts/tokens/", 302)]
    assert empty in revoked.content.decode()
    assert not AuthToken.objects.exists()


def test_the_page_does_not_revoke_someone_elses_token(client, frontdesk, frontdesk_b):
    theirs = _issue("frontdesk_b")["token"]
    client.force_login(frontdesk)

    answer = client.post(f"/accounts/tokens/{theirs[:15]}/revoke/")

    assert answer.status_code == 404
    assert AuthToken.objects.filter(user=frontdesk_b).count() == 1


# Revoked with the password or the account -----------------------------------------------------


def _set_password_and_save(user: User) -> None:
    user.set_password("a-new-passw0rd!")
    user.save()


def _password_change_form(user: User) -> None:
    form = PasswordChangeForm(
        user,
        {
            "old_password": "demo",
            "new_password1": "a-new-passw0rd!",
            "new_password2": "a-new-passw0rd!",
        },
    )
    assert form.is_valid(), form.errors
    form.save()


def _admin_password_page(user: User) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "root-passw0rd")
    browser = Client()
    browser.force_login(admin)
    answer = browser.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "a-new-passw0rd!", "password2": "a-new-passw0rd!", "usable_password": "true"},
    )
    assert answer.status_code == 302, answer.content[:500]


def _deactivate(user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


def _unusable_password(user: User) -> None:
    user.set_unusable_password()
    user.save()


@pytest.mark.parametrize(
    "change",
    [
        _set_password_and_save,
        _password_change_form,
        _admin_password_page,
        _deactivate,
        _unusable_password,
    ],
    ids=lambda change: change.__name__.strip("_"),
)
def test_a_new_password_or_deactivation_revokes_every_token(frontdesk, frontdesk_b, change):
    mine = [_issue()["token"] for _ in range(3)]
    theirs = _issue("frontdesk_b")["token"]

    change(User.objects.get(pk=frontdesk.pk))

    assert not AuthToken.objects.filter(user=frontdesk).exists()
    assert not any(_works(token) for token in mine)
    assert _works(theirs)


def test_other_changes_to_the_account_keep_the_tokens(frontdesk, estate):
    token = _issue()["token"]
    user = User.objects.get(pk=frontdesk.pk)

    user.first_name = "芳"
    user.save()
    user.last_login = NOON
    user.save(update_fields=["last_login"])
    _issue()  # a sign-in

    assert _works(token)
    assert AuthToken.objects.filter(user=frontdesk).count() == 2


def test_a_password_hash_upgraded_at_sign_in_is_not_a_new_password(frontdesk, estate):
    # The same password under a hash Django wants to renew (a salt too short for today).
    old_hash = make_password("demo", salt="short", hasher="md5")
    User.objects.filter(pk=frontdesk.pk).update(password=old_hash)
    token = api_token_issue(user=frontdesk)[1]

    _issue()  # signing in renews the hash

    assert User.objects.get(pk=frontdesk.pk).password != old_hash
    assert _works(token)


# Tokens issued before knox ------------------------------------------------------------------

LEGACY_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


def test_tokens_from_before_are_carried_over_hashed_and_keep_working(estate):
    user = UserFactory(username="integration")
    issued = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [LEGACY_KEY, issued, user.pk],
        )
    migration = importlib.import_module("staff.migrations.0003_api_tokens_from_authtoken")

    with time_machine.travel(NOON, tick=False):
        migration.carry_over_legacy_tokens(apps, types.SimpleNamespace(connection=connection))
        works = _works(LEGACY_KEY)

    stored = AuthToken.objects.get(user=user)
    assert works
    assert stored.digest == hash_token(LEGACY_KEY)
    assert stored.token_key == LEGACY_KEY[:15]
    assert stored.created == issued
    assert stored.expiry == NOON + dt.timedelta(days=30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    with time_machine.travel(NOON + dt.timedelta(days=30), tick=False):
        assert not _works(LEGACY_KEY)
