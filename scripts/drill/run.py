"""The drill in order: prepare the stores, set the site up as a deployment would, start the
processes, log the complaints with a worker killed mid-sweep, then gather the facts."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from scripts.drill.checks import access_statuses, check_database, count, escalated_by, verify
from scripts.drill.common import (
    COMPLAINTS,
    ESTATE,
    ROOT,
    Clock,
    DrillFailed,
    free_port,
    request,
    say,
    wait_for,
)
from scripts.drill.intake import Intake, log_complaints
from scripts.drill.killer import Kill, SweepKiller
from scripts.drill.processes import Service, services_add, services_start, stop_all
from scripts.drill.stores import prepare_database, prepare_redis

BUDGET_SECONDS = 170
SUPERVISOR_EMAIL = "drill-supervisor@example.com"

SETUP = """
import datetime as dt
import os

from django.contrib.auth.models import Group, User

from residents.models import Estate
from staff.models import Department, StaffMember

# No quiet hours: the residents' messages are due at once whatever the hour of the drill.
estate, _ = Estate.objects.update_or_create(
    code=os.environ["DRILL_ESTATE"],
    defaults={"name": "演练小区 Drill estate", "time_zone": "Asia/Shanghai",
              "quiet_from": dt.time(0), "quiet_until": dt.time(0)},
)
customer_service = Department.objects.get(code="CS")
for username, role, email in (
    ("drill_frontdesk", "front_desk", ""),
    ("drill_supervisor", "supervisor", os.environ["DRILL_SUPERVISOR_EMAIL"]),
):
    user, _ = User.objects.get_or_create(username=username)
    user.email = email
    user.set_password(os.environ["DRILL_PASSWORD"])
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    member, _ = StaffMember.objects.update_or_create(
        user=user, defaults={"department": customer_service}
    )
    member.estates.set([estate])
print("estate", estate.code, "and users ready")
"""


def run_manage(args: list, env: dict, *, clock: Clock, what: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=max(5, min(90, clock.left())),
    )
    if result.returncode != 0:
        raise DrillFailed(f"{what} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def _stores_prepare(args: argparse.Namespace, *, clock: Clock) -> None:
    since = time.monotonic()
    name = prepare_database(args.database_url, existing=args.existing_database)
    prepare_redis(args.redis_url)
    clock.mark("prepare_s", since)
    say(f"database {name} ready, Redis {args.redis_url} emptied")


def _two_ports() -> list[int]:
    ports = [free_port(), free_port()]
    while ports[1] == ports[0]:
        ports[1] = free_port()
    return ports


def _environment(args: argparse.Namespace, *, workdir: Path, ports: list[int]) -> dict:
    """The drill's /etc/complaint-desk/env; none of the caller's own settings leak in."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DESK_", "GUNICORN_", "PG"))
        and key not in {"DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        DESK_VAR_DIR=str(workdir / "var"),
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        DJANGO_LOG_FORMAT="json",
        DESK_BASE_URL=f"http://127.0.0.1:{ports[0]}",
        DESK_SWEEP_SECONDS="2",
        # One process per worker: the process caught inside the sweep holds no claimed
        # notifications, whose five-minute lease would outlast the drill.
        DESK_WORKER_CONCURRENCY="1",
        WEB_CONCURRENCY="2",
        PYTHONUNBUFFERED="1",
    )
    return environment


def _site_set_up(environment: dict, *, clock: Clock) -> str:
    """What a deployment runs before starting the services, then the drill's estate and
    users; returns their password."""
    since = time.monotonic()
    run_manage(["migrate", "--noinput", "-v", "0"], environment, clock=clock, what="migrate")
    clock.mark("migrate_s", since)
    since = time.monotonic()
    run_manage(
        ["collectstatic", "--noinput", "-v", "0"],
        environment,
        clock=clock,
        what="collectstatic",
    )
    clock.mark("collectstatic_s", since)
    run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        environment,
        clock=clock,
        what="check --deploy",
    )
    password = secrets.token_urlsafe(16)
    since = time.monotonic()
    run_manage(
        ["shell", "-c", SETUP],
        {
            **environment,
            "DRILL_PASSWORD": password,
            "DRILL_ESTATE": ESTATE,
            "DRILL_SUPERVISOR_EMAIL": SUPERVISOR_EMAIL,
        },
        clock=clock,
        what="setting up the estate and users",
    )
    clock.mark("setup_s", since)
    say("migrated, static files collected, deployment checks passed, users ready")
    return password


def _token(port: int, password: str) -> str:
    status, body = request(
        port,
        "POST",
        "/api/v1/auth/token/",
        body={"username": "drill_frontdesk", "password": password},
        headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
    )
    if status != 200:
        raise DrillFailed(f"token: {status} {body}")
    return body["token"]


def _intake_run(ports: list[int], token: str, *, clock: Clock) -> tuple[Intake, float]:
    intake, intake_seconds = log_complaints(ports, token)
    clock.marks["intake_s"] = round(intake_seconds, 2)
    say(
        f"{COMPLAINTS} complaints posted in {intake_seconds:.1f}s: statuses {intake.statuses}"
        f", per port {intake.per_port}"
    )
    return intake, intake_seconds


def _kill_await(
    cursor: psycopg2.extensions.cursor, killer: SweepKiller, *, clock: Clock, run_started: float
) -> Kill:
    """Wait for every overdue deadline to be escalated, then for the killer's report."""
    expected_escalations = COMPLAINTS // 2

    def escalations_done() -> bool:
        return count(cursor, "SELECT count(*) FROM complaints_escalation") >= expected_escalations

    wait_for(escalations_done, clock=clock, timeout=90, what="the sweep to escalate")
    clock.marks["escalated_after_s"] = round(time.monotonic() - run_started, 2)
    killer.stop.set()
    killer.join(timeout=5)
    if killer.error:
        raise DrillFailed(f"the kill failed: {killer.error!r}")
    kill = killer.kill
    if not kill.inside_sweep:
        raise DrillFailed("no worker was caught inside an escalating sweep to kill")
    say(
        f"SIGKILLed {kill.worker} {kill.at - run_started:.1f}s into the run, inside the"
        f" sweep ({kill.statement[:60]}...), {kill.escalations_before} escalations committed"
    )
    return kill


def _outbox_await(cursor: psycopg2.extensions.cursor, *, clock: Clock, run_started: float) -> None:
    def everything_sent() -> bool:
        return (
            count(cursor, "SELECT count(*) FROM complaints_notification WHERE sent_at IS NULL") == 0
        )

    try:
        wait_for(everything_sent, clock=clock, timeout=60, what="every notification to be sent")
    except DrillFailed:
        leased = count(
            cursor,
            "SELECT count(*) FROM complaints_notification "
            "WHERE sent_at IS NULL AND not_before > now() + interval '1 minute'",
        )
        raise DrillFailed(
            "timed out waiting for every notification to be sent; "
            f"{leased} are claimed by a dead sender and wait for their lease"
        ) from None
    clock.marks["all_sent_after_s"] = round(time.monotonic() - run_started, 2)


def _facts_after_kill(cursor: psycopg2.extensions.cursor, *, estate_id: int, kill: Kill) -> dict:
    time.sleep(4)  # two more sweeps: nothing may be added
    checked_at = dt.datetime.now(dt.UTC)
    facts = check_database(cursor, estate_id=estate_id, checked_at=checked_at)
    facts["escalations_after_kill"] = count(
        cursor,
        "SELECT count(*) FROM complaints_escalation WHERE created_at > %s",
        [kill.at_wall],
    )
    return facts


@dataclass
class Load:
    """The run under load: the intake, the kill and the facts left in the database."""

    started: float
    intake: Intake
    intake_seconds: float
    kill: Kill
    facts: dict


def _load_run(
    database_url: str, *, ports: list[int], token: str, killer: SweepKiller, clock: Clock
) -> Load:
    started = time.monotonic()
    intake, intake_seconds = _intake_run(ports, token, clock=clock)
    with contextlib.closing(psycopg2.connect(database_url)) as database:
        database.autocommit = True
        cursor = database.cursor()
        estate_id = count(cursor, "SELECT id FROM residents_estate WHERE code = %s", [ESTATE])
        kill = _kill_await(cursor, killer, clock=clock, run_started=started)
        _outbox_await(cursor, clock=clock, run_started=started)
        facts = _facts_after_kill(cursor, estate_id=estate_id, kill=kill)
    return Load(started, intake, intake_seconds, kill, facts)


def _summary(
    load: Load, *, ports: list[int], services: list[Service], workers: dict[str, Service]
) -> dict:
    intake, kill = load.intake, load.kill
    survivor = next(s for s in workers.values() if s.name != kill.worker)
    killed = next(s for s in workers.values() if s.name == kill.worker)
    web_statuses = access_statuses([s for s in services if s.name.startswith("web")])
    return {
        "complaints_posted": COMPLAINTS,
        "intake": {
            "statuses": {str(k): v for k, v in sorted(intake.statuses.items())},
            "per_web_process": {
                f"web{n}": intake.per_port.get(p, 0) for n, p in enumerate(ports, start=1)
            },
            "seconds": round(load.intake_seconds, 2),
            "per_second": round(COMPLAINTS / load.intake_seconds, 1),
            "latency_ms_median": round(statistics.median(intake.latencies) * 1000),
            "latency_ms_p95": round(statistics.quantiles(intake.latencies, n=20)[-1] * 1000),
            "distinct_references": len(intake.references),
        },
        "web_access_log_statuses": web_statuses,
        "kill": {
            "worker": kill.worker,
            "seconds_into_run": round(kill.at - load.started, 2),
            "statement": kill.statement,
            "escalations_committed_at_kill": kill.escalations_before,
            "exit_code": killed.process.returncode,
            "survivor": survivor.name,
            "survivor_alive": survivor.alive(),
            "survivor_escalated_after_kill": escalated_by(survivor, after=kill.at_wall),
        },
        "database": load.facts,
    }


def drill(args: argparse.Namespace) -> dict:
    clock = Clock(BUDGET_SECONDS)
    services: list[Service] = []
    killer: SweepKiller | None = None
    workdir = Path(tempfile.mkdtemp(prefix="desk-drill-"))
    keep_workdir = True
    say(f"logs and state in {workdir}")
    try:
        _stores_prepare(args, clock=clock)
        ports = _two_ports()
        environment = _environment(args, workdir=workdir, ports=ports)
        (workdir / "var").mkdir()
        password = _site_set_up(environment, clock=clock)
        workers = services_add(services, environment=environment, ports=ports, workdir=workdir)
        services_start(services, ports=ports, clock=clock)
        token = _token(ports[0], password)
        killer = SweepKiller(args.database_url, workers)
        killer.start()
        load = _load_run(args.database_url, ports=ports, token=token, killer=killer, clock=clock)
        summary = _summary(load, ports=ports, services=services, workers=workers)
        summary["timings_s"] = clock.marks
        problems = verify(summary, expected_escalations=COMPLAINTS // 2)
        summary["problems"] = problems
        clock.marks["total_s"] = round(clock.elapsed(), 2)
        keep_workdir = bool(problems) or args.keep_logs
        return summary
    except BaseException:
        for service in services:
            if service.process is not None:
                say(f"--- {service.name} log (last lines) ---\n{service.tail()}")
        raise
    finally:
        if killer is not None:
            killer.stop.set()
        stop_all(services)
        leftovers = [s.name for s in services if s.alive()]
        if leftovers:
            say(f"still running after the stop: {leftovers}")
        if keep_workdir:
            say(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
