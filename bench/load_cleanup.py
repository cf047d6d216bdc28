"""What the load benchmark's sign-ins leave in the bench database, undone when it ends: the
sessions and API tokens issued since it started, the sign-in records, and the demo users'
last-login times as they were. Needs Django set up against the bench database."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from knox.models import AuthToken

from bench import load_mix as mix


class SignIns:
    def __init__(self, *, since: dt.datetime, roster: tuple[str, ...] = mix.ROSTER) -> None:
        self.since = since
        self.roster = roster
        self.last_logins: dict[int, dt.datetime | None] = {}

    def __enter__(self) -> SignIns:
        users = User.objects.filter(username__in=self.roster)
        self.last_logins = dict(users.values_list("id", "last_login"))
        return self

    def __exit__(self, *exc_info) -> None:
        # A session expires SESSION_COOKIE_AGE after it was last saved: those saved since the
        # start expire after this instant.
        issued = self.since + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        sessions, _ = Session.objects.filter(expire_date__gte=issued).delete()
        tokens, _ = AuthToken.objects.filter(
            user_id__in=self.last_logins, created__gte=self.since
        ).delete()
        logs, _ = AccessLog.objects.filter(attempt_time__gte=self.since).delete()
        for pk, last_login in self.last_logins.items():
            User.objects.filter(pk=pk).update(last_login=last_login)
        print(
            f"Removed {sessions} sessions, {tokens} API tokens and {logs} sign-in records; "
            "last-login times restored.",
            flush=True,
        )
