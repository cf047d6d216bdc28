"""Complaints at any stage, made through the real services, and a way to see that nothing moved."""

import datetime as dt
import threading
import zoneinfo

from django.db import connection
from django.utils import timezone

from complaints.models import Complaint, Incident, Stage
from complaints.services import complaint_act
from complaints.services.sweep import SweepResult, sweep_run
from tests.factories import category, log_complaint, make_staff

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Tuesday mid-morning in the estate's zone: open hours under the default calendar.
TUESDAY_10 = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)

# The main road through the workflow: the action that leaves each stage for the next.
MAIN_ROAD = (
    (Stage.INTAKE, "accept"),
    (Stage.CLARIFICATION, "plan_resolution"),
    (Stage.RESOLUTION, "mark_resolved"),
    (Stage.FOLLOW_UP, "close"),
)

# Which field of an action's body becomes the note of its event.
NOTE_FIELD = {
    "close_as_explained": "explanation",
    "plan_resolution": "plan",
    "mark_resolved": "outcome",
    "close": "summary",
    "reopen": "reason",
    "escalate": "note",
    "log_callback": "note",
    "assign": "note",
    "hold": "reason",
    "add_note": "text",
}


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def act(complaint: Complaint, actor, action: str, *, version: int | None = None, **data):
    return complaint_act(
        reference=complaint.reference, actor=actor, action=action, data=data, version=version
    )


def valid_data(action: str) -> dict:
    """A body that satisfies ``action``'s requirements at the current (frozen) time."""
    now = timezone.now()
    return {
        "accept": {},
        "close_as_explained": {"validity": "invalid", "explanation": "电梯属于市政维保范围"},
        "plan_resolution": {
            "validity": "valid",
            "department": "ENG",
            "plan": "工程部今天下午检修电梯",
            "callback_due_at": now + dt.timedelta(hours=4),
        },
        "mark_resolved": {
            "outcome": "更换了控制板",
            "cause": "控制板老化",
            "liability": "ours",
        },
        "close": {"satisfaction": "satisfied", "summary": "回访业主，电梯运行正常"},
        "reopen": {"reason": "电梯又停了"},
        "escalate": {"reason": "unsatisfied", "note": "业主要求主管处理"},
        "log_callback": {"reached": True, "note": "已告知业主检修安排"},
        "assign": {"department": "SEC"},
        "take": {},
        "hold": {"reason": "等待厂家配件", "until": now + dt.timedelta(days=7)},
        "release": {},
        "add_note": {"text": "业主下午在家"},
        # Unlinking a complaint that is not linked is refused: the tests that take this
        # action give it an incident of their own.
        "link_incident": {"incident": None},
    }[action]


def complaint_at(stage: str, *, actor, estate, **fields) -> Complaint:
    """A complaint logged and then walked along the main road until it stands in ``stage``."""
    complaint = log_complaint(actor, estate=estate, **fields)
    for source, action in MAIN_ROAD:
        if complaint.stage == stage:
            break
        assert complaint.stage == source
        complaint = act(complaint, actor, action, **valid_data(action))
    assert complaint.stage == stage
    return complaint


def snapshot(complaint: Complaint) -> dict:
    """Everything an action may change, read fresh from the database."""
    fresh = Complaint.objects.get(pk=complaint.pk)
    return {
        "fields": {
            field.attname: getattr(fresh, field.attname)
            for field in Complaint._meta.concrete_fields
            if field.attname != "updated_at"
        },
        "events": list(fresh.events.order_by("id").values_list("id", "kind")),
        "deadlines": list(
            fresh.deadlines.order_by("id").values_list("kind", "state", "due_at", "met_at")
        ),
        "escalations": list(fresh.escalations.order_by("id").values_list("id", "level")),
        "callbacks": fresh.callbacks.count(),
    }


def staff_without_role(username: str, *, estates):
    """A staff member covering ``estates`` whose user is in no role group."""
    user = make_staff(username, role="handler", department="CS", estates=estates)
    user.groups.clear()
    return type(user).objects.get(pk=user.pk)


def sweeps_at_once(now: dt.datetime, count: int = 2) -> list[SweepResult]:
    """``count`` sweeps of the same instant started together, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list[SweepResult] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(sweep_run(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def incident_row(estate, actor, **fields) -> Incident:
    """An open building-wide incident written straight into its table (no clock, no
    broadcast): for tests about linking to one."""
    count = Incident.objects.count() + 1
    values = {
        "reference": f"GG-{estate.code}-260310-{count}",
        "estate": estate,
        "category": category("FAC-UTIL"),
        "title": "停水",
        "notice": "供水管道抢修",
        "opened_by": actor,
        "opened_at": timezone.now(),
    }
    values.update(fields)
    return Incident.objects.create(**values)
