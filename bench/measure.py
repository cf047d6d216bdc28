"""The measurements in the order the bench takes them, once Django is set up against the bench
database: the server side, the EXPLAINs of its key queries, the HTTP side, and last the sweep
with deadlines due."""

from __future__ import annotations

import argparse

from django.contrib.auth.models import User
from django.db import connection

from bench import search, server, web
from bench.database import STATE_DIR, Build, complaints_delete_after, load_average
from bench.report import Results
from complaints.models import Category, Complaint
from residents.models import Unit
from staff.tokens import api_token_issue


def _postgres_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def _server_side(
    items: list[server.Scenario], runs: int, *, loads: dict[str, str]
) -> tuple[list[server.Figure], server.Figure]:
    loads["server side"] = load_average()
    print("Server side (test client):", flush=True)
    pages = server.page_figures(items, runs)
    # A finished week is stored; what its first reader waits for, measured apart.
    pages += server.weekly_computed(items, max(3, runs // 2))
    idle, catch_up = server.sweep_idle(runs)
    print(f"  idle sweep: {idle.median_ms:.1f} ms, {idle.queries} queries ({catch_up})")
    return pages, idle


def _explains(pages: list[server.Figure], idle: server.Figure) -> dict[str, dict]:
    """The plans of the statements the targets depend on, picked from the captured SQL."""
    by_name = {figure.name: figure for figure in pages}
    worklist_sql = server.pick(by_name["worklist"].sql, '"complaints_complaint"', "LIMIT 51")
    filtered_sql = server.pick(
        by_name["worklist: estate+stage+overdue"].sql, '"complaints_complaint"', "LIMIT 51"
    )
    search_sql = server.pick(
        by_name["worklist: search by phone"].sql, '"complaints_complaint"', "LIMIT 51"
    )
    weekly_sql = server.pick(
        by_name["weekly summary, all estates" + server.COMPUTED].sql,
        '"complaints_complaint"."top_category_id" AS "top_category_id"',
        "FILTER",
    )
    idle_probe_sql = server.pick(idle.sql, '"complaints_deadline"', "LIMIT")
    explains = {}
    for label, sql, jit_off in (
        ("worklist default", worklist_sql, False),
        ("worklist filtered (estate + stage + overdue)", filtered_sql, False),
        ("worklist searched by phone", search_sql, False),
        ("sweep due-deadline probe (idle)", idle_probe_sql, False),
        ("weekly summary main aggregate (all estates)", weekly_sql, True),
    ):
        if sql:
            explains[label] = {"sql": sql, "plan": server.explain(sql, jit_off=jit_off)}
    return explains


def _session_headers() -> dict[str | None, dict]:
    headers = {None: {}}
    for username, client in server.clients().items():
        if username:
            headers[username] = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    return headers


def _intake_units() -> list[tuple[str, int]]:
    """Every demo estate, as a company's desks would: intake numbers complaints per estate and
    day under one row lock, so one estate alone is the slowest."""
    units = []
    codes = Unit.objects.order_by().values_list("building__estate__code", flat=True)
    for code in sorted(set(codes)):
        ids = Unit.objects.filter(building__estate__code=code).values_list("id", flat=True)
        units += [(code, pk) for pk in web.sample(list(ids), 100)]
    return units


def _over_http(
    args: argparse.Namespace,
    *,
    env: dict,
    build: Build,
    items: list[server.Scenario],
    loads: dict[str, str],
) -> tuple[dict[str, float], web.Intake]:
    """The pages through gunicorn, then intake throughput; the complaints the intake added are
    removed afterwards, also when it fails."""
    loads["http"] = load_average()
    print(f"Over HTTP (gunicorn, {args.workers} workers):", flush=True)
    headers = _session_headers()
    log = STATE_DIR / f"gunicorn-{args.complaints}.log"
    last_id = Complaint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    http: dict[str, float] = {}
    try:
        with web.Gunicorn(env=env, workers=args.workers, log=log) as gunicorn:
            for figure in web.page_figures(gunicorn, items, headers, args.runs):
                http[figure.name] = figure.median_ms
            _stored, token = api_token_issue(user=User.objects.get(username="frontdesk"))
            units = _intake_units()
            categories = list(
                Category.objects.filter(parent__isnull=False, active=True).values_list(
                    "code", flat=True
                )
            )
            loads["intake"] = load_average()
            intake = web.intake(
                gunicorn,
                token=token,
                units=units,
                categories=categories,
                seconds=args.intake_seconds,
                connections=args.connections,
            )
            print(
                f"  intake: {intake.per_second:.0f}/s, p95 {intake.p95_ms:.0f} ms, "
                f"statuses {intake.statuses}, RSS {intake.rss_mb}",
                flush=True,
            )
    finally:
        removed = complaints_delete_after(build.url, last_id)
        print(f"  removed the {removed:,} complaints the intake run added", flush=True)
    return http, intake


def _sweep_with_due(
    count: int, runs: int, *, explains: dict[str, dict], loads: dict[str, str]
) -> server.Figure:
    loads["sweep with due deadlines"] = load_average()
    due = server.sweep_due(count, runs)
    explains[f"sweep due-deadline probe ({count:,} due)"] = server.explain_due_probe(count)
    server.vacuum()
    return due


def measurements_take(
    args: argparse.Namespace, *, env: dict, build: Build, loads: dict[str, str]
) -> Results:
    postgresql = _postgres_version()
    fx = server.fixtures_choose()
    searched = search.fixtures_choose()
    items = server.scenarios(fx) + search.scenarios(searched)
    print(f"Fixtures: {fx}; {searched}; units {Unit.objects.count():,}", flush=True)
    pages, idle = _server_side(items, args.runs, loads=loads)
    explains = _explains(pages, idle)
    http: dict[str, float] = {}
    intake = None
    if not args.skip_http:
        http, intake = _over_http(args, env=env, build=build, items=items, loads=loads)
    # Last: each run of it is rolled back, and the rolled-back updates leave dead rows behind
    # that would slow whatever ran after it until a vacuum.
    due = None
    if args.due:
        due = _sweep_with_due(args.due, args.runs, explains=explains, loads=loads)
    loads["end"] = load_average()
    return Results(
        complaints=args.complaints,
        units=Unit.objects.count(),
        workers=args.workers,
        build=build,
        loads=loads,
        postgresql=postgresql,
        pages=pages,
        idle=idle,
        due=due,
        http=http,
        intake=intake,
        explains=explains,
    )
