"""The weekly summary's and the outbox's models moved out of ``complaints`` with their tables:
a database that holds rows keeps every one of them, and their content types, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notifications.models import Notification
from reports.models import WeeklyReportDelivery, WeeklySummaryChange, WeeklySummarySnapshot
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVES = [
    ("complaints", "0008_search_indexes"),
    ("reports", None),
    ("notifications", None),
]
MOVED = {
    "weeklyreportdelivery": WeeklyReportDelivery,
    "weeklysummarysnapshot": WeeklySummarySnapshot,
    "weeklysummarychange": WeeklySummaryChange,
    "notification": Notification,
}


def _rows() -> dict[str, list[dict]]:
    return {name: list(model.objects.order_by("pk").values()) for name, model in MOVED.items()}


def test_the_moved_models_keep_their_rows_and_content_types(frontdesk, supervisor, estate):
    now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    log_complaint(frontdesk, estate=estate, severity="urgent")
    WeeklyReportDelivery.objects.create(manager=supervisor, week="2026-W47", claimed_at=now)
    WeeklySummarySnapshot.objects.create(
        week="2026-W47", scope=str(estate.pk), ends_at=now, computed_at=now, payload={"n": 1}
    )
    WeeklySummaryChange.objects.create(since=now, estate=estate, recorded_at=now)
    rows = _rows()
    assert all(rows.values()), rows
    types = {name: ContentType.objects.get_for_model(model).pk for name, model in MOVED.items()}

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVES)
    try:
        old = executor.loader.project_state(BEFORE_THE_MOVES[:1]).apps
        for name in MOVED:
            model = old.get_model("complaints", name)
            assert model.objects.count() == len(rows[name]), name
        old_types = ContentType.objects.filter(app_label="complaints", model__in=list(MOVED))
        assert dict(old_types.values_list("model", "pk")) == types
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    ContentType.objects.clear_cache()
    assert _rows() == rows
    assert {
        name: ContentType.objects.get_for_model(model).pk for name, model in MOVED.items()
    } == types
    assert not ContentType.objects.filter(app_label="complaints", model__in=list(MOVED)).exists()
