"""Over HTTP: gunicorn from ``deploy/gunicorn.conf.py`` on a free loopback port.

Pages are timed one request at a time (sync workers close each connection, as behind nginx),
the median of ``runs`` after warming every worker. Intake throughput is ``wrk`` POSTing JSON
complaints with a token for a bounded time; its Lua script reports the p95 latency and the
status codes. The workers' resident memory is read from /proc afterwards.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.proc import children
from bench.server import HOST, Figure, Scenario

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, *, env: dict, workers: int, log: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.env = {
            **env,
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "gunicorn"
        if not gunicorn.exists():
            gunicorn = Path(shutil.which("gunicorn") or "gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", "deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                if request("GET", self.port, "/healthz")[0] == 200 and len(self.pids()) >= (
                    self.workers
                ):
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def pids(self) -> list[int]:
        """The workers: the master's children."""
        return children(self.process.pid)

    def rss_mb(self) -> dict[int, float]:
        found = {}
        for pid in [self.process.pid, *self.pids()]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        found[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return found


def request(method: str, port: int, path: str, headers: dict | None = None, body=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def page_figures(
    server: Gunicorn, items: list[Scenario], headers: dict[str | None, dict], runs: int
) -> list[Figure]:
    figures = []
    for scenario in items:
        head = headers[scenario.user]
        for _ in range(server.workers * 2):  # each worker loads its templates once
            status, _body = request("GET", server.port, scenario.path, head)
            if status != 200:
                raise RuntimeError(f"HTTP {scenario.path}: {status}")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            request("GET", server.port, scenario.path, head)
            times.append((time.perf_counter() - started) * 1000)
        figures.append(Figure(scenario.name, statistics.median(times), times, None))
        print(f"  {scenario.name}: {statistics.median(times):.1f} ms over HTTP", flush=True)
    return figures


LUA = """
local bodies = {}
local i = 0
math.randomseed(%(seed)d)
local units = {%(units)s}  -- {estate code, unit id}
local categories = {%(categories)s}
local severities = {"normal", "normal", "normal", "major", "urgent"}
for n = 1, 500 do
  local unit = units[math.random(#units)]
  local body = string.format(
    '{"estate": "%%s", "unit": %%d, "contact_name": "压测住户", '
    .. '"contact_phone": "139%%08d", "channel": "phone", "category": "%%s", '
    .. '"severity": "%%s", "summary": "压测投诉 %%d", '
    .. '"account": "benchmark intake: the resident reports a problem in the unit, %%d."}',
    unit[1], unit[2], math.random(0, 99999999),
    categories[math.random(#categories)], severities[math.random(#severities)], n, n)
  bodies[n] = body
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
wrk.headers["Host"] = "%(host)s"
request = function()
  i = i %% #bodies + 1
  return wrk.format(nil, "/api/v1/complaints/", nil, bodies[i])
end
-- Each wrk thread runs its own copy of this script: the counts are its globals, and done()
-- gathers them from every thread.
statuses = {}
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do totals[code] = (totals[code] or 0) + n end
  end
  local codes = {}
  for code, n in pairs(totals) do table.insert(codes, string.format('"%%d": %%d', code, n)) end
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "seconds": %%.3f, "p50_ms": %%.2f, "p95_ms": %%.2f, '
    .. '"p99_ms": %%.2f, "max_ms": %%.2f, "errors": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout + summary.errors.status, table.concat(codes, ", ")))
end
"""


@dataclass
class Intake:
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    statuses: dict
    errors: int
    connections: int
    seconds: int
    rss_mb: dict[int, float]
    workers_before: list[int]
    workers_after: list[int]


def _script(*, token: str, units: list[tuple[str, int]], categories: list[str]) -> str:
    return LUA % {
        "seed": 1,
        "units": ", ".join(f'{{"{code}", {pk}}}' for code, pk in units),
        "categories": ", ".join(f'"{c}"' for c in categories),
        "token": token,
        "host": HOST,
    }


def _wrk(script: str, *, port: int, seconds: int, connections: int) -> dict:
    """Run wrk with ``script`` and return what the script's done() reported."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        finished = subprocess.run(
            [
                wrk,
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                f"http://{HOST}:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    lines = [x for x in finished.stdout.splitlines() if x.startswith("WRK_JSON ")]
    if not lines:
        raise RuntimeError(f"wrk reported nothing:\n{finished.stdout}\n{finished.stderr}")
    return json.loads(lines[0].removeprefix("WRK_JSON "))


def intake(
    server: Gunicorn,
    *,
    token: str,
    units: list[tuple[str, int]],
    categories: list[str],
    seconds: int,
    connections: int,
) -> Intake:
    script = _script(token=token, units=units, categories=categories)
    before = server.pids()
    result = _wrk(script, port=server.port, seconds=seconds, connections=connections)
    created = result["statuses"].get("201", 0)
    return Intake(
        per_second=created / result["seconds"],
        p50_ms=result["p50_ms"],
        p95_ms=result["p95_ms"],
        p99_ms=result["p99_ms"],
        requests=result["requests"],
        statuses=result["statuses"],
        errors=result["errors"],
        connections=connections,
        seconds=seconds,
        rss_mb=server.rss_mb(),
        workers_before=before,
        workers_after=server.pids(),
    )


def sample(items: list, k: int, seed: int = 1) -> list:
    return random.Random(seed).sample(items, min(k, len(items)))
