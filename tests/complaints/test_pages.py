"""The desk's pages through Django's test client: layout, policies and both languages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.complaints.helpers import act
from tests.complaints.page_helpers import (
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.factories import log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


# --- layout, sign-in, policies --------------------------------------------------------------


def test_root_and_pages_ask_anonymous_visitors_to_sign_in(client):
    assert client.get("/").headers["Location"] == "/complaints/"
    response = client.get("/complaints/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=/complaints/")


def test_signing_in_lands_on_the_worklist(client, frontdesk):
    page = client.get("/accounts/login/")
    assert 'autocomplete="username"' in text(page)
    response = client.post("/accounts/login/", {"username": "frontdesk", "password": "demo"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/complaints/"


def test_signing_out_is_a_post(frontdesk):
    browser = signed_in(frontdesk)
    assert browser.get("/accounts/logout/").status_code == 405
    assert browser.post("/accounts/logout/").status_code == 302
    assert browser.get("/complaints/").status_code == 302


def test_pages_carry_the_content_security_policy(frontdesk, estate):
    browser = signed_in(frontdesk)
    policy = browser.get("/complaints/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert (
        "unsafe-inline" not in Client().get("/accounts/login/").headers["Content-Security-Policy"]
    )


def test_no_inline_script_or_style_in_the_pages(frontdesk, estate, unit):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit)
    browser = signed_in(frontdesk)
    for url in ("/complaints/", "/complaints/new/", f"/complaints/{complaint.reference}/"):
        body = text(browser.get(url))
        assert "<script>" not in body and "<style" not in body and "style=" not in body, url
        assert " on" + "click=" not in body, url


def test_the_api_docs_keep_a_policy_that_lets_swagger_start(frontdesk):
    response = signed_in(frontdesk).get("/api/docs/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy


def test_navigation_follows_the_role(frontdesk, handler, supervisor, estate):
    log_complaint(frontdesk, estate=estate)  # no escalation yet
    desk = text(signed_in(frontdesk).get("/complaints/"))
    assert 'href="/complaints/new/"' in desk and 'href="/escalations/"' not in desk
    assert 'href="/residents/"' in desk
    handling = text(signed_in(handler).get("/complaints/"))
    assert 'href="/complaints/new/"' not in handling and 'href="/residents/"' not in handling
    supervising = text(signed_in(supervisor).get("/complaints/"))
    assert 'href="/escalations/"' in supervising
    assert 'data-testid="escalation-badge"' not in supervising


def test_the_escalation_badge_counts_open_escalations(frontdesk, supervisor, estate, unit):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit)
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")
    body = text(signed_in(supervisor).get("/complaints/"))
    assert 'data-testid="escalation-badge">1<' in body


# --- languages ------------------------------------------------------------------------------


def test_the_browser_language_applies_before_sign_in(client):
    chinese = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "登录" in text(chinese) and 'lang="zh-hans"' in text(chinese)
    english = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert "Sign in" in text(english)


def test_the_saved_language_wins_over_the_browser(frontdesk, estate):
    body = text(signed_in(frontdesk, "zh-hans").get("/complaints/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "工作台" in body and "新投诉" in body
    body = text(signed_in(frontdesk, "en").get("/complaints/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "Worklist" in body and "工作台" not in body


def test_switching_the_language_is_remembered_for_the_user(frontdesk):
    browser = signed_in(frontdesk, "en")
    response = browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/complaints/"})
    assert response.status_code == 302
    frontdesk.staff_member.refresh_from_db()
    assert frontdesk.staff_member.language == "zh-hans"
    # Another browser of the same person follows the choice.
    other = Client()
    other.force_login(frontdesk)
    assert "工作台" in text(other.get("/complaints/", HTTP_ACCEPT_LANGUAGE="en"))


# --- both languages -------------------------------------------------------------------------


def _catalogue() -> list[tuple[str, str, str, bool]]:
    """(context, msgid, msgstr, fuzzy) of every entry of the Chinese catalogue."""
    import ast
    from pathlib import Path

    from django.conf import settings

    text_ = (Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po").read_text("utf-8")
    entries = []
    for block in text_.split("\n\n")[1:]:
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        fields: dict[str, list[str]] = {}
        key = None
        for line in block.splitlines():
            if match := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) (".*")$', line):
                key = match[1]
                fields[key] = [ast.literal_eval(match[2])]
            elif line.startswith('"') and key:
                fields[key].append(ast.literal_eval(line))
        if "msgid" in fields:
            msgstr = fields.get("msgstr") or fields.get("msgstr[0]") or [""]
            context = "".join(fields.get("msgctxt", []))
            entries.append((context, "".join(fields["msgid"]), "".join(msgstr), fuzzy))
    return entries


def test_the_chinese_catalogue_is_complete_and_compiled():
    from django.utils import translation

    entries = _catalogue()
    assert len(entries) > 300
    assert [msgid for _c, msgid, msgstr, fuzzy in entries if not msgstr or fuzzy] == []
    with translation.override("zh-hans"):
        stale = [
            msgid
            for context, msgid, msgstr, _fuzzy in entries
            if "%(count)d" not in msgid
            and (translation.pgettext(context, msgid) if context else translation.gettext(msgid))
            != msgstr
        ]
    assert stale == [], "run `make messages`: the compiled catalogue is older than the .po"


ENGLISH_LABELS = (
    "Worklist",
    "New complaint",
    "Sign out",
    "Severity",
    "Summary",
    "Stage",
    "Deadlines",
    "Timeline",
    "What you can do now",
    "Residents",
    "Escalation queue",
    "Apply",
    "Evidence",
    "Received",
    "Reference",
    "Complainant",
    "Category",
    "Add a note",
    "Who is complaining",
)


def test_the_main_pages_read_in_chinese(frontdesk, supervisor, estate, unit, resident):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident)
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")
    pages = {
        "/complaints/": ("工作台", "新投诉", "摘要", "状态", "紧急程度", "剩余", "待受理"),
        "/complaints/new/": ("投诉人", "投诉内容", "保存投诉", "设施设备", "电梯", "一般"),
        f"/complaints/{complaint.reference}/": (
            "投诉详情",
            "时限",
            "处理记录",
            "登记投诉",
            "受理",
            "业户不满意",
            "升级督办",
        ),
        "/escalations/": ("督办队列", "1 级", "业户不满意", "确认"),
        "/residents/": ("业户", "姓名", "电话", "房屋"),
        f"/residents/{resident.pk}/": ("投诉记录", "房屋"),
    }
    browser = signed_in(supervisor, "zh-hans")
    for url, labels in pages.items():
        response = browser.get(url)
        assert response.status_code == 200, url
        body = text(response)
        visible = re.sub(r"<[^>]+>", " ", body.split("<body", 1)[1])
        for label in labels:
            assert label in visible, (url, label)
        for label in ENGLISH_LABELS:
            assert not re.search(rf"\b{re.escape(label)}\b", visible), (url, label)


def test_messages_and_errors_read_in_chinese(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    browser = signed_in(frontdesk, "zh-hans")
    done = browser.post(
        f"/complaints/{complaint.reference}/actions/accept/", {"version": 1}, follow=True
    )
    assert "已完成：受理。" in text(done)
    stale = browser.post(
        f"/complaints/{complaint.reference}/actions/add_note/",
        {"version": 1, "text": "x"},
        follow=True,
    )
    assert "其他人刚刚修改了这件投诉" in text(stale)
    invalid = browser.post("/complaints/new/", {"estate": "HY", "channel": "phone"})
    assert "此项为必填项。" in text(invalid)
