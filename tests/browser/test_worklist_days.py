"""The worklist's received days in Chromium: a quick pick (今天) or dates, whichever the desk
chose last, so that the common path never sends both and never meets the server's warning."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import log_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOTH = "Choose a period or dates, not both; the dates are used."


@pytest.fixture
def today_and_earlier(world):
    frontdesk = world["frontdesk"]
    earlier = log_complaint(
        frontdesk,
        estate=world["estate"],
        summary="三天前的投诉",
        received_at=timezone.now() - dt.timedelta(days=3),
    )
    today = log_complaint(frontdesk, estate=world["estate"], summary="今天的投诉")
    return {"earlier": earlier, "today": today}


def listed(page) -> set[str]:
    body = page.inner_text("main")
    return {
        key for key, text in (("earlier", "三天前的投诉"), ("today", "今天的投诉")) if text in body
    }


def test_dates_typed_after_a_quick_pick_replace_it(desk, world, today_and_earlier):
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/?period=today")
    expect(page.locator("#id_period")).to_have_value("today")
    assert listed(page) == {"today"}
    local_today = timezone.localdate(timezone=world["estate"].zone)

    page.fill("#id_received_from", (local_today - dt.timedelta(days=5)).isoformat())
    expect(page.locator("#id_period")).to_have_value("")
    page.fill("#id_received_to", (local_today - dt.timedelta(days=1)).isoformat())
    with page.expect_navigation():
        page.press("#id_received_to", "Enter")

    sent = parse_qs(urlsplit(page.url).query)
    assert "period" not in sent and sent["received_to"] == [
        (local_today - dt.timedelta(days=1)).isoformat()
    ]
    assert BOTH not in page.inner_text("main")
    expect(page.locator("[data-testid=filter-errors]")).to_have_count(0)
    assert listed(page) == {"earlier"}


def test_a_quick_pick_chosen_after_dates_replaces_them(desk, world, today_and_earlier):
    page = desk.open(world["frontdesk"])
    local_today = timezone.localdate(timezone=world["estate"].zone)
    since = (local_today - dt.timedelta(days=5)).isoformat()
    desk.go(page, f"/complaints/?received_from={since}")
    assert listed(page) == {"earlier", "today"}

    page.select_option("#id_period", "today")
    expect(page.locator("#id_received_from")).to_have_value("")
    expect(page.locator("#id_received_to")).to_have_value("")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")

    assert BOTH not in page.inner_text("main")
    expect(page.locator("[data-testid=filter-errors]")).to_have_count(0)
    expect(page.locator("#id_period")).to_have_value("today")
    assert listed(page) == {"today"}
