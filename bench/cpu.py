"""CPU per page: what one request costs the web process, and how much of it is template
rendering, through Django's test client with production settings.

    python -m bench.cpu --database NAME [--runs 30] [--user frontdesk] URL [URL ...]

On a shared machine wall-clock time follows the load; the CPU time of this process does not
(much), so two versions of the code can be compared on the same database by running this from
each checkout in turn. The page is requested a few times first; then ``--runs`` times, giving
the median wall and CPU time, the fastest CPU time, the page's size and the average CPU time
inside the top-level template's ``render``. Needs ``collectstatic`` into
``DJANGO_STATIC_ROOT`` (production settings serve hashed names).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django

SECRET = "bench-cpu-" + "k" * 50


def _settings(database: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ.setdefault("DJANGO_SECRET_KEY", SECRET)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    django.setup()


class RenderClock:
    """The CPU time spent in outermost template renders, summed: Django's, and Jinja2's for
    the rows and cards a view renders before its page."""

    def __init__(self) -> None:
        # After django.setup().
        from django.template.backends import django as django_backend
        from django.template.backends import jinja2 as jinja2_backend

        self.spent = 0.0
        self._depth = 0
        for backend in (django_backend, jinja2_backend):
            backend.Template.render = self._timed(backend.Template.render)  # type: ignore[method-assign]

    def _timed(self, original):
        clock = self

        def timed(template, context=None, request=None):
            clock._depth += 1
            started = time.process_time()
            try:
                return original(template, context, request)
            finally:
                clock._depth -= 1
                if clock._depth == 0:
                    clock.spent += time.process_time() - started

        return timed


def measure(url: str, user: str, runs: int, clock: RenderClock) -> str:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=user))
    for _ in range(5):
        response = client.get(url, secure=True)
    if response.status_code != 200:
        return f"{url} as {user}: HTTP {response.status_code}"
    clock.spent = 0.0
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url, secure=True)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return (
        f"{url} as {user}: {statistics.median(walls):.1f} ms wall, "
        f"{statistics.median(cpus):.1f} ms CPU (fastest {min(cpus):.1f}), "
        f"{len(response.content):,} bytes, templates {clock.spent / runs * 1000:.1f} ms CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--user", default="frontdesk")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    _settings(args.database)
    clock = RenderClock()
    for url in args.urls:
        print(measure(url, args.user, args.runs, clock))


if __name__ == "__main__":
    main()
