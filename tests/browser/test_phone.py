"""The handler's phone in a real browser at 390×844, in Chinese: take a complaint from the
list, then mark it resolved with a photo from the camera."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Complaint, ComplaintEvent, Evidence, Stage
from complaints.services import complaint_act
from tests.browser.conftest import no_horizontal_overflow, screenshot
from tests.factories import log_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _handed_to_engineering(world) -> Complaint:
    frontdesk = world["frontdesk"]
    complaint = log_complaint(
        frontdesk, estate=world["estate"], unit=world["unit"], summary="3号楼电梯异响"
    )
    complaint_act(reference=complaint.reference, actor=frontdesk, action="accept")
    return complaint_act(
        reference=complaint.reference,
        actor=frontdesk,
        action="plan_resolution",
        data={
            "validity": "valid",
            "department": "ENG",
            "plan": "工程部今天下午检修电梯",
            "callback_due_at": timezone.now() + dt.timedelta(hours=4),
        },
    )


def test_a_handler_takes_and_resolves_with_a_photo_on_a_phone(desk, world):
    complaint = _handed_to_engineering(world)
    page = desk.open(world["handler"], language="zh-hans", viewport=PHONE)

    desk.go(page, "/my/")
    # The hand-over told the handler: the bell shows it, no menu opened.
    expect(page.locator("[data-testid=unread-badge]")).to_be_visible()
    row = page.locator(f"[data-group=to_take] [data-reference='{complaint.reference}']")
    expect(row).to_contain_text("3号楼2单元-1201")
    assert no_horizontal_overflow(page)
    screenshot(page, "phone-list-zh")
    row.locator("[data-testid=take]").click()
    expect(page.locator("[data-testid=message]")).to_have_text("已完成：接单。")
    assert Complaint.objects.get(pk=complaint.pk).assignee == world["handler"]

    page.locator(f"[data-group=mine] [data-reference='{complaint.reference}'] a").click()
    form = page.locator("form[data-action=mark_resolved]")
    form.locator("[name=outcome]").fill("更换了曳引机轴承")
    form.locator("[name=cause]").fill("轴承磨损")
    form.locator("[name=liability]").select_option("ours")
    form.locator("input[type=file][name=photos]").set_input_files(
        [{"name": "修好后.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    assert no_horizontal_overflow(page)
    screenshot(page, "phone-complaint-zh")
    form.locator("button[type=submit]").click()

    expect(page.locator("[data-testid=message]")).to_have_text("已完成：标记已处理。")
    complaint.refresh_from_db()
    assert complaint.stage == Stage.FOLLOW_UP
    event = ComplaintEvent.objects.get(complaint=complaint, kind="mark_resolved")
    [photo] = Evidence.objects.filter(complaint=complaint)
    assert (photo.original_name, photo.event_id, photo.is_image) == ("修好后.jpg", event.pk, True)


def test_the_desks_bell_shows_on_a_phone_without_opening_the_menu(desk, world):
    _handed_to_engineering(world)
    page = desk.open(world["handler"], language="zh-hans", viewport=PHONE)

    desk.go(page, "/complaints/")

    expect(page.locator("#desk-nav")).to_be_hidden()
    expect(page.locator("[data-testid=unread-badge]")).to_be_visible()
