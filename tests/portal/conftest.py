import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from complaints.status_links import status_path
from notifications.models import Notification


@pytest.fixture(autouse=True)
def _fresh_tries():
    """The look-up counts tries in the shared cache for an hour: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resident_browser() -> Client:
    """A phone's browser: no session, no cookie, Chinese."""
    return Client(HTTP_ACCEPT_LANGUAGE="zh-CN")


def page(client: Client, complaint, suffix: str = "", **query):
    return client.get(status_path(complaint) + suffix, query)


def text_message(complaint, body: str, *, status: str = "sent", at: dt.datetime) -> Notification:
    """A text message of the outbox about ``complaint``, to its resident."""
    return Notification.objects.create(
        complaint=complaint,
        audience=Notification.Audience.RESIDENT,
        channel=Notification.Channel.SMS,
        address="8613812345678",
        kind="received",
        subject="",
        body=body,
        status=status,
        dedupe_key=f"test:{complaint.pk}:{body}",
        not_before=at,
        sent_at=at if status == "sent" else None,
    )
