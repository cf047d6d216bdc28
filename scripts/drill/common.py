"""What every step of the drill shares: its size, its failure, its log line, its clock and its
HTTP client."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COMPLAINTS = 200
ESTATE = "DRL"


class DrillFailed(Exception):
    pass


def say(message: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


class Clock:
    def __init__(self, budget: float) -> None:
        self.start = time.monotonic()
        self.budget = budget
        self.marks: dict[str, float] = {}

    def left(self) -> float:
        return self.budget - (time.monotonic() - self.start)

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def mark(self, name: str, since: float) -> float:
        self.marks[name] = round(time.monotonic() - since, 2)
        return self.marks[name]


def wait_for(
    predicate: Callable[[], Any], *, clock: Clock, timeout: float, what: str, every: float = 0.25
) -> Any:
    deadline = time.monotonic() + min(timeout, clock.left())
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise DrillFailed(f"timed out waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data[:200].decode(errors="replace")
    return response.status, parsed
