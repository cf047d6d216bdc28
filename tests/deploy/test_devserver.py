"""`make run`'s supervisor (scripts/devserver.py) with real processes: a worker that dies is
started again while the web server keeps answering, and nothing but SIGTERM, Ctrl-C or the web
server's own exit stops the desk."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from scripts.devserver import MAX_BACKOFF, describe_exit, next_backoff
from tests.security.processes import free_port, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_the_backoff_doubles_to_thirty_seconds_and_starts_over_after_a_steady_run():
    waits, wait = [], None
    for _ in range(8):
        wait = next_backoff(wait, ran_for=0.5)
        waits.append(wait)
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]
    assert next_backoff(MAX_BACKOFF, ran_for=120) == 1
    assert describe_exit(-signal.SIGKILL) == "was killed by SIGKILL"
    assert describe_exit(1) == "exited with status 1"


def _environment(var: Path, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "DESK_")) and k not in {"REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{var / 'desk.sqlite3'}",
        DESK_VAR_DIR=str(var),
        # Nothing scheduled during the test: only the processes matter here.
        DESK_SWEEP_SECONDS="3600",
        HOST="127.0.0.1",
        PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    return env


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return 0


def _pids(log: Path, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"{name} started \(pid (\d+)\)", log.read_text())]


def _ready_workers(log: Path) -> int:
    return len(re.findall(r"desk-worker@\S+ ready\.", log.read_text()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_worker_is_restarted_while_the_desk_keeps_serving(tmp_path):
    port = free_port()
    log = tmp_path / "devserver.log"
    devserver = subprocess.Popen(
        [sys.executable, "scripts/devserver.py"],
        cwd=ROOT,
        env=_environment(tmp_path, port),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    health = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_for(lambda: _status(health) == 200, 40, "the web server to answer")
        [worker] = wait_for(lambda: _pids(log, "worker"), 10, "the worker to start")
        wait_for(lambda: _pids(log, "beat"), 10, "beat to start")

        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: not _alive(worker) or None, 5, "the worker to die")
        assert _status(health) == 200
        restarted = wait_for(lambda: _pids(log, "worker")[1:], 10, "a new worker").pop()

        assert restarted != worker and _alive(restarted)
        wait_for(lambda: _ready_workers(log) == 2, 30, "the new worker to be ready")
        assert devserver.poll() is None
        assert _status(health) == 200
        text = log.read_text()
        assert f"the worker (pid {worker}) was killed by SIGKILL; restarting it in 1 s" in text
        assert len(_pids(log, "web")) == 1
    finally:
        stop(devserver, signal.SIGTERM, timeout=30)
        print(log.read_text()[-4000:])
    assert devserver.returncode == 0
    assert _status(health) == 0
    wait_for(lambda: not _alive(restarted), 10, "the new worker to stop with the desk")
