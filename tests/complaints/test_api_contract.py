"""SPEC §7, field by field: authentication, look-ups, intake, the worklist, the timeline, docs."""

import datetime as dt
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from complaints import services
from complaints.models import Complaint, ComplaintEvent, Deadline
from tests.complaints.api_helpers import (
    COMPLAINT_KEYS,
    DEADLINE_KEYS,
    EVENT_KEYS,
    NOT_FOUND,
    SHANGHAI,
    WEDNESDAY_10AM,
    act,
    client_for,
    complaint_url,
    events_url,
    instant,
    office_clock,
)
from tests.factories import BuildingFactory, UnitFactory, log_complaint

pytestmark = pytest.mark.django_db

COMPLAINTS = "/api/v1/complaints/"


@pytest.fixture(autouse=True)
def clock():
    with office_clock() as traveller:
        yield traveller


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


# Authentication ------------------------------------------------------------------------------


def test_a_token_is_issued_for_the_right_password_and_then_authenticates(frontdesk, estate):
    client = APIClient()

    response = client.post(
        "/api/v1/auth/token/", {"username": "frontdesk", "password": "demo"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["expiry", "token"]
    stored = AuthToken.objects.get(user=frontdesk)
    assert stored.digest == hash_token(body["token"])
    assert dt.datetime.fromisoformat(body["expiry"]) == stored.expiry
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    estates = client.get("/api/v1/estates/")
    assert estates.status_code == 200
    assert estates.json() == [{"code": "HY", "name": "海悦花园"}]


def test_asking_twice_gives_two_tokens_that_both_work(frontdesk, estate):
    client = APIClient()
    body = {"username": "frontdesk", "password": "demo"}

    first = client.post("/api/v1/auth/token/", body, format="json").json()["token"]
    second = client.post("/api/v1/auth/token/", body, format="json").json()["token"]

    assert first != second
    for token in (first, second):
        answer = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/estates/")
        assert answer.status_code == 200


@pytest.mark.parametrize("username", ["frontdesk", "nobody"])
def test_a_wrong_password_or_unknown_user_gets_the_same_clear_refusal(frontdesk, username):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": "wrong"}, format="json"
    )

    assert response.status_code in (400, 401)
    assert response.json() == {"detail": "Wrong username or password."}
    assert not AuthToken.objects.exists()


def test_a_token_request_without_a_password_names_the_field(frontdesk):
    response = APIClient().post("/api/v1/auth/token/", {"username": "frontdesk"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_an_inactive_user_gets_no_token(frontdesk):
    frontdesk.is_active = False
    frontdesk.save()

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "frontdesk", "password": "demo"}, format="json"
    )

    assert response.status_code == 401
    assert not AuthToken.objects.exists()


def test_an_unknown_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get("/api/v1/estates/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


ANONYMOUS_REQUESTS = [
    ("get", "/api/v1/estates/"),
    ("get", "/api/v1/units/?estate=HY"),
    ("get", "/api/v1/categories/"),
    ("get", "/api/v1/residents/?phone=13812345678"),
    ("get", "/api/v1/complaints/"),
    ("post", "/api/v1/complaints/"),
    ("get", "/api/v1/complaints/{ref}/"),
    ("get", "/api/v1/complaints/{ref}/events/"),
    ("get", "/api/v1/complaints/{ref}/evidence/"),
    ("post", "/api/v1/complaints/{ref}/evidence/"),
    ("get", "/api/v1/complaints/{ref}/evidence/1/"),
    ("post", "/api/v1/complaints/{ref}/actions/accept/"),
    ("post", "/api/v1/complaints/{ref}/actions/add_note/"),
    ("get", "/api/v1/escalations/?open=true"),
    ("post", "/api/v1/escalations/1/acknowledge/"),
]


@pytest.mark.parametrize(("method", "path"), ANONYMOUS_REQUESTS)
def test_every_endpoint_answers_401_without_credentials(frontdesk, estate, method, path):
    complaint = log_complaint(frontdesk, estate=estate)
    events_before = ComplaintEvent.objects.count()

    response = getattr(APIClient(), method)(path.format(ref=complaint.reference), {})

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"
    assert Complaint.objects.get().version == 1
    assert ComplaintEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/complaints/", "text/plain"),
        ("/api/v1/complaints/{ref}/evidence/", "application/json"),
        ("/api/v1/complaints/{ref}/evidence/", ""),
    ],
)
def test_a_body_in_a_media_type_the_endpoint_does_not_read_is_400(
    api, frontdesk, estate, path, content_type
):
    complaint = log_complaint(frontdesk, estate=estate)

    response = api.as_user(frontdesk).generic(
        "POST", path.format(ref=complaint.reference), "x", content_type=content_type
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [f'Unsupported media type "{content_type}" in request.']
    }
    assert Complaint.objects.get().evidence.count() == 0


# Look-ups ------------------------------------------------------------------------------------


def test_estates_lists_only_the_estates_the_user_covers(api, frontdesk, supervisor):
    mine = api.as_user(frontdesk).get("/api/v1/estates/").json()
    all_of_them = client_for(supervisor).get("/api/v1/estates/").json()

    assert mine == [{"code": "HY", "name": "海悦花园"}]
    assert all_of_them == [{"code": "HY", "name": "海悦花园"}, {"code": "JD", "name": "锦都名苑"}]


def test_units_are_searched_within_the_covered_estates(api, frontdesk, unit, other_estate):
    UnitFactory(building=BuildingFactory(estate=unit.building.estate, name="5号楼"), room="0801")
    elsewhere = UnitFactory(
        building=BuildingFactory(estate=other_estate, name="3号楼"), room="1201"
    )
    api.as_user(frontdesk)

    found = api.get("/api/v1/units/", {"estate": "HY", "q": "1201"}).json()
    by_building = api.get("/api/v1/units/", {"q": "3号楼"}).json()
    other = api.get("/api/v1/units/", {"estate": "JD"}).json()

    assert found == [{"id": unit.id, "label": "3号楼2单元-1201", "estate": "HY"}]
    assert [row["id"] for row in by_building] == [unit.id]
    assert elsewhere.id not in [row["id"] for row in other]
    assert other == []


def test_categories_are_the_seven_top_level_ones_and_their_sub_types(api, frontdesk):
    rows = api.as_user(frontdesk).get("/api/v1/categories/").json()

    assert all(set(row) == {"code", "name", "parent"} for row in rows)
    top = {row["code"]: row["name"] for row in rows if row["parent"] is None}
    assert top == {
        "QUAL": "House quality and defects",
        "FAC": "Facilities and equipment",
        "ENV": "Cleaning and landscaping",
        "SEC": "Security and order",
        "SVC": "Staff service and attitude",
        "FEE": "Fees and charges",
        "NBR": "Neighbours and other",
    }
    sub_types = [row for row in rows if row["parent"] is not None]
    assert len(sub_types) >= 7
    assert all(row["parent"] in top for row in sub_types)
    assert all(row["code"].startswith(row["parent"] + "-") for row in sub_types)
    assert {"code": "FAC-LIFT", "name": "Lifts", "parent": "FAC"} in rows
    assert {"code": "QUAL-LEAK", "name": "Leaks", "parent": "QUAL"} in rows


def test_categories_are_named_in_chinese_when_the_client_asks_for_it(api, frontdesk):
    rows = api.as_user(frontdesk).get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    names = {row["code"]: row["name"] for row in rows.json()}
    assert names["QUAL"] == "房屋质量"
    assert names["FAC-LIFT"] == "电梯"
    assert names["NBR"] == "邻里及其他"


def test_residents_are_found_by_phone_and_shown_with_a_masked_number(
    api, frontdesk, resident, unit
):
    response = api.as_user(frontdesk).get("/api/v1/residents/", {"phone": "138-1234-5678"})

    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == resident.id
    assert row["name"] == "王芳"
    assert row["phone"] == "138****5678"
    assert "12345678" not in response.content.decode()
    assert [u["label"] for u in row["units"]] == ["3号楼2单元-1201"]


def test_residents_of_an_estate_not_covered_are_not_found(api, frontdesk_b, resident):
    response = api.as_user(frontdesk_b).get("/api/v1/residents/", {"phone": "13812345678"})

    assert response.status_code == 200
    assert response.json() == []


def test_residents_without_a_search_term_is_an_empty_list(api, frontdesk, resident):
    assert api.as_user(frontdesk).get("/api/v1/residents/").json() == []


# Intake --------------------------------------------------------------------------------------


def full_body(unit, resident, /, **changes) -> dict:
    body = {
        "estate": "HY",
        "unit": unit.id,
        "resident": resident.id,
        "contact_name": "王芳",
        "contact_phone": "+86 138 1234 5678",
        "channel": "phone",
        "category": "FAC-LIFT",
        "severity": "major",
        "summary": "3号楼电梯停运",
        "account": "早上七点起电梯停在12楼，物业电话无人接听。",
        "desired_outcome": "repair",
        "received_at": (WEDNESDAY_10AM - dt.timedelta(minutes=20)).isoformat(),
    }
    body.update(changes)
    return body


def test_intake_with_every_write_field_answers_the_complaint_as_it_reads(
    api, frontdesk, unit, resident
):
    response = api.as_user(frontdesk).post(COMPLAINTS, full_body(unit, resident), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= COMPLAINT_KEYS
    expected = {
        "reference": "TS-HY-261125-0001",
        "estate": "HY",
        "unit": unit.id,
        "unit_label": "3号楼2单元-1201",
        "resident": resident.id,
        "contact_name": "王芳",
        "contact_phone": "138****5678",
        "channel": "phone",
        "category": "FAC-LIFT",
        "severity": "major",
        "summary": "3号楼电梯停运",
        "account": "早上七点起电梯停在12楼，物业电话无人接听。",
        "desired_outcome": "repair",
        "stage": "intake",
        "validity": "pending",
        "escalation_level": 0,
        "department": None,
        "assignee": None,
        "repeat_of": None,
        "closed_at": None,
        "version": 1,
        "actions": ["accept", "escalate", "log_callback", "add_note"],
    }
    assert {key: body[key] for key in expected} == expected
    assert instant(body["received_at"]) == WEDNESDAY_10AM - dt.timedelta(minutes=20)
    # A major complaint must be acknowledged within 30 business minutes of receipt.
    [deadline] = body["deadlines"]
    # SPEC §7 names four keys; the explanation (starts_at, explanation) is an addition.
    assert set(deadline) == DEADLINE_KEYS | {"starts_at", "explanation"}
    assert deadline["kind"] == "acknowledge"
    assert instant(deadline["due_at"]) == dt.datetime(2026, 11, 25, 10, 10, tzinfo=SHANGHAI)
    assert deadline["met_at"] is None
    assert deadline["state"] == "pending"
    complaint = Complaint.objects.get()
    assert complaint.logged_by == frontdesk
    assert complaint.contact_phone == "8613812345678"


def test_intake_reads_back_identically_on_the_detail_url(api, frontdesk, unit, resident):
    created = api.as_user(frontdesk).post(COMPLAINTS, full_body(unit, resident), format="json")

    detail = api.get(complaint_url(created.json()["reference"]))

    assert detail.status_code == 200
    assert detail.json() == created.json()


def test_a_repeat_s_answer_reads_back_identically_on_the_detail_url(
    api, frontdesk, unit, resident, clock
):
    api.as_user(frontdesk).post(COMPLAINTS, full_body(unit, resident), format="json")
    clock.shift(dt.timedelta(days=2))
    body = full_body(unit, resident, received_at=None, severity="urgent", resident=None)
    created = api.post(COMPLAINTS, body, format="json")

    detail = api.get(complaint_url(created.json()["reference"]))

    assert created.status_code == 201, created.content
    assert created.json()["repeat_of"] == "TS-HY-261125-0001"
    assert created.json()["escalation_level"] == 1
    assert detail.json() == created.json()


def test_intake_of_a_common_area_complaint_without_a_resident(api, frontdesk, estate):
    body = {
        "estate": "HY",
        "contact_name": "路过的访客",
        "contact_phone": "13900001111",
        "channel": "walk_in",
        "category": "ENV-CLEAN",
        "summary": "大堂地面湿滑",
        "account": "大堂刚拖过地没有放警示牌。",
    }

    response = api.as_user(frontdesk).post(COMPLAINTS, body, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["unit"] is None
    assert created["unit_label"] is None
    assert created["resident"] is None
    assert created["contact_phone"] == "139****1111"
    assert created["severity"] == "normal"
    assert created["desired_outcome"] == "repair"
    assert created["channel"] == "walk_in"


SERVER_OWNED = [
    ("stage", "closed"),
    ("version", 7),
    ("reference", "TS-HY-261125-9999"),
    ("escalation_level", 2),
    ("department", "ENG"),
    ("assignee", "handler"),
    ("validity", "valid"),
    ("closed_at", "2026-11-25T10:00:00+08:00"),
    ("repeat_of", "TS-HY-261101-0001"),
    ("in_warranty", True),
    ("on_hold", True),
    ("logged_by", 1),
    ("deadlines", []),
]


@pytest.mark.parametrize(("field", "value"), SERVER_OWNED)
def test_intake_refuses_a_server_owned_field_by_name_and_creates_nothing(
    api, frontdesk, unit, resident, field, value
):
    body = full_body(unit, resident, **{field: value})

    response = api.as_user(frontdesk).post(COMPLAINTS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {field: ["This field cannot be set here."]}
    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists()


BAD_INPUT = [
    ({"summary": None}, "summary", "This field may not be null."),
    ({"summary": ""}, "summary", "This field may not be blank."),
    ({"account": "   "}, "account", "This field may not be blank."),
    ({"channel": "fax"}, "channel", '"fax" is not a valid choice.'),
    ({"severity": "critical"}, "severity", '"critical" is not a valid choice.'),
    ({"desired_outcome": "revenge"}, "desired_outcome", '"revenge" is not a valid choice.'),
    ({"category": "NOPE"}, "category", "Object with code=NOPE does not exist."),
    ({"estate": "JD"}, "estate", "Object with code=JD does not exist."),
    ({"contact_phone": "12-34"}, "contact_phone", "Enter a phone number of 7 to 15 digits."),
    ({"received_at": "yesterday"}, "received_at", None),
    (
        {"received_at": (WEDNESDAY_10AM + dt.timedelta(days=1)).isoformat()},
        "received_at",
        "The received time cannot be in the future.",
    ),
    (
        {"received_at": (WEDNESDAY_10AM - dt.timedelta(days=91)).isoformat()},
        "received_at",
        "Complaints can be entered up to 90 days back.",
    ),
    (
        {"resident": None, "contact_name": ""},
        "contact_name",
        "Give the complainant's name, or choose a resident.",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_intake_names_the_field_and_creates_nothing(
    api, frontdesk, unit, resident, other_estate, changes, field, message
):
    body = full_body(unit, resident, **changes)

    response = api.as_user(frontdesk).post(COMPLAINTS, body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    assert isinstance(errors[field], list)
    assert all(isinstance(text, str) and text for text in errors[field])
    if message is not None:
        assert errors[field] == [message]
    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists()


def test_intake_without_required_fields_lists_each_of_them(api, frontdesk, estate):
    response = api.as_user(frontdesk).post(COMPLAINTS, {}, format="json")

    assert response.status_code == 400
    errors = response.json()
    for field in ("estate", "channel", "category", "summary", "account"):
        assert errors[field] == ["This field is required."]
    assert not Complaint.objects.exists()


def test_intake_refuses_a_unit_of_another_estate(api, supervisor, unit, resident, other_estate):
    elsewhere = UnitFactory(building=BuildingFactory(estate=other_estate))

    response = client_for(supervisor).post(
        COMPLAINTS, full_body(unit, resident, unit=elsewhere.id), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"unit": ["This unit is not in the chosen estate."]}
    assert not Complaint.objects.exists()


def test_intake_cannot_name_a_unit_or_resident_of_an_estate_not_covered(
    api, frontdesk_b, unit, resident
):
    body = full_body(unit, resident, estate="JD")

    response = api.as_user(frontdesk_b).post(COMPLAINTS, body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert errors["unit"] == [f'Invalid pk "{unit.id}" - object does not exist.']
    assert errors["resident"] == [f'Invalid pk "{resident.id}" - object does not exist.']
    assert not Complaint.objects.exists()


def test_a_handler_may_not_log_complaints(api, handler, unit, resident):
    response = api.as_user(handler).post(COMPLAINTS, full_body(unit, resident), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not log complaints."}
    assert not Complaint.objects.exists()


def test_a_repeat_complaint_links_the_earlier_one_and_starts_escalated(
    api, frontdesk, unit, resident, clock
):
    first = api.as_user(frontdesk).post(COMPLAINTS, full_body(unit, resident), format="json")
    clock.shift(dt.timedelta(days=3))

    second = api.post(COMPLAINTS, full_body(unit, resident, received_at=None), format="json")

    assert second.status_code == 201, second.content
    assert second.json()["repeat_of"] == first.json()["reference"]
    assert second.json()["escalation_level"] == 1


# The worklist --------------------------------------------------------------------------------


@pytest.fixture
def worklist(frontdesk, supervisor, estate, other_estate, clock):
    """Three complaints, received a minute apart, newest last."""
    lift = log_complaint(frontdesk, estate=estate, severity="normal")
    clock.shift(dt.timedelta(minutes=1))
    leak = log_complaint(
        frontdesk,
        estate=estate,
        category="QUAL-LEAK",
        severity="major",
        summary="卫生间天花板渗漏",
        account="楼上卫生间漏水到我家。",
        contact_name="李雷",
        contact_phone="13900001111",
    )
    clock.shift(dt.timedelta(minutes=1))
    noise = log_complaint(
        supervisor,
        estate=other_estate,
        category="SEC-NOISE",
        severity="urgent",
        summary="夜间装修噪音",
        account="晚上十一点还在电钻。",
        contact_name="张伟",
        contact_phone="13700002222",
    )
    services.complaint_act(reference=leak.reference, actor=frontdesk, action="accept")
    return {"lift": lift.reference, "leak": leak.reference, "noise": noise.reference}


def test_the_worklist_is_newest_first_and_scoped(api, frontdesk, supervisor, worklist):
    mine = references(api.as_user(frontdesk).get(COMPLAINTS))
    everything = references(client_for(supervisor).get(COMPLAINTS))

    assert mine == [worklist["leak"], worklist["lift"]]
    assert everything == [worklist["noise"], worklist["leak"], worklist["lift"]]


def test_list_rows_have_the_complaint_shape(api, frontdesk, worklist):
    rows = api.as_user(frontdesk).get(COMPLAINTS).json()["results"]

    assert all(set(row) >= COMPLAINT_KEYS for row in rows)
    leak = next(row for row in rows if row["reference"] == worklist["leak"])
    assert leak["stage"] == "clarification"
    assert leak["contact_phone"] == "139****1111"
    assert leak["actions"] == [
        "close_as_explained",
        "plan_resolution",
        "escalate",
        "log_callback",
        "add_note",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "clarification"}, ["leak"]),
        ({"stage": "intake"}, ["noise", "lift"]),
        ({"stage": "closed"}, []),
        ({"category": "FAC"}, ["lift"]),
        ({"category": "FAC-LIFT"}, ["lift"]),
        ({"category": "QUAL"}, ["leak"]),
        ({"category": "SEC-NOISE"}, ["noise"]),
        ({"severity": "urgent"}, ["noise"]),
        ({"severity": "major"}, ["leak"]),
        ({"estate": "JD"}, ["noise"]),
        ({"estate": "HY"}, ["leak", "lift"]),
        ({"q": "5678"}, ["lift"]),
        ({"q": "139 0000 1111"}, ["leak"]),
        ({"q": "李雷"}, ["leak"]),
        ({"q": "张"}, ["noise"]),
        ({"q": "渗漏"}, ["leak"]),
        ({"q": "nothing like it"}, []),
        ({"estate": "HY", "severity": "normal", "stage": "intake"}, ["lift"]),
    ],
)
def test_worklist_filters(supervisor, worklist, params, expected):
    found = references(client_for(supervisor).get(COMPLAINTS, params))

    assert found == [worklist[name] for name in expected]


def test_q_finds_a_complaint_by_its_reference(supervisor, worklist):
    found = references(client_for(supervisor).get(COMPLAINTS, {"q": worklist["noise"].lower()}))

    assert found == [worklist["noise"]]


def test_a_front_desk_filtering_on_an_estate_not_covered_sees_nothing(api, frontdesk, worklist):
    assert references(api.as_user(frontdesk).get(COMPLAINTS, {"estate": "JD"})) == []


def test_overdue_lists_the_complaints_with_a_deadline_past_and_unmet(supervisor, worklist, clock):
    client = client_for(supervisor)
    clock.shift(dt.timedelta(minutes=20))
    # Urgent: acknowledged within 15 minutes around the clock, and nobody did.
    at_10_22 = references(client.get(COMPLAINTS, {"overdue": "true"}))
    clock.shift(dt.timedelta(hours=2))
    # Normal: two working hours to acknowledge; the leak was accepted in time.
    at_12_22 = references(client.get(COMPLAINTS, {"overdue": "true"}))

    assert at_10_22 == [worklist["noise"]]
    assert at_12_22 == [worklist["noise"], worklist["lift"]]
    assert references(client.get(COMPLAINTS, {"overdue": "false"})) == [
        worklist["noise"],
        worklist["leak"],
        worklist["lift"],
    ]


def test_overdue_still_lists_a_deadline_the_sweep_marked_missed(supervisor, worklist, clock):
    clock.shift(dt.timedelta(minutes=20))
    # What the sweep does to a missed deadline, without running the whole sweep.
    Deadline.objects.filter(complaint__reference=worklist["noise"]).update(state="missed")

    found = references(client_for(supervisor).get(COMPLAINTS, {"overdue": "true"}))

    assert found == [worklist["noise"]]


def test_a_closed_complaint_is_never_overdue(api, frontdesk, estate, clock):
    ref = log_complaint(frontdesk, estate=estate).reference
    services.complaint_act(reference=ref, actor=frontdesk, action="accept")
    services.complaint_act(
        reference=ref,
        actor=frontdesk,
        action="log_callback",
        data={"reached": True, "next_callback_at": WEDNESDAY_10AM + dt.timedelta(hours=1)},
    )
    clock.shift(dt.timedelta(hours=2))
    # The sweep marked the agreed callback missed; the complaint is then explained and closed.
    Deadline.objects.filter(kind="agreed_callback").update(state="missed")
    services.complaint_act(
        reference=ref,
        actor=frontdesk,
        action="close_as_explained",
        data={"validity": "invalid", "explanation": "已解释"},
    )

    found = references(api.as_user(frontdesk).get(COMPLAINTS, {"overdue": "true"}))

    assert found == []


def test_overdue_deadlines_read_as_missed(supervisor, worklist, clock):
    clock.shift(dt.timedelta(minutes=30))

    body = client_for(supervisor).get(complaint_url(worklist["noise"])).json()

    [acknowledge] = body["deadlines"]
    assert acknowledge["kind"] == "acknowledge"
    assert acknowledge["state"] == "missed"
    assert acknowledge["met_at"] is None


def test_escalated_lists_the_complaints_above_the_desk(api, frontdesk, worklist):
    services.complaint_act(
        reference=worklist["lift"],
        actor=frontdesk,
        action="escalate",
        data={"reason": "unsatisfied"},
    )

    found = references(api.as_user(frontdesk).get(COMPLAINTS, {"escalated": "true"}))

    assert found == [worklist["lift"]]


def test_the_worklist_pages_by_fifty_without_counting(api, frontdesk, estate, clock):
    made = []
    for _ in range(51):
        made.append(log_complaint(frontdesk, estate=estate).reference)
        clock.shift(dt.timedelta(seconds=1))
    api.as_user(frontdesk)

    first = api.get(COMPLAINTS, {"stage": "intake"})
    second = api.get(first.json()["next"])

    assert first.status_code == 200
    page_one = first.json()
    assert "count" not in page_one
    assert len(page_one["results"]) == 50
    assert page_one["previous"] is None
    assert page_one["next"].startswith("http://testserver/api/v1/complaints/?")
    assert "page=2" in page_one["next"]
    assert "stage=intake" in page_one["next"]
    page_two = second.json()
    assert "count" not in page_two
    assert [row["reference"] for row in page_two["results"]] == [made[0]]
    assert page_two["next"] is None
    assert page_two["previous"] == "http://testserver/api/v1/complaints/?stage=intake"
    seen = [row["reference"] for row in page_one["results"]] + [made[0]]
    assert seen == list(reversed(made))


def test_a_page_past_the_end_is_empty(api, frontdesk, estate):
    log_complaint(frontdesk, estate=estate)

    body = api.as_user(frontdesk).get(COMPLAINTS, {"page": 3}).json()

    assert body["results"] == []
    assert body["next"] is None


# Detail and timeline -------------------------------------------------------------------------


def test_an_unknown_reference_is_404(api, frontdesk, estate):
    response = api.as_user(frontdesk).get(complaint_url("TS-HY-261125-9999"))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_events_are_oldest_first_with_the_actor_by_username(
    api, frontdesk, estate, unit, resident, clock
):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident)
    client = api.as_user(frontdesk)
    clock.shift(dt.timedelta(minutes=5))
    act(client, complaint.reference, "accept")
    clock.shift(dt.timedelta(minutes=5))
    act(client, complaint.reference, "add_note", {"text": "已联系电梯维保公司"})

    response = client.get(events_url(complaint.reference))

    assert response.status_code == 200
    events = response.json()
    assert all(set(event) >= EVENT_KEYS for event in events)
    assert [(e["kind"], e["actor"], e["from_stage"], e["to_stage"]) for e in events] == [
        ("created", "frontdesk", "", "intake"),
        ("accept", "frontdesk", "intake", "clarification"),
        # An action that keeps the stage records where it happened and no destination.
        ("add_note", "frontdesk", "clarification", ""),
    ]
    assert [instant(e["at"]) for e in events] == [
        WEDNESDAY_10AM,
        WEDNESDAY_10AM + dt.timedelta(minutes=5),
        WEDNESDAY_10AM + dt.timedelta(minutes=10),
    ]
    assert events[0]["data"]["channel"] == "phone"
    assert events[1]["data"] == {"deadlines_met": ["acknowledge"]}
    assert events[2]["note"] == "已联系电梯维保公司"


def test_what_the_system_does_is_attributed_to_system(api, frontdesk, estate, unit, resident):
    first = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident)
    repeat = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident)

    events = api.as_user(frontdesk).get(events_url(repeat.reference)).json()

    escalated = [e for e in events if e["kind"] == "escalated"]
    assert len(escalated) == 1
    assert escalated[0]["actor"] == "system"
    assert escalated[0]["data"]["reason"] == "repeat"
    assert escalated[0]["data"]["repeat_of"] == first.reference


def test_events_of_an_unknown_reference_are_404(api, frontdesk, estate):
    response = api.as_user(frontdesk).get(events_url("TS-HY-261125-9999"))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# Schema, docs, health ------------------------------------------------------------------------


def test_the_schema_is_openapi_3_and_names_every_path(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/auth/tokens/",
        "/api/v1/auth/tokens/{prefix}/",
        "/api/v1/estates/",
        "/api/v1/units/",
        "/api/v1/categories/",
        "/api/v1/residents/",
        "/api/v1/complaints/",
        "/api/v1/complaints/{reference}/",
        "/api/v1/complaints/{reference}/actions/{action}/",
        "/api/v1/complaints/{reference}/events/",
        "/api/v1/complaints/{reference}/evidence/",
        "/api/v1/complaints/{reference}/evidence/{id}/",
        "/api/v1/escalations/",
        "/api/v1/escalations/{id}/acknowledge/",
    ):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/complaints/"]


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/v1/complaints/" in (tmp_path / "schema.yaml").read_text()


def test_the_docs_page_loads_its_assets_from_this_site(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert not re.search(r"https?://", html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    # Swagger UI's start-up code comes from the view itself, as a file rather than inline.
    assert "/api/docs/?script=" in assets
    for asset in assets:
        if asset == "/api/docs/?script=":
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset


def test_healthz_reports_the_database_and_the_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"database", "broker"}
    assert body["database"] == "ok"
    assert isinstance(body["broker"], str)
    assert body["broker"]
