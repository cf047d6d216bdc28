"""Input past what the desk can mean: refused with a 400 that says why, and nothing changed.

JSON nested deeper than 32 levels, numbers JSON reads as infinity, ISO weeks of years the
reports do not cover, names made only of characters that draw nothing, and agreed times so far
ahead that the deadline they set would never come.
"""

from __future__ import annotations

import pytest
from django.test import Client

from complaints.api.parsers import MAX_DEPTH, nesting_depth
from complaints.models import Complaint
from tests.complaints.api_helpers import client_for

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
        ('{"unit": 1e400}', "JSON parse error - A number in the body is too large."),
        ('{"unit": -1e400}', "JSON parse error - A number in the body is too large."),
        ('{"unit": NaN}', "JSON parse error - NaN is not a number JSON allows."),
        ('{"unit": Infinity}', "JSON parse error - Infinity is not a number JSON allows."),
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
