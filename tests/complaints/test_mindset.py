"""The resident's mindset (求发泄 / 求尊重 / 求补偿), recorded at intake: on the form, through the
API, on the complaint; optional, and refused clearly when it is not one of the three."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Complaint
from tests.complaints.page_helpers import office_clock, signed_in, text  # noqa: F401
from tests.complaints.test_pages_intake import intake_data
from tests.factories import log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]
COMPLAINTS = "/api/v1/complaints/"


def api_body(unit, **changes) -> dict:
    body = {
        "estate": "HY",
        "unit": unit.id,
        "contact_name": "王芳",
        "contact_phone": "13812345678",
        "channel": "phone",
        "category": "FAC-LIFT",
        "summary": "电梯停运",
        "account": "电梯停了第三次，希望有人重视。",
    }
    body.update(changes)
    return body


def test_the_form_records_it_and_the_complaint_shows_it(frontdesk, estate, unit):
    desk = signed_in(frontdesk)
    form = text(desk.get("/complaints/new/"))
    assert 'name="mindset" value="" class="form-check-input"' in form
    assert 'value="respect"' in form and "To be respected" in form

    response = desk.post("/complaints/new/", intake_data(unit, mindset="respect"))

    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.mindset == "respect"
    page = text(desk.get(f"/complaints/{complaint.reference}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<dd class="col-sm-8 col-lg-9" data-testid="mindset">To be respected</dd>' in page


def test_left_unjudged_it_is_empty_and_the_complaint_says_so_in_chinese(frontdesk, estate, unit):
    desk = signed_in(frontdesk, "zh-hans")
    desk.post("/complaints/new/", intake_data(unit))

    complaint = Complaint.objects.get()
    assert complaint.mindset == ""
    page = text(desk.get(f"/complaints/{complaint.reference}/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "投诉心态" in page and "未判断" in page


def test_a_forged_value_on_the_form_is_refused_and_nothing_is_saved(frontdesk, estate, unit):
    response = signed_in(frontdesk).post("/complaints/new/", intake_data(unit, mindset="revenge"))

    assert response.status_code == 400
    assert "Select a valid choice. revenge is not one of the available choices." in text(response)
    assert not Complaint.objects.exists()


def test_the_api_takes_it_and_reads_it_back(api, frontdesk, unit):
    created = api.as_user(frontdesk).post(
        COMPLAINTS, api_body(unit, mindset="compensation"), format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["mindset"] == "compensation"
    reference = created.json()["reference"]
    assert api.get(f"{COMPLAINTS}{reference}/").json()["mindset"] == "compensation"


@pytest.mark.parametrize("value", [None, ""])
def test_through_the_api_it_is_optional_and_reads_as_null_when_not_judged(
    api, frontdesk, unit, value
):
    body = api_body(unit) if value is None else api_body(unit, mindset=value)
    created = api.as_user(frontdesk).post(COMPLAINTS, body, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["mindset"] is None
    assert Complaint.objects.get().mindset == ""


def test_the_api_refuses_another_value_and_saves_nothing(api, frontdesk, unit):
    refused = api.as_user(frontdesk).post(
        COMPLAINTS, api_body(unit, mindset="revenge"), format="json"
    )

    assert refused.status_code == 400
    assert refused.json() == {"mindset": ['"revenge" is not a valid choice.']}
    assert not Complaint.objects.exists()


def test_the_service_refuses_another_value(frontdesk, estate):
    with pytest.raises(ValidationError) as refused:
        log_complaint(frontdesk, estate=estate, mindset="revenge")
    assert refused.value.message_dict == {
        "mindset": ["Choose one of: vent, respect, compensation."]
    }
