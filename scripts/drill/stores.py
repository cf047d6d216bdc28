"""The drill's PostgreSQL database and Redis database: on loopback, its own, emptied first."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import psycopg2
import redis

from scripts.drill.common import DrillFailed

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


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
