"""Intake in a real browser: a unit picked through the look-up shows its complaints of the last
twelve months, whose links stay out of the desk's tab order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import log_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_picking_a_unit_shows_its_history_out_of_the_tab_order(desk, world):
    earlier = log_complaint(
        world["frontdesk"], estate=world["estate"], unit=world["unit"], category="SEC-NOISE"
    )
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    page.keyboard.type("1201")
    page.click("#lookup-results .list-group-item:has-text('unit only')")
    expect(page.locator("#id_contact_name")).to_be_focused()

    link = page.locator("#history-panel a", has_text=earlier.reference)
    expect(link).to_have_attribute("href", f"/complaints/{earlier.reference}/")
    expect(link).to_have_attribute("tabindex", "-1")
    expect(link).to_have_attribute("rel", "noopener")
    expect(page.locator("#history-panel")).to_contain_text("Security and order / Noise")
    # Back from the next field by keyboard: the unit, not the panel's link.
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#id_unit")).to_be_focused()

    # Another unit of the building, with no complaints: the panel goes.
    page.select_option("#id_unit", label="3号楼2单元-1202")
    expect(page.locator("[data-testid=intake-history]")).to_have_count(0)
