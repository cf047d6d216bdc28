"""A unit found as the caller says it, first in the list; a resident by what the desk hears."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from residents.models import Unit
from residents.selectors import resident_search, unit_match, units_lookup
from residents.unit_words import UnitReading, unit_readings
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, make_staff


@pytest.mark.parametrize(
    ("said", "readings"),
    [
        ("3号楼2单元801", [("3", "2", "801")]),
        ("3号楼2单元-801", [("3", "2", "801")]),
        ("3栋2单元801", [("3", "2", "801")]),
        ("3幢801", [("3", "", "801")]),
        ("3-2-801", [("3", "2", "801")]),
        ("3-801", [("3", "", "801")]),
        ("３－２－８０１", [("3", "2", "801")]),
        ("３号楼２单元８０１室", [("3", "2", "801")]),
        ("32801", [("3", "2", "801"), ("32", "", "801"), ("3", "", "2801")]),
        ("A座1201", [("A", "", "1201")]),
        ("陈小明", []),
        ("801", []),
    ],
)
def test_the_callers_words_are_read_as_building_entrance_and_room(said, readings):
    assert unit_readings(said) == [UnitReading(*reading) for reading in readings]


@pytest.fixture
def towers(estate):
    three = BuildingFactory(estate=estate, name="3号楼")
    units = {
        "3-2-801": UnitFactory(building=three, entrance="2", room="801"),
        "3-1-801": UnitFactory(building=three, entrance="1", room="801"),
        "3-2-2801": UnitFactory(building=three, entrance="2", room="2801"),
    }
    for name in ("30号楼", "13号楼", "32号楼"):
        building = BuildingFactory(estate=estate, name=name)
        for entrance in ("1", "2"):
            key = f"{name[:-2]}-{entrance}-801"
            units[key] = UnitFactory(building=building, entrance=entrance, room="801")
    return units


@pytest.mark.parametrize(
    "said",
    [
        "3号楼2单元801",
        "3号楼2单元-801",
        "3栋2单元801",
        "3-2-801",
        "32801",
        "３－２－８０１",
        "\u200b3-2-801\u200e",  # copied from a chat
    ],
)
def test_every_form_finds_its_unit_first(frontdesk, towers, said):
    found = units_lookup(user=frontdesk, q=said)

    assert found[0] == towers["3-2-801"]
    assert towers["30-2-801"] not in found


def test_a_building_and_room_without_entrance_lists_both_entrances_first(frontdesk, towers):
    found = units_lookup(user=frontdesk, q="3幢801")

    assert set(found[:2]) == {towers["3-1-801"], towers["3-2-801"]}
    assert towers["30-1-801"] not in found[:2]


def test_a_room_alone_lists_the_chosen_buildings_first(frontdesk, towers):
    building = towers["32-1-801"].building

    found = units_lookup(user=frontdesk, q="801", building_id=building.pk)

    assert set(found[:2]) == {towers["32-1-801"], towers["32-2-801"]}
    assert towers["3-2-2801"] not in found[:8]  # 2801 is not room 801


def test_digits_find_every_reading_the_room_and_a_building_named_so(estate, towers):
    shops = BuildingFactory(estate=estate, name="32801商铺")
    wanted = {
        towers["3-2-801"],
        towers["32-1-801"],
        towers["32-2-801"],
        towers["3-2-2801"],
        UnitFactory(building=shops, room="101"),
        UnitFactory(building=BuildingFactory(estate=estate, name="9号楼"), room="32801"),
    }

    assert set(Unit.objects.filter(unit_match("32801"))) == wanted


@pytest.mark.postgres
@pytest.mark.parametrize("said", ["32801", "801"])
def test_digits_are_looked_up_by_index_not_by_reading_every_unit(towers, said):
    """Each way the digits may name units is its own SELECT (the room's index, the building's
    key); as one OR, the buildings' subquery would have PostgreSQL test every unit."""
    sql, params = Unit.objects.filter(unit_match(said)).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Seq Scan on residents_unit" not in plan, plan
    assert "Append" in plan, plan
    assert "unit_room_upper" in plan, plan


def test_another_estates_units_are_never_found(estate, other_estate, towers):
    stranger = make_staff("desk_b", role="front_desk", estates=[other_estate])

    assert units_lookup(user=stranger, q="3-2-801") == []


def test_another_estates_residents_are_never_found(estate, other_estate, towers):
    stranger = make_staff("desk_b", role="front_desk", estates=[other_estate])
    ResidentFactory(name="陈小明", phone="13812340414", units=[towers["3-2-801"]])
    elsewhere = UnitFactory(building=BuildingFactory(estate=other_estate, name="8号楼"), room="801")
    both = ResidentFactory(name="陈晓", phone="13900000414", units=[towers["3-1-801"], elsewhere])

    for q in ("陈小明", "cxm", "0414", "3-2-801", "801"):
        assert list(resident_search(user=stranger, q=q)) == ([both] if q in ("0414", "801") else [])


def test_a_resident_is_found_by_the_initials_of_the_name_and_any_part_of_the_phone(
    frontdesk, towers
):
    chen = ResidentFactory(name="陈小明", phone="13812340414", units=[towers["3-2-801"]])
    ResidentFactory(name="陈晓", phone="13900009687", units=[towers["3-1-801"]])

    assert chen.initials == "cxm"
    assert list(resident_search(user=frontdesk, q="cxm")) == [chen]
    assert list(resident_search(user=frontdesk, q="CXM")) == [chen]
    assert list(resident_search(user=frontdesk, q="0414")) == [chen]
    assert list(resident_search(user=frontdesk, q="1234")) == [chen]
    assert list(resident_search(user=frontdesk, q="3栋2单元801")) == [chen]  # her unit
    # Copied from a chat: a zero-width space and a direction mark show nothing and mean nothing.
    assert list(resident_search(user=frontdesk, q="\u200b0414")) == [chen]
    assert list(resident_search(user=frontdesk, q="陈\u200b小明\u200e")) == [chen]
    assert {r.name for r in resident_search(user=frontdesk, q="cx")} == {"陈晓", "陈小明"}


def test_the_residents_of_the_unit_named_come_before_a_phone_that_holds_the_digits(
    frontdesk, towers
):
    # Her phone holds 32801, and her name comes first in pinyin: still after the unit's own.
    phone = ResidentFactory(name="安娜", phone="13932801000", units=[towers["30-1-801"]])
    owner = ResidentFactory(name="赵娜", phone="18700007370", units=[towers["3-2-801"]])

    found = list(resident_search(user=frontdesk, q="32801"))

    assert found[:2] == [owner, phone]


def test_the_estate_chosen_comes_first(frontdesk, estate, other_estate, towers):
    elsewhere = UnitFactory(
        building=BuildingFactory(estate=other_estate, name="3号楼"), entrance="2", room="801"
    )
    both = make_staff("desk_both", role="front_desk", estates=[estate, other_estate])
    there = ResidentFactory(name="安娜", units=[elsewhere])
    here = ResidentFactory(name="赵娜", units=[towers["3-2-801"]])

    units = units_lookup(user=both, q="3-2-801", estate_id=other_estate.pk)
    residents = list(resident_search(user=both, q="3-2-801", estate_id=estate.pk))

    assert units[0] == elsewhere and units[1] == towers["3-2-801"]
    assert residents == [here, there]


@pytest.mark.parametrize(
    ("name", "initials"),
    [("曾雪梅", "zxm"), ("单田芳", "stf"), ("尉迟恭", "ycg"), ("陈小明", "cxm")],
)
def test_a_family_name_is_typed_as_it_is_read_as_one(frontdesk, towers, name, initials):
    resident = ResidentFactory(name=name, units=[towers["3-2-801"]])

    assert resident.initials == initials
    assert list(resident_search(user=frontdesk, q=initials)) == [resident]
