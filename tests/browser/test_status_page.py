"""The resident's pages in a real browser at 390×844, in Chinese: the status link from a text
message, the rating behind it, and the look-up by reference and phone digits."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import Complaint, Stage
from complaints.services import complaint_act
from complaints.status_links import status_url
from notifications.sending import notifications_send
from notifications.sms import local as locmem
from tests.browser.conftest import no_horizontal_overflow, screenshot
from tests.factories import log_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _resolved(world) -> tuple[Complaint, str]:
    """A lift repaired by engineering, now waiting for the follow-up call; with the text of
    the receipt its resident was sent, and what followed sent too."""
    supervisor, estate = world["supervisor"], world["estate"]
    # Messages may go at any hour: the test does not depend on when it runs.
    estate.quiet_from = estate.quiet_until = dt.time(0, 0)
    estate.save(update_fields=["quiet_from", "quiet_until"])
    locmem.outbox.clear()
    complaint = log_complaint(
        supervisor,
        estate=estate,
        unit=world["unit"],
        resident=world["resident"],
        summary="3号楼电梯异响",
    )
    notifications_send()
    (receipt,) = locmem.outbox
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
    notifications_send()  # the plan and the resolution, due together: one message
    return complaint, receipt.text


def test_a_resident_follows_the_link_rates_and_finds_the_complaint_again(desk, world):
    cache.clear()
    complaint, receipt = _resolved(world)
    (link,) = re.findall(r"https?://\S+", receipt)
    assert link == status_url(complaint)
    page = desk.open(language="zh-hans", viewport=PHONE)

    # The link as the receipt carries it, on the server the test runs.
    desk.go(page, urlsplit(link).path)
    expect(page.locator("[data-testid=stage]")).to_have_text("已解决待回访")
    expect(page.locator("[data-testid=department]")).to_have_text("工程部")
    expect(page.locator("[data-testid=messages] .portal-message")).to_have_count(3)
    assert no_horizontal_overflow(page)
    screenshot(page, "status-page")

    page.locator("[data-testid=rate] a").click()
    page.get_by_text("较满意", exact=True).click()
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
