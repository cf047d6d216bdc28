"""The status page behind the signed link: what a resident reads, and what it never shows."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.core import signing
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from complaints.models import DeadlineKind, DeadlineState
from complaints.services import evidence_add
from complaints.status_links import SALT, status_token
from config.middleware import PAGE_POLICY
from tests.complaints.helpers import SHANGHAI, act, complaint_at
from tests.complaints.page_helpers import NOW, png_bytes, upload
from tests.factories import ResidentFactory, UnitFactory, log_complaint, make_staff
from tests.portal.conftest import page, text_message
from tests.security.markup import live_markup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _office_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def body(response) -> str:
    return response.content.decode()


def shown(response) -> str:
    """The page's text without its markup, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", body(response)).split())


def test_the_page_shows_the_reference_stage_next_step_department_and_messages(
    supervisor, estate, unit, resident, resident_browser
):
    complaint = complaint_at(
        "resolution", actor=supervisor, estate=estate, unit=unit, resident=resident
    )
    text_message(complaint, "您的投诉已受理，编号见短信。", at=NOW - dt.timedelta(hours=2))
    text_message(
        complaint, "合并发送的第二条短信。", status="merged", at=NOW - dt.timedelta(hours=1)
    )
    text_message(complaint, "尚未发送的短信", status="queued", at=NOW)
    text_message(complaint, "发送失败的短信", status="failed", at=NOW)
    resolution = complaint.deadlines.get(kind=DeadlineKind.RESOLUTION, state=DeadlineState.PENDING)

    response = page(resident_browser, complaint)

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    text = shown(response)
    assert complaint.reference in text
    assert "处理中" in text
    assert "工程部" in text
    assert "工程部今天下午检修电梯" in text  # the plan agreed with the resident
    with translation.override("zh-hans"):
        due = date_filter(resolution.due_at.astimezone(estate.zone), "DATETIME_FORMAT")
    assert f"预计于 {due} 前处理完毕" in text
    assert "您的投诉已受理，编号见短信。" in text
    assert "合并发送的第二条短信。" in text
    assert "尚未发送的短信" not in text
    assert "发送失败的短信" not in text
    assert text.index("您的投诉已受理") < text.index("合并发送的第二条短信")
    assert "评价" not in text  # no rating while the work goes on


def test_times_are_the_estate_s_own(supervisor, estate, resident_browser):
    estate.time_zone = "Asia/Urumqi"
    estate.save(update_fields=["time_zone"])
    complaint = log_complaint(supervisor, estate=estate)
    call = complaint.deadlines.filter(state=DeadlineState.PENDING).order_by("due_at").first()
    assert call.kind in (DeadlineKind.ACKNOWLEDGE, DeadlineKind.FIRST_CALLBACK)

    text = shown(page(resident_browser, complaint, lang="en"))

    with translation.override("en"):
        local = date_filter(
            call.due_at.astimezone(zoneinfo.ZoneInfo("Asia/Urumqi")), "DATETIME_FORMAT"
        )
        shanghai = date_filter(call.due_at.astimezone(SHANGHAI), "DATETIME_FORMAT")
    assert local != shanghai
    assert f"We will call you by {local}." in text


@pytest.mark.parametrize(
    ("stage", "chinese", "english"),
    [
        ("intake", "已受理", "Received"),
        ("clarification", "处理中", "In progress"),
        ("resolution", "处理中", "In progress"),
        ("follow_up", "已解决待回访", "Resolved, awaiting our follow-up call"),
        ("closed", "已办结", "Closed"),
    ],
)
def test_each_stage_in_plain_words(supervisor, estate, resident_browser, stage, chinese, english):
    complaint = complaint_at(stage, actor=supervisor, estate=estate)

    zh = page(resident_browser, complaint)
    en = page(resident_browser, complaint, lang="en")

    assert re.search(rf'data-testid="stage">{re.escape(chinese)}<', body(zh))
    assert re.search(rf'data-testid="stage">{re.escape(english)}<', body(en))


def test_what_comes_next_in_follow_up_and_when_closed(supervisor, estate, resident_browser):
    follow_up = complaint_at("follow_up", actor=supervisor, estate=estate)
    closed = complaint_at("closed", actor=supervisor, estate=estate)
    visit = follow_up.deadlines.get(kind=DeadlineKind.FOLLOW_UP, state=DeadlineState.PENDING)

    follow_up_text = shown(page(resident_browser, follow_up, lang="en"))
    closed_text = shown(page(resident_browser, closed, lang="en"))

    with translation.override("en"):
        due = date_filter(visit.due_at.astimezone(estate.zone), "DATETIME_FORMAT")
    assert f"We will call you by {due} to ask whether it was resolved to your satisfaction." in (
        follow_up_text
    )
    assert "Rate how we handled it" in follow_up_text
    assert "Your complaint is closed." in closed_text
    assert "Rate how we handled it" in closed_text


def test_the_page_speaks_the_resident_s_language_and_switches_by_link(
    supervisor, estate, unit, resident_browser
):
    reader = ResidentFactory(name="Anna Smith", phone="13700001111", language="en", units=[unit])
    complaint = log_complaint(supervisor, estate=estate, unit=unit, resident=reader)

    english = page(resident_browser, complaint)
    chinese = page(resident_browser, complaint, lang="zh-hans")

    assert "Received" in shown(english)
    assert 'href="?lang=zh-hans"' in body(english)
    assert "已受理" in shown(chinese)
    assert 'href="?lang=en"' in body(chinese)
    assert not chinese.cookies, "the page needs no cookie, and sets none"


def test_the_page_reads_in_chinese(supervisor, estate, resident_browser):
    complaint = complaint_at("follow_up", actor=supervisor, estate=estate)

    text = shown(page(resident_browser, complaint))

    for words in (
        "投诉编号",
        "受理时间",
        "下一步",
        "我们发给您的短信",
        "评价我们的处理",
        "退订短信",
    ):
        assert words in text
    for english in ("Complaint reference", "What happens next", "Messages we sent you"):
        assert english not in text


def test_the_page_never_shows_staff_notes_evidence_or_other_residents(
    supervisor, estate, unit, resident, resident_browser
):
    handler = make_staff("zhang", role="handler", department="ENG", estates=[estate])
    handler.first_name, handler.last_name = "伟", "张"
    handler.save(update_fields=["first_name", "last_name"])
    complaint = complaint_at(
        "resolution", actor=supervisor, estate=estate, unit=unit, resident=resident
    )
    act(complaint, supervisor, "assign", department="ENG", assignee="zhang", note="派给张伟")
    act(complaint, supervisor, "add_note", text="内部备注：业主情绪激动")
    evidence_add(
        reference=complaint.reference, actor=supervisor, upload=upload("现场照片.png", png_bytes())
    )
    neighbour = ResidentFactory(name="李邻居", phone="13900009999", units=[unit])
    other = log_complaint(
        supervisor, estate=estate, unit=unit, resident=neighbour, summary="楼道噪音扰民"
    )
    other_unit = UnitFactory(building=unit.building, room="1202")
    log_complaint(supervisor, estate=estate, unit=other_unit, summary="隔壁单元的投诉")

    response = page(resident_browser, complaint)
    text = body(response)

    assert response.status_code == 200
    for secret in (
        "张伟",
        "伟",
        "zhang",
        "supervisor",
        "内部备注",
        "派给张伟",
        "现场照片",
        "李邻居",
        other.reference,
        "楼道噪音扰民",
        "隔壁单元的投诉",
        "1201",
        "3号楼",
        resident.name,
        complaint.account,
        "13812345678",
        "/complaints/",
    ):
        assert secret not in text, secret


def test_unknown_tampered_and_expired_links_get_the_same_neutral_404(
    supervisor, estate, resident_browser
):
    closed = complaint_at("closed", actor=supervisor, estate=estate)
    live = log_complaint(supervisor, estate=estate)
    token = status_token(live)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    unknown = signing.Signer(salt=SALT).sign_object(live.pk + 1000)
    other_format = signing.dumps(live.pk, salt=SALT)
    expired = status_token(closed)

    links = (tampered, unknown, other_format, "nonsense")
    answers = [resident_browser.get(f"/s/{t}/") for t in links]
    with time_machine.travel(closed.closed_at + dt.timedelta(days=91), tick=False):
        answers.append(resident_browser.get(f"/s/{expired}/"))
        answers.append(resident_browser.get(f"/s/{expired}/rate/"))
        answers.append(resident_browser.get(f"/s/{expired}/stop/"))
    with time_machine.travel(closed.closed_at + dt.timedelta(days=89), tick=False):
        still_valid = resident_browser.get(f"/s/{expired}/")

    assert [a.status_code for a in answers] == [404] * 7
    assert len({a.content for a in answers}) == 1
    assert "此链接无法打开投诉" in body(answers[0])
    assert still_valid.status_code == 200
    english = resident_browser.get(f"/s/{tampered}/?lang=en")
    assert "This link does not open a complaint" in body(english)


def test_the_pages_are_kept_out_of_search_engines_and_caches(supervisor, estate, resident_browser):
    complaint = log_complaint(supervisor, estate=estate)

    for response in (
        page(resident_browser, complaint),
        page(resident_browser, complaint, "rate/"),
        page(resident_browser, complaint, "stop/"),
        resident_browser.get("/s/nonsense/"),
        resident_browser.get("/status/"),
    ):
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex, nofollow">' in body(response)
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Security-Policy"] == PAGE_POLICY
        assert live_markup(body(response)) == []
        assert not re.search(r'(src|href)="(https?:)?//', body(response)), "a third-party asset"
        assert " style=" not in body(response)
