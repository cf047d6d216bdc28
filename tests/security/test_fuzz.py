"""Fuzzing the API from its own OpenAPI schema (schemathesis against the WSGI application).

Every operation at /api/schema/ gets schema-valid and schema-breaking requests (at most 25
generated per operation, plus the schema's boundary cases), deterministically, as a signed-in
front-desk user — and, for the supervisors' operations, as a supervisor — over a small world
like the demo's: an estate, buildings, units, residents, a complaint with a photo and an open
escalation. Every answer must be no 5xx and exactly what the schema documents: the status
code, the content type and the body.

A third run sends the same operations hostile variants of what the schema generates: each JSON
body also nested forty levels deep, or with every number past 64 bits and every text a hundred
thousand characters or invisible; each query and path number past 64 bits.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from complaints import services
from config.wsgi import application
from staff.tokens import api_token_issue
from tests.complaints.api_helpers import image_bytes
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, log_complaint

# Hypothesis keeps caches beside the tests unless told otherwise; they belong in /tmp.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="desk-hypothesis-"))

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.seed = 20261127
SUPERVISORS_ONLY = r"^/api/v1/(escalations|reports)/"
supervisor_schema = schema.include(path_regex=SUPERVISORS_ONLY)

# The hostile run: the same schema, its generated values turned into what no field can hold.
hostile_schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
hostile_schema.config.seed = 20261207
DEEPER_THAN_ALLOWED = 40
HUGE_NUMBERS = (2**63, 2**70, -(2**70), 10**20, 1e308, -1e308)
HUGE_TEXTS = ("9" * 20, "1e400", "9999-W52", "\u200b\u202e", "界" * 100_000)


def _nested(value, depth: int = DEEPER_THAN_ALLOWED):
    for _ in range(depth):
        value = [value]
    return value


def _huge(value, number, text):
    """``value`` with each number replaced by ``number`` and each text by ``text``."""
    if isinstance(value, dict):
        return {key: _huge(item, number, text) for key, item in value.items()}
    if isinstance(value, list):
        return [_huge(item, number, text) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return number
    if isinstance(value, str):
        return text
    return value


def _hostile_variants(value) -> list:
    """Each huge text, each with one of the huge numbers."""
    return [
        _huge(value, HUGE_NUMBERS[n % len(HUGE_NUMBERS)], text) for n, text in enumerate(HUGE_TEXTS)
    ]


@hostile_schema.hook
def flatmap_body(context, body):
    operation = context.operation
    json_body = operation is not None and (
        "application/json" in operation.get_request_payload_content_types()
    )
    # An action without a body has none to vary (schemathesis's "not set").
    if not json_body or not isinstance(body, dict | list):
        return st.just(body)
    return st.sampled_from([body, _nested(body), {"deep": _nested({})}, *_hostile_variants(body)])


@hostile_schema.hook
def flatmap_query(context, query):
    if not query:
        return st.just(query)
    return st.sampled_from([query, {name: str(2**70) for name in query}, *_hostile_variants(query)])


@hostile_schema.hook
def flatmap_path_parameters(context, path_parameters):
    numbers = {name: 2**70 for name in path_parameters or {} if name == "pk"}
    return st.sampled_from([path_parameters, {**(path_parameters or {}), **numbers}])


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=25,
    # A guard against an input that makes the server hang, not a timing: a huge list page on a
    # machine busy with other work has taken 5.2 s.
    deadline=dt.timedelta(seconds=20),
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Requests reach the WSGI application directly, not through Django's test client, so
    nothing stops it closing the test's connection after each request (which would end the
    test's transaction on PostgreSQL). Do what the test client does: keep it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    language = translation.get_language()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    # Each request switched the thread to its reader's language; the tests after these read
    # the language they started with.
    translation.activate(language)


@pytest.fixture
def demo(wsgi_in_the_test_transaction, frontdesk, supervisor, estate) -> dict:
    buildings = [BuildingFactory(estate=estate, name=f"{n}号楼") for n in (1, 2, 3)]
    units = [
        UnitFactory(building=b, entrance="1", room=f"{f}01") for b in buildings for f in (1, 2)
    ]
    resident = ResidentFactory(name="王芳", phone="13812345678", units=units[:1])
    ResidentFactory(name="李雷", phone="13900001111", units=units[1:2])
    complaint = log_complaint(frontdesk, estate=estate, unit=units[0], resident=resident)
    services.evidence_add(
        reference=complaint.reference,
        actor=frontdesk,
        upload=SimpleUploadedFile("lift.png", image_bytes(), content_type="image/png"),
    )
    services.complaint_act(
        reference=complaint.reference,
        actor=frontdesk,
        action="escalate",
        data={"reason": "unsatisfied", "note": "住户不满意"},
    )
    return {
        "reference": complaint.reference,
        "front_desk": api_token_issue(user=frontdesk)[1],
        "supervisor": api_token_issue(user=supervisor)[1],
    }


def _call(case, demo: dict, token: str) -> None:
    if "reference" in (case.path_parameters or {}):
        # The complaint of the demo world, so that actions meet a real one.
        case.path_parameters["reference"] = demo["reference"]
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@BOUNDED
def test_the_api_as_the_front_desk(case, demo):
    _call(case, demo, demo["front_desk"])


@pytest.mark.django_db
@supervisor_schema.parametrize()
@BOUNDED
def test_the_supervisors_operations_as_a_supervisor(case, demo):
    _call(case, demo, demo["supervisor"])


@pytest.mark.django_db
@hostile_schema.parametrize()
@BOUNDED
def test_the_api_with_deep_and_huge_inputs(case, demo):
    _call(case, demo, demo["supervisor"])
