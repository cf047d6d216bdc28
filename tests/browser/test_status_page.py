"""The resident's pages in a real browser at 390×844, in Chinese: the status link from a text
message, the rating behind it, and the look-up by reference and phone digits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import Complaint, Stage
from complaints.services import complaint_act
from complaints.status_links import status_path, status_url
from notifications.models import Notification
from tests.browser.conftest import no_horizontal_overflow, screenshot
from tests.factories import log_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _resolved(world) -> Complaint:
    """A lift repaired by engineering, now waiting for the follow-up call."""
    supervisor = world["supervisor"]
    complaint = log_complaint(
        supervisor,
        estate=world["estate"],
        unit=world["unit"],
        resident=world["resident"],
        summary="3号楼电梯异响",
    )
    steps = [
        ("accept", {}),
        (
            "plan_resolution",
            {
                "validity": "valid",
                "department": "ENG",
                "plan": "工程部今天下午检修电梯",
                "callback_due_at": timezone.now() + dt.timedelta(hours=4),
            },
        ),
        (
            "mark_resolved",
            {"outcome": "更换了曳引机轴承", "cause": "轴承磨损", "liability": "ours"},
        ),
    ]
    for action, data in steps:
        complaint = complaint_act(
            reference=complaint.reference, actor=supervisor, action=action, data=data
        )
    return complaint


def _sent(complaint: Complaint, body: str, hours_ago: int) -> None:
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    Notification.objects.create(
        complaint=complaint,
        audience=Notification.Audience.RESIDENT,
        channel=Notification.Channel.SMS,
        address="8613812345678",
        kind="resident",
        subject="",
        body=body,
        status=Notification.Status.SENT,
        dedupe_key=f"browser:{complaint.pk}:{hours_ago}",
        not_before=at,
        sent_at=at,
    )


def test_a_resident_follows_the_link_rates_and_finds_the_complaint_again(desk, world):
    cache.clear()
    complaint = _resolved(world)
    received = f"【海悦花园物业】您的投诉已受理，编号 {complaint.reference}。"
    _sent(complaint, received + f"查看进度：{status_url(complaint)}", hours_ago=5)
    _sent(complaint, "【海悦花园物业】工程部今天下午检修电梯，预计今天处理完毕。", hours_ago=4)
    _sent(complaint, "【海悦花园物业】您反映的问题已处理：更换了曳引机轴承。", hours_ago=1)
    page = desk.open(language="zh-hans", viewport=PHONE)

    desk.go(page, status_path(complaint))
    expect(page.locator("[data-testid=stage]")).to_have_text("已解决待回访")
    expect(page.locator("[data-testid=department]")).to_have_text("工程部")
    expect(page.locator("[data-testid=messages] .portal-message")).to_have_count(3)
    assert no_horizontal_overflow(page)
    screenshot(page, "status-page")

    page.locator("[data-testid=rate] a").click()
    page.get_by_text("基本满意", exact=True).click()
    page.locator("[name=comment]").fill("维修师傅很耐心，就是等得有点久。")
    assert no_horizontal_overflow(page)
    screenshot(page, "status-rate")
    page.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=thanks]")).to_contain_text("我们已收到您的评价。")
    rated = Complaint.objects.get(pk=complaint.pk)
    assert (rated.resident_rating, rated.stage) == ("fairly", Stage.FOLLOW_UP)

    desk.go(page, "/status/")
    page.locator("[name=reference]").fill(complaint.reference)
    page.locator("[name=phone_last4]").fill("5678")
    assert no_horizontal_overflow(page)
    screenshot(page, "status-lookup")
    page.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=reference]")).to_have_text(complaint.reference)
    expect(page.locator("[data-testid=rated]")).to_be_visible()

    page.locator("[data-testid=language-switch]").click()
    expect(page.locator("[data-testid=stage]")).to_have_text(
        "Resolved, awaiting our follow-up call"
    )
