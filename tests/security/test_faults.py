"""Failure of the services around the desk, with real processes against PostgreSQL and Redis.

- Redis stops in the middle of intake: intake still answers 201 at once, nothing is lost, and
  once Redis is back a worker sends what waited. The Redis here is a throwaway redis-server of
  the test's own on a free port; the shared one is never touched.
- A worker is killed (SIGKILL) in the middle of a sweep: the next sweep completes the work and
  every due deadline is escalated exactly once.
- Two sweeps and a person act on the same complaints at once: nothing is overwritten.
- PostgreSQL drops every connection between two sweeps (``pg_terminate_backend`` from another
  connection: what a restart does to a process, without restarting the shared server): the
  next sweep reconnects and carries on.
- Two schedulers fire the Monday email at the same moment: it goes once.

Longer, multi-process drills are in tests/deploy/test_drill.py (scripts/drill/); a broker that
is unreachable from the start is in tests/complaints/test_worker.py.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from collections import Counter

import psycopg2
import pytest
from django.core import mail
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.models import (
    Complaint,
    ComplaintEvent,
    Deadline,
    DeadlineState,
    Escalation,
)
from complaints.services.sweep import sweep_run
from notifications.models import Notification
from reports import mailing
from reports.models import WeeklyReportDelivery
from tests.factories import log_complaint, make_staff
from tests.security.processes import (
    ROOT,
    environment,
    start_worker,
    stop,
    throwaway_redis,
    wait_for,
    wait_until_ready,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _overdue(actor, estate, count: int, **fields) -> list[Complaint]:
    """Urgent complaints received three hours ago: their 15-minute acknowledge is long gone."""
    received = timezone.now() - dt.timedelta(hours=3)
    return [
        log_complaint(
            actor, estate=estate, severity="urgent", received_at=received, summary=f"电梯困人 {n}"
        )
        for n in range(count)
    ]


@pytest.fixture
def alerted(supervisor):
    supervisor.email = "supervisor@example.com"
    supervisor.save(update_fields=["email"])
    return supervisor


INTAKE = """
import json, sys, time
import django
django.setup()
from django.contrib.auth.models import User
from django.test import Client
client = Client()
client.force_login(User.objects.get(username="frontdesk"))
client.get("/api/v1/estates/")  # imports and URL resolving belong to start-up, not intake
for n, _line in enumerate(sys.stdin):
    started = time.monotonic()
    response = client.post("/api/v1/complaints/", {
        "estate": "HY", "channel": "phone", "category": "FAC-LIFT", "severity": "urgent",
        "summary": f"电梯困人 {n}", "account": "有人困在电梯里", "contact_name": "李雷",
        "contact_phone": "13900001111"}, content_type="application/json")
    print(json.dumps({"status": response.status_code, "elapsed": time.monotonic() - started,
                      "reference": response.json().get("reference")}), flush=True)
"""


def _log_one(intake: subprocess.Popen) -> dict:
    intake.stdin.write("next\n")
    intake.stdin.flush()
    return json.loads(intake.stdout.readline())


def _unsent(reference: str) -> set[str]:
    return set(
        Notification.objects.filter(
            complaint__reference=reference, sent_at__isnull=True
        ).values_list("kind", flat=True)
    )


@pytest.mark.usefixtures("no_quiet_hours")
def test_redis_stopping_during_intake_loses_nothing(frontdesk, alerted, estate, tmp_path):
    with throwaway_redis(tmp_path) as redis_server:
        worker_log = tmp_path / "worker.log"
        worker = start_worker(worker_log, redis_url=redis_server.url, name="outage")
        intake = subprocess.Popen(
            [sys.executable, "-c", INTAKE],
            cwd=ROOT,
            env=environment(REDIS_URL=redis_server.url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            wait_until_ready(worker, worker_log)
            before = _log_one(intake)
            assert before["status"] == 201
            wait_for(lambda: not _unsent(before["reference"]), 30, "the first complaint's mail")

            redis_server.stop()
            during = [_log_one(intake) for _ in range(3)]

            assert [answer["status"] for answer in during] == [201, 201, 201]
            assert max(answer["elapsed"] for answer in during) < 1.0
            for answer in during:
                assert Complaint.objects.filter(reference=answer["reference"]).exists()
                assert _unsent(answer["reference"]) == {"urgent_intake", "received"}

            redis_server.start()
            wait_for(
                lambda: all(not _unsent(answer["reference"]) for answer in during),
                60,
                "the worker to send what waited once Redis was back",
            )
            assert worker.poll() is None, "the worker died during the outage"
        finally:
            intake.stdin.close()
            intake.wait(timeout=20)
            stop(worker)
            print(worker_log.read_text()[-3000:])

    references = [before["reference"], *(answer["reference"] for answer in during)]
    alerts = Notification.objects.filter(kind="urgent_intake", recipient=alerted)
    assert sorted(alerts.values_list("complaint__reference", flat=True)) == sorted(references)
    # Each sent once, by the worker, after at most the waiting.
    assert set(alerts.values_list("attempts", flat=True)) == {1}
    assert not alerts.filter(sent_at__isnull=True).exists()


# The worker below stalls inside the second batch of escalations, with its transaction open:
# batches of ten, so thirty due complaints make three batches.
STALLING_WORKER = """
import os, sys, time
import django
django.setup()
from complaints.services import sweep
from notifications import outbox

sweep.BATCH = 10
batches = {"escalations": 0}


original_save = outbox.Outbox.save


def save(self):
    escalating = any(row.kind == "escalation" for row in self.rows)
    saved = original_save(self)
    if escalating:
        batches["escalations"] += 1
        if batches["escalations"] == 2:
            with open(os.environ["STALL_MARKER"], "w") as marker:
                marker.write("inside the second batch's transaction")
            time.sleep(600)
    return saved


outbox.Outbox.save = save
from celery.__main__ import main

sys.argv[0] = "celery"
sys.exit(main())
"""


@pytest.mark.redis
def test_a_worker_killed_inside_a_sweep_leaves_nothing_half_done(
    frontdesk, alerted, estate, redis_url, tmp_path
):
    complaints = _overdue(frontdesk, estate, 30)
    marker = tmp_path / "stalled"
    killed_log, rerun_log = tmp_path / "killed.log", tmp_path / "rerun.log"
    doomed = start_worker(
        killed_log,
        redis_url=redis_url,
        name="doomed",
        argv_prefix=[sys.executable, "-c", STALLING_WORKER],
        STALL_MARKER=str(marker),
    )
    try:
        wait_for(marker.exists, 60, "the worker to stall inside the second batch")
        stop(doomed, sig=9)
    finally:
        stop(doomed, sig=9)
        print(killed_log.read_text()[-3000:])
    assert doomed.returncode == -9

    # The first batch committed; the second died with its connection and left no trace.
    assert Escalation.objects.count() == 10
    assert ComplaintEvent.objects.filter(kind="escalated").count() == 10

    rerun = start_worker(rerun_log, redis_url=redis_url, name="rerun")
    try:
        wait_for(lambda: Escalation.objects.count() == 30, 60, "the rerun to finish the sweep")
        time.sleep(5)  # two more sweeps: nothing may be added
        assert rerun.poll() is None
    finally:
        stop(rerun)
        print(rerun_log.read_text()[-3000:])

    assert Escalation.objects.count() == 30
    per_complaint = Counter(Escalation.objects.values_list("complaint_id", flat=True))
    assert per_complaint == {c.pk: 1 for c in complaints}
    assert set(Escalation.objects.values_list("deadline__kind", "level")) == {("acknowledge", 1)}
    assert set(Complaint.objects.values_list("escalation_level", "version")) == {(1, 2)}
    assert ComplaintEvent.objects.filter(kind="escalated").count() == 30
    assert not Deadline.objects.filter(
        state=DeadlineState.PENDING, due_at__lte=timezone.now()
    ).exists()
    alerts = Notification.objects.filter(kind="escalation", recipient=alerted)
    assert alerts.count() == 30


def _in_threads(*work):
    """Run each callable in its own thread (and database connection), all at the same instant."""
    barrier = threading.Barrier(len(work))
    results: list = [None] * len(work)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work[index]()
        except Exception as exc:  # noqa: BLE001 - reported through the results
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_sweeps_and_a_person_at_once_overwrite_nothing(frontdesk, supervisor, estate):
    complaints = _overdue(frontdesk, estate, 20)

    def person() -> list[int]:
        # She read every complaint at version 1, before any sweep; each answer is 200 or 409.
        client = APIClient()
        client.force_authenticate(supervisor)
        return [
            client.post(
                f"/api/v1/complaints/{c.reference}/actions/escalate/",
                {"reason": "unsatisfied", "note": "住户要求主管处理", "version": 1},
                format="json",
            ).status_code
            for c in complaints
        ]

    sweep_a, sweep_b, statuses = _in_threads(sweep_run, sweep_run, person)
    sweep_run()  # the next minute's sweep picks up what was locked

    assert not isinstance(sweep_a, Exception) and not isinstance(sweep_b, Exception)
    assert set(statuses) <= {200, 409}, statuses
    for complaint, status in zip(complaints, statuses, strict=True):
        complaint.refresh_from_db()
        by_person = 1 if status == 200 else 0
        escalations = Escalation.objects.filter(complaint=complaint)
        assert escalations.filter(reason="deadline_missed").count() == 1
        assert escalations.filter(reason="unsatisfied").count() == by_person
        # Each change saw the one before it: the levels count up, nothing was overwritten.
        assert sorted(escalations.values_list("level", flat=True)) == list(range(1, 2 + by_person))
        assert complaint.escalation_level == 1 + by_person
        assert complaint.version == 2 + by_person
        assert complaint.events.filter(kind__in=["escalated", "escalate"]).count() == (
            1 + by_person
        )


def _drop_every_other_connection() -> int:
    """What a PostgreSQL restart does to this process, without restarting the shared server:
    from a connection of its own, end every other session on the test database."""
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            (terminated,) = cursor.fetchone()
    finally:
        other.close()
    return terminated


def test_the_next_sweep_reconnects_after_the_database_dropped_its_connection(frontdesk, estate):
    (first,) = _overdue(frontdesk, estate, 1)
    assert [ref for ref, _kind, _level in sweep_run().escalated] == [first.reference]
    (second,) = _overdue(frontdesk, estate, 1)
    assert connection.connection is not None and connection.settings_dict["CONN_HEALTH_CHECKS"]

    assert _drop_every_other_connection() >= 1
    # The sweep's connection is gone: used as it is, it fails.
    with pytest.raises((OperationalError, InterfaceError)):
        sweep_run()
    # A worker starts every task, and a web process every request, by checking its
    # connections (Celery's Django fix-up; CONN_HEALTH_CHECKS): the next sweep reconnects.
    close_old_connections()
    second_run = sweep_run()

    assert [ref for ref, _kind, _level in second_run.escalated] == [second.reference]
    assert Escalation.objects.filter(complaint=first).count() == 1
    assert Escalation.objects.filter(complaint=second).count() == 1
    assert sweep_run().escalated == []


def test_two_schedulers_firing_the_monday_email_at_once_send_it_once(estate):
    manager = make_staff("jingli", role="manager", estates=[estate])
    manager.email = "jingli@example.com"
    manager.save(update_fields=["email"])
    monday_8 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=estate.zone)
    mail.outbox.clear()

    first, second = _in_threads(
        lambda: mailing.weekly_summaries_send(now=monday_8),
        lambda: mailing.weekly_summaries_send(now=monday_8),
    )

    assert sorted([*first, *second]) == [("jingli", "2026-W47")]
    assert len(mail.outbox) == 1
    assert WeeklyReportDelivery.objects.get().attempts == 1
