"""The drill's processes: two web processes, two workers and beat, each started from its sample
unit in a process group of its own, watched through its log and stopped at the end."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.drill.common import ROOT, Clock, DrillFailed, request, say, wait_for
from scripts.drill.units import unit_command


@dataclass
class Service:
    name: str
    argv: list
    env: dict
    log: Path
    process: subprocess.Popen | None = None
    started: float = 0.0

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the kill takes the children
            )
        self.started = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def records(self) -> list[dict]:
        """The JSON log lines (DJANGO_LOG_FORMAT=json); banners and the like are skipped."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found


def services_add(
    services: list[Service], *, environment: dict, ports: list[int], workdir: Path
) -> dict[str, Service]:
    """Append the web processes, workers and beat to ``services``; the workers are returned
    by the application name they give PostgreSQL, which is how the sweep killer finds them.
    Appended one by one so that a failure part-way still stops whatever was added."""
    for number, port in enumerate(ports, start=1):
        argv, unit_env = unit_command("complaint-desk-web.service")
        services.append(
            Service(
                f"web{number}",
                argv,
                {**unit_env, **environment, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                workdir / f"web{number}.log",
            )
        )
    workers: dict[str, Service] = {}
    for number in (1, 2):
        argv, unit_env = unit_command("complaint-desk-worker@.service", instance=str(number))
        worker = Service(
            f"worker{number}",
            argv,
            {**unit_env, **environment},
            workdir / f"worker{number}.log",
        )
        workers[unit_env["PGAPPNAME"]] = worker
        services.append(worker)
    argv, unit_env = unit_command("complaint-desk-beat.service")
    beat = Service("beat", argv, {**unit_env, **environment}, workdir / "beat.log")
    services.append(beat)
    return workers


def _ready(services: list[Service], ports: list[int]) -> bool:
    for service in services:
        if not service.alive():
            raise DrillFailed(f"{service.name} exited early:\n{service.tail()}")
    for port in ports:
        try:
            status, body = request(port, "GET", "/healthz", timeout=2)
        except OSError:
            return False
        if status != 200 or body != {"database": "ok", "broker": "ok"}:
            return False
    logs = {s.name: s.log.read_text(errors="replace") for s in services}
    return (
        all(f"worker{n}@drill ready." in logs[f"worker{n}"] for n in (1, 2))
        and "beat: Starting..." in logs["beat"]
    )


def services_start(services: list[Service], *, ports: list[int], clock: Clock) -> None:
    since = time.monotonic()
    for service in services:
        service.start()
    wait_for(
        lambda: _ready(services, ports),
        clock=clock,
        timeout=60,
        what="web, workers and beat to be ready",
    )
    clock.mark("start_s", since)
    say(f"2 web processes on :{ports[0]} and :{ports[1]}, 2 workers and beat are up")


def stop_all(services: list[Service]) -> None:
    running = [s for s in services if s.alive()]
    for service in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for service in running:
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for service in services:
        if service.process is None:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.process.pid, signal.SIGKILL)  # stragglers and orphaned children
        try:
            service.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            say(f"{service.name} (pid {service.process.pid}) did not exit")
