"""The deployment samples: the drill runs what the units say, the JSON log format, the health
check behind a TLS-terminating proxy."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from config.logging import JsonFormatter
from scripts.drill.units import unit_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_drill_starts_the_sample_units_command_lines():
    bin_dir = str(Path(sys.executable).parent)

    web, web_env = unit_command("complaint-desk-web.service")
    worker, worker_env = unit_command("complaint-desk-worker@.service", instance="2")
    beat, beat_env = unit_command("complaint-desk-beat.service")

    assert web == [
        f"{bin_dir}/gunicorn",
        "--config",
        "deploy/gunicorn.conf.py",
        "config.wsgi",
    ]
    assert worker[:4] == [f"{bin_dir}/celery", "--app", "config", "worker"]
    assert "worker2@drill" in worker
    assert beat == [f"{bin_dir}/celery", "--app", "config", "beat", "--loglevel", "INFO"]
    assert (web_env, worker_env, beat_env) == (
        {"PGAPPNAME": "complaint-desk-web"},
        {"PGAPPNAME": "complaint-desk-worker2"},
        {"PGAPPNAME": "complaint-desk-beat"},
    )


def test_every_unit_reads_the_one_environment_file_and_is_hardened():
    for unit in (ROOT / "deploy" / "systemd").glob("*.service"):
        text = unit.read_text()
        assert "EnvironmentFile=/etc/complaint-desk/env" in text, unit.name
        assert "NoNewPrivileges=yes" in text, unit.name
        assert "ProtectSystem=strict" in text, unit.name


def test_the_json_formatter_writes_one_object_per_record_with_extras_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.deploy.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "投诉 %s overdue", "TS-HY-1", extra={"status_code": 503, "request": object()}
        )
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("sweep failed")
    finally:
        logger.removeHandler(handler)

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "投诉 TS-HY-1 overdue"
    assert first["level"] == "WARNING"
    assert first["logger"] == "tests.deploy.json"
    assert first["status_code"] == 503
    assert first["request"].startswith("<object object")
    assert first["time"].endswith("+00:00")
    assert second["message"] == "sweep failed"
    assert "ValueError: boom" in second["exception"]


def _settings_value(expression: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", f"import config.settings.test as s; print({expression})"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_django_log_format_json_switches_the_console_formatter():
    expression = "s.LOGGING['handlers']['console']['formatter'], s.CELERY_WORKER_HIJACK_ROOT_LOGGER"

    assert _settings_value(expression) == "plain True"
    assert _settings_value(expression, DJANGO_LOG_FORMAT="json") == "json False"


HEALTH_SCRIPT = """
import django
django.setup()
from django.test import Client
client = Client()
health = client.get("/healthz")
api = client.get("/api/v1/estates/")
proxied = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
print(health.status_code, health.json()["database"], api.status_code, proxied.status_code)
"""


def test_production_answers_the_health_check_over_plain_http_and_redirects_the_rest(tmp_path):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DESK_")) and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="a-production-secret-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="testserver",
        DESK_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", HEALTH_SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "ok", "301", "200"]


READS = re.compile(
    r"""(?:os\.environ(?:\.get)?[(\[]|\benv\(|env_bool\(|env_list\(|_required\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def _documented() -> set[str]:
    table = (ROOT / "docs" / "deploy.md").read_text().split("## Environment", 1)[1]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", table, flags=re.M))


def test_every_environment_variable_is_in_env_example_and_the_deployment_table():
    sources = [*(ROOT / "config" / "settings").glob("*.py"), ROOT / "deploy" / "gunicorn.conf.py"]
    read = {name for path in sources for name in READS.findall(path.read_text())}
    backup = set(
        re.findall(r"\$\{(DESK_[A-Z_]+|DATABASE_URL)", (ROOT / "scripts" / "backup.sh").read_text())
    )
    example = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    documented = _documented()

    assert {"DJANGO_SECRET_KEY", "DESK_SWEEP_SECONDS", "GUNICORN_BIND"} <= read
    assert read - example == set(), "read by the settings but missing from .env.example"
    assert (read | backup | example) - documented == set(), "missing from docs/deploy.md"
    assert documented - example == set(), "in docs/deploy.md but not in .env.example"
