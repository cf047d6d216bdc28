"""A building-wide incident in a real browser: opened from the complaint that reported it,
which it links, and resolved from its page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint, Incident, Stage
from tests.browser.conftest import screenshot
from tests.factories import log_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_incident_opened_from_a_complaint_and_resolved(desk, world):
    complaint = log_complaint(
        world["frontdesk"],
        estate=world["estate"],
        unit=world["unit"],
        category="FAC-UTIL",
        summary="3号楼停水",
    )
    page = desk.open(world["supervisor"])
    desk.go(page, f"/complaints/{complaint.reference}/")

    page.click("[data-testid=open-incident-link]")
    page.wait_for_selector("[data-testid=incident-form]")
    expect(page.locator("[data-testid=incident-source]")).to_contain_text(complaint.reference)
    assert page.input_value("#id_estate") == "HY"
    assert page.input_value("#id_category") == "FAC-UTIL"
    expect(page.get_by_label("海悦花园 · 3号楼")).to_be_checked()
    page.fill("#id_title", "3号楼停水")
    page.fill("#id_notice", "供水管道抢修，预计今晚八点恢复供水。")
    screenshot(page, "incident-new-en")
    page.click("[data-testid=incident-form] button[type=submit]")

    page.wait_for_selector("[data-testid=linked-complaints]")
    incident = Incident.objects.get()
    expect(page.locator("[data-testid=reference]")).to_have_text(incident.reference)
    expect(page.locator("[data-testid=message]")).to_contain_text(
        f"{complaint.reference} is linked to it."
    )
    expect(page.locator("[data-testid=linked-complaints]")).to_contain_text(complaint.reference)
    assert Complaint.objects.get(pk=complaint.pk).incident == incident

    page.click("[data-action=resolve] summary")
    page.fill("#id_resolve_outcome", "更换了破裂的供水管。")
    page.fill("#id_resolve_cause", "管道老化")
    page.select_option("#id_resolve_liability", "ours")
    page.click("[data-action=resolve] button[type=submit]")

    expect(page.locator("[data-testid=stage]")).to_have_text("Resolved")
    expect(page.locator("[data-testid=outcome]")).to_have_text("更换了破裂的供水管。")
    expect(page.locator("[data-action=close]")).to_be_visible()
    screenshot(page, "incident-resolved-en")
    incident.refresh_from_db()
    assert (incident.stage, incident.liability) == ("resolved", "ours")
    # Still in intake, the complaint keeps its own stage: only those in resolution move on.
    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.INTAKE

    desk.go(page, f"/complaints/{complaint.reference}/")
    expect(page.locator("[data-testid=complaint-incident]")).to_contain_text(incident.reference)
