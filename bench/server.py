"""Server-side measurements: Django's test client in this process, against the bench database.

Each figure is the median of ``runs`` timed runs after one warm-up run; the query count comes
from one more run under ``CaptureQueriesContext``, whose SQL also feeds the EXPLAINs. Needs
Django set up (``bench.run`` does it) with the production settings the web workers use.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

HOST = "127.0.0.1"


@dataclass
class Scenario:
    name: str
    path: str
    user: str | None  # a demo username; None: anonymous
    api: bool = False


@dataclass
class Figure:
    name: str
    median_ms: float
    runs_ms: list[float]
    queries: int | None
    note: str = ""
    sql: list[str] = field(default_factory=list, repr=False)


@dataclass
class Fixtures:
    """What the scenarios point at, chosen from the data, the same way on every run."""

    estate: str
    reference: str
    phone: str
    week: str


def fixtures_choose() -> Fixtures:
    from complaints.models import Complaint
    from reports.iso_weeks import IsoWeek
    from residents.models import Estate

    estate = Estate.objects.order_by("code").values_list("code", flat=True).first()
    # A complaint with a long life from the newest thousand: the detail page at its fullest.
    recent = Complaint.objects.order_by("-id").values("pk")[:1000]
    busiest = (
        Complaint.objects.filter(pk__in=recent)
        .annotate(n=Count("events"))
        .order_by("-n", "-id")
        .values_list("reference", flat=True)
        .first()
    )
    # A phone number from the middle of the table: a search for one resident's complaints.
    middle = Complaint.objects.order_by("id").values_list("id", flat=True)
    count = Complaint.objects.count()
    pivot = middle[count // 2] if count else 0
    phone = (
        Complaint.objects.filter(pk__gte=pivot)
        .exclude(contact_phone="")
        .order_by("pk")
        .values_list("contact_phone", flat=True)
        .first()
    ) or "13800000000"
    return Fixtures(
        estate=estate, reference=busiest or "", phone=phone, week=str(IsoWeek.last_full())
    )


def scenarios(fx: Fixtures) -> list[Scenario]:
    return [
        Scenario("login page (floor)", "/accounts/login/", None),
        Scenario("worklist", "/complaints/", "frontdesk"),
        Scenario(
            "worklist: estate+stage+overdue",
            f"/complaints/?estate={fx.estate}&stage=resolution&overdue=on",
            "frontdesk",
        ),
        Scenario("worklist: search by phone", f"/complaints/?q={fx.phone}", "frontdesk"),
        Scenario("complaint page", f"/complaints/{fx.reference}/", "frontdesk"),
        Scenario("escalation queue", "/escalations/", "supervisor"),
        Scenario("API complaint list", "/api/v1/complaints/", "frontdesk", api=True),
        Scenario(
            "weekly summary, one estate",
            f"/reports/weekly/?week={fx.week}&estate={fx.estate}",
            "manager",
        ),
        Scenario("weekly summary, all estates", f"/reports/weekly/?week={fx.week}", "manager"),
    ]


def _median(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    fn()  # warm-up: templates, translations, connection, the database's caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def _counted(fn: Callable[[], object]) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured), [q["sql"] for q in captured.captured_queries]


def clients() -> dict[str | None, Client]:
    found = {None: Client(HTTP_HOST=HOST)}
    for username in ("frontdesk", "frontdesk_b", "supervisor", "manager"):
        client = Client(HTTP_HOST=HOST)
        client.force_login(User.objects.get(username=username))
        found[username] = client
    return found


def _getter(client: Client, path: str, *, before: Callable[[], object] | None = None):
    """A GET of ``path`` that must answer 200; ``before`` runs first, inside the timing."""

    def get():
        if before is not None:
            before()
        response = client.get(path, secure=False)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        return response

    return get


def page_figures(items: list[Scenario], runs: int) -> list[Figure]:
    by_user = clients()
    figures = []
    for scenario in items:
        get = _getter(by_user[scenario.user], scenario.path)
        median, times = _median(get, runs)
        queries, sql = _counted(get)
        figures.append(Figure(scenario.name, median, times, queries, sql=sql))
        print(f"  {scenario.name}: {median:.1f} ms, {queries} queries", flush=True)
    return figures


COMPUTED = " (computed)"


def weekly_computed(items: list[Scenario], runs: int) -> list[Figure]:
    """The weekly summary when its week is not stored yet: the first read after the week
    ends, or after a change that reaches back into it. Each run starts with no stored week."""
    from reports.models import WeeklySummarySnapshot

    by_user = clients()
    figures = []
    for scenario in items:
        if not scenario.name.startswith("weekly summary"):
            continue
        get = _getter(
            by_user[scenario.user],
            scenario.path,
            before=lambda: WeeklySummarySnapshot.objects.all().delete(),
        )
        median, times = _median(get, runs)
        queries, sql = _counted(get)
        name = scenario.name + COMPUTED
        figures.append(Figure(name, median, times, queries, sql=sql))
        print(f"  {name}: {median:.1f} ms, {queries} queries", flush=True)
    return figures


def sweep_idle(runs: int) -> tuple[Figure, str]:
    """An idle sweep: one real sweep first does what fell due since the build (or the last
    run); the sweeps timed after it, at the same instant, find nothing left to do."""
    from complaints.services.sweep import sweep_run

    now = timezone.now()
    catch_up = sweep_run(now=now)

    def idle():
        return sweep_run(now=now)

    median, times = _median(idle, runs)
    queries, sql = _counted(idle)
    figure = Figure("idle sweep", median, times, queries, note=f"catch-up: {catch_up}", sql=sql)
    return figure, str(catch_up)


class _Rollback(Exception):
    pass


def _make_due(count: int, now: dt.datetime) -> int:
    """Make ``count`` deadlines due a minute ago: pending ones not yet due first; when there
    are too few of those (a small database), met or cancelled ones of open complaints that
    never escalated are made pending again."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE complaints_deadline SET due_at = %(due)s, state = 'pending', met_at = NULL
            WHERE id IN (
                SELECT d.id FROM complaints_deadline d
                JOIN complaints_complaint c ON c.id = d.complaint_id
                WHERE d.starts_at <= %(due)s AND (
                    (d.state = 'pending' AND d.due_at > %(now)s)
                    OR (d.state IN ('met', 'cancelled') AND c.stage <> 'closed'
                        AND NOT EXISTS (
                            SELECT 1 FROM complaints_escalation e WHERE e.deadline_id = d.id))
                )
                ORDER BY (d.state = 'pending') DESC, d.id
                LIMIT %(count)s
            )
            """,
            {"due": now - dt.timedelta(minutes=1), "now": now, "count": count},
        )
        return cursor.rowcount


def _sweep_once(count: int, *, capture: bool = False) -> tuple[int, object, float, list[str]]:
    from complaints.services.sweep import sweep_run

    try:
        with transaction.atomic():
            now = timezone.now()
            moved = _make_due(count, now)
            captured = CaptureQueriesContext(connection) if capture else nullcontext()
            with captured:
                started = time.perf_counter()
                result = sweep_run(now=now)
                elapsed = (time.perf_counter() - started) * 1000
            sql = [q["sql"] for q in captured.captured_queries] if capture else []
            raise _Rollback(moved, result, elapsed, sql)
    except _Rollback as done:
        return done.args


def sweep_due(count: int, runs: int) -> Figure:
    """A sweep that escalates ``count`` due deadlines, in a transaction rolled back after each
    run: the data is the same before and after. The batches' own transactions become
    savepoints inside it, so each run saves the per-batch commits (a few ms each)."""
    times, escalated = [], []
    for attempt in range(runs + 1):
        moved, result, elapsed, _sql = _sweep_once(count)
        print(
            f"  sweep with {moved:,} due: {elapsed:.0f} ms, escalated {len(result.escalated):,}",
            flush=True,
        )
        if attempt:  # the first run warms up
            times.append(elapsed)
            escalated.append(len(result.escalated))
    moved, result, _elapsed, sql = _sweep_once(count, capture=True)
    return Figure(
        f"sweep, {count:,} deadlines due",
        statistics.median(times),
        times,
        len(sql),
        note=f"moved {moved:,}; escalated {statistics.median(escalated):,.0f} per run",
        sql=sql,
    )


def explain(sql: str, *, jit_off: bool = False) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        if jit_off:
            cursor.execute("SET LOCAL jit = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)  # EXPLAIN ANALYZE runs the statement: undo it
    return plan


def explain_due_probe(count: int) -> dict:
    """The sweep's first query with ``count`` deadlines due, in a transaction rolled back."""
    from complaints.models import Deadline, DeadlineState

    with transaction.atomic():
        now = timezone.now()
        _make_due(count, now)
        probe = (
            Deadline.objects.filter(state=DeadlineState.PENDING, due_at__lte=now)
            .order_by("due_at")
            .values_list("complaint_id", flat=True)[:1000]
        )
        sql, params = probe.query.sql_with_params()
        with connection.cursor() as cursor:
            statement = cursor.mogrify(sql, params).decode()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return {"sql": statement, "plan": plan}


def vacuum() -> None:
    """Clear the dead rows the rolled-back sweeps and the intake clean-up left, so the next
    run starts clean."""
    tables = (
        "complaints_complaint",
        "complaints_deadline",
        "complaints_escalation",
        "complaints_complaintevent",
        "complaints_notification",
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) " + ", ".join(tables))


def pick(sql: list[str], *needles: str) -> str | None:
    """The first captured statement holding every needle."""
    for statement in sql:
        if all(needle in statement for needle in needles):
            return statement
    return None
