"""Staff at the desk, for locust: each virtual user signs in once as the next demo user of the
roster, then clicks the plan's pages (``bench.load_mix``) with 0.5-2 s between clicks.

``python -m bench.load`` drives it; by hand, with a plan it wrote:

    DESK_LOAD_PLAN=var/bench/load-plan.json locust -f bench/locustfile.py --headless \\
        -u 25 -r 25 -t 60s --host http://127.0.0.1:8000

The requests carry what nginx adds in production (``X-Forwarded-Proto: https``), so the
desk's secure cookies and CSRF checks work as they do behind it; the cookies are sent by hand,
as an HTTP client does not send secure cookies over plain HTTP. The API pages use a token, one
per username, asked for once through ``/api/v1/auth/token/`` (a user may hold ten).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from urllib.parse import urlsplit

from gevent.lock import Semaphore
from locust import HttpUser, between, events, task

from bench import load_mix as mix

PLAN: mix.Plan = {}
TOKENS: dict[str, str] = {}
_TOKEN_LOCK = Semaphore()
_NUMBERS = itertools.count()
SIGNED_IN: list[str] = []  # the users signed in so far, for the driver to wait on
# What signing in issued, for the driver to remove afterwards.
ISSUED_SESSIONS: list[str] = []


@events.init.add_listener
def _plan_read(environment, **_kwargs) -> None:
    path = os.environ.get("DESK_LOAD_PLAN")
    if path and not PLAN:
        PLAN.update(json.loads(Path(path).read_text(encoding="utf-8")))


class SignInFailed(Exception):
    pass


class DeskStaff(HttpUser):
    wait_time = between(*mix.THINK_SECONDS)

    def on_start(self) -> None:
        number = next(_NUMBERS)
        self.username = mix.username_for(number, tuple(PLAN))
        self.pages = PLAN[self.username]
        self.mix = mix.weights(self.username, tuple(PLAN))
        self.rng = random.Random(number)
        origin = "https://" + urlsplit(self.host).netloc
        self.forwarded = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"}
        self.cookie = self._sign_in()
        if mix.API_LIST in self.pages:
            self._token()
        SIGNED_IN.append(self.username)

    def _sign_in(self) -> str:
        page = self.client.get("/accounts/login/", headers=self.forwarded, name="sign-in")
        csrf = page.cookies.get("csrftoken", "")
        answer = self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": mix.PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={**self.forwarded, "Cookie": f"csrftoken={csrf}"},
            allow_redirects=False,
            name="sign-in",
        )
        session = answer.cookies.get("sessionid")
        if answer.status_code != 302 or not session:
            raise SignInFailed(f"{self.username}: {answer.status_code}")
        ISSUED_SESSIONS.append(session)
        return f"csrftoken={csrf}; sessionid={session}"

    def _token(self) -> str:
        with _TOKEN_LOCK:
            if self.username not in TOKENS:
                answer = self.client.post(
                    "/api/v1/auth/token/",
                    json={"username": self.username, "password": mix.PASSWORD},
                    headers=self.forwarded,
                    name="API token",
                )
                TOKENS[self.username] = answer.json()["token"]
                if answer.cookies.get("sessionid"):
                    ISSUED_SESSIONS.append(answer.cookies["sessionid"])
        return TOKENS[self.username]

    @task
    def click(self) -> None:
        name, path = mix.click(self.pages, self.mix, self.rng)
        if path.startswith("/api/"):
            headers = {**self.forwarded, "Authorization": f"Token {self._token()}"}
        else:
            headers = {**self.forwarded, "Cookie": self.cookie}
        with self.client.get(
            path, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as answer:
            if not 200 <= answer.status_code < 400:
                answer.failure(f"HTTP {answer.status_code}")
