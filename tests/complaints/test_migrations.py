"""Migrations that fill in what existing rows lack, run backwards and forwards over real rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from complaints.models import Complaint, Deadline, Escalation
from complaints.services.sweep import sweep_run
from tests.complaints.helpers import SHANGHAI, act
from tests.factories import log_complaint

MORNING = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db(transaction=True)


def _migration(suffix: str) -> tuple[str, str]:
    """The complaints migration named ``*_<suffix>``, whatever number it was given."""
    loader = MigrationExecutor(connection).loader
    [key] = [
        key for key in loader.disk_migrations if key[0] == "complaints" and key[1].endswith(suffix)
    ]
    return key


def test_escalations_already_raised_get_their_queue_order(frontdesk, estate):
    with time_machine.travel(MORNING, tick=False):
        slipped = log_complaint(frontdesk, estate=estate, severity="urgent")
        unhappy = act(
            log_complaint(frontdesk, estate=estate), frontdesk, "escalate", reason="unsatisfied"
        )
    with time_machine.travel(MORNING + dt.timedelta(minutes=40), tick=False):
        sweep_run()
    key = _migration("_escalation_overdue_since")
    executor = MigrationExecutor(connection)
    before = [parent.key for parent in executor.loader.graph.node_map[key].parents]

    # Back to before the column existed, and forward again over the same rows.
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(
                cursor, Escalation._meta.db_table
            )
        assert "overdue_since" not in {column.name for column in columns}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    missed = Escalation.objects.select_related("deadline").get(
        complaint=slipped, deadline__kind="acknowledge"
    )
    assert missed.overdue_since == missed.deadline.due_at == MORNING + dt.timedelta(minutes=15)
    assert missed.created_at == MORNING + dt.timedelta(minutes=40)
    raised = Escalation.objects.get(complaint_id=unhappy.pk)
    assert raised.overdue_since == raised.created_at == MORNING


def test_deadlines_left_open_on_closed_complaints_are_settled(frontdesk, estate):
    with time_machine.travel(MORNING, tick=False):
        closed = log_complaint(frontdesk, estate=estate, severity="urgent")
        act(closed, frontdesk, "accept")
        act(closed, frontdesk, "close_as_explained", validity="invalid", explanation="非物业范围")
        still_open = log_complaint(frontdesk, estate=estate, severity="urgent")
    closed_at = Complaint.objects.get(pk=closed.pk).closed_at
    # As an earlier version could leave them: open clocks on a closed complaint, one that ran
    # out while it was open and one due after it closed.
    ran_out = Deadline.objects.create(
        complaint=closed,
        kind="resolution",
        starts_at=MORNING - dt.timedelta(days=3),
        due_at=closed_at - dt.timedelta(hours=1),
        state="pending",
    )
    later = Deadline.objects.create(
        complaint=closed,
        kind="follow_up",
        starts_at=MORNING,
        due_at=closed_at + dt.timedelta(days=2),
        state="paused",
    )
    key = _migration("_closed_complaints_owe_nothing")
    executor = MigrationExecutor(connection)
    executor.migrate([parent.key for parent in executor.loader.graph.node_map[key].parents])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    ran_out.refresh_from_db()
    later.refresh_from_db()
    assert (ran_out.state, later.state) == ("missed", "cancelled")
    assert not closed.deadlines.filter(state__in=("pending", "paused")).exists()
    # An open complaint's clocks are left running.
    assert still_open.deadlines.get(kind="acknowledge").state == "pending"
