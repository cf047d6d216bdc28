"""A double click on "Save the complaint" logs one complaint: the button is disabled while the
form is in flight, and the form's one-time token holds where the script does not run."""

from __future__ import annotations

import pytest

from complaints.models import Complaint
from tests.browser.conftest import category_pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE = "#intake-form button[type=submit]"


def fill_the_call(page) -> None:
    page.select_option("#id_estate", "HY")
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_contact_phone", "13812345678")
    category_pick(page, "FAC-LIFT")
    page.fill("#id_summary", "3号楼电梯停运")
    page.fill("#id_account", "早上八点起电梯不动，家里有老人。")


def test_the_save_button_is_disabled_while_the_form_is_in_flight(desk, world):
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    fill_the_call(page)
    sent = []

    def no_answer_yet(route) -> None:
        # A "204 No Content" leaves the page where it is, as a slow server would: the form
        # stays in flight, and what a second click does can be seen.
        if route.request.method == "POST":
            sent.append(route.request.url)
            route.fulfill(status=204)
        else:
            route.continue_()

    page.route("**/complaints/new/", no_answer_yet)

    page.dblclick(SAVE)
    page.wait_for_timeout(500)

    assert len(sent) == 1
    assert page.evaluate("(s) => document.querySelector(s).disabled", SAVE) is True
    assert page.get_attribute("#intake-form", "aria-busy") == "true"
    assert not Complaint.objects.exists()


def test_a_double_click_logs_one_complaint(desk, world):
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    fill_the_call(page)

    page.dblclick(SAVE)
    page.wait_for_selector("[data-testid=created-banner]")

    complaint = Complaint.objects.get()
    assert page.inner_text("[data-testid=created-reference]") == complaint.reference
    assert complaint.escalation_level == 0 and complaint.repeat_of is None


def test_without_the_script_a_double_click_still_logs_one_complaint(desk, world):
    page = desk.open(world["frontdesk"], javascript=False)
    desk.go(page, "/complaints/new/")
    fill_the_call(page)

    page.dblclick(SAVE)
    page.wait_for_selector("[data-testid=created-banner]")

    complaint = Complaint.objects.get()
    assert page.inner_text("[data-testid=created-reference]") == complaint.reference
