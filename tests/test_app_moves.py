"""The weekly summary's and the outbox's models moved out of ``complaints`` with their tables:
a database that holds rows keeps every one of them, and their content types, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
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


# Columns added since the moves: going back before them drops them, as any migration would.
ADDED_SINCE = {"notification": ("params", "urgent", "status", "provider_id")}


def _rows() -> dict[str, list[dict]]:
    return {
        name: list(
            model.objects.order_by("pk").values(
                *(
                    field.attname
                    for field in model._meta.concrete_fields
                    if field.name not in ADDED_SINCE.get(name, ())
                )
            )
        )
        for name, model in MOVED.items()
    }


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


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/complaints/notification/", "/admin/notifications/notification/"),
        ("/admin/complaints/notification/7/change/", "/admin/notifications/notification/7/change/"),
        (
            "/admin/complaints/weeklysummarysnapshot/",
            "/admin/reports/weeklysummarysnapshot/",
        ),
        (
            "/admin/complaints/weeklysummarysnapshot/3/change/",
            "/admin/reports/weeklysummarysnapshot/3/change/",
        ),
        ("/admin/complaints/weeklysummarychange/", "/admin/reports/weeklysummarychange/"),
        (
            "/admin/complaints/weeklysummarychange/2/history/",
            "/admin/reports/weeklysummarychange/2/history/",
        ),
        ("/admin/complaints/weeklyreportdelivery/", "/admin/reports/weeklyreportdelivery/"),
        (
            "/admin/complaints/weeklyreportdelivery/add/",
            "/admin/reports/weeklyreportdelivery/add/",
        ),
        (
            "/admin/complaints/weeklyreportdelivery/?week=2026-W47",
            "/admin/reports/weeklyreportdelivery/?week=2026-W47",
        ),
    ],
)
def test_the_moved_models_old_admin_addresses_redirect_permanently(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


@pytest.mark.parametrize("app", ["notifications", "reports"])
def test_the_redirects_land_on_admin_pages_that_answer(client, app):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "demo")
    client.force_login(admin)
    model = {"notifications": "notification", "reports": "weeklyreportdelivery"}[app]

    response = client.get(f"/admin/complaints/{model}/", follow=True)

    assert response.redirect_chain == [(f"/admin/{app}/{model}/", 301)]
    assert response.status_code == 200


def test_the_complaints_own_admin_pages_are_not_redirected(client):
    assert client.get("/admin/complaints/complaint/").status_code == 302  # to the login
