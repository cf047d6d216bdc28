"""Fuzzing the API from its own OpenAPI schema (schemathesis against the WSGI application).

Every operation at /api/schema/ gets schema-valid and schema-breaking requests (at most 25
generated per operation, plus the schema's boundary cases), deterministically, as a signed-in
front-desk user — and, for the supervisors' operations, as a supervisor — over a small world
like the demo's: an estate, buildings, units, residents, a complaint with a photo and an open
escalation. Every answer must be no 5xx and exactly what the schema documents: the status
code, the content type and the body.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
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

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=25,
    deadline=dt.timedelta(seconds=5),
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
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


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
