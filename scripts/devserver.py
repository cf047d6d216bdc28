"""Run the web server, a Celery worker and the beat scheduler together for `make run`.

The worker and beat are supervised: when either exits (a crash, an unrecoverable broker error,
`kill -9`), it is logged and started again after a short backoff (1 s, doubling to 30 s), while
the web server keeps serving. Intake never waits on them: notifications are rows in the outbox
and are sent once a worker is back. Only Ctrl-C, SIGTERM or the web server's own exit stops
everything. Production runs the three as separate services (see the Procfile); there must only
ever be one beat.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

SUPERVISED = ("worker", "beat")
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
# A process that ran at least this long before it exited starts its backoff over.
STEADY_SECONDS = 60.0
STOP_SECONDS = 15.0


def log(message: str) -> None:
    print(f"devserver: {message}", file=sys.stderr, flush=True)


def next_backoff(previous: float | None, ran_for: float) -> float:
    """The wait before the next restart: 1 s, doubling to 30 s; 1 s again after a steady run."""
    if previous is None or ran_for >= STEADY_SECONDS:
        return FIRST_BACKOFF
    return min(previous * 2, MAX_BACKOFF)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-returncode).name}"
        return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


def commands(host: str, port: str) -> dict[str, list[str]]:
    celery = str(BIN / "celery")
    return {
        "web": [sys.executable, "manage.py", "runserver", f"{host}:{port}"],
        "worker": [
            *(celery, "-A", "config", "worker", "--loglevel", "INFO"),
            *("--concurrency", "2", "--hostname", "desk-worker@%h"),
        ],
        "beat": [celery, "-A", "config", "beat", "--loglevel", "INFO"],
    }


def kill_group(pid: int, sig: int) -> None:
    """Signal a process's group: runserver's reloader child, a worker's pool processes."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class Supervisor:
    def __init__(self, commands: dict[str, list[str]]) -> None:
        self.commands = commands
        self.processes: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.backoff: dict[str, float | None] = dict.fromkeys(commands)
        self.restart_at: dict[str, float] = {}
        self.stopping = False

    def start(self, name: str) -> None:
        process = subprocess.Popen(self.commands[name], cwd=ROOT, start_new_session=True)
        self.processes[name] = process
        self.started_at[name] = time.monotonic()
        log(f"{name} started (pid {process.pid})")

    def check(self) -> bool:
        """Restart what is due; False once the web server has exited."""
        now = time.monotonic()
        for name, process in self.processes.items():
            if name in self.restart_at or process.poll() is None:
                continue
            if name not in SUPERVISED:
                log(f"the web server {describe_exit(process.returncode)}; stopping everything")
                return False
            # Whatever the dead process left in its group (pool children) goes with it.
            kill_group(process.pid, signal.SIGKILL)
            wait = next_backoff(self.backoff[name], now - self.started_at[name])
            self.backoff[name] = wait
            self.restart_at[name] = now + wait
            log(
                f"the {name} (pid {process.pid}) {describe_exit(process.returncode)}; "
                f"restarting it in {wait:g} s. The web server keeps serving; notifications "
                "wait in the outbox until a worker sends them."
            )
        for name, due in list(self.restart_at.items()):
            if due <= now:
                del self.restart_at[name]
                self.start(name)
        return True

    def stop(self) -> None:
        self.stopping = True
        for name, process in self.processes.items():
            if process.poll() is None:
                # runserver serves from a reloader child: stop the whole group. Celery shuts
                # its pool down on SIGTERM (a warm shutdown).
                if name == "web":
                    kill_group(process.pid, signal.SIGTERM)
                else:
                    process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                kill_group(process.pid, signal.SIGKILL)
                process.wait()

    def run(self) -> int:
        for name in self.commands:
            self.start(name)

        def on_sigterm(*_args) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, on_sigterm)
        web_alive = True
        try:
            while not self.stopping and web_alive:
                time.sleep(0.5)
                web_alive = self.check()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
        return 0 if web_alive else 1


def main() -> int:
    # The worker and beat read config/celery_app.py, which defaults to production like every
    # server; `make run` is the local desk, so all three are told so (an explicit module wins).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    # The links in notifications lead to this desk, on whatever port it was given.
    os.environ.setdefault("DESK_BASE_URL", f"http://{host}:{port}")
    (ROOT / "var").mkdir(exist_ok=True)
    print(
        f"Serving the desk at http://{host}:{port}/ with a worker and the scheduler; a worker "
        "or scheduler that stops is started again. Ctrl-C stops all three.",
        flush=True,
    )
    return Supervisor(commands(host, port)).run()


if __name__ == "__main__":
    sys.exit(main())
