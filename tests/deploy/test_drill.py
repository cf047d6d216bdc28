"""The multi-process drill (python -m scripts.drill): two gunicorn web processes, two Celery workers
and one beat started from the sample units, 200 complaints through the API, one worker killed
inside the sweep. It runs against the pytest-django test database and the test Redis
database, so it needs PostgreSQL and Redis; in CI a missing service fails it."""

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def _test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_the_drill_escalates_every_missed_deadline_once_and_loses_nothing(redis_url):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.drill",
            "--existing-database",
            "--database-url",
            _test_database_url(),
            "--redis-url",
            redis_url,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout[-8000:] + result.stderr[-4000:]
    print(output)
    assert result.returncode == 0, output
    line = next(text for text in result.stdout.splitlines() if text.startswith("DRILL-RESULT "))
    summary = json.loads(line.removeprefix("DRILL-RESULT "))
    facts, intake, kill = summary["database"], summary["intake"], summary["kill"]

    assert summary["problems"] == []
    assert intake["statuses"] == {"201": 200}
    assert set(intake["per_web_process"]) == {"web1", "web2"}
    assert min(intake["per_web_process"].values()) > 0
    assert facts["complaints"] == facts["distinct_references"] == 200
    assert facts["overdue_acknowledge"] == facts["overdue_escalated_once"] == 100
    assert facts["overdue_without_escalation"] == facts["overdue_escalated_twice_or_more"] == 0
    assert facts["escalations"] == 100
    assert facts["notifications_unsent"] == 0
    assert all(
        not status.startswith("5")
        for statuses in summary["web_access_log_statuses"].values()
        for status in statuses
    )
    assert kill["exit_code"] == -9
    assert kill["survivor_alive"] is True
    assert kill["survivor_escalated_after_kill"] > 0
    assert summary["timings_s"]["total_s"] < 180
