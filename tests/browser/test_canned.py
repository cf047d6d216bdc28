"""The canned explanations (话术库) in Chromium: inserted at the cursor with the keyboard alone,
and listed to copy from where the script does not run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from complaints.models import CannedExplanation, Category
from tests.complaints.helpers import complaint_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WARRANTY = "您家交房未满五年，防水仍在开发商保修期内，我们陪同开发商上门查看。"
UPSTAIRS = "渗漏来自楼上时，我们联系楼上业户配合闭水试验，查明原因后商定维修。"


@pytest.fixture
def leak(world):
    category = Category.objects.get(code="QUAL-LEAK")
    CannedExplanation.objects.create(category=category, title="保修期内渗漏", text=WARRANTY)
    CannedExplanation.objects.create(category=category, title="楼上渗漏", text=UPSTAIRS, order=1)
    return complaint_at(
        "clarification", actor=world["supervisor"], estate=world["estate"], category=category
    )


def test_a_canned_explanation_is_inserted_at_the_cursor_by_keyboard(desk, world, leak):
    page = desk.open(world["supervisor"], language="zh-hans")
    desk.go(page, f"/complaints/{leak.reference}/")
    page.click("details[data-action=plan_resolution] summary")
    plan = page.locator("#id_plan_resolution_plan")
    plan.click()
    page.keyboard.insert_text("先致歉。")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_plan_resolution_plan_canned"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.cannedInsert") == ""
    page.keyboard.press("Enter")
    expect(plan).to_have_value("先致歉。" + UPSTAIRS)
    assert page.evaluate("document.activeElement.id") == "id_plan_resolution_plan"
    # Typing goes on where the inserted text ends.
    page.keyboard.insert_text("明天回电。")
    expect(plan).to_have_value("先致歉。" + UPSTAIRS + "明天回电。")


def test_without_the_script_the_texts_are_listed_to_copy_from(desk, world, leak):
    page = desk.open(world["supervisor"], javascript=False)
    desk.go(page, f"/complaints/{leak.reference}/")
    page.click("details[data-action=close_as_explained] summary")
    form = page.locator("details[data-action=close_as_explained]")
    expect(form.locator("#id_close_as_explained_explanation_canned")).to_be_hidden()
    form.locator(".desk-canned-list summary").click()
    expect(form.locator(".desk-canned-text").first).to_have_text(WARRANTY)
    expect(form.locator(".desk-canned-text").nth(1)).to_have_text(UPSTAIRS)
