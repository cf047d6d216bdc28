"""A real Celery worker and beat against Redis and the test database, and intake with the
broker unreachable. These start processes, so they run on PostgreSQL (shared with the
subprocesses) and Redis; in CI a missing service fails them."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from complaints.models import Complaint, Escalation
from notifications.models import Notification
from tests.factories import log_complaint

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def _env(**extra: str) -> dict:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def worker(redis_url, tmp_path):
    """A worker with an embedded beat that sweeps every two seconds."""
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "-B",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "-s",
            str(tmp_path / "beat"),
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=_env(REDIS_URL=redis_url, DESK_SWEEP_SECONDS="2"),
        stdout=open(tmp_path / "worker.log", "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    print((tmp_path / "worker.log").read_text()[-4000:])


def test_a_real_worker_and_beat_escalate_an_overdue_complaint(
    frontdesk, supervisor, estate, worker
):
    supervisor.email = "zhuguan@example.com"
    supervisor.save()
    complaint = log_complaint(
        frontdesk,
        estate=estate,
        severity="urgent",
        received_at=timezone.now() - dt.timedelta(hours=3),
    )

    escalation = _wait_for(
        lambda: Escalation.objects.filter(complaint=complaint).first(), 60, "the escalation"
    )
    _wait_for(
        lambda: Notification.objects.filter(kind="escalation", sent_at__isnull=False).exists(),
        30,
        "the escalation email to be sent",
    )
    time.sleep(5)  # a couple more sweeps: nothing may be added

    assert escalation.reason == "deadline_missed"
    assert escalation.deadline.kind == "acknowledge"
    assert Escalation.objects.filter(complaint=complaint).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1
    assert worker.poll() is None, "the worker died"


INTAKE_SCRIPT = """
import json, time
import django
django.setup()
from django.contrib.auth.models import User
from django.test import Client
client = Client()
client.force_login(User.objects.get(username="frontdesk"))
client.get("/api/v1/estates/")  # imports and URL resolving belong to start-up, not intake
started = time.monotonic()
response = client.post("/api/v1/complaints/", {
    "estate": "HY", "channel": "phone", "category": "FAC-LIFT", "severity": "urgent",
    "summary": "电梯困人", "account": "有人困在电梯里", "contact_name": "李雷",
    "contact_phone": "13900001111"}, content_type="application/json")
print(json.dumps({"status": response.status_code, "elapsed": time.monotonic() - started,
                  "reference": response.json().get("reference")}))
"""


@pytest.mark.usefixtures("no_quiet_hours")
def test_intake_does_not_wait_for_an_unreachable_broker_and_nothing_is_lost(
    frontdesk, supervisor, estate, redis_url, tmp_path
):
    supervisor.email = "zhuguan@example.com"
    supervisor.save()
    # Port 9 (discard) is closed here: every publish fails.
    result = subprocess.run(
        [sys.executable, "-c", INTAKE_SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(REDIS_URL="redis://127.0.0.1:9/0"),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])

    assert answer["status"] == 201
    assert answer["elapsed"] < 1.0
    complaint = Complaint.objects.get(reference=answer["reference"])
    waiting = Notification.objects.filter(complaint=complaint, sent_at__isnull=True)
    assert {n.kind for n in waiting} == {"urgent_intake", "received"}

    # The broker is back: the worker's outbox run sends what waited.
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "-B",
            "--concurrency",
            "1",
            "-s",
            str(tmp_path / "beat"),
            "--hostname",
            "late@%h",
        ],
        cwd=ROOT,
        env=_env(REDIS_URL=redis_url, DESK_SWEEP_SECONDS="2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(
            lambda: (
                not Notification.objects.filter(complaint=complaint, sent_at__isnull=True).exists()
            ),
            60,
            "the waiting notifications to be sent",
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    # The resident's receipt went through the worker's SMS backend (in memory, in tests).
    receipt = Notification.objects.get(complaint=complaint, kind="received")
    assert (receipt.status, receipt.address) == ("sent", "8613900001111")
    assert receipt.provider_id.startswith("locmem-")


BURST_SCRIPT = """
import json, time
import django
django.setup()
from django.contrib.auth.models import User
from residents.models import Estate
from tests.factories import log_complaint
frontdesk, estate = User.objects.get(username="frontdesk"), Estate.objects.get(code="HY")
log_complaint(frontdesk, estate=estate, summary="warm-up")  # imports belong to start-up
time.sleep(1)
started = time.monotonic()
references = [
    log_complaint(frontdesk, estate=estate, severity="urgent", summary=f"电梯困人 {n}").reference
    for n in range(30)
]
elapsed = time.monotonic() - started
time.sleep(1)  # the publisher's thread finishes its last publish
print(json.dumps({"references": references, "elapsed": elapsed}))
"""


def test_a_burst_of_intakes_queues_a_few_sends_and_the_last_after_the_last_commit(
    frontdesk, supervisor, estate, redis_url
):
    import redis

    queue = redis.Redis.from_url(redis_url)
    result = subprocess.run(
        [sys.executable, "-c", BURST_SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(REDIS_URL=redis_url),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])

    messages = [json.loads(raw) for raw in queue.lrange("celery", 0, -1)]
    tasks = {message["headers"]["task"] for message in messages}
    assert tasks == {"notifications.tasks.send_notifications"}
    # One publish for the warm-up, then at most one per pause for the burst and one after it.
    assert 2 <= len(messages) <= 3 + answer["elapsed"] / 0.2, (len(messages), answer)
    assert len(answer["references"]) == 30
    waiting = Notification.objects.filter(
        complaint__reference__in=answer["references"], sent_at__isnull=True
    )
    assert waiting.count() == 60  # nothing was sent: no worker ran; each is in the outbox
