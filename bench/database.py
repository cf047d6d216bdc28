"""The benchmark's own PostgreSQL database: ``desk_bench_<N>``, built once and reused.

Built through the real commands (``migrate``, then ``seed_demo``), so the bench measures the
schema and the demo data the project ships. A database that already holds N complaints is
reused; ``--rebuild`` drops it first. The build's time is kept next to the results, so a
re-run still reports it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg2

SERVER = "postgres://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / "var" / "bench"


@dataclass
class Build:
    name: str
    url: str
    complaints: int
    seed: int
    reused: bool
    seed_seconds: float | None
    migrate_seconds: float | None
    vacuum_seconds: float | None
    built_at: str | None
    load_during_build: str | None


def database_name(complaints: int) -> str:
    return f"desk_bench_{complaints}"


def _admin_execute(sql: str, params=None) -> list:
    # No ``with connection``: psycopg2 would open a transaction, and CREATE/DROP DATABASE
    # refuse to run inside one.
    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def _exists(name: str) -> bool:
    return bool(_admin_execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def _complaint_count(url: str) -> int | None:
    try:
        connection = psycopg2.connect(url)
    except psycopg2.OperationalError:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('complaints_complaint') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute("SELECT count(*) FROM complaints_complaint")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def _manage(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def _vacuum(url: str) -> float:
    """What autovacuum would have done on a live site: statistics and the visibility map
    (without it PostgreSQL cannot answer from an index alone)."""
    started = time.perf_counter()
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    connection.close()
    return time.perf_counter() - started


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def database_ensure(*, complaints: int, seed: int, rebuild: bool, env: dict) -> Build:
    """The database with ``complaints`` demo complaints, migrated to the current schema."""
    name = database_name(complaints)
    url = f"{SERVER}/{name}"
    env = {**env, "DATABASE_URL": url}
    state_file = STATE_DIR / f"{name}.json"
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    if not rebuild and _exists(name) and _complaint_count(url) == complaints:
        print(f"Reusing {name}: it holds {complaints:,} complaints.", flush=True)
        # New migrations (an index, say) still apply to a reused database.
        _manage(env, "migrate", "--noinput", "-v", "0")
        recorded = json.loads(state_file.read_text()) if state_file.exists() else {}
        return Build(
            name=name,
            url=url,
            complaints=complaints,
            seed=recorded.get("seed", seed),
            reused=True,
            seed_seconds=recorded.get("seed_seconds"),
            migrate_seconds=recorded.get("migrate_seconds"),
            vacuum_seconds=recorded.get("vacuum_seconds"),
            built_at=recorded.get("built_at"),
            load_during_build=recorded.get("load_during_build"),
        )
    print(f"Building {name} with {complaints:,} complaints (seed {seed}).", flush=True)
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_execute(f'CREATE DATABASE "{name}"')
    load_before = load_average()
    migrate_seconds = _manage(env, "migrate", "--noinput", "-v", "0")
    seed_seconds = _manage(
        env, "seed_demo", "--bulk", "--complaints", str(complaints), "--seed", str(seed)
    )
    load_after = load_average()
    vacuum_seconds = _vacuum(url)
    build = Build(
        name=name,
        url=url,
        complaints=complaints,
        seed=seed,
        reused=False,
        seed_seconds=round(seed_seconds, 1),
        migrate_seconds=round(migrate_seconds, 1),
        vacuum_seconds=round(vacuum_seconds, 1),
        built_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        load_during_build=f"before {load_before}; after {load_after}",
    )
    state_file.write_text(json.dumps(asdict(build), indent=2))
    return build


def complaints_delete_after(url: str, last_id: int) -> int:
    """Remove what the intake run added (complaints with an id above ``last_id`` and every row
    hanging off them), so the database holds N complaints again for the next run.

    Events are append-only for the application; this is the benchmark's own scratch database,
    and the foreign-key triggers are switched off for this one transaction only.
    """
    tables = [
        ("complaints_notification", "complaint_id"),
        ("complaints_complaintevent", "complaint_id"),
        ("complaints_escalation", "complaint_id"),
        ("complaints_callback", "complaint_id"),
        ("complaints_evidence", "complaint_id"),
        ("complaints_deadline", "complaint_id"),
    ]
    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, column in tables:
                cursor.execute(f"DELETE FROM {table} WHERE {column} > %s", [last_id])
            cursor.execute("DELETE FROM complaints_complaint WHERE id > %s", [last_id])
            removed = cursor.rowcount
    finally:
        connection.close()
    return removed


def bench_env(*, static_root: Path, var_dir: Path) -> dict:
    """Production settings on plain-HTTP loopback, with a throwaway secret."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-" + os.urandom(24).hex(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATIC_ROOT=str(static_root),
        DESK_VAR_DIR=str(var_dir),
        DJANGO_LOG_LEVEL="WARNING",
        GUNICORN_LOG_LEVEL="warning",
        PYTHONUNBUFFERED="1",
    )
    # The embedded broker (files under DESK_VAR_DIR) takes the tasks queued on commit; no
    # Redis is needed and nothing is sent.
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "DJANGO_DEBUG"):
        env.pop(name, None)
    return env


def database_fresh(name: str) -> str:
    """A database of that name dropped, created and migrated afresh; its URL. For the
    benchmarks that build their own few rows instead of the demo's complaints."""
    url = f"{SERVER}/{name}"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return url
