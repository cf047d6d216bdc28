"""The load: complaints logged concurrently through the API of both web processes, half of
them urgent and received long enough ago that their acknowledge deadline has passed."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import time
from dataclasses import dataclass, field

from scripts.drill.common import COMPLAINTS, ESTATE, request


@dataclass
class Intake:
    statuses: dict[int, int] = field(default_factory=dict)
    per_port: dict[int, int] = field(default_factory=dict)
    references: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def complaint_body(index: int, now: dt.datetime) -> dict:
    body = {
        "estate": ESTATE,
        "channel": ("phone", "walk_in", "front_desk", "online")[index % 4],
        "category": ("FAC-LIFT", "FAC-UTIL", "ENV-CLEAN", "SEC-NOISE", "QUAL-LEAK")[index % 5],
        "summary": f"演练投诉 drill complaint {index}",
        "account": f"Drill complaint number {index}, logged by the multi-process drill.",
        "contact_name": f"演练住户{index}",
        "contact_phone": f"139{index:08d}",
    }
    if index % 2 == 0:
        # Urgent, received on paper 20-109 minutes ago: the 15-minute acknowledgement is gone.
        body["severity"] = "urgent"
        body["received_at"] = (now - dt.timedelta(minutes=20 + index % 90)).isoformat()
    else:
        body["severity"] = "normal"
    return body


def log_complaints(ports: list[int], token: str) -> tuple[Intake, float]:
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        # What nginx adds in front (deploy/nginx/complaint-desk.conf).
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
    }
    now = dt.datetime.now(dt.UTC)
    intake = Intake()
    began = time.monotonic()

    def one(index: int):
        # Arrivals spread over at least six seconds, so that several sweeps (every two
        # seconds) meet new overdue complaints, however fast the machine.
        time.sleep(max(0.0, began + index * 0.03 - time.monotonic()))
        port = ports[index % len(ports)]
        started = time.monotonic()
        try:
            status, body = request(
                port,
                "POST",
                "/api/v1/complaints/",
                body=complaint_body(index, now),
                headers=headers,
            )
        except OSError as exc:
            return index, port, 0, time.monotonic() - started, repr(exc)
        return index, port, status, time.monotonic() - started, body

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        for index, port, status, latency, body in pool.map(one, range(COMPLAINTS)):
            intake.statuses[status] = intake.statuses.get(status, 0) + 1
            intake.latencies.append(latency)
            if status == 201:
                intake.per_port[port] = intake.per_port.get(port, 0) + 1
                intake.references.add(body["reference"])
            else:
                intake.failures.append(f"#{index} on :{port}: {status} {str(body)[:200]}")
    return intake, time.monotonic() - began
