"""The API's complaint list takes the worklist's filters: the same names, the same complaints,
the same scoping, and a 400 naming the field for a value that is not one."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from tests.complaints.helpers import SHANGHAI, act, complaint_at
from tests.complaints.page_helpers import (
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.factories import BuildingFactory, UnitFactory, log_complaint, make_staff

NUMBER = "Enter a whole number from 0 to 9223372036854775807."

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


@pytest.fixture
def complaints(frontdesk, supervisor, handler, estate, other_estate, unit):
    """NOW is Tuesday 10 March 2026 (week 11); ``last_week`` was received in week 10."""
    five = UnitFactory(building=BuildingFactory(estate=estate, name="5号楼"), room="0801")
    far = UnitFactory(building=BuildingFactory(estate=other_estate, name="3号楼"), room="1201")
    handled = complaint_at("resolution", actor=frontdesk, estate=estate, unit=unit)  # to ENG
    act(handled, supervisor, "assign", assignee="handler")
    at_the_desk = log_complaint(frontdesk, estate=estate, unit=five, summary="前台处理")
    act(at_the_desk, supervisor, "assign", department="CS")
    return {
        "handled": handled,
        "at_the_desk": at_the_desk,
        "lift": log_complaint(frontdesk, estate=estate, unit=unit, summary="电梯停运"),
        "last_week": log_complaint(
            frontdesk,
            estate=estate,
            unit=five,
            summary="上周",
            received_at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI),
        ),
        "far": log_complaint(supervisor, estate=other_estate, unit=far, summary="别处"),
    }


def _on_the_page(user, query: dict, complaints: dict) -> set[str]:
    body = text(signed_in(user).get("/complaints/", query))
    assert 'data-testid="filter-errors"' not in body
    return {key for key, complaint in complaints.items() if complaint.reference in body}


def _from_the_api(api, user, query: dict, complaints: dict) -> set[str]:
    response = api.as_user(user).get("/api/v1/complaints/", query)
    assert response.status_code == 200, response.json()
    listed = [row["reference"] for row in response.json()["results"]]
    return {key for key, complaint in complaints.items() if complaint.reference in listed}


@pytest.mark.parametrize(
    ("reader", "query", "keys"),
    [
        ("supervisor", {"building": "3号楼"}, {"handled", "lift"}),
        ("supervisor", {"building": "5号楼"}, {"at_the_desk", "last_week"}),
        ("supervisor", {"building": "5号楼", "severity": "normal", "q": "上周"}, {"last_week"}),
        ("handler", {"mine": "true"}, {"handled"}),
        ("frontdesk", {"mine": "true"}, set()),
        ("supervisor", {"my_department": "true"}, {"at_the_desk"}),
        ("supervisor", {"week": "2026-W10", "figure": "received"}, {"last_week"}),
        (
            "supervisor",
            {"week": "2026-W11", "figure": "received"},
            {"handled", "at_the_desk", "lift", "far"},
        ),
    ],
)
def test_the_page_and_the_api_list_the_same_complaints(
    request, api, complaints, unit, reader, query, keys
):
    user = request.getfixturevalue(reader)
    buildings = {"3号楼": unit.building_id, "5号楼": complaints["last_week"].unit.building_id}
    if "building" in query:
        query = {**query, "building": str(buildings[query["building"]])}
    # The page's check boxes send "on"; the API takes "true".
    page_query = {key: "on" if value == "true" else value for key, value in query.items()}

    assert _on_the_page(user, page_query, complaints) == keys
    assert _from_the_api(api, user, query, complaints) == keys


def test_a_building_of_an_estate_not_covered_finds_nothing(api, frontdesk, complaints):
    far = complaints["far"].unit.building_id
    body = api.as_user(frontdesk).get("/api/v1/complaints/", {"building": far}).json()
    assert body["results"] == []
    # Nor does a building that does not exist, 0 included.
    for nothing in (999_999, 0):
        body = api.as_user(frontdesk).get("/api/v1/complaints/", {"building": nothing}).json()
        assert body["results"] == []


def test_my_department_is_no_filter_for_a_reader_without_one(api, complaints, estate):
    nobody = make_staff("desk_x", role="front_desk", department=None, estates=[estate])
    every = {"handled", "at_the_desk", "lift", "last_week"}
    assert _on_the_page(nobody, {"my_department": "on"}, complaints) == every
    assert _from_the_api(api, nobody, {"my_department": "true"}, complaints) == every


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"building": "3号楼"}, {"building": [NUMBER]}),
        ({"building": str(2**63)}, {"building": [NUMBER]}),
        ({"mine": "maybe"}, {"mine": ["Enter true or false."]}),
        ({"my_department": "2"}, {"my_department": ["Enter true or false."]}),
        ({"overdue": "soon"}, {"overdue": ["Enter true or false."]}),
        (
            {"week": "2026-W99", "figure": "closed"},
            {"week": ["Enter a week like 2026-W47 (year, W, week number)."]},
        ),
        (
            {"week": "1999-W10", "figure": "closed"},
            {"week": ["Choose a week of the years 2000 to 2100."]},
        ),
        (
            {"week": "2026-W11", "figure": "loudest"},
            {"figure": ["Select a valid choice. loudest is not one of the available choices."]},
        ),
        ({"week": "2026-W11"}, {"figure": ["Give both week and figure, or neither."]}),
        ({"figure": "closed"}, {"week": ["Give both week and figure, or neither."]}),
        (
            {"mine": "x", "q": "9" * 101},
            {"mine": ["Enter true or false."], "q": ["Search for at most 100 characters."]},
        ),
    ],
)
def test_the_api_refuses_a_filter_that_is_not_one_by_name(api, frontdesk, query, errors):
    response = api.as_user(frontdesk).get("/api/v1/complaints/", query)
    assert response.status_code == 400
    assert response.json() == errors


def test_the_flags_take_false_as_no(api, frontdesk, complaints):
    every = {"handled", "at_the_desk", "lift", "last_week"}
    query = {"mine": "false", "my_department": "0", "overdue": "no", "escalated": ""}
    assert _from_the_api(api, frontdesk, query, complaints) == every


@pytest.mark.parametrize("no", ["0", "no", "off", "false"])
def test_the_page_reads_a_flag_as_the_api_does(api, handler, complaints, no):
    """A link's ``mine=0`` is no on the page too: Django's check box took any word but
    ``false`` for a tick."""
    query = {"mine": no, "overdue": no, "escalated": no}
    every = {"handled", "at_the_desk", "lift", "last_week"}
    handlers = _on_the_page(handler, query, complaints)
    assert handlers == _from_the_api(api, handler, query, complaints)
    assert handlers >= {"handled"} and handlers <= every


def test_the_page_drops_a_flag_that_is_no_word_it_knows(handler, complaints):
    body = text(signed_in(handler).get("/complaints/", {"mine": "maybe"}))
    assert 'data-testid="filter-errors"' in body
    assert "Enter true or false." in body
    assert complaints["handled"].reference in body


def test_the_schema_documents_the_worklists_filters(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/complaints/"]["get"]["parameters"]}
    assert parameters["building"]["schema"] == {"type": "integer"}
    assert "does not cover finds nothing" in parameters["building"]["description"]
    for flag in ("overdue", "escalated", "mine", "my_department"):
        assert parameters[flag]["schema"] == {"type": "boolean"}
        assert parameters[flag]["description"]
    assert "`2026-W47`" in parameters["week"]["description"]
    assert "`closed`" in parameters["figure"]["description"]
