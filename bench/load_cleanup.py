"""What the load benchmark leaves in the bench database, undone when it ends: the sessions and
API tokens its staff were issued (by their keys: others may be using the same database and
users meanwhile), the sign-in records its client left, the demo users' last-login times as
they were, and the weekly summaries its readers had computed and stored (the next run starts
as this one did, with the week not stored). Needs Django set up against the bench database."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessLog
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from knox.models import AuthToken

from bench import load_mix as mix
from reports.models import WeeklySummarySnapshot
from staff.tokens import PREFIX_LENGTH

CLIENT = "python-requests/"  # the User-Agent of locust's HttpUser


class SignIns:
    def __init__(self, *, since: dt.datetime, roster: tuple[str, ...] = mix.ROSTER) -> None:
        self.since = since
        self.roster = roster
        self.last_logins: dict[int, dt.datetime | None] = {}
        self.sessions: set[str] = set()
        self.tokens: set[str] = set()

    def issued(self, *, sessions: list[str], tokens: list[str]) -> None:
        self.sessions.update(sessions)
        self.tokens.update(tokens)

    def __enter__(self) -> SignIns:
        users = User.objects.filter(username__in=self.roster)
        self.last_logins = dict(users.values_list("id", "last_login"))
        return self

    def __exit__(self, *exc_info) -> None:
        sessions, _ = Session.objects.filter(session_key__in=self.sessions).delete()
        prefixes = [token[:PREFIX_LENGTH] for token in self.tokens]
        tokens, _ = AuthToken.objects.filter(token_key__in=prefixes).delete()
        logs, _ = AccessLog.objects.filter(
            attempt_time__gte=self.since,
            username__in=self.roster,
            user_agent__startswith=CLIENT,
        ).delete()
        weeks, _ = WeeklySummarySnapshot.objects.filter(computed_at__gte=self.since).delete()
        for pk, last_login in self.last_logins.items():
            User.objects.filter(pk=pk).update(last_login=last_login)
        print(
            f"Removed {sessions} sessions, {tokens} API tokens, {logs} sign-in records and "
            f"{weeks} weekly summaries stored; last-login times restored.",
            flush=True,
        )
