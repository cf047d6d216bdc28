"""Server-owned fields cannot be slipped into a write: the API refuses them by name (400) and
changes nothing; the page forms never read them.

Intake through the API is covered field by field in tests/complaints/test_api_contract.py::
test_intake_refuses_a_server_owned_field_by_name_and_creates_nothing; a few actions in
tests/complaints/test_api_actions.py::test_fields_an_action_does_not_take_are_refused. Here
every action of the workflow table gets the same treatment, and so do the other writes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Complaint, Escalation, Evidence
from complaints.workflow import ACTIONS
from tests.complaints.api_helpers import client_for, image_bytes
from tests.complaints.helpers import act, snapshot, valid_data
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db

SERVER_OWNED = {
    "stage": "closed",
    "escalation_level": 0,
    "closed_at": "2026-11-25T10:00:00+08:00",
    "reference": "TS-HY-261125-9999",
    "logged_by": 1,
    "in_warranty": True,
    "id": 1,
}
REFUSED = ["This field cannot be set here."]


def _json(data: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in data.items()}


@pytest.mark.parametrize("field", SERVER_OWNED)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_refuses_a_server_owned_field_by_name(
    supervisor, handler, estate, action, field
):
    complaint = log_complaint(supervisor, estate=estate)
    actor = supervisor
    if action == "take":
        # Taken on by one of the department it was handed to.
        complaint, actor = act(complaint, supervisor, "assign", department="ENG"), handler
    before = snapshot(complaint)
    body = {**_json(valid_data(action)), field: SERVER_OWNED[field]}

    response = client_for(actor).post(
        f"/api/v1/complaints/{complaint.reference}/actions/{action}/", body, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {field: REFUSED}
    assert snapshot(complaint) == before


def test_acknowledging_refuses_who_and_when(supervisor, estate):
    complaint = log_complaint(supervisor, estate=estate)
    act(complaint, supervisor, "escalate", reason="unsatisfied", note="")
    escalation = Escalation.objects.get()

    response = client_for(supervisor).post(
        f"/api/v1/escalations/{escalation.pk}/acknowledge/",
        {"acknowledged_by": "manager", "level": 3, "acknowledged_at": "2026-01-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "acknowledged_at": REFUSED,
        "acknowledged_by": REFUSED,
        "level": REFUSED,
    }
    escalation.refresh_from_db()
    assert (escalation.acknowledged_at, escalation.level) == (None, 1)


def test_an_upload_cannot_claim_to_be_a_checked_image(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)

    response = client_for(frontdesk).post(
        f"/api/v1/complaints/{complaint.reference}/evidence/",
        {
            "file": SimpleUploadedFile("a.png", image_bytes(), "image/png"),
            "is_image": "true",
            "content_type": "text/html",
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {"content_type": REFUSED, "is_image": REFUSED}
    assert not Evidence.objects.exists()


def test_the_token_request_takes_nothing_but_the_credentials(frontdesk):
    response = client_for(None).post(
        "/api/v1/auth/token/",
        {"username": "frontdesk", "password": "demo", "is_superuser": True},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"is_superuser": REFUSED}
    frontdesk.refresh_from_db()
    assert not frontdesk.is_superuser


def test_a_page_action_ignores_fields_its_form_does_not_have(client, frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    client.force_login(frontdesk)

    response = client.post(
        f"/complaints/{complaint.reference}/actions/add_note/",
        {"text": "业主下午在家", "stage": "closed", "escalation_level": 3, "department": "ENG"},
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.stage, complaint.escalation_level, complaint.department_id) == (
        "intake",
        0,
        None,
    )
    assert complaint.events.filter(kind="add_note", note="业主下午在家").count() == 1


def test_the_intake_page_ignores_server_owned_fields(client, frontdesk, estate):
    client.force_login(frontdesk)

    response = client.post(
        "/complaints/new/",
        {
            "estate": estate.code,
            "channel": "phone",
            "category": "FAC-LIFT",
            "severity": "normal",
            "summary": "电梯停运",
            "account": "电梯停运",
            "contact_name": "王芳",
            "contact_phone": "13812345678",
            "desired_outcome": "repair",
            "stage": "closed",
            "reference": "TS-HY-200101-0001",
            "escalation_level": 3,
            "version": 9,
            "logged_by": 999,
        },
    )

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.stage == "intake"
    assert complaint.reference != "TS-HY-200101-0001"
    assert (complaint.escalation_level, complaint.version) == (0, 1)
    assert complaint.logged_by == frontdesk
