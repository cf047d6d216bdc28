"""Intake in a real browser with a building-wide incident open over the caller's building: the
panel shows it with its notice once the unit and category are chosen, one key links it, and
the saved complaint is linked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import Complaint
from complaints.services.incidents import IncidentInput, incident_open
from tests.browser.conftest import category_pick, resident_pick, screenshot
from tests.factories import category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTICE = "3号楼供水管道抢修，预计今晚八点恢复供水。"


def test_the_incident_over_the_building_is_shown_and_one_key_links_it(desk, world):
    incident = incident_open(
        actor=world["supervisor"],
        data=IncidentInput(
            estate=world["estate"],
            category=category("FAC-UTIL"),
            title="3号楼停水",
            notice=NOTICE,
            expected_end=timezone.now() + dt.timedelta(hours=6),
            buildings=(world["unit"].building,),
        ),
    )
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    resident_pick(page, "13812345678")
    assert page.locator("[data-testid=incident-panel]").count() == 0  # no category yet

    category_pick(page, "FAC-UTIL")

    panel = page.locator("[data-testid=incident-panel]")
    expect(panel).to_be_visible()
    expect(panel.locator("[data-testid=incident-reference]")).to_have_text([incident.reference])
    expect(panel.locator("[data-testid=incident-notice]")).to_have_text([NOTICE])
    expect(panel).to_contain_text("Alt+L")
    page.fill("#id_summary", "家里停水")
    page.focus("#id_account")
    page.keyboard.type("早上起没有水。")
    page.keyboard.press("Alt+l")
    expect(page.locator(f"#incident-{incident.pk}")).to_be_checked()
    expect(page.locator("[data-testid=incident-status]")).to_have_text(
        f"Linked to {incident.reference} 3号楼停水"
    )
    page.keyboard.press("Alt+l")  # pressed again: not linked
    expect(page.locator("#incident-none")).to_be_checked()
    page.keyboard.press("Alt+l")
    expect(page.locator(f"#incident-{incident.pk}")).to_be_checked()
    assert page.input_value("#id_account") == "早上起没有水。"  # the key typed nothing
    screenshot(page, "intake-incident-en")
    page.click("button[type=submit].btn-lg")

    page.wait_for_selector("[data-testid=created-banner]")
    complaint = Complaint.objects.get()
    assert complaint.incident_id == incident.pk
    expect(page.locator("[data-testid=linked-incident]")).to_contain_text(
        f"Linked to {incident.reference} 3号楼停水"
    )
