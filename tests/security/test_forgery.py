"""Forged and bent requests: changes need a POST with its CSRF token, sign-in redirects stay on
the site, a sign-in starts a new session, and nothing typed can add an email header.

Already elsewhere: GET on one page action and on one API action (405) in
tests/complaints/test_pages_complaint.py::test_actions_are_posts and
tests/complaints/test_api_actions.py::test_get_on_an_action_url_is_405; sign-out by GET (405)
in tests/complaints/test_pages.py::test_signing_out_is_a_post.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from knox.models import AuthToken

from complaints.models import Complaint, ComplaintEvent, Escalation, Evidence
from complaints.workflow import ACTIONS
from notifications.models import Notification
from notifications.sending import notifications_send
from reports.iso_weeks import IsoWeek
from reports.mailing import weekly_email
from staff.tokens import api_token_issue
from tests.complaints.api_helpers import client_for, image_bytes
from tests.complaints.helpers import act
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated(frontdesk, supervisor, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")
    return complaint


@pytest.fixture
def supervisors_token(supervisor) -> str:
    """The prefix of an API token the supervisor holds."""
    stored, _token = api_token_issue(user=supervisor)
    return stored.token_key


def _state() -> tuple:
    return (
        ComplaintEvent.objects.count(),
        Evidence.objects.count(),
        Escalation.objects.filter(acknowledged_at__isnull=False).count(),
        Notification.objects.filter(read_at__isnull=False).count(),
        AuthToken.objects.count(),
    )


def _page_posts(complaint, escalation) -> list[tuple[str, dict]]:
    ref = complaint.reference
    prefix = AuthToken.objects.get().token_key
    return [
        *[
            (f"/complaints/{ref}/actions/{name}/", {"version": complaint.version})
            for name in ACTIONS
        ],
        (
            f"/complaints/{ref}/evidence/",
            {"evidence": SimpleUploadedFile("a.png", image_bytes(), "image/png")},
        ),
        (f"/escalations/{escalation.pk}/acknowledge/", {}),
        ("/complaints/new/", {"summary": "伪造", "account": "伪造"}),
        ("/notifications/", {}),
        (f"/accounts/tokens/{prefix}/revoke/", {}),
        ("/accounts/logout/", {}),
        ("/i18n/setlang/", {"language": "en"}),
    ]


@pytest.mark.usefixtures("supervisors_token")
def test_no_page_change_without_the_csrf_token(supervisor, escalated):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supervisor)
    before = _state()

    for url, data in _page_posts(escalated, Escalation.objects.get()):
        response = browser.post(url, data)
        assert response.status_code == 403, url
        assert _state() == before, url
    assert browser.get("/complaints/").status_code == 200  # still signed in


def test_with_the_token_the_same_post_goes_through(supervisor, escalated):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supervisor)
    browser.get(f"/complaints/{escalated.reference}/")  # sets the CSRF cookie
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value

    response = browser.post(
        f"/complaints/{escalated.reference}/actions/add_note/",
        {"text": "有令牌", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert escalated.events.filter(kind="add_note").count() == 1


def test_the_api_under_a_session_needs_the_csrf_token_too(supervisor, escalated, supervisors_token):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supervisor)
    before = _state()
    ref = escalated.reference

    for url, body in [
        (f"/api/v1/complaints/{ref}/actions/add_note/", {"text": "伪造"}),
        (f"/api/v1/escalations/{Escalation.objects.get().pk}/acknowledge/", {}),
        ("/api/v1/notifications/read/", {}),
    ]:
        response = browser.post(url, body, content_type="application/json")
        assert response.status_code == 403, url
        assert "CSRF" in response.json()["detail"]
    revoke = browser.delete(f"/api/v1/auth/tokens/{supervisors_token}/")
    assert revoke.status_code == 403
    assert "CSRF" in revoke.json()["detail"]
    assert _state() == before


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_change_urls_answer_only_post(supervisor, escalated, supervisors_token, method):
    browser = Client()
    browser.force_login(supervisor)
    api = client_for(supervisor)
    ref = escalated.reference
    escalation = Escalation.objects.get().pk
    before = _state()

    page_urls = [f"/complaints/{ref}/actions/{name}/" for name in ACTIONS] + [
        f"/complaints/{ref}/evidence/",
        f"/escalations/{escalation}/acknowledge/",
        f"/accounts/tokens/{supervisors_token}/revoke/",
    ]
    api_urls = [f"/api/v1/complaints/{ref}/actions/{name}/" for name in ACTIONS] + [
        f"/api/v1/escalations/{escalation}/acknowledge/",
        "/api/v1/notifications/read/",
    ]
    for url in page_urls:
        # The acknowledge form is read with GET (it changes nothing: see _state below).
        if method == "get" and url.endswith("/acknowledge/"):
            assert browser.get(url).status_code == 200, url
            continue
        assert getattr(browser, method)(url).status_code == 405, url
    for url in api_urls:
        assert getattr(api, method)(url).status_code == 405, url
    for url in (f"/api/v1/complaints/{ref}/", f"/api/v1/complaints/{ref}/events/"):
        if method != "get":
            assert getattr(api, method)(url, {}, format="json").status_code == 405, url
    assert _state() == before


OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/complaints/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "https://testserver@evil.example/",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_signing_in_never_sends_the_user_off_site(frontdesk, target):
    browser = Client()

    form = browser.get("/accounts/login/", {"next": target})
    response = browser.post(
        "/accounts/login/", {"username": "frontdesk", "password": "demo", "next": target}
    )

    assert form.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == "/complaints/"


def test_a_next_page_on_the_site_is_honoured(frontdesk, estate):
    reference = log_complaint(frontdesk, estate=estate).reference
    browser = Client()

    response = browser.post(
        "/accounts/login/",
        {"username": "frontdesk", "password": "demo", "next": f"/complaints/{reference}/"},
    )

    assert response["Location"] == f"/complaints/{reference}/"


@pytest.mark.parametrize("target", OFF_SITE[:4])
def test_switching_language_or_signing_out_stays_on_site(frontdesk, target):
    browser = Client()
    browser.force_login(frontdesk)

    language = browser.post("/i18n/setlang/", {"language": "en", "next": target})
    signed_out = browser.post(f"/accounts/logout/?next={target}")

    for response in (language, signed_out):
        assert response.status_code == 302
        assert response["Location"].startswith("/"), response["Location"]
        assert not response["Location"].startswith("//")
        assert "evil.example" not in response["Location"]


def test_signing_in_starts_a_new_session(frontdesk):
    browser = Client()
    session = browser.session
    session["planted"] = "by someone else"
    session.save()
    planted = session.session_key
    browser.cookies[settings.SESSION_COOKIE_NAME] = planted

    response = browser.post("/accounts/login/", {"username": "frontdesk", "password": "demo"})

    assert response.status_code == 302
    fresh = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert fresh != planted
    assert browser.session[SESSION_KEY] == str(frontdesk.pk)
    # Whoever holds the old key holds nothing.
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/complaints/").status_code == 302


def test_signing_out_ends_the_session_on_the_server(frontdesk):
    browser = Client()
    browser.post("/accounts/login/", {"username": "frontdesk", "password": "demo"})
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value

    browser.post("/accounts/logout/")

    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stolen.get("/complaints/").status_code == 302


def test_line_breaks_in_a_summary_cannot_add_an_email_header(frontdesk, supervisor, estate):
    supervisor.email = "supervisor@example.com"
    supervisor.save(update_fields=["email"])
    response = client_for(frontdesk).post(
        "/api/v1/complaints/",
        {
            "estate": estate.code,
            "channel": "phone",
            "category": "FAC-LIFT",
            "severity": "urgent",
            "summary": "电梯困人\r\nBcc: evil@example.com\r\n\r\n伪造的正文",
            "account": "有人困在电梯里",
            "contact_name": "李雷",
            "contact_phone": "13900001111",
        },
        format="json",
    )
    assert response.status_code == 201
    mail.outbox.clear()

    notifications_send()

    alert = Notification.objects.get(kind="urgent_intake")
    assert "\r" not in alert.subject and "\n" not in alert.subject
    sent = [m for m in mail.outbox if m.to == ["supervisor@example.com"]]
    assert len(sent) == 1
    message = sent[0].message()
    assert message["Bcc"] is None
    assert sent[0].recipients() == ["supervisor@example.com"]
    header_lines = message.as_string().split("\n\n", 1)[0].splitlines()
    assert not [line for line in header_lines if line.startswith("Bcc")]


def test_line_breaks_in_an_estate_name_stay_out_of_the_weekly_subject(manager, estate):
    estate.name = "海悦花园\r\nBcc: evil@example.com"
    estate.save(update_fields=["name"])
    manager.email = "manager@example.com"
    manager.save(update_fields=["email"])

    message = weekly_email(manager=manager, week=IsoWeek(2026, 47))

    assert "\r" not in message.subject and "\n" not in message.subject
    assert message.message()["Bcc"] is None
    assert message.recipients() == ["manager@example.com"]


def test_a_complaint_cannot_be_created_by_get(frontdesk):
    browser = Client()
    browser.force_login(frontdesk)

    response = browser.get("/complaints/new/", {"estate": "HY", "summary": "x", "account": "x"})

    assert response.status_code == 200  # the empty form, nothing saved
    assert not Complaint.objects.exists()
