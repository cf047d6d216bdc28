"""The complaint page: what it shows, the action forms, evidence."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from complaints.models import Complaint, Evidence, Stage
from tests.complaints.helpers import SHANGHAI, act, complaint_at
from tests.complaints.page_helpers import (
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    png_bytes,
    signed_in,
    text,
    upload,
)
from tests.factories import log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


# --- the complaint page and its actions -----------------------------------------------------


def action_forms(body: str) -> list[str]:
    return re.findall(r'action="/complaints/[^/]+/actions/([a-z_]+)/"', body)


def test_the_page_offers_exactly_the_workflow_actions(frontdesk, handler, estate, unit):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit)
    assert action_forms(text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))) == [
        "accept",
        "escalate",
        "log_callback",
        "add_note",
    ]
    in_resolution = complaint_at("resolution", actor=frontdesk, estate=estate)
    offered = action_forms(text(signed_in(handler).get(f"/complaints/{in_resolution.reference}/")))
    # Handed to engineering with nobody named yet: its handler may take it on.
    assert offered == ["mark_resolved", "escalate", "take", "add_note"]


def test_the_page_shows_what_is_known(frontdesk, estate, unit, resident):
    complaint = complaint_at(
        "resolution", actor=frontdesk, estate=estate, unit=unit, resident=resident
    )
    body = text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))
    for expected in (
        "王芳",
        "3号楼2单元-1201",
        "Lifts",
        "Engineering",
        "valid",
        "Deadlines",
        "agreed callback",
        "Plan the resolution",
        "工程部今天下午检修电梯",
        "clarification → resolution",
        "Complaint logged",
    ):
        assert expected in body, expected
    assert body.index("Complaint logged") < body.index("Plan the resolution</span>")


def test_someone_elses_complaint_is_not_found(frontdesk, frontdesk_b, estate, unit):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit)
    browser = signed_in(frontdesk_b)
    response = browser.get(f"/complaints/{complaint.reference}/")
    assert response.status_code == 404
    assert 'data-testid="error-message"' in text(response)
    post = browser.post(f"/complaints/{complaint.reference}/actions/accept/", {"version": 1})
    assert post.status_code == 404
    assert Complaint.objects.get().stage == Stage.INTAKE


def test_an_action_moves_the_complaint_and_says_so(frontdesk, estate, unit):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit)
    browser = signed_in(frontdesk)
    response = browser.post(
        f"/complaints/{complaint.reference}/actions/accept/", {"version": 1}, follow=True
    )
    assert response.redirect_chain == [(f"/complaints/{complaint.reference}/", 302)]
    assert "Done: Accept." in text(response)
    assert Complaint.objects.get().stage == Stage.CLARIFICATION


def test_a_stale_form_saves_nothing_and_shows_the_fresh_state(frontdesk, supervisor, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, supervisor, "add_note", text="主管先看过了")  # version 2 now
    response = signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/accept/", {"version": 1}, follow=True
    )
    body = text(response)
    assert response.status_code == 200
    assert "Someone else changed this complaint meanwhile; here is its current state." in body
    assert "Nothing was saved." in body and "主管先看过了" in body
    assert Complaint.objects.get().stage == Stage.INTAKE


def test_a_stale_form_with_missing_fields_is_still_answered_as_stale(frontdesk, supervisor, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, supervisor, "add_note", text="x")
    response = signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/add_note/", {"version": 1, "text": ""}
    )
    assert response.status_code == 302
    assert Complaint.objects.get().events.filter(kind="add_note").count() == 1


def test_actions_are_posts(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    assert (
        signed_in(frontdesk).get(f"/complaints/{complaint.reference}/actions/accept/").status_code
        == 405
    )


def test_an_unknown_action_is_not_found(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    response = signed_in(frontdesk).post(f"/complaints/{complaint.reference}/actions/delete/")
    assert response.status_code == 404


def test_a_form_error_keeps_what_was_typed(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)
    response = signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/plan_resolution/",
        {
            "version": complaint.version,
            "validity": "valid",
            "department": "",
            "plan": "明天上午派人检修",
            "callback_due_at": "",
        },
    )
    assert response.status_code == 400
    body = text(response)
    assert "明天上午派人检修</textarea>" in body
    assert re.search(r'<details class="desk-action mb-2" open data-action="plan_resolution"', body)
    assert Complaint.objects.get().stage == Stage.CLARIFICATION


def test_the_services_objection_lands_on_the_field(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)
    response = signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/plan_resolution/",
        {
            "version": complaint.version,
            "validity": "valid",
            "department": "ENG",
            "plan": "明天检修",
            "callback_due_at": "2026-03-09T10:00",
        },
    )
    assert response.status_code == 400
    form = response.context["actions"][1]["form"]
    assert form.action_name == "plan_resolution"
    assert form.errors["callback_due_at"] == ["Choose a time in the future."]


def test_times_typed_on_the_page_are_the_estates_wall_time(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)
    signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/plan_resolution/",
        {
            "version": complaint.version,
            "validity": "valid",
            "department": "ENG",
            "plan": "明天检修",
            "callback_due_at": "2026-03-11T09:30",
        },
    )
    agreed = Complaint.objects.get().deadlines.get(kind="agreed_callback", state="pending")
    assert agreed.due_at == dt.datetime(2026, 3, 11, 9, 30, tzinfo=SHANGHAI)


def test_a_forbidden_action_is_a_403_with_the_reason(frontdesk, handler, estate):
    complaint = complaint_at("resolution", actor=frontdesk, estate=estate)
    response = signed_in(handler).post(
        f"/complaints/{complaint.reference}/actions/accept/", {"version": complaint.version}
    )
    assert response.status_code == 403
    assert "Your role may not take the action" in text(response)


def test_closing_unsatisfied_is_refused_to_the_front_desk(frontdesk, supervisor, estate):
    complaint = complaint_at("follow_up", actor=supervisor, estate=estate)
    response = signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/close/",
        {"version": complaint.version, "satisfaction": "unsatisfied", "summary": "业主不满意"},
    )
    assert response.status_code == 403
    assert "may be closed only by a supervisor" in text(response)
    assert Complaint.objects.get().stage == Stage.FOLLOW_UP


def test_an_action_no_longer_possible_explains_itself(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)
    response = signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/accept/",
        {"version": complaint.version},
        follow=True,
    )
    assert "is not possible while the complaint is in clarification" in text(response)
    assert "nothing was saved" in text(response)


def test_a_callback_is_logged_from_the_page(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)
    signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/log_callback/",
        {"version": complaint.version, "reached": "false", "note": "无人接听"},
    )
    callback = Complaint.objects.get().callbacks.get()
    assert callback.reached is False and callback.note == "无人接听"
    body = text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))
    assert "Log a callback" in body and "reached the resident" in body and "无人接听" in body
    callbacks = body.split('data-testid="callbacks"')[1].split("</ul>")[0]
    assert "not reached" in callbacks and "无人接听" in callbacks


# --- evidence -------------------------------------------------------------------------------


def test_evidence_is_uploaded_shown_and_served_with_a_check(frontdesk, frontdesk_b, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    browser = signed_in(frontdesk)
    response = browser.post(
        f"/complaints/{complaint.reference}/evidence/",
        {"evidence": [upload("漏水.png", png_bytes()), upload("x.exe", b"MZ\x90\x00")]},
    )
    # One was refused: a 400, the page saying which was kept and which was not.
    assert response.status_code == 400
    body = text(response)
    assert "1 file attached." in body and "x.exe" in body
    evidence = Evidence.objects.get()
    url = f"/complaints/{complaint.reference}/evidence/{evidence.pk}/"
    assert f'<img src="{url}"' in body
    served = browser.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes()
    assert signed_in(frontdesk_b).get(url).status_code == 404
    assert browser.get(f"/complaints/{complaint.reference}/evidence/").status_code == 405
