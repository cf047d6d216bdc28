"""The time each request spent inside a gunicorn worker, from its access log (deploy's format
ends ``… 200 31134 386ms "agent"``). Beside the time the client waited, it tells the work from
the queue: what is not in the worker was spent waiting for one. Plain Python."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r'"(?:GET|POST) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms')


def size(log: Path) -> int:
    return log.stat().st_size if log.exists() else 0


def percentile(values: list[int], fraction: float) -> int | None:
    """The nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def worker_times(log: Path, start: int, end: int, names: dict[str, str]) -> dict[str, list[int]]:
    """The in-worker milliseconds of the requests logged between two offsets, by page name
    (``names``: path -> name; other paths are left out), and all of them under ``overall``."""
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read(end - start).decode("utf-8", "replace")
    found: dict[str, list[int]] = defaultdict(list)
    for match in LINE.finditer(text):
        name = names.get(match["path"])
        if name is not None:
            found[name].append(int(match["ms"]))
            found["overall"].append(int(match["ms"]))
    return found
