#!/usr/bin/env python3
"""The multi-process drill: the production layout on loopback, under load, with a worker killed.

``make drill`` (or ``python scripts/drill.py``) runs, against a PostgreSQL database and a Redis
database number of its own:

1. drop and create the database (``desk_drill``; or, with ``--existing-database``, use a test
   database that is already there), empty the Redis database; ``migrate``, ``collectstatic``,
   ``check --deploy`` with the production settings; an estate, a front-desk user and a
   supervisor;
2. two gunicorn web processes on two loopback ports, two Celery workers and one beat, started
   with the command lines and environment of the sample units in deploy/systemd/ and the
   gunicorn configuration deploy/gunicorn.conf.py (the ones docs/deploy.md installs);
3. 200 complaints logged concurrently through the API, spread over both web processes, half
   of them urgent and back-dated so that their acknowledge deadline has already passed;
4. one worker SIGKILLed while it is inside a sweep transaction that escalates (found in
   pg_stat_activity, frozen with SIGSTOP and checked again), once some escalations exist;
   the other worker must finish the work;
5. checks: 200 distinct complaints, every overdue acknowledge deadline escalated exactly once
   and no other, every notification row sent, no 5xx from either web process.

Everything listens on and talks to 127.0.0.1 only; every process is stopped at the end, also
on failure or Ctrl-C. The whole drill stays under three minutes.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
UNITS = ROOT / "deploy" / "systemd"
# Where the sample units expect the virtualenv; the drill runs the one it was started from.
UNIT_BIN = "/srv/complaint-desk/.venv/bin/"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/desk_drill"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
COMPLAINTS = 200
BUDGET_SECONDS = 170
ESTATE = "DRL"
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

# The sweep's escalating transaction touches these tables and, last, complaints_notification;
# a worker's outbox run touches complaints_notification only.
SWEEP_TABLES = re.compile(
    r'"(complaints_complaint|complaints_deadline|complaints_escalation|complaints_complaintevent'
    r'|auth_user)"'
)
# Workers that have written in an open transaction, with what they ran last.
WRITING_WORKERS = """
SELECT application_name, pid, query
FROM pg_stat_activity
WHERE datname = current_database()
  AND application_name LIKE 'complaint-desk-worker%'
  AND backend_xid IS NOT NULL
"""
BACKEND = "SELECT state, backend_xid IS NOT NULL, query FROM pg_stat_activity WHERE pid = %s"


def in_sweep(statement: str) -> bool:
    return bool(SWEEP_TABLES.search(statement)) and "complaints_notification" not in statement


class DrillFailed(Exception):
    pass


def say(message: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


# --- the sample units ---------------------------------------------------------------------


def _specifiers(value: str, instance: str, host: str) -> str:
    """systemd's %-specifiers the sample units use; any other one is an error here."""
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        spec = value[i + 1 : i + 2]
        replacement = {"%": "%", "i": instance, "I": instance, "H": host}.get(spec)
        if replacement is None:
            raise DrillFailed(f"the drill does not know the unit specifier %{spec} in {value!r}")
        out.append(replacement)
        i += 2
    return "".join(out)


def unit_command(name: str, *, instance: str = "", host: str = "drill") -> tuple[list, dict]:
    """ExecStart= and Environment= of a sample unit, as systemd would run them here."""
    text = re.sub(r"\\\n", " ", (UNITS / name).read_text())
    section, argv, environment = "", None, {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]":
            continue
        key, _, value = line.partition("=")
        value = _specifiers(value, instance, host)
        if key == "ExecStart":
            argv = shlex.split(value)
        elif key == "Environment":
            for item in shlex.split(value):
                variable, _, setting = item.partition("=")
                environment[variable] = setting
    if not argv or not argv[0].startswith(UNIT_BIN):
        raise DrillFailed(f"{name}: ExecStart must run a program from {UNIT_BIN}")
    argv[0] = str(BIN / argv[0].removeprefix(UNIT_BIN))
    return argv, environment


# --- processes ----------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    argv: list
    env: dict
    log: Path
    process: subprocess.Popen | None = None
    started: float = 0.0

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the kill takes the children
            )
        self.started = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def records(self) -> list[dict]:
        """The JSON log lines (DJANGO_LOG_FORMAT=json); banners and the like are skipped."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found


def stop_all(services: list[Service]) -> None:
    running = [s for s in services if s.alive()]
    for service in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for service in running:
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for service in services:
        if service.process is None:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.process.pid, signal.SIGKILL)  # stragglers and orphaned children
        try:
            service.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            say(f"{service.name} (pid {service.process.pid}) did not exit")


# --- helpers ------------------------------------------------------------------------------


class Clock:
    def __init__(self, budget: float) -> None:
        self.start = time.monotonic()
        self.budget = budget
        self.marks: dict[str, float] = {}

    def left(self) -> float:
        return self.budget - (time.monotonic() - self.start)

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def mark(self, name: str, since: float) -> float:
        self.marks[name] = round(time.monotonic() - since, 2)
        return self.marks[name]


def wait_for(predicate, *, clock: Clock, timeout: float, what: str, every: float = 0.25):
    deadline = time.monotonic() + min(timeout, clock.left())
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise DrillFailed(f"timed out waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, *, body=None, headers=None, timeout: float = 30):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data[:200].decode(errors="replace")
    return response.status, parsed


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


def loopback_only(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise DrillFailed(f"{what} must be on 127.0.0.1 for the drill, not {host!r}")


def prepare_database(url: str, *, existing: bool) -> str:
    loopback_only(url, "the database")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if existing:
        if not (name.startswith("test_") or "drill" in name):
            raise DrillFailed(f"refusing to write into {name!r}: not a test or drill database")
        return name
    if "drill" not in name or not re.fullmatch(r"[a-z0-9_]+", name):
        raise DrillFailed(f"refusing to drop {name!r}: the drill's database name contains 'drill'")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return name


def prepare_redis(url: str) -> None:
    loopback_only(url, "Redis")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    if client.connection_pool.connection_kwargs.get("db", 0) == 0:
        raise DrillFailed("the drill empties its Redis database: give it one other than 0")
    client.flushdb()


# --- the kill -----------------------------------------------------------------------------


@dataclass
class Kill:
    worker: str = ""
    statement: str = ""
    at_wall: dt.datetime | None = None
    at: float = 0.0
    escalations_before: int = 0
    inside_sweep: bool = False


class SweepKiller(threading.Thread):
    """Watches pg_stat_activity; once some escalations are committed, SIGKILLs the first
    worker caught inside an escalating sweep."""

    def __init__(self, dsn: str, workers: dict[str, Service]) -> None:
        super().__init__(name="sweep-killer", daemon=True)
        self.dsn = dsn
        self.workers = workers
        self.done = threading.Event()
        self.stop = threading.Event()
        self.kill = Kill()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._watch()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            self.error = exc
        finally:
            self.done.set()

    def _watch(self) -> None:
        connection = psycopg2.connect(self.dsn)
        connection.autocommit = True
        cursor = connection.cursor()
        armed_checked = 0.0
        armed = False
        while not self.stop.is_set():
            if not armed and time.monotonic() - armed_checked > 0.05:
                armed_checked = time.monotonic()
                cursor.execute("SELECT count(*) FROM complaints_escalation")
                armed = cursor.fetchone()[0] > 0
            if armed:
                cursor.execute(WRITING_WORKERS)
                for application, backend, statement in cursor.fetchall():
                    if in_sweep(statement) and self._freeze_then_kill(application, backend, cursor):
                        connection.close()
                        return
            time.sleep(0.002)
        connection.close()

    def _freeze_then_kill(self, application: str, backend: int, cursor) -> bool:
        """SIGSTOP the worker, then look again: pg_stat_activity can be a moment behind, and
        a frozen client cannot move on. Killed only if it is still inside the sweep's
        transaction (so it holds no claimed notifications); otherwise it goes on."""
        service = self.workers[application]
        os.killpg(service.process.pid, signal.SIGSTOP)
        killed = False
        try:
            row = None
            for _ in range(200):  # let a running statement finish
                cursor.execute(BACKEND, [backend])
                row = cursor.fetchone()
                if row is None or row[0] != "active":
                    break
                time.sleep(0.005)
            if row and row[0] == "idle in transaction" and row[1] and in_sweep(row[2]):
                os.killpg(service.process.pid, signal.SIGKILL)
                killed = True
                self._record(service, backend, row[2], cursor=cursor)
        finally:
            if not killed:
                os.killpg(service.process.pid, signal.SIGCONT)
        return killed

    def _record(self, service: Service, backend: int, statement: str, *, cursor) -> None:
        self.kill.at = time.monotonic()
        self.kill.at_wall = dt.datetime.now(dt.UTC)
        self.kill.worker = service.name
        self.kill.statement = " ".join(statement.split())[:120]
        self.kill.inside_sweep = True
        service.process.wait(timeout=10)
        # The server notices the dead client and rolls its transaction back.
        for _ in range(500):
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
            if not cursor.fetchone():
                break
            time.sleep(0.01)
        cursor.execute("SELECT count(*) FROM complaints_escalation")
        self.kill.escalations_before = cursor.fetchone()[0]


# --- the drill ----------------------------------------------------------------------------


@dataclass
class Intake:
    statuses: dict[int, int] = field(default_factory=dict)
    per_port: dict[int, int] = field(default_factory=dict)
    references: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def complaint_body(index: int, now: dt.datetime) -> dict:
    body = {
        "estate": ESTATE,
        "channel": ("phone", "walk_in", "front_desk", "online")[index % 4],
        "category": ("FAC-LIFT", "FAC-UTIL", "ENV-CLEAN", "SEC-NOISE", "QUAL-LEAK")[index % 5],
        "summary": f"演练投诉 drill complaint {index}",
        "account": f"Drill complaint number {index}, logged by the multi-process drill.",
        "contact_name": f"演练住户{index}",
        "contact_phone": f"139{index:08d}",
    }
    if index % 2 == 0:
        # Urgent, received on paper 20-109 minutes ago: the 15-minute acknowledgement is gone.
        body["severity"] = "urgent"
        body["received_at"] = (now - dt.timedelta(minutes=20 + index % 90)).isoformat()
    else:
        body["severity"] = "normal"
    return body


def log_complaints(ports: list[int], token: str) -> tuple[Intake, float]:
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        # What nginx adds in front (deploy/nginx/complaint-desk.conf).
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
    }
    now = dt.datetime.now(dt.UTC)
    intake = Intake()
    began = time.monotonic()

    def one(index: int):
        # Arrivals spread over at least six seconds, so that several sweeps (every two
        # seconds) meet new overdue complaints, however fast the machine.
        time.sleep(max(0.0, began + index * 0.03 - time.monotonic()))
        port = ports[index % len(ports)]
        started = time.monotonic()
        try:
            status, body = request(
                port,
                "POST",
                "/api/v1/complaints/",
                body=complaint_body(index, now),
                headers=headers,
            )
        except OSError as exc:
            return index, port, 0, time.monotonic() - started, repr(exc)
        return index, port, status, time.monotonic() - started, body

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        for index, port, status, latency, body in pool.map(one, range(COMPLAINTS)):
            intake.statuses[status] = intake.statuses.get(status, 0) + 1
            intake.latencies.append(latency)
            if status == 201:
                intake.per_port[port] = intake.per_port.get(port, 0) + 1
                intake.references.add(body["reference"])
            else:
                intake.failures.append(f"#{index} on :{port}: {status} {str(body)[:200]}")
    return intake, time.monotonic() - began


def count(cursor, sql: str, params=()) -> int:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def check_database(cursor, *, estate_id: int, checked_at: dt.datetime) -> dict:
    """Facts from the database; the drill's assertions are made on them."""
    facts = {
        "complaints": count(
            cursor, "SELECT count(*) FROM complaints_complaint WHERE estate_id = %s", [estate_id]
        ),
        "distinct_references": count(
            cursor,
            "SELECT count(DISTINCT reference) FROM complaints_complaint WHERE estate_id = %s",
            [estate_id],
        ),
    }
    cursor.execute(
        """
        SELECT d.id, d.kind, d.state, count(e.id)
        FROM complaints_deadline d
        JOIN complaints_complaint c ON c.id = d.complaint_id
        LEFT JOIN complaints_escalation e ON e.deadline_id = d.id
        WHERE c.estate_id = %s AND d.due_at <= %s AND d.state <> 'cancelled'
        GROUP BY d.id, d.kind, d.state
        """,
        [estate_id, checked_at],
    )
    overdue = cursor.fetchall()
    facts["overdue_deadlines"] = len(overdue)
    facts["overdue_acknowledge"] = sum(1 for row in overdue if row[1] == "acknowledge")
    facts["overdue_escalated_once"] = sum(1 for row in overdue if row[3] == 1)
    facts["overdue_not_missed"] = sum(1 for row in overdue if row[2] != "missed")
    facts["overdue_without_escalation"] = sum(1 for row in overdue if row[3] == 0)
    facts["overdue_escalated_twice_or_more"] = sum(1 for row in overdue if row[3] > 1)
    facts["escalations"] = count(cursor, "SELECT count(*) FROM complaints_escalation")
    facts["escalations_for_deadlines_not_due"] = count(
        cursor,
        """SELECT count(*) FROM complaints_escalation e
           JOIN complaints_deadline d ON d.id = e.deadline_id WHERE d.due_at > %s""",
        [checked_at],
    )
    facts["escalated_events"] = count(
        cursor, "SELECT count(*) FROM complaints_complaintevent WHERE kind = 'escalated'"
    )
    cursor.execute(
        "SELECT escalation_level, severity, count(*) FROM complaints_complaint "
        "WHERE estate_id = %s GROUP BY 1, 2 ORDER BY 1, 2",
        [estate_id],
    )
    facts["levels"] = {f"{severity}@{level}": n for level, severity, n in cursor.fetchall()}
    cursor.execute(
        "SELECT kind, count(*), count(sent_at) FROM complaints_notification GROUP BY kind"
    )
    facts["notifications"] = {kind: [total, sent] for kind, total, sent in cursor.fetchall()}
    facts["notifications_unsent"] = count(
        cursor, "SELECT count(*) FROM complaints_notification WHERE sent_at IS NULL"
    )
    facts["notifications_leased_far"] = count(
        cursor,
        "SELECT count(*) FROM complaints_notification "
        "WHERE sent_at IS NULL AND not_before > %s + interval '1 minute'",
        [checked_at],
    )
    return facts


def access_statuses(services: list[Service]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for service in services:
        statuses: dict[str, int] = {}
        for record in service.records():
            if record.get("logger") != "gunicorn.access":
                continue
            match = re.search(r'" (\d{3}) ', record.get("message", ""))
            if match:
                statuses[match.group(1)] = statuses.get(match.group(1), 0) + 1
        found[service.name] = statuses
    return found


def escalated_by(service: Service, *, after: dt.datetime | None = None) -> int:
    """Escalations the worker's sweeps reported (Celery's JSON task-success lines)."""
    total = 0
    for record in service.records():
        data = record.get("data") or {}
        if record.get("logger") != "celery.app.trace" or not isinstance(data, dict):
            continue
        if data.get("name") != "complaints.tasks.sweep_deadlines":
            continue
        if after is not None and dt.datetime.fromisoformat(record["time"]) <= after:
            continue
        match = re.search(r"escalated (\d+)", str(data.get("return_value", "")))
        total += int(match.group(1)) if match else 0
    return total


def drill(args: argparse.Namespace) -> dict:
    clock = Clock(BUDGET_SECONDS)
    services: list[Service] = []
    killer: SweepKiller | None = None
    workdir = Path(tempfile.mkdtemp(prefix="desk-drill-"))
    keep_workdir = True
    say(f"logs and state in {workdir}")
    try:
        since = time.monotonic()
        name = prepare_database(args.database_url, existing=args.existing_database)
        prepare_redis(args.redis_url)
        clock.mark("prepare_s", since)
        say(f"database {name} ready, Redis {args.redis_url} emptied")

        ports = [free_port(), free_port()]
        while ports[1] == ports[0]:
            ports[1] = free_port()
        # The drill's /etc/complaint-desk/env.
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
        (workdir / "var").mkdir()

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

        for number, port in enumerate(ports, start=1):
            argv, unit_env = unit_command("complaint-desk-web.service")
            services.append(
                Service(
                    f"web{number}",
                    argv,
                    {**unit_env, **environment, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    workdir / f"web{number}.log",
                )
            )
        workers: dict[str, Service] = {}
        for number in (1, 2):
            argv, unit_env = unit_command("complaint-desk-worker@.service", instance=str(number))
            worker = Service(
                f"worker{number}",
                argv,
                {**unit_env, **environment},
                workdir / f"worker{number}.log",
            )
            workers[unit_env["PGAPPNAME"]] = worker
            services.append(worker)
        argv, unit_env = unit_command("complaint-desk-beat.service")
        beat = Service("beat", argv, {**unit_env, **environment}, workdir / "beat.log")
        services.append(beat)

        since = time.monotonic()
        for service in services:
            service.start()

        def ready() -> bool:
            for service in services:
                if not service.alive():
                    raise DrillFailed(f"{service.name} exited early:\n{service.tail()}")
            for port in ports:
                try:
                    status, body = request(port, "GET", "/healthz", timeout=2)
                except OSError:
                    return False
                if status != 200 or body != {"database": "ok", "broker": "ok"}:
                    return False
            logs = {s.name: s.log.read_text(errors="replace") for s in services}
            return (
                all(f"worker{n}@drill ready." in logs[f"worker{n}"] for n in (1, 2))
                and "beat: Starting..." in logs["beat"]
            )

        wait_for(ready, clock=clock, timeout=60, what="web, workers and beat to be ready")
        clock.mark("start_s", since)
        say(f"2 web processes on :{ports[0]} and :{ports[1]}, 2 workers and beat are up")

        status, body = request(
            ports[0],
            "POST",
            "/api/v1/auth/token/",
            body={"username": "drill_frontdesk", "password": password},
            headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
        )
        if status != 200:
            raise DrillFailed(f"token: {status} {body}")
        token = body["token"]

        killer = SweepKiller(args.database_url, workers)
        killer.start()
        run_started = time.monotonic()
        intake, intake_seconds = log_complaints(ports, token)
        clock.marks["intake_s"] = round(intake_seconds, 2)
        say(
            f"{COMPLAINTS} complaints posted in {intake_seconds:.1f}s: statuses {intake.statuses}"
            f", per port {intake.per_port}"
        )

        database = psycopg2.connect(args.database_url)
        database.autocommit = True
        cursor = database.cursor()
        estate_id = count(cursor, "SELECT id FROM residents_estate WHERE code = %s", [ESTATE])
        expected_escalations = COMPLAINTS // 2

        def escalations_done() -> bool:
            return (
                count(cursor, "SELECT count(*) FROM complaints_escalation") >= expected_escalations
            )

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

        def everything_sent() -> bool:
            return (
                count(cursor, "SELECT count(*) FROM complaints_notification WHERE sent_at IS NULL")
                == 0
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
        time.sleep(4)  # two more sweeps: nothing may be added
        checked_at = dt.datetime.now(dt.UTC)
        facts = check_database(cursor, estate_id=estate_id, checked_at=checked_at)
        facts["escalations_after_kill"] = count(
            cursor,
            "SELECT count(*) FROM complaints_escalation WHERE created_at > %s",
            [kill.at_wall],
        )
        database.close()

        survivor = next(s for s in workers.values() if s.name != kill.worker)
        killed = next(s for s in workers.values() if s.name == kill.worker)
        web_statuses = access_statuses([s for s in services if s.name.startswith("web")])
        summary = {
            "complaints_posted": COMPLAINTS,
            "intake": {
                "statuses": {str(k): v for k, v in sorted(intake.statuses.items())},
                "per_web_process": {
                    f"web{n}": intake.per_port.get(p, 0) for n, p in enumerate(ports, start=1)
                },
                "seconds": round(intake_seconds, 2),
                "per_second": round(COMPLAINTS / intake_seconds, 1),
                "latency_ms_median": round(statistics.median(intake.latencies) * 1000),
                "latency_ms_p95": round(statistics.quantiles(intake.latencies, n=20)[-1] * 1000),
                "distinct_references": len(intake.references),
            },
            "web_access_log_statuses": web_statuses,
            "kill": {
                "worker": kill.worker,
                "seconds_into_run": round(kill.at - run_started, 2),
                "statement": kill.statement,
                "escalations_committed_at_kill": kill.escalations_before,
                "exit_code": killed.process.returncode,
                "survivor": survivor.name,
                "survivor_alive": survivor.alive(),
                "survivor_escalated_after_kill": escalated_by(survivor, after=kill.at_wall),
            },
            "database": facts,
            "timings_s": clock.marks,
        }
        problems = verify(summary, expected_escalations=expected_escalations)
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


def verify(summary: dict, *, expected_escalations: int) -> list[str]:
    facts, intake, kill = summary["database"], summary["intake"], summary["kill"]
    problems = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    expect(intake["statuses"] == {"201": COMPLAINTS}, f"intake answers {intake['statuses']}")
    expect(intake["distinct_references"] == COMPLAINTS, "references were not all distinct")
    expect(all(intake["per_web_process"].values()), "one web process got no complaints")
    expect(facts["complaints"] == COMPLAINTS, f"{facts['complaints']} complaints in the database")
    expect(facts["distinct_references"] == COMPLAINTS, "duplicate references in the database")
    expect(
        facts["overdue_deadlines"] == expected_escalations
        and facts["overdue_acknowledge"] == expected_escalations,
        f"{facts['overdue_deadlines']} overdue deadlines, expected {expected_escalations}"
        " acknowledge deadlines",
    )
    expect(
        facts["overdue_escalated_once"] == facts["overdue_deadlines"],
        f"{facts['overdue_without_escalation']} overdue deadlines without an escalation,"
        f" {facts['overdue_escalated_twice_or_more']} with more than one",
    )
    expect(facts["overdue_not_missed"] == 0, "an overdue deadline is not marked missed")
    expect(facts["escalations"] == expected_escalations, f"{facts['escalations']} escalations")
    expect(facts["escalations_for_deadlines_not_due"] == 0, "a deadline not yet due escalated")
    expect(facts["escalated_events"] == expected_escalations, "escalated events != escalations")
    expect(
        facts["levels"]
        == {"normal@0": COMPLAINTS - expected_escalations, "urgent@1": expected_escalations},
        f"escalation levels {facts['levels']}",
    )
    expect(facts["notifications_unsent"] == 0, f"{facts['notifications_unsent']} unsent")
    expect(
        facts["notifications_leased_far"] == 0,
        f"{facts['notifications_leased_far']} notifications claimed by the killed worker",
    )
    expected_kinds = {
        "received": [COMPLAINTS, COMPLAINTS],
        "urgent_intake": [expected_escalations, expected_escalations],
        "escalation": [expected_escalations, expected_escalations],
    }
    expect(facts["notifications"] == expected_kinds, f"notifications {facts['notifications']}")
    for name, statuses in summary["web_access_log_statuses"].items():
        expect(
            not any(status.startswith("5") for status in statuses),
            f"{name} answered {statuses}",
        )
    expect(kill["exit_code"] == -signal.SIGKILL, f"killed worker exit code {kill['exit_code']}")
    expect(kill["survivor_alive"], "the surviving worker died")
    expect(
        facts["escalations_after_kill"] > 0 and kill["survivor_escalated_after_kill"] > 0,
        "the surviving worker escalated nothing after the kill",
    )
    return problems


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DRILL_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL on 127.0.0.1; dropped and created unless --existing-database",
    )
    parser.add_argument(
        "--existing-database",
        action="store_true",
        help="use the database as it is (a pytest-django test database)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("DRILL_REDIS_URL", DEFAULT_REDIS_URL),
        help="a Redis database number of the drill's own; it is emptied first",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the processes' logs after a pass too"
    )
    args = parser.parse_args(argv)
    # Ctrl-C or a TERM from a CI runner: unwind through the finally that stops everything.
    signal.signal(signal.SIGTERM, _interrupted)
    started = time.monotonic()
    try:
        summary = drill(args)
    except DrillFailed as exc:
        say(f"FAILED: {exc}")
        return 1
    print_summary(summary)
    print("DRILL-RESULT " + json.dumps(summary, default=str), flush=True)
    if summary["problems"]:
        say("FAILED: " + "; ".join(summary["problems"]))
        return 1
    say(f"passed in {time.monotonic() - started:.1f}s")
    return 0


def print_summary(summary: dict) -> None:
    intake, kill, facts, times = (
        summary["intake"],
        summary["kill"],
        summary["database"],
        summary["timings_s"],
    )
    notifications = ", ".join(
        f"{k} {v[1]}/{v[0]}" for k, v in sorted(facts["notifications"].items())
    )
    lines = [
        "",
        "Drill summary",
        f"  intake      {summary['complaints_posted']} POSTs in {intake['seconds']}s"
        f" ({intake['per_second']}/s), median {intake['latency_ms_median']} ms,"
        f" p95 {intake['latency_ms_p95']} ms; answers {intake['statuses']};"
        f" {intake['per_web_process']}",
        f"  web logs    {summary['web_access_log_statuses']}",
        f"  complaints  {facts['complaints']} in the database,"
        f" {facts['distinct_references']} distinct references",
        f"  deadlines   {facts['overdue_deadlines']} overdue, {facts['overdue_escalated_once']}"
        f" escalated exactly once, {facts['overdue_without_escalation']} without,"
        f" {facts['overdue_escalated_twice_or_more']} twice or more;"
        f" {facts['escalations']} escalations in all",
        f"  kill        {kill['worker']} SIGKILLed {kill['seconds_into_run']}s into the run"
        f" inside the sweep with {kill['escalations_committed_at_kill']} escalations committed;"
        f" {kill['survivor']} escalated {kill['survivor_escalated_after_kill']} after it"
        f" ({facts['escalations_after_kill']} escalation rows dated after the kill)",
        f"  outbox      {notifications} sent; {facts['notifications_unsent']} unsent",
        f"  timings     {times}",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
