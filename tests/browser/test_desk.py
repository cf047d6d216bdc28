"""The desk in a real browser: a call logged by keyboard and walked to closed, two people on one
complaint, evidence, another estate's complaint, both languages, desktop and tablet widths."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Complaint, Escalation, Stage
from complaints.services import complaint_act, evidence_add
from tests.browser.conftest import (
    TABLET,
    category_pick,
    no_horizontal_overflow,
    resident_pick,
    screenshot,
)
from tests.factories import log_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def choose_by_keyboard(page, selector: str, label: str) -> None:
    """Pick an option of a focused select by pressing the down arrow until it shows."""
    tab_to(page, selector)
    for _ in range(60):
        if page.evaluate(
            "(s) => { const e = document.querySelector(s); "
            "return e.options[e.selectedIndex].text.trim(); }",
            selector,
        ).startswith(label):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label!r} in {selector}")


def timeline_kinds(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=timeline] > li", "items => items.map(i => i.dataset.kind)"
    )


def in_a_day() -> str:
    when = timezone.localtime(timezone.now() + dt.timedelta(days=1))
    return when.strftime("%Y-%m-%dT%H:%M")


def test_a_phone_complaint_logged_by_keyboard_and_walked_to_closed(desk, world):
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    assert page.evaluate("document.activeElement.id") == "lookup"
    resident_pick(page, "13812345678")
    # The resident is on file: the call goes on with what it is about.
    expect(page.locator("#id_category_typed")).to_be_focused()
    assert page.input_value("#id_unit") == str(world["unit"].pk)
    page.keyboard.type("lift")
    page.keyboard.press("Enter")
    assert page.input_value("#id_category") == "FAC-LIFT"
    tab_to(page, "#id_account")
    page.keyboard.type("早上八点起电梯不动，家里有老人，希望尽快修好。")
    tab_to(page, "#id_summary")
    page.keyboard.type("3号楼2单元电梯停运")
    screenshot(page, "intake-call-en")
    tab_to(page, "button[type=submit].btn-lg")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=created-banner]")
    complaint = Complaint.objects.get()
    assert page.inner_text("[data-testid=created-reference]") == complaint.reference
    assert complaint.resident == world["resident"] and complaint.category.code == "FAC-LIFT"

    page.click("form[data-action=accept] button")
    page.wait_for_selector("[data-testid=message]")
    page.click("details[data-action=plan_resolution] summary")
    page.select_option("#id_plan_resolution_validity", "valid")
    assert page.input_value("#id_plan_resolution_department") == "ENG"
    page.fill("#id_plan_resolution_plan", "工程部今天下午检修电梯，明天上午回复业主。")
    page.fill("#id_plan_resolution_callback_due_at", in_a_day())
    page.click("details[data-action=plan_resolution] button[type=submit]")
    page.wait_for_selector("[data-testid=stage]:has-text('Resolution')")

    handler_page = desk.open(world["handler"])
    desk.go(handler_page, f"/complaints/{complaint.reference}/")
    handler_page.click("details[data-action=mark_resolved] summary")
    handler_page.fill("#id_mark_resolved_outcome", "更换了电梯控制板，试运行正常。")
    handler_page.fill("#id_mark_resolved_cause", "控制板老化")
    handler_page.select_option("#id_mark_resolved_liability", "ours")
    handler_page.click("details[data-action=mark_resolved] button[type=submit]")
    handler_page.wait_for_selector("[data-testid=stage]:has-text('Follow-up')")

    desk.go(page, f"/complaints/{complaint.reference}/")
    page.click("details[data-action=close] summary")
    page.select_option("#id_close_satisfaction", "satisfied")
    page.fill("#id_close_summary", "回访业主，电梯运行正常，业主满意。")
    page.click("details[data-action=close] button[type=submit]")
    page.wait_for_selector("[data-testid=stage]:has-text('Closed')")
    assert timeline_kinds(page) == [
        "created",
        "accept",
        "plan_resolution",
        "mark_resolved",
        "close",
    ]
    assert "handler" in page.inner_text("[data-kind=mark_resolved]")
    assert Complaint.objects.get().stage == Stage.CLOSED


def test_an_escalation_is_acknowledged_from_the_queue_by_keyboard_without_javascript(desk, world):
    frontdesk = world["frontdesk"]
    for where in (("estate", "unit"), ("other_estate", "far_unit")):
        complaint = log_complaint(frontdesk, estate=world[where[0]], unit=world[where[1]])
        complaint_act(
            reference=complaint.reference,
            actor=frontdesk,
            action="escalate",
            data={"reason": "unsatisfied", "note": "业主要求主管回电"},
        )
    escalation = Escalation.objects.get(complaint__estate=world["estate"])
    prefix = f"#id_{escalation.pk}"
    page = desk.open(world["supervisor"], language="zh-hans", javascript=False)
    desk.go(page, "/escalations/")
    assert page.locator("[data-testid=escalation]").count() == 2
    # Without JavaScript the card's button opens the acknowledge form as a page.
    tab_to(page, f"a[href='/escalations/{escalation.pk}/acknowledge/']")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{prefix}_assignee")
    assert page.inner_text(f"label[for=id_{escalation.pk}_assignee]") == "分派给"

    choose_by_keyboard(page, f"{prefix}_assignee", "handler")
    tab_to(page, f"{prefix}_note")
    page.keyboard.type("已联系工程部")
    tab_to(page, f"form[action='/escalations/{escalation.pk}/acknowledge/'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=message]")

    reference = escalation.complaint.reference
    assert f"已确认 {reference} 的督办。" in page.inner_text("[data-testid=message]")
    assert page.locator("[data-testid=escalation]").count() == 1
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == world["supervisor"]
    complaint = Complaint.objects.get(reference=reference)
    assert complaint.assignee == world["handler"]
    acknowledged = complaint.events.get(kind="escalation_acknowledged")
    assert acknowledged.note == "已联系工程部"


def test_another_estates_complaint_is_a_404_page(desk, world):
    complaint = log_complaint(world["frontdesk"], estate=world["estate"], unit=world["unit"])
    desk.expected_statuses.add(404)
    page = desk.open(world["frontdesk_b"])
    response = desk.go(page, f"/complaints/{complaint.reference}/")
    assert response.status == 404
    assert page.is_visible("[data-testid=error-message]")
    assert complaint.summary not in page.content()
    assert complaint.reference not in page.inner_text("main")


def test_two_people_on_one_complaint(desk, world):
    complaint = log_complaint(world["frontdesk"], estate=world["estate"], unit=world["unit"])
    first = desk.open(world["frontdesk"])
    second = desk.open(world["supervisor"])
    for page in (first, second):
        desk.go(page, f"/complaints/{complaint.reference}/")
    first.click("form[data-action=accept] button")
    first.wait_for_selector("[data-testid=stage]:has-text('Clarification')")
    second.click("details[data-action=add_note] summary")
    second.fill("#id_add_note_text", "主管：我来处理")
    second.click("details[data-action=add_note] button[type=submit]")
    message = second.inner_text("[data-testid=message]")
    assert "Someone else changed this complaint meanwhile" in message
    assert "Nothing was saved." in message
    assert second.inner_text("[data-testid=stage]") == "Clarification"
    assert not Complaint.objects.get().events.filter(kind="add_note").exists()


def _png(colour=(220, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_evidence_is_uploaded_and_shown_as_a_thumbnail(desk, world, tmp_path):
    complaint = log_complaint(world["frontdesk"], estate=world["estate"], unit=world["unit"])
    photo = tmp_path / "漏水.png"
    photo.write_bytes(_png())
    page = desk.open(world["frontdesk"])
    desk.go(page, f"/complaints/{complaint.reference}/")
    page.set_input_files("#evidence-files", [str(photo)])
    page.click("[data-testid=attach]")
    page.wait_for_selector("[data-testid=evidence-thumbnail]")
    thumbnail = page.locator("[data-testid=evidence-thumbnail]").first
    thumbnail.scroll_into_view_if_needed()
    for _ in range(50):
        if thumbnail.evaluate("img => img.complete && img.naturalWidth === 320"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the thumbnail never loaded")
    assert "evidence_added" in timeline_kinds(page)


def _busy_desk(world) -> Complaint:
    """A handful of complaints in every stage, an escalation and a photo, for the screenshots."""
    frontdesk, supervisor = world["frontdesk"], world["supervisor"]
    estate, unit = world["estate"], world["unit"]

    def act(complaint, actor, action, **data):
        return complaint_act(reference=complaint.reference, actor=actor, action=action, data=data)

    on_file = {"contact_name": "", "contact_phone": ""}  # the resident's own name and phone
    log_complaint(
        frontdesk,
        estate=estate,
        unit=world["neighbour_unit"],
        resident=world["neighbour"],
        category="SEC-NOISE",
        summary="楼上装修噪音",
        severity="major",
        **on_file,
    )
    log_complaint(
        frontdesk,
        estate=world["other_estate"],
        unit=world["far_unit"],
        resident=world["far_resident"],
        category="FEE-PROP",
        summary="物业费账单有误",
        **on_file,
    )
    explained = log_complaint(
        frontdesk,
        estate=estate,
        category="ENV-CLEAN",
        summary="楼道垃圾没人清理",
        contact_name="陈女士",
        contact_phone="13600004444",
        channel="walk_in",
    )
    act(explained, frontdesk, "accept")
    act(
        explained,
        frontdesk,
        "close_as_explained",
        validity="valid",
        explanation="已安排保洁每日两次清理楼道",
    )
    complaint = log_complaint(
        frontdesk,
        estate=estate,
        unit=unit,
        resident=world["resident"],
        category="QUAL-LEAK",
        severity="urgent",
        **on_file,
        summary="卫生间天花板漏水",
        account="楼上卫生间漏水到我家天花板，已经两天了。",
    )
    act(complaint, frontdesk, "accept")
    act(
        complaint,
        frontdesk,
        "plan_resolution",
        validity="valid",
        department="ENG",
        plan="工程部今天上门查看漏点",
        callback_due_at=timezone.now() + dt.timedelta(hours=6),
    )
    act(complaint, frontdesk, "log_callback", reached=True, note="已告知业主上门时间")
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="业主要求主管出面")
    evidence_add(
        reference=complaint.reference,
        actor=frontdesk,
        upload=_upload("天花板.png", _png((90, 120, 200))),
    )
    act(complaint, supervisor, "add_note", text="主管已致电业主致歉")
    return complaint


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/png")


PAGES = {
    "worklist": ("frontdesk", "/complaints/"),
    "intake": ("frontdesk", "/complaints/new/"),
    "complaint": ("frontdesk", "/complaints/{reference}/"),
    "escalations": ("supervisor", "/escalations/"),
    "residents": ("frontdesk", "/residents/?q=3号楼"),
    "resident": ("frontdesk", "/residents/{resident}/"),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_fits_desktop_and_tablet_in_both_languages(desk, world, language):
    complaint = _busy_desk(world)
    suffix = "zh" if language.startswith("zh") else "en"
    for name, (who, path) in PAGES.items():
        url = path.format(reference=complaint.reference, resident=world["resident"].pk)
        for viewport in ("desktop", "tablet"):
            page = desk.open(
                world[who],
                language=language,
                **({"viewport": TABLET} if viewport == "tablet" else {}),
            )
            response = desk.go(page, url)
            assert response.status == 200, url
            assert no_horizontal_overflow(page), (name, viewport, language)
            # Bootstrap is loaded (the navbar is coloured) and the page speaks the language.
            assert (
                page.evaluate("getComputedStyle(document.querySelector('.navbar')).backgroundColor")
                != "rgba(0, 0, 0, 0)"
            )
            assert page.evaluate("document.documentElement.lang") == language
            if viewport == "desktop":
                screenshot(page, f"{name}-{suffix}")
            elif name in ("worklist", "complaint"):
                screenshot(page, f"{name}-{suffix}-tablet")
            page.context.close()
    desk.contexts.clear()


def test_the_language_switch_is_remembered(desk, world):
    page = desk.open(world["frontdesk"], language="en")
    desk.go(page, "/complaints/")
    assert "Worklist" in page.inner_text("nav")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "工作台" in page.inner_text("nav")
    world["frontdesk"].staff_member.refresh_from_db()
    assert world["frontdesk"].staff_member.language == "zh-hans"
    elsewhere = desk.open(world["frontdesk"], language="zh-hans")
    desk.go(elsewhere, "/complaints/")
    assert re.search("工作台", elsewhere.inner_text("nav"))


def test_signing_in_and_out(desk, world):
    page = desk.open()
    desk.go(page, "/complaints/")
    page.fill("input[name=username]", "frontdesk")
    page.fill("input[name=password]", "demo")
    screenshot(page, "login-en")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == desk.url + "/complaints/", page.inner_text("main")
    assert "工作台" in page.inner_text("nav")  # the saved language (zh-hans) after sign-in
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/")


def test_the_admin_and_the_api_docs_run_under_their_policies(desk, world):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    page = desk.open()
    page.context.add_cookies(_session_cookie(admin, desk.url))
    for path in ("/admin/", "/admin/complaints/complaint/", "/api/docs/"):
        assert desk.go(page, path).status == 200, path
    page.wait_for_selector(".swagger-ui .info")


def _session_cookie(user, url: str) -> list[dict]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": url,
        }
    ]


def test_the_unit_picker_and_the_repeat_warning(desk, world):
    earlier = log_complaint(
        world["frontdesk"],
        estate=world["estate"],
        unit=world["neighbour_unit"],
        category="SEC-NOISE",
        summary="楼上装修噪音",
    )
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    page.select_option("#id_estate", "HY")
    page.wait_for_selector("#id_building option:has-text('3号楼')", state="attached")
    page.select_option("#id_building", label="3号楼")
    page.wait_for_selector("#id_unit option:has-text('3号楼2单元-1202')", state="attached")
    page.select_option("#id_unit", label="3号楼2单元-1202")
    category_pick(page, "SEC-PARK")
    warning = page.wait_for_selector("[data-testid=repeat-warning]")
    assert earlier.reference in warning.inner_text()
    page.select_option("#id_estate", "JD")
    page.wait_for_selector("#id_building option:has-text('1号楼')", state="attached")
    assert page.input_value("#id_unit") == ""
    expect(page.locator("[data-testid=repeat-warning]")).to_have_count(0)


def test_ctrl_enter_saves_the_intake_form_from_the_account_field(desk, world):
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    resident_pick(page, "13812345678")
    category_pick(page, "FAC-LIFT")
    page.fill("#id_summary", "电梯停运")
    page.focus("#id_account")
    page.keyboard.type("早上八点起电梯不动。")

    page.keyboard.press("Control+Enter")

    page.wait_for_selector("[data-testid=created-banner]")
    complaint = Complaint.objects.get()
    assert (complaint.summary, complaint.account) == ("电梯停运", "早上八点起电梯不动。")
    # Pressed again on the receipt page, it saves nothing more.
    page.keyboard.press("Control+Enter")
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("shortcut", ["Control+Enter", "Meta+Enter"])
def test_ctrl_enter_in_the_open_category_list_takes_the_highlighted_category_and_saves(
    desk, world, shortcut
):
    page = desk.open(world["frontdesk"], language="zh-hans")
    desk.go(page, "/complaints/new/")
    resident_pick(page, "13812345678")
    page.fill("#id_account", "厨房顶上渗水。")
    page.focus("#id_category_typed")
    page.keyboard.type("sl")
    highlighted = page.locator("#id_category_matches [role=option].active")
    expect(highlighted).to_contain_text("渗漏")

    page.keyboard.press(shortcut)

    page.wait_for_selector("[data-testid=created-banner]")
    complaint = Complaint.objects.get()
    assert complaint.category.code == "QUAL-LEAK"
    assert (complaint.summary, complaint.account) == ("厨房顶上渗水。", "厨房顶上渗水。")


def test_the_acknowledge_form_opens_in_its_card_with_the_focus_in_it(desk, world):
    complaint = log_complaint(world["frontdesk"], estate=world["estate"], unit=world["unit"])
    complaint_act(
        reference=complaint.reference,
        actor=world["frontdesk"],
        action="escalate",
        data={"reason": "unsatisfied", "note": ""},
    )
    escalation = Escalation.objects.get()
    page = desk.open(world["supervisor"])
    desk.go(page, "/escalations/")
    assert page.locator(f"#id_{escalation.pk}_note").count() == 0

    page.click("[data-testid=ack-open]")

    page.wait_for_selector(f"#form-slot-{escalation.pk} form")
    assert page.url.endswith("/escalations/")  # in the card, not a page of its own
    assert page.evaluate("document.activeElement.id") == f"id_{escalation.pk}_callback_due_at"
    page.fill(f"#id_{escalation.pk}_note", "我来跟进")
    page.click(f"#form-slot-{escalation.pk} button[type=submit]")
    page.wait_for_selector("[data-testid=message]")
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == world["supervisor"]
