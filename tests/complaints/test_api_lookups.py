"""The API's look-ups of units and residents find what the intake page's look-up finds: a unit
as callers say it, the exact unit first; a resident by name, pinyin initials, part of a phone or
unit; always within the reader's estates."""

from __future__ import annotations

import pytest

from tests.factories import BuildingFactory, ResidentFactory, UnitFactory

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"
RESIDENTS = "/api/v1/residents/"


@pytest.fixture
def units(estate, other_estate):
    """3号楼2单元-801 of 海悦花园, among units a loose match would also find."""
    three = BuildingFactory(estate=estate, name="3号楼")
    made = {
        "3-2-801": UnitFactory(building=three, entrance="2", room="801"),
        "3-1-801": UnitFactory(building=three, entrance="1", room="801"),
        "3-2-1801": UnitFactory(building=three, entrance="2", room="1801"),
        "13-2-801": UnitFactory(
            building=BuildingFactory(estate=estate, name="13号楼"), entrance="2", room="801"
        ),
        "32-801": UnitFactory(
            building=BuildingFactory(estate=estate, name="32号楼"), entrance="1", room="801"
        ),
    }
    # Another estate's 3号楼 has no entrance 2 room 801.
    UnitFactory(
        building=BuildingFactory(estate=other_estate, name="3号楼"), entrance="1", room="802"
    )
    return made


@pytest.mark.parametrize(
    "said", ["3-2-801", "32801", "3号楼2单元801", "3栋2单元801", "３－２－８０１"]
)
def test_a_unit_as_callers_say_it_comes_first(api, frontdesk, units, said):
    found = api.as_user(frontdesk).get(UNITS, {"q": said}).json()
    assert found[0] == {"id": units["3-2-801"].id, "label": "3号楼2单元-801", "estate": "HY"}
    # 3号楼's other 801 and 1801 are not what was said.
    ids = [row["id"] for row in found]
    assert units["3-1-801"].id not in ids
    assert units["3-2-1801"].id not in ids


def test_another_estates_desk_finds_nothing(api, frontdesk_b, units):
    assert api.as_user(frontdesk_b).get(UNITS, {"q": "3-2-801"}).json() == []
    assert api.as_user(frontdesk_b).get(UNITS, {"q": "3-2-801", "estate": "HY"}).json() == []


def test_the_estate_chosen_is_the_only_one_searched(api, supervisor, units):
    client = api.as_user(supervisor)
    assert client.get(UNITS, {"q": "3-2-801", "estate": "JD"}).json() == []
    [first, *_rest] = client.get(UNITS, {"q": "3-2-801", "estate": "HY"}).json()
    assert first["id"] == units["3-2-801"].id
    assert client.get(UNITS, {"q": "3-2-801", "estate": "XX"}).json() == []


@pytest.mark.parametrize("phone", ["1", "139", "abc", "１３"])
def test_a_phone_of_fewer_than_four_digits_is_refused(api, frontdesk, residents, phone):
    """Against the masked numbers of the answer, one digit at a time would spell them out."""
    response = api.as_user(frontdesk).get(RESIDENTS, {"phone": phone})
    assert response.status_code == 400
    assert response.json() == {"phone": ["Enter at least 4 digits of the phone."]}


def test_a_look_up_longer_than_the_intake_page_reads_is_refused(api, frontdesk):
    for path in (UNITS, RESIDENTS):
        response = api.as_user(frontdesk).get(path, {"q": "3" * 51})
        assert response.status_code == 400
        assert response.json() == {"q": ["Search for at most 50 characters."]}


@pytest.fixture
def residents(unit, units):
    """王芳 of 3号楼2单元-1201 (``unit``) and 陈小明 of 3号楼2单元-801."""
    return {
        "wang": ResidentFactory(name="王芳", phone="13812345678", units=[unit]),
        "chen": ResidentFactory(name="陈小明", phone="13900006113", units=[units["3-2-801"]]),
    }


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("cxm", ["陈小明"]),
        ("wf", ["王芳"]),
        ("小明", ["陈小明"]),
        ("6113", ["陈小明"]),
        ("６１１３", ["陈小明"]),
        ("3-2-801", ["陈小明"]),
        ("3号楼2单元1201", ["王芳"]),
    ],
)
def test_residents_are_found_as_the_intake_page_finds_them(api, frontdesk, residents, q, names):
    found = api.as_user(frontdesk).get(RESIDENTS, {"q": q}).json()
    assert [row["name"] for row in found] == names


def test_a_resident_is_shown_with_the_units_the_reader_covers(api, frontdesk, residents):
    [row] = api.as_user(frontdesk).get(RESIDENTS, {"q": "cxm"}).json()
    assert row == {
        "id": residents["chen"].id,
        "name": "陈小明",
        "phone": "139****6113",
        "kind": residents["chen"].kind,
        "units": [
            {"id": residents["chen"].units.get().id, "label": "3号楼2单元-801", "estate": "HY"}
        ],
    }


def test_residents_of_another_estate_are_not_found(api, frontdesk_b, residents):
    assert api.as_user(frontdesk_b).get(RESIDENTS, {"q": "cxm"}).json() == []


def test_the_phone_matches_the_end_of_the_number_and_combines_with_q(api, frontdesk, residents):
    client = api.as_user(frontdesk)
    assert [r["name"] for r in client.get(RESIDENTS, {"phone": "6113"}).json()] == ["陈小明"]
    assert [r["name"] for r in client.get(RESIDENTS, {"phone": "６１１３"}).json()] == ["陈小明"]
    # The end of the number, not any part of it.
    assert client.get(RESIDENTS, {"phone": "1390000"}).json() == []
    assert [r["name"] for r in client.get(RESIDENTS, {"phone": "5678", "q": "wf"}).json()] == [
        "王芳"
    ]
    assert client.get(RESIDENTS, {"phone": "5678", "q": "cxm"}).json() == []
