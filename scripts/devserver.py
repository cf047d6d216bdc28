"""Run the web server, a Celery worker and the beat scheduler together for `make run`.

Stops all three when any of them stops or on Ctrl-C. Production runs them as separate
services (see the Procfile); there must only ever be one beat.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    # The worker and beat read config/celery_app.py, which defaults to production like every
    # server; `make run` is the local desk, so all three are told so (an explicit module wins).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    (ROOT / "var").mkdir(exist_ok=True)
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"{host}:{port}"],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--hostname",
            "desk-worker@%h",
        ],
        "beat": [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO"],
    }
    processes = {
        name: subprocess.Popen(command, cwd=ROOT, start_new_session=True)
        for name, command in commands.items()
    }
    print(
        f"Serving the desk at http://{host}:{port}/ with a worker and the scheduler. "
        "Ctrl-C stops all three.",
        flush=True,
    )

    def stop(*_args) -> None:
        for name, process in processes.items():
            if process.poll() is None:
                if name == "web":
                    # runserver's autoreloader serves from a child: stop the whole group.
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    # Celery shuts its own pool down on SIGTERM (a warm shutdown).
                    process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    failed = [name for name, process in processes.items() if process.returncode not in (0, -15)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
