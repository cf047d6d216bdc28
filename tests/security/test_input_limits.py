"""Input past what the desk can mean: refused with a 400 that says why, and nothing changed.

JSON nested deeper than 32 levels, numbers JSON reads as infinity, ISO weeks of years the
reports do not cover, names made only of characters that draw nothing, and agreed times so far
ahead that the deadline they set would never come.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from complaints.api.parsers import MAX_DEPTH, nesting_depth
from complaints.models import Complaint
from residents.models import Building, Estate, Resident
from residents.names import is_visible
from tests.complaints.api_helpers import action_url, client_for
from tests.complaints.helpers import complaint_at, snapshot
from tests.complaints.page_helpers import signed_in, text

pytestmark = pytest.mark.django_db

DEEP = f"The body nests deeper than {MAX_DEPTH} levels."


# --- JSON nested too deeply, or with numbers no field can hold ------------------------------


def _post_raw(client, url: str, body: str):
    return client.generic("POST", url, body, content_type="application/json")


@pytest.mark.parametrize("body", ["[" * 1000, "[" * 100_000, '{"a":' * 1000, "[" * 33 + "]" * 33])
def test_deep_json_is_refused_before_sign_in(db, body):
    answer = _post_raw(Client(), "/api/v1/auth/token/", body)

    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": [DEEP]}


def test_json_as_deep_as_allowed_reaches_the_fields(db):
    body = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    answer = _post_raw(Client(), "/api/v1/auth/token/", body)

    assert answer.status_code == 400
    assert answer.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


def test_brackets_inside_strings_are_text_not_nesting(frontdesk):
    body = '{"username": "frontdesk", "password": "' + "[" * 1000 + '\\"{{{"}'
    answer = _post_raw(Client(), "/api/v1/auth/token/", body)

    assert answer.status_code == 401  # read, and refused as a wrong password


def test_deep_json_is_refused_to_a_signed_in_client_and_changes_nothing(frontdesk, estate):
    body = '{"estate": "HY", "account": ' + "[" * 5000 + "]" * 5000 + "}"
    answer = _post_raw(client_for(frontdesk), "/api/v1/complaints/", body)

    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": [DEEP]}
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"unit": 1e400}', "The body is not valid JSON (A number in the body is too large)."),
        ('{"unit": -1e400}', "The body is not valid JSON (A number in the body is too large)."),
        ('{"unit": NaN}', "The body is not valid JSON (NaN is not a number JSON allows)."),
        (
            '{"unit": Infinity}',
            "The body is not valid JSON (Infinity is not a number JSON allows).",
        ),
    ],
)
def test_numbers_json_reads_as_infinity_are_refused(frontdesk, estate, body, message):
    intake = body[:-1] + ', "estate": "HY", "channel": "phone", "category": "FAC-LIFT"}'
    answer = _post_raw(client_for(frontdesk), "/api/v1/complaints/", intake)

    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": [message]}
    assert not Complaint.objects.exists()


def test_the_depth_scan_counts_only_structure():
    assert nesting_depth('{"a": [1, {"b": "[[[["}]}') == 3
    assert nesting_depth('"\\"[[["') == 0
    assert nesting_depth("[" * 10_000) == MAX_DEPTH + 1  # counted no further than needed


# --- ISO weeks of years the reports do not cover --------------------------------------------

OUT_OF_RANGE = "Choose a week of the years 2000 to 2100."


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "1999-W52", "2101-W01"])
@pytest.mark.parametrize(
    "path", ["/reports/weekly/", "/reports/weekly.csv", "/reports/weekly.xlsx"]
)
def test_the_report_page_and_its_exports_refuse_a_week_out_of_range(supervisor, path, week):
    answer = signed_in(supervisor).get(path, {"week": week})

    assert answer.status_code == 400
    assert OUT_OF_RANGE in text(answer)


@pytest.mark.parametrize("week", ["9999-W52", "1999-W52"])
def test_the_report_api_refuses_a_week_out_of_range(supervisor, week):
    answer = client_for(supervisor).get("/api/v1/reports/weekly/", {"week": week})

    assert answer.status_code == 400
    assert answer.json() == {"week": [OUT_OF_RANGE]}


def test_the_first_week_is_reported(supervisor):
    answer = client_for(supervisor).get("/api/v1/reports/weekly/", {"week": "2000-W01"})

    assert answer.status_code == 200
    assert answer.json()["week"] == "2000-W01"


def test_the_last_week_in_range_is_refused_while_it_has_not_begun(supervisor):
    answer = client_for(supervisor).get("/api/v1/reports/weekly/", {"week": "2100-W52"})

    assert answer.status_code == 400
    assert answer.json()["week"][0].startswith("2100-W52 has not begun yet")


@pytest.mark.parametrize("path", ["/complaints/export.csv", "/complaints/export.xlsx"])
def test_the_worklist_exports_refuse_a_week_out_of_range_before_writing(frontdesk, estate, path):
    complaint_at("intake", actor=frontdesk, estate=estate)
    answer = signed_in(frontdesk).get(path, {"week": "9999-W52", "figure": "received"})

    assert answer.status_code == 400
    assert answer["Content-Type"] == "text/plain; charset=utf-8"
    assert text(answer) == f"Week: {OUT_OF_RANGE}"


def test_the_worklist_leaves_out_a_week_out_of_range_and_says_why(frontdesk, estate):
    complaint = complaint_at("intake", actor=frontdesk, estate=estate)
    answer = signed_in(frontdesk).get("/complaints/", {"week": "9999-W52", "figure": "received"})

    assert answer.status_code == 200
    assert f"Week: {OUT_OF_RANGE}" in text(answer)
    assert complaint.reference in text(answer)
    assert 'data-testid="report-filter"' not in text(answer)


def test_the_command_names_the_week_it_refuses(db):
    with pytest.raises(CommandError) as refused:
        call_command("weekly_summary", "--week=9999-W52", stdout=io.StringIO())

    assert str(refused.value) == "--week: 9999-W52 is not a week of 2000 to 2100"


# --- names made only of characters that draw nothing ----------------------------------------

INVISIBLE = {
    "zero-width space": "\u200b\u200b",
    "joiners": "\u200c\u200d\u2060",
    "byte-order mark": "\ufeff",
    "right-to-left override": "\u202e\u202c",
    "isolates": "\u2066\u2067\u2068\u2069",
    "soft hyphen": "\u00ad",
    "Hangul filler": "\u3164",
    "blank Braille": "\u2800",
    "combining mark alone": "\u034f\u0301",
    "ideographic space and zero width": "\u3000\u200b ",
}
NO_NAME = "A name needs at least one visible character."


@pytest.mark.parametrize("name", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_an_invisible_contact_name_is_refused_by_the_api(frontdesk, estate, name):
    answer = client_for(frontdesk).post(
        "/api/v1/complaints/",
        {
            "estate": "HY",
            "contact_name": name,
            "contact_phone": "13812345678",
            "channel": "phone",
            "category": "FAC-LIFT",
            "summary": "电梯停运",
            "account": "电梯从早上开始停运。",
        },
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json() == {"contact_name": [NO_NAME]}
    assert not Complaint.objects.exists()


def test_an_invisible_contact_name_is_refused_on_the_page(frontdesk, estate):
    answer = signed_in(frontdesk).post(
        "/complaints/new/",
        {
            "estate": "HY",
            "contact_name": "\u200b\u202e",
            "contact_phone": "13812345678",
            "channel": "phone",
            "category": "FAC-LIFT",
            "summary": "电梯停运",
            "account": "电梯从早上开始停运。",
            "desired_outcome": "repair",
        },
    )

    assert answer.status_code == 400
    assert NO_NAME in text(answer)
    assert not Complaint.objects.exists()


def test_a_name_with_something_visible_is_a_name(frontdesk, estate):
    answer = client_for(frontdesk).post(
        "/api/v1/complaints/",
        {
            "estate": "HY",
            "contact_name": "王\u200b芳",
            "contact_phone": "13812345678",
            "channel": "phone",
            "category": "FAC-LIFT",
            "summary": "电梯停运",
            "account": "电梯从早上开始停运。",
        },
        format="json",
    )

    assert answer.status_code == 201
    assert answer.json()["contact_name"] == "王\u200b芳"
    assert is_visible("\ue000")  # a private-use character: rare characters of names live there


@pytest.mark.parametrize("name", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_residents_estates_and_buildings_need_a_visible_name(estate, name):
    for row in (
        Resident(name=name, phone="13812345678"),
        Estate(code="XY", name=name),
        Building(estate=estate, name=name),
    ):
        with pytest.raises(ValidationError) as refused:
            row.full_clean()
        assert refused.value.message_dict["name"] == [NO_NAME], type(row).__name__


def test_the_admin_refuses_an_invisible_resident_name(estate):
    admin = User.objects.create_superuser("root", password="x")
    browser = Client()
    browser.force_login(admin)

    answer = browser.post(
        "/admin/residents/resident/add/",
        {
            "name": "\u200b",
            "phone": "13812345678",
            "kind": "owner",
            "language": "zh-hans",
            "residencies-TOTAL_FORMS": "0",
            "residencies-INITIAL_FORMS": "0",
        },
    )

    assert answer.status_code == 200
    assert NO_NAME in text(answer)
    assert not Resident.objects.exists()


# --- an agreed callback or a hold's end too far ahead ---------------------------------------


def _ahead(days: float) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


CALLBACK_LIMIT = "Choose a time at most 30 days ahead."
HOLD_LIMIT = "Choose a time at most 90 days ahead."
TOO_FAR = [
    (
        "clarification",
        "plan_resolution",
        {"validity": "valid", "department": "ENG", "plan": "检修"},
        "callback_due_at",
        31,
        CALLBACK_LIMIT,
    ),
    ("clarification", "log_callback", {"reached": True}, "next_callback_at", 31, CALLBACK_LIMIT),
    ("resolution", "hold", {"reason": "等待配件"}, "until", 91, HOLD_LIMIT),
]


@pytest.mark.parametrize(
    ("stage", "action", "body", "field", "days", "message"),
    TOO_FAR,
    ids=[row[1] for row in TOO_FAR],
)
@pytest.mark.parametrize("far", ["limit", "year 9999"])
def test_the_api_refuses_a_time_too_far_ahead(
    supervisor, estate, stage, action, body, field, days, message, far
):
    complaint = complaint_at(stage, actor=supervisor, estate=estate)
    before = snapshot(complaint)
    when = _ahead(days) if far == "limit" else "9999-12-31T23:59:00+08:00"

    answer = client_for(supervisor).post(
        action_url(complaint.reference, action), {**body, field: when}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json() == {field: [message]}
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    ("stage", "action", "body", "field", "days"),
    [
        ("clarification", "plan_resolution", TOO_FAR[0][2], "callback_due_at", 29.9),
        ("resolution", "hold", TOO_FAR[2][2], "until", 89.9),
    ],
)
def test_a_time_within_the_limit_is_taken(supervisor, estate, stage, action, body, field, days):
    complaint = complaint_at(stage, actor=supervisor, estate=estate)

    answer = client_for(supervisor).post(
        action_url(complaint.reference, action), {**body, field: _ahead(days)}, format="json"
    )

    assert answer.status_code == 200, answer.content


def test_the_page_refuses_a_callback_too_far_ahead(frontdesk, estate):
    complaint = complaint_at("clarification", actor=frontdesk, estate=estate)
    before = snapshot(complaint)

    answer = signed_in(frontdesk).post(
        f"/complaints/{complaint.reference}/actions/plan_resolution/",
        {
            "version": complaint.version,
            "validity": "valid",
            "department": "ENG",
            "plan": "明天检修",
            "callback_due_at": "9999-12-31T10:00",
        },
    )

    assert answer.status_code == 400
    form = next(
        a["form"] for a in answer.context["actions"] if a["form"].action_name == "plan_resolution"
    )
    assert form.errors["callback_due_at"] == [CALLBACK_LIMIT]
    assert snapshot(complaint) == before


def test_the_page_refuses_a_hold_too_far_ahead(supervisor, estate):
    complaint = complaint_at("resolution", actor=supervisor, estate=estate)
    before = snapshot(complaint)
    far = timezone.localtime(timezone.now() + dt.timedelta(days=91), estate.zone)

    answer = signed_in(supervisor).post(
        f"/complaints/{complaint.reference}/actions/hold/",
        {"version": complaint.version, "reason": "等待配件", "until": f"{far:%Y-%m-%dT%H:%M}"},
    )

    assert answer.status_code == 400
    assert HOLD_LIMIT in text(answer)
    assert snapshot(complaint) == before


def test_acknowledging_an_escalation_refuses_a_callback_too_far_ahead(supervisor, estate):
    complaint = complaint_at("clarification", actor=supervisor, estate=estate)
    client = client_for(supervisor)
    client.post(
        action_url(complaint.reference, "escalate"), {"reason": "unsatisfied"}, format="json"
    )
    escalation = complaint.escalations.get()
    before = snapshot(complaint)

    answer = client.post(
        f"/api/v1/escalations/{escalation.pk}/acknowledge/",
        {"callback_due_at": _ahead(31)},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json() == {"callback_due_at": [CALLBACK_LIMIT]}
    assert snapshot(complaint) == before
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None
