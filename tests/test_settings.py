import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import devserver

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_its_secret_key():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ALLOWED_HOSTS="desk.example.com",
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 60,
    )

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_settings_pass_the_deployment_check_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="a-production-secret-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="desk.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


SERVER_ENTRY_POINTS = {
    "wsgi": "import config.wsgi",
    "asgi": "import config.asgi",
    "celery": "from config.celery_app import app; app.loader.import_default_modules()",
}


@pytest.mark.parametrize("code", SERVER_ENTRY_POINTS.values(), ids=SERVER_ENTRY_POINTS.keys())
def test_a_server_started_without_settings_is_production_and_refuses_to_start(code):
    """gunicorn, an ASGI server, the Celery worker and beat (the Procfile, the units, the
    image) fail closed: without DJANGO_SETTINGS_MODULE they are production, which will not
    start without its secret, rather than a local desk with a debug page."""
    result = _python(code)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set for config.settings.production" in result.stderr


def test_the_wsgi_application_serves_production_settings_when_given_them():
    result = _python(
        "import config.wsgi; from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG)",
        DJANGO_SECRET_KEY="a-production-secret-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="desk.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False"]


def test_manage_py_stays_local():
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SETTINGS_MODULE)"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "config.settings.local"


def test_make_run_starts_its_worker_and_beat_with_local_settings(monkeypatch):
    started: dict[str, str | None] = {}

    class Process:
        pid = 0
        returncode = 0

        def __init__(self, command, **_options) -> None:
            started[command[-1] if "runserver" in command else command[3]] = os.environ.get(
                "DJANGO_SETTINGS_MODULE"
            )

        def poll(self) -> int:
            return 0

        def wait(self, timeout=None) -> int:
            return 0

    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.setattr(devserver.subprocess, "Popen", Process)
    monkeypatch.setattr(devserver.signal, "signal", lambda *_args: None)

    # The stand-in processes exit at once: the desk stops, having started each of them.
    devserver.main()
    assert started == {
        "127.0.0.1:8000": "config.settings.local",
        "worker": "config.settings.local",
        "beat": "config.settings.local",
    }


def test_make_run_links_its_notifications_to_the_port_it_serves(monkeypatch):
    """A desk run on another port sends links that lead to it, not to port 8000."""

    class Process:
        pid = 0
        returncode = 0

        def __init__(self, command, **_options) -> None:
            pass

        def poll(self) -> int:
            return 0

        def wait(self, timeout=None) -> int:
            return 0

    monkeypatch.delenv("DESK_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8012")
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.setattr(devserver.subprocess, "Popen", Process)
    monkeypatch.setattr(devserver.signal, "signal", lambda *_args: None)

    # The stand-in processes exit at once: the desk stops, having started each of them.
    devserver.main()
    assert os.environ["DESK_BASE_URL"] == "http://127.0.0.1:8012"


def test_the_image_and_the_procfile_run_production():
    dockerfile = (ROOT / "Dockerfile").read_text()
    procfile = (ROOT / "Procfile").read_text()

    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile.split("\nENV ")[-1]
    assert "settings.local" not in dockerfile + procfile
    assert "config.wsgi" in procfile


def test_the_api_token_lifetime_must_be_a_day_or_more():
    result = _manage("check", DESK_API_TOKEN_DAYS="0")

    assert result.returncode != 0
    assert "DESK_API_TOKEN_DAYS must be a whole number of days, 1 or more." in result.stderr


def test_the_embedded_broker_connects_without_a_warning():
    # `make run` without Redis: kombu used to warn "No hostname was supplied" on every
    # connection, at the end of seed_demo and in the worker's log.
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    script = (
        "import logging; logging.basicConfig(); from django.conf import settings; "
        "from kombu import Connection; "
        "print(Connection(settings.CELERY_BROKER_URL).info()['transport'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "filesystem"
    assert "No hostname" not in result.stderr
