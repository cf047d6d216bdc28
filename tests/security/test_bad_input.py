"""Input no database column can hold — numbers too big, NUL characters — wherever a request
carries it: a 400 that names the field, never a server error (a number in a path names
nothing: 404). The fuzzer (test_fuzz.py) found the first of each in the API; the pages are not
fuzzed, so their doors are listed by hand: every number a page or the API reads."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client

from complaints.models import Complaint
from tests.complaints.api_helpers import client_for
from tests.complaints.page_helpers import signed_in
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db

HUGE = 2**70  # past any 64-bit id
TWENTY_DIGITS = "9" * 20
OVERFLOW = "1e400"  # JSON reads it as infinity, int() refuses it
NUMBER = "Enter a whole number from 0 to 9223372036854775807."

INTAKE = {
    "estate": "HY",
    "channel": "phone",
    "category": "FAC-LIFT",
    "summary": "x",
    "account": "x",
    "contact_name": "王芳",
    "contact_phone": "13812345678",
}

# Every number the API reads, each given what no id or page can be: (method, url, JSON body,
# status, the field the refusal names). A number in a path names nothing: 404.
API = [
    ("post", "/api/v1/notifications/read/", {"ids": [HUGE]}, 400, "ids"),
    ("post", "/api/v1/notifications/read/", '{"ids": [1e400]}', 400, "non_field_errors"),
    ("post", "/api/v1/notifications/read/", {"ids": [TWENTY_DIGITS]}, 400, "ids"),
    ("get", f"/api/v1/complaints/{{ref}}/evidence/{HUGE}/", None, 404, "detail"),
    ("post", f"/api/v1/escalations/{HUGE}/acknowledge/", {}, 404, "detail"),
    ("post", "/api/v1/complaints/", {**INTAKE, "unit": HUGE}, 400, "unit"),
    ("post", "/api/v1/complaints/", {**INTAKE, "resident": HUGE}, 400, "resident"),
    ("post", "/api/v1/complaints/", {**INTAKE, "unit": TWENTY_DIGITS}, 400, "unit"),
    ("post", "/api/v1/complaints/", {**INTAKE, "unit": OVERFLOW}, 400, "unit"),
    ("post", "/api/v1/complaints/", {**INTAKE, "resident": OVERFLOW}, 400, "resident"),
    ("post", "/api/v1/complaints/", '{"estate": "HY", "unit": 1e400}', 400, "non_field_errors"),
    (
        "post",
        "/api/v1/complaints/",
        '{"estate": "HY", "resident": -1e400}',
        400,
        "non_field_errors",
    ),
    (
        "post",
        "/api/v1/complaints/{ref}/actions/add_note/",
        {"text": "x", "version": HUGE},
        400,
        "version",
    ),
    (
        "post",
        "/api/v1/complaints/{ref}/actions/add_note/",
        {"text": "x", "version": OVERFLOW},
        400,
        "version",
    ),
    (
        "post",
        "/api/v1/complaints/{ref}/actions/add_note/",
        '{"text": "x", "version": 1e400}',
        400,
        "non_field_errors",
    ),
    ("get", f"/api/v1/complaints/?page={HUGE}", None, 400, "page"),
    ("get", f"/api/v1/complaints/?page={TWENTY_DIGITS}", None, 400, "page"),
    ("get", f"/api/v1/complaints/?page={OVERFLOW}", None, 400, "page"),
    ("get", "/api/v1/complaints/?page=-1", None, 400, "page"),
]
PAGES = [
    ("get", f"/complaints/{{ref}}/evidence/{HUGE}/", 404),
    ("get", f"/residents/{HUGE}/", 404),
    ("post", f"/escalations/{HUGE}/acknowledge/", 404),
]
# Every number a page reads from its query string: 400, naming the parameter.
PAGE_QUERIES = [
    "/complaints/?building={n}",
    "/complaints/?page={n}",
    "/complaints/export.csv?building={n}",
    "/complaints/export.xlsx?building={n}",
    "/complaints/export.csv?page={n}",
    "/complaints/new/location/?unit={n}",
    "/complaints/new/location/?resident={n}",
    "/complaints/new/location/?estate=HY&building={n}",
    "/complaints/new/repeat/?estate=HY&category=FAC-LIFT&unit={n}",
    "/complaints/new/repeat/?estate=HY&category=FAC-LIFT&resident={n}",
    "/escalations/?page={n}",
    "/residents/?page={n}",
]


@pytest.fixture
def reference(frontdesk, estate) -> str:
    return log_complaint(frontdesk, estate=estate).reference


@pytest.mark.parametrize(("method", "url", "body", "status", "field"), API)
def test_the_api_refuses_numbers_too_big_for_the_database(
    supervisor, reference, method, url, body, status, field
):
    client = client_for(supervisor)
    url = url.format(ref=reference)

    if body is None:
        response = client.get(url)
    elif isinstance(body, str):  # JSON that only a raw body can carry
        response = client.generic("POST", url, body, content_type="application/json")
    else:
        response = getattr(client, method)(url, body, format="json")

    assert response.status_code == status, response.content[:300]
    assert field in response.json()
    if field == "page":
        assert response.json() == {"page": [NUMBER]}


@pytest.mark.parametrize(("method", "url", "status"), PAGES)
def test_the_pages_answer_a_number_in_a_path_as_nothing_found(
    supervisor, reference, method, url, status
):
    browser = signed_in(supervisor)

    response = getattr(browser, method)(url.format(ref=reference))

    assert response.status_code == status


@pytest.mark.parametrize("number", [str(HUGE), TWENTY_DIGITS, OVERFLOW, "-1", "0x10"])
@pytest.mark.parametrize("url", PAGE_QUERIES)
def test_the_pages_refuse_a_number_no_id_or_page_can_be(supervisor, estate, url, number):
    browser = signed_in(supervisor)

    response = browser.get(url.format(n=number))

    assert response.status_code == 400
    name = re.search(r"(\w+)=\{n\}", url)[1]
    assert response.content.decode() == f"{name}: {NUMBER}"


@pytest.mark.parametrize("url", ["/complaints/?page=2", "/complaints/new/location/?unit="])
def test_a_number_that_fits_or_none_at_all_is_read_as_before(supervisor, estate, url):
    browser = signed_in(supervisor)

    assert browser.get(url).status_code == 200


def test_the_worklist_leaves_out_a_building_that_is_not_one_and_says_so(supervisor, reference):
    response = signed_in(supervisor).get("/complaints/?building=424242")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Left out, as they are not valid filters:" in body
    assert "Building: Select a valid choice. 424242 is not one of the available choices." in body
    assert reference in body


@pytest.mark.parametrize("path", ["/complaints/export.csv", "/complaints/export.xlsx"])
def test_the_worklist_exports_refuse_a_building_that_is_not_one(supervisor, reference, path):
    response = signed_in(supervisor).get(f"{path}?building=424242")

    assert response.status_code == 400
    assert response.content.decode() == (
        "Building: Select a valid choice. 424242 is not one of the available choices."
    )


@pytest.mark.parametrize(
    "field", ["unit", "resident", "building"], ids=["unit", "resident", "building"]
)
@pytest.mark.parametrize("number", [str(HUGE), OVERFLOW])
def test_the_intake_form_refuses_numbers_no_id_can_be(frontdesk, estate, unit, field, number):
    browser = signed_in(frontdesk)
    form = {
        **INTAKE,
        "building": str(unit.building_id),
        "unit": str(unit.pk),
        "desired_outcome": "repair",
        field: number,
    }

    response = browser.post("/complaints/new/", form)

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("version", [str(HUGE), OVERFLOW, "0"])
def test_an_action_form_refuses_a_version_no_complaint_can_have(frontdesk, reference, version):
    browser = signed_in(frontdesk)

    response = browser.post(
        f"/complaints/{reference}/actions/add_note/", {"text": "x", "version": version}
    )

    assert response.status_code == 400
    assert Complaint.objects.get().events.count() == 1  # only its creation


NUL = "%00"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/api/v1/complaints/?stage={NUL}", 400),
        (f"/api/v1/complaints/?q=a{NUL}b", 400),
        (f"/api/v1/residents/?phone={NUL}&q={NUL}", 400),
        (f"/api/v1/units/?estate={NUL}", 400),
        (f"/api/v1/complaints/TS{NUL}/", 404),
        (f"/complaints/?q={NUL}", 400),
        (f"/residents/?q={NUL}", 400),
        (f"/complaints/new/lookup/?lookup=13{NUL}8", 400),
        (f"/complaints/TS{NUL}/", 404),
        (f"/residents/?{NUL}=1", 400),
    ],
)
def test_a_nul_character_is_refused_before_it_reaches_the_database(supervisor, url, status):
    browser = signed_in(supervisor)

    response = browser.get(url)

    assert response.status_code == status
    if url.startswith("/api/"):
        key = "non_field_errors" if status == 400 else "detail"
        assert list(response.json()) == [key]


def test_a_nul_character_in_a_body_is_refused_by_the_field(frontdesk, reference):
    response = client_for(frontdesk).post(
        f"/api/v1/complaints/{reference}/actions/add_note/", {"text": "a\x00b"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"text": ["Null characters are not allowed."]}


def test_a_username_longer_than_any_is_refused_before_the_throttle_records_it(db):
    # The throttle writes each failed sign-in's username into a column of 255 characters.
    long_name = "界" * 100_000

    token = Client().post(
        "/api/v1/auth/token/",
        {"username": long_name, "password": "x"},
        content_type="application/json",
    )
    pages = [
        Client().post(path, {"username": long_name, "password": "x"}, HTTP_ACCEPT_LANGUAGE="en")
        for path in ("/accounts/login/", "/admin/login/")
    ]

    assert token.status_code == 400
    assert token.json() == {"username": ["Ensure this field has no more than 150 characters."]}
    for page in pages:  # the sign-in form again, with its error
        assert page.status_code == 200
        assert "Ensure this value has at most 150 characters" in page.content.decode()
    assert AccessAttempt.objects.count() == 0
